"""A poll's messages ingested a batch at a time (issue 15 §3, mail ingest): the same steps as one message at a
time (intake/inbound/processor.py), with one transaction for the batch where there was one a message.

1. Every message of the batch is stored (sealed) or found stored, in one transaction, committed before any of
   them is read (storage/inbound_batch.py): a message that stops the process while it is read is counted
   against it, as one at a time. A second copy in the same batch is a repeat of the first.
2. Each is read and classified with no transaction open.
3. The outcomes are recorded in one transaction: a message that changes a case in a savepoint of its own (one
   that fails is rolled back alone and quarantined with its reason, the others commit), the messages that
   change nothing but their own row in one executemany of the conditional UPDATE (storage/inbound_settle.py).
4. Only after that commit are the messages moved out of the inbox (intake/inbound/polling.py).

A kill before the outcomes commit leaves every row of the batch `received` and every message in the inbox: the
next poll counts one more attempt at each (MAX_ATTEMPTS; a message whose own reading keeps stopping the
process is read in a child first, intake/inbound/trial_read.py) and acts on each once. A kill after it leaves
them finished: the next poll only moves them. Nothing lost, nothing done twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from cases.actor import Actor
from intake.inbound.classify import Reading, Verdict, quarantine
from intake.inbound.limits import Limits
from intake.inbound.parse import identity
from intake.inbound.polling import IngestOutcome
from storage.inbound import DONE, InboundRef, InboundStore, Stored
from storage.inbound_batch import Arriving, store_batch
from storage.inbound_settle import settle_all, settle_values
from storage.store import Store

log = logging.getLogger("scrbot.mail")

# The store is unreachable or busy: the message is left as it is and retried on the next poll. Any other
# failure quarantines the message (with the error's type as the reason) so that one bad message never
# blocks the ones behind it.
STORE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)

# A message whose processing stopped the process this many times is read once more in a child process
# (intake/inbound/trial_read.py), and quarantined instead only if that stops too (a poison message: e.g. a
# document that exhausts memory while it is parsed). Restarts that merely landed while it was in hand are
# not held against it: it is acted on, once.
MAX_ATTEMPTS = 3

INTAKE_ACTOR = Actor("system:mail-intake", frozenset())

# Anything the intake could not settle is told about (as `MailIntake.record_outcome` decides for the bot).


class Intake(Protocol):
    """What a batch needs of the intake (intake/inbound/processor.py's MailIntake)."""

    store: Store
    inbound: InboundStore
    limits: Limits
    source: str

    def checkpoint(self, step: str) -> None: ...

    def read_stored(self, row_id: str, now: datetime, in_hand: tuple[bytes, bool] | None) -> Reading | None: ...

    def carry_out(self, s: Session, reading: Reading, now: datetime, *, person: Actor | None) -> Verdict: ...

    def record_outcome(self, s: Session, row: InboundRef, verdict: Verdict, now: datetime, *, actor: Actor) -> None: ...

    def act_on(self, row_id: str, reading: Reading, now: datetime) -> IngestOutcome: ...

    def trial_read(self, row_id: str, now: datetime) -> str: ...

    def give_up(self, row_id: str, why: str, now: datetime) -> IngestOutcome: ...

    def outcome_of(self, row_id: str, *, duplicate: bool = False) -> IngestOutcome: ...


def ingest_batch(intake: Intake, items: Sequence[tuple[bytes, int | None]], now: datetime) -> list[IngestOutcome]:
    """Store, read, then act on a batch of messages, each `(raw, size)` as `MailIntake.ingest` takes one;
    their outcomes in the same order."""
    limits = intake.limits
    arriving: list[Arriving] = []
    in_hand: list[tuple[bytes, bool]] = []
    first: dict[str, int] = {}  # dedupe key -> its message's place in `arriving`
    places: list[tuple[int, bool]] = []  # each item: its place in `arriving`, and whether it is a repeat
    for raw, size in items:
        full = max(len(raw), size or 0)
        truncated = full > limits.max_message_bytes
        message_id, rest = identity(raw)
        key = intake.inbound.dedupe_key(message_id, rest)
        if key in first:
            places.append((first[key], True))
            continue
        first[key] = len(arriving)
        places.append((len(arriving), False))
        kept = raw[: limits.truncated_head_bytes] if truncated else raw
        arriving.append(Arriving(kept, key, message_id, full, truncated))
        in_hand.append((raw, truncated))
    stored = store_batch(intake.inbound, arriving, now=now, source=intake.source)
    intake.checkpoint("stored")

    outcomes: dict[int, IngestOutcome] = {}
    readings: list[tuple[int, str, Reading]] = []
    for place, row in enumerate(stored):
        found = _read(intake, row, in_hand[place] if row.new else None, now)
        if isinstance(found, IngestOutcome):
            outcomes[place] = found
        else:
            readings.append((place, row.id, found))
        intake.checkpoint("read")  # a batch stored and partly read: every row still `received`
    outcomes.update(_act(intake, readings, now))
    return [replace(outcomes[place], duplicate=True) if again else outcomes[place] for place, again in places]


def _read(intake: Intake, row: Stored, in_hand: tuple[bytes, bool] | None, now: datetime) -> Reading | IngestOutcome:
    """What to act on for a stored message, or its outcome when there is nothing to act on."""
    if row.status in DONE:
        summary = row.summary or intake.inbound.summary(row.id)
        return IngestOutcome(
            row.id, summary.status, summary.kind, summary.reason, summary.case_ref, summary.agency_id, duplicate=True
        )
    # Stored by a run that stopped before finishing it (or crashed while acting on it): counted at the store.
    if not row.new and row.attempts > MAX_ATTEMPTS:
        why = intake.trial_read(row.id, now)
        if why:
            return intake.give_up(row.id, why, now)
    reading = intake.read_stored(row.id, now, in_hand)
    if reading is None:  # finished meanwhile by another process
        return intake.outcome_of(row.id, duplicate=True)
    return reading


def _act(intake: Intake, readings: Sequence[tuple[int, str, Reading]], now: datetime) -> dict[int, IngestOutcome]:
    """Record every outcome in one transaction. Should the transaction itself fail (not the database being
    unavailable: that stops the poll, and the batch is acted on by the next one), each message is acted on
    in a transaction of its own, as one at a time."""
    if not readings:
        return {}
    try:
        return _act_together(intake, readings, now)
    except STORE_UNAVAILABLE:
        raise
    except Exception as exc:  # noqa: BLE001 - acted on one at a time instead; a failing message is quarantined
        log.error("a batch of inbound messages could not be recorded together (%s)", type(exc).__name__)
    return {place: intake.act_on(row_id, reading, now) for place, row_id, reading in readings}


def _act_together(
    intake: Intake, readings: Sequence[tuple[int, str, Reading]], now: datetime
) -> dict[int, IngestOutcome]:
    outcomes: dict[int, IngestOutcome] = {}
    settling: list[tuple[int, str, Verdict]] = []
    elsewhere: list[tuple[int, str]] = []  # finished meanwhile by another process
    with intake.store.sessions.begin() as s:
        for place, row_id, reading in readings:
            if isinstance(reading, Verdict):
                settling.append((place, row_id, reading))
                continue
            acted = _act_one(intake, s, row_id, reading, now)
            if isinstance(acted, IngestOutcome):
                outcomes[place] = acted
            elif acted is None:
                elsewhere.append((place, row_id))
            else:
                settling.append((place, row_id, acted))  # failed and rolled back alone: quarantined
            intake.checkpoint("acted")
        settled, others = _settle(intake, s, settling, now)
        outcomes.update(settled)
        elsewhere += others
        intake.checkpoint("acted")
    for place, row_id in elsewhere:
        outcomes[place] = intake.outcome_of(row_id, duplicate=True)
    return outcomes


def _act_one(
    intake: Intake, s: Session, row_id: str, reading: Reading, now: datetime
) -> IngestOutcome | Verdict | None:
    """Act on one message in a savepoint: its outcome; None when another process finished it; a quarantine
    verdict when acting on it failed (everything it did is rolled back)."""
    try:
        with s.begin_nested():
            row = intake.inbound.claim(s, row_id)
            if row is None:
                return None
            verdict = intake.carry_out(s, reading, now, person=None)
            intake.record_outcome(s, row, verdict, now, actor=INTAKE_ACTOR)
            return IngestOutcome(row_id, verdict.status, verdict.kind, row.reason, row.case_ref, row.agency_id)
    except STORE_UNAVAILABLE:
        raise  # the whole batch is retried on the next poll, nothing lost
    except Exception as exc:  # noqa: BLE001 - any other failure quarantines the message, never loses it
        log.error("inbound message %s could not be processed (%s)", row_id, type(exc).__name__)
        return quarantine("error", f"could not be processed ({type(exc).__name__})")


def _settle(
    intake: Intake, s: Session, settling: Sequence[tuple[int, str, Verdict]], now: datetime
) -> tuple[dict[int, IngestOutcome], list[tuple[int, str]]]:
    """The messages that change nothing but their own row, settled in one executemany; if any was finished
    meanwhile by another process, one at a time instead, to learn which (those are returned apart)."""
    values = [settle_values(intake.inbound, row_id, now=now, **v.settlement()) for _, row_id, v in settling]
    connection = s.connection()
    together = s.begin_nested()
    if settle_all(connection, values):
        together.commit()
        done = [True] * len(values)
    else:
        together.rollback()
        done = [settle_all(connection, [one]) for one in values]
    outcomes: dict[int, IngestOutcome] = {}
    elsewhere: list[tuple[int, str]] = []
    for (place, row_id, v), settled in zip(settling, done, strict=True):
        if settled:
            outcomes[place] = IngestOutcome(row_id, v.status, v.kind, v.reason[:500], v.case_ref, v.agency_id)
        else:
            elsewhere.append((place, row_id))
    return outcomes, elsewhere
