"""`scrbot keys rotate`: a new active data key, then every encrypted field re-sealed under it, without
stopping the bot.

New writes use the new key as soon as the key file is saved. Existing values are re-sealed in small
batches, each its own transaction; each row is written back only if it still holds the value that was read
(compare and swap), so a concurrent update is never overwritten with stale data. Passes repeat until no
field is left under an old key. Old keys stay in the file until `retire_unused_keys` confirms nothing uses
them.

On SQLite the conversation steps kept at acknowledgement live in a file of their own beside the database
(storage/received_steps.py): their sealed bodies are re-sealed and counted with the rest, so retiring a key
never leaves a step waiting for the worker that can no longer be opened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Table, and_, select, update
from sqlalchemy.orm import Session, sessionmaker

from cases.referral import Referral
from errors import Conflict
from storage.blind_index import child_index
from storage.crypto import FieldCipher
from storage.db import rowcount
from storage.keyring import KeyRing
from storage.received_steps import STEPS_TABLE, steps_file_sessions
from storage.tables import Base, CaseRow, encrypted_columns


@dataclass
class RotationReport:
    new_key: str
    resealed: int = 0
    passes: int = 0
    by_table: Counter[str] = field(default_factory=Counter)


def encrypted_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if encrypted_columns(t)]


@contextmanager
def _stores(sessions: sessionmaker[Session]) -> Iterator[list[tuple[sessionmaker[Session], list[Table]]]]:
    """The database's encrypted tables, and on SQLite the steps' file of its own."""
    with steps_file_sessions(sessions.kw["bind"]) as steps:
        yield [(sessions, encrypted_tables()), *([(steps, [STEPS_TABLE])] if steps is not None else [])]


def key_usage(sessions: sessionmaker[Session], cipher: FieldCipher, board_id: str) -> Counter[str]:
    """How many stored values each key id seals."""
    usage: Counter[str] = Counter()
    with _stores(sessions) as stores:
        for each, tables in stores:
            with each() as s:
                for table in tables:
                    columns = encrypted_columns(table)
                    for row in s.execute(select(*(table.c[c] for c in columns)).where(table.c.board_id == board_id)):
                        for token in row:
                            if token is not None:
                                usage[cipher.key_id_of(token)] += 1
    return usage


def _reseal_pass(
    sessions: sessionmaker[Session], cipher: FieldCipher, board_id: str, report: RotationReport, batch: int
) -> int:
    with _stores(sessions) as stores:
        return sum(_reseal_tables(each, tables, cipher, board_id, report, batch) for each, tables in stores)


def _reseal_tables(
    sessions: sessionmaker[Session],
    tables: list[Table],
    cipher: FieldCipher,
    board_id: str,
    report: RotationReport,
    batch: int,
) -> int:
    changed = 0
    active = cipher.active_key_id
    for table in tables:
        columns = encrypted_columns(table)
        last_id = ""
        while True:
            with sessions.begin() as s:
                rows = s.execute(
                    select(table.c.id, *(table.c[c] for c in columns))
                    .where(table.c.board_id == board_id, table.c.id > last_id)
                    .order_by(table.c.id)
                    .limit(batch)
                ).all()
                if not rows:
                    break
                last_id = rows[-1][0]
                for row in rows:
                    row_id, tokens = row[0], row[1:]
                    new_values: dict[str, bytes] = {}
                    guards = []
                    for column, token in zip(columns, tokens, strict=True):
                        if token is None or cipher.key_id_of(token) == active:
                            continue
                        plain = cipher.open(token, table=table.name, column=column, row_id=row_id)
                        new_values[column] = cipher.seal(plain, table=table.name, column=column, row_id=row_id)
                        guards.append(table.c[column] == token)
                    if not new_values:
                        continue
                    result = s.execute(update(table).where(and_(table.c.id == row_id, *guards)).values(**new_values))
                    if rowcount(result):
                        changed += len(new_values)
                        report.by_table[table.name] += len(new_values)
    return changed


def rotate_data_key(
    ring: KeyRing,
    board_id: str,
    sessions: sessionmaker[Session],
    cipher: FieldCipher,
    *,
    batch: int = 200,
    max_passes: int = 10,
    progress: Callable[[str], None] | None = None,
) -> RotationReport:
    new_key = ring.board(board_id).add_data_key()
    ring.save()  # from here on every process that reloads the ring writes under the new key
    report = RotationReport(new_key=new_key)
    while report.passes < max_passes:
        report.passes += 1
        changed = _reseal_pass(sessions, cipher, board_id, report, batch)
        report.resealed += changed
        if progress:
            progress(f"pass {report.passes}: re-sealed {changed} fields")
        remaining = {k: n for k, n in key_usage(sessions, cipher, board_id).items() if k != new_key}
        if not remaining:
            return report
    raise Conflict(f"fields still sealed under old keys after {max_passes} passes; run rotate again")


def retire_unused_keys(ring: KeyRing, board_id: str, sessions: sessionmaker[Session], cipher: FieldCipher) -> list[str]:
    """Remove data keys that no stored value uses any more; returns their ids."""
    keys = ring.board(board_id)
    used = key_usage(sessions, cipher, board_id)
    retired = [k for k in keys.data_keys if k != keys.active and used.get(k, 0) == 0]
    for key_id in retired:
        del keys.data_keys[key_id]
    if retired:
        ring.save()
    return retired


def rotate_index_key(
    ring: KeyRing, board_id: str, sessions: sessionmaker[Session], open_referral: Callable[[CaseRow], Referral | None]
) -> int:
    """A new blind-index key, and every case's index recomputed under it."""
    import secrets

    keys = ring.board(board_id)
    keys.index_key = secrets.token_bytes(32)
    count = 0
    with sessions.begin() as s:
        for row in s.scalars(select(CaseRow).where(CaseRow.board_id == board_id)):
            referral = open_referral(row)
            if referral is None:
                continue
            row.child_index = child_index(
                keys.index_key,
                last_name=referral.child.last_name,
                forenames=referral.child.forenames,
                date_of_birth=referral.child.date_of_birth,
            )
            count += 1
        ring.save()  # inside the transaction: if saving fails, the indexes are not rewritten
    return count
