"""Encrypted case store: SQLAlchemy tables and repositories, field encryption, blind indexes, audit log."""
