"""Reading the text of review reports (.docx and .pdf) for the anonymisation check (cases/review/anonymisation.py)."""
