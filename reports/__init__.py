"""The board's figures as people read them: one self-contained HTML page (inline SVG charts drawn by
matplotlib, inline CSS, no scripts, nothing fetched, printable on A4) and the same numbers as CSV. Rendering
only: the figures are computed in cases/figures/ and read by storage/figure_reads.py."""
