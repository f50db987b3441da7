"""The schema this code reads, as a constant, so that a read-only command checks the database's revision
with one query instead of loading Alembic and its migration scripts (issue 11 §6, bench/cli_start.py).

A new migration must bump `HEAD_REVISION`: tests/storage/test_schema_version.py compares it with Alembic's
real head, so forgetting fails the tests.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from errors import Unavailable

HEAD_REVISION = "0016"

_VERSION = text("SELECT version_num FROM alembic_version")


class SchemaNotCurrent(Unavailable):
    """The database's schema is not the one this code reads: empty or older (not yet upgraded), or newer."""

    def __init__(self, found: str | None) -> None:
        self.found = found
        if found is None:
            what = "the database has no tables yet: `scrbot db upgrade` creates them"
        elif self.behind:
            what = (
                f"the database schema is at revision {found}, this version of scrbot reads {HEAD_REVISION}: "
                "`scrbot db upgrade` brings it up to date"
            )
        else:
            what = (
                f"the database schema is at revision {found}, which this version of scrbot (schema "
                f"{HEAD_REVISION}) does not know: it was written by a newer scrbot; run that version"
            )
        super().__init__(what + " (`scrbot run` upgrades at start)" if self.behind else what)

    @property
    def behind(self) -> bool:
        """Empty, or an older revision (migrations are numbered 0001, 0002, ...): upgrading brings it to head."""
        return self.found is None or (self.found.isdigit() and int(self.found) < int(HEAD_REVISION))


def schema_revision(engine: Engine) -> str | None:
    """The revision Alembic recorded, or None for a database it never touched."""
    with engine.connect() as connection:
        try:
            found = connection.execute(_VERSION).scalar_one_or_none()
        except DBAPIError:  # no alembic_version table: an empty database
            return None
    return str(found) if found is not None else None


def check_schema(engine: Engine) -> None:
    """Refuse to read a database whose schema is not exactly the one this code was written for."""
    found = schema_revision(engine)
    if found != HEAD_REVISION:
        raise SchemaNotCurrent(found)
