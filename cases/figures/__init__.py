"""The board's figures (000 appendix 1 §2; 004 §1.3): pure functions over plain histories of cases and a
period. No I/O, no clock: the store reads the rows (storage/figure_reads.py), reports/ draws and writes them."""
