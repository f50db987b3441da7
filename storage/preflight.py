"""Checks before a process opens a board's store, so that a wrong setting stops it with one clear line
instead of quietly hiding or orphaning data:

- every board id found in the data must be configured (a changed `[board] id` would otherwise hide every
  case and stop its reminders; one deployment may serve several boards, so it is "all ids found are named",
  not "the one id matches");
- a key ring is created only for a board with no data yet (a missing key file must not silently become a
  new ring that cannot open the old data, nor one whose new data the restored file cannot open);
- the key ring holds every data key the stored values name (each ciphertext carries its key id).

The key census reads only each ciphertext's key id, in SQL, rather than fetching the values. At start it
looks at a sample of each encrypted column (the first and last rows by id: ids are random, and a rotation
re-seals every row, so a ring that cannot open the data is caught by any sample); `scrbot keys status` counts
every value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, Text, cast, func, inspect, select
from sqlalchemy.sql.elements import ColumnElement

from errors import Unavailable
from storage.board_check import UnknownBoardData as UnknownBoardData  # re-exported, as it was defined here
from storage.board_check import refuse_unknown_boards
from storage.crypto import VERSION, VERSION_ROW
from storage.keyring import KeyRing
from storage.tables import Base, encrypted_columns

# Tables that say which boards the database holds (each indexed on a column led by board_id).
_BOARD_TABLES = ("cases", "audit_anchor", "conversation_drafts", "inbound_messages", "outbox")
# Rows that need none of the board's keys: the anchor alone, event ids, case counters.
_KEYLESS_TABLES = {"audit_anchor", "seen_deliveries", "case_counters"}
TOKEN_VERSIONS = (VERSION_ROW, VERSION)  # storage/crypto.py's envelopes: both name their key the same way
START_SAMPLE = 200  # rows from each end of each encrypted column, when a process starts


class KeysMissing(Unavailable):
    """The key ring lacks keys that the stored data needs."""


def _tables(engine: Engine) -> dict[str, Table]:
    present = set(inspect(engine).get_table_names())
    return {t.name: t for t in Base.metadata.sorted_tables if t.name in present}


def board_ids_in_data(engine: Engine) -> set[str]:
    tables = _tables(engine)
    found: set[str] = set()
    with engine.connect() as c:
        for name in _BOARD_TABLES:
            if name in tables:
                found.update(str(b) for b in c.scalars(select(tables[name].c.board_id).distinct()))
    return found


def check_boards(engine: Engine, configured: Collection[str], *, config_path: Path | str = "the board config") -> None:
    """Refuse to start when the data holds a board the config does not name."""
    refuse_unknown_boards(board_ids_in_data(engine), configured, config_path=config_path)


def _key_id(column: Any, dialect: str) -> ColumnElement[Any]:
    """SQL for the key id inside a token: version (1 byte) | id length (1 byte) | id (ASCII) | nonce | ..."""
    if dialect == "postgresql":
        return func.substr(column, 3, func.get_byte(column, 1))
    # SQLite: substr() on a BLOB counts bytes; the length byte read as a character (ids are short ASCII).
    return func.substr(column, 3, func.unicode(cast(func.substr(column, 2, 1), Text)))


def _version(column: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.get_byte(column, 0)
    return func.unicode(cast(func.substr(column, 1, 1), Text))


def key_ids_needed(engine: Engine, board_id: str, *, sample: int | None = None) -> Counter[str]:
    """How many stored values each data key id seals, for one board; with `sample`, among at most that many
    rows from each end of each encrypted column (the counts are then of the sample)."""
    dialect = engine.dialect.name
    needed: Counter[str] = Counter()
    with engine.connect() as c:
        for table in _tables(engine).values():
            for name in encrypted_columns(table):
                column = table.c[name]
                present = (
                    table.c.board_id == board_id,
                    column.is_not(None),
                    _version(column, dialect).in_(TOKEN_VERSIONS),
                )
                if sample is None:
                    key_id = _key_id(column, dialect).label("key_id")
                    rows = list(c.execute(select(key_id, func.count()).where(*present).group_by(key_id)))
                else:
                    rows = []
                    for order in (table.c.id.asc(), table.c.id.desc()):
                        picked = select(column.label("token")).where(*present).order_by(order).limit(sample).subquery()
                        key_id = _key_id(picked.c.token, dialect).label("key_id")
                        rows += list(c.execute(select(key_id, func.count()).group_by(key_id)))
                for raw, count in rows:
                    needed[bytes(raw).decode("ascii", "replace")] += int(count)
    return needed


def board_has_data(engine: Engine, board_id: str) -> bool:
    """Anything of the board's that its keys protect: a case, a message, an audit entry, a sealed value."""
    with engine.connect() as c:
        for table in _tables(engine).values():
            if table.name in _KEYLESS_TABLES or "board_id" not in table.c:
                continue
            if c.scalar(select(table.c.board_id).where(table.c.board_id == board_id).limit(1)) is not None:
                return True
    return False


def open_key_ring(path: Path, engine: Engine, board_id: str) -> KeyRing:
    """The key file's ring; fresh keys for the board only when the database has none of its data yet."""
    ring = KeyRing.load(path) if path.exists() else KeyRing({}, source=path)
    if board_id in ring.boards:
        return ring
    if board_has_data(engine, board_id):
        needed = sorted(key_ids_needed(engine, board_id, sample=START_SAMPLE))
        what = f"the key file {path} is missing" if not path.exists() else f"the key file {path} has no keys for it"
        raise KeysMissing(
            f"the database holds board {board_id}'s data"
            + (f" (sealed with {', '.join(needed)})" if needed else "")
            + f" but {what}: restore the key file from its backup (or set SCRBOT_KEY_FILE / SCRBOT_KEYS); "
            "refusing to create new keys, which could not open that data"
        )
    return KeyRing.load_or_create(path, board_id)


def check_keys(engine: Engine, board_id: str, ring: KeyRing) -> None:
    """Refuse to start when stored values name data keys the ring does not hold."""
    present = set(ring.board(board_id).data_keys)
    needed = key_ids_needed(engine, board_id, sample=START_SAMPLE)
    missing = sorted(k for k in needed if k not in present)
    if missing:
        where = str(ring.source) if ring.source else "SCRBOT_KEYS"
        count = sum(needed[k] for k in missing)
        raise KeysMissing(
            f"the key ring ({where}) lacks data key(s) {', '.join(missing)} that stored values need ({count} seen): "
            "restore the key file that holds them (`scrbot keys status` lists what the data needs)"
        )
