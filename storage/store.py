"""Assemble a board's store from its parts: engine, key ring, rules pack, calendar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cases.board import BoardConfig
from cases.calendar import WorkingCalendar
from cases.figures.compute import BoardFigures
from cases.figures.period import Period
from cases.rules import RulesPack
from storage.audit import AuditLog, ensure_anchor
from storage.case_codec import Codec
from storage.case_store import CaseStore
from storage.crypto import AesGcmCipher, FieldCipher
from storage.db import make_sessions
from storage.figure_reads import board_figures_for
from storage.keyring import KeyRing


@dataclass
class Store:
    """Everything that touches the database for one board."""

    engine: Engine
    sessions: sessionmaker[Session]
    board: BoardConfig
    ring: KeyRing
    cipher: FieldCipher
    codec: Codec
    audit: AuditLog
    cases: CaseStore
    calendar: WorkingCalendar
    pack: RulesPack

    def figures(self, period: Period, *, today: date) -> BoardFigures:
        """The board's figures for `period` (no personal data, so not an audited read)."""
        with self.sessions() as s:
            return board_figures_for(s, self.board, self.pack, period, today=today)


def open_store(
    engine: Engine,
    board: BoardConfig,
    ring: KeyRing,
    pack: RulesPack,
    *,
    cipher: FieldCipher | None = None,
    pack_for: Callable[[str], RulesPack] | None = None,
) -> Store:
    """A ready store. The schema must already be at head (see `storage.db.upgrade`)."""
    keys = ring.board(board.id)
    cipher = cipher or AesGcmCipher(ring, board.id)
    codec = Codec(cipher)
    sessions = make_sessions(engine)
    audit = AuditLog(board.id, keys.audit_key)
    with sessions.begin() as session:
        ensure_anchor(session, board.id, keys.audit_key)
    calendar = WorkingCalendar.england(board.closure_days)
    cases = CaseStore(
        sessions,
        board=board,
        pack=pack,
        codec=codec,
        index_key=keys.index_key,
        audit=audit,
        calendar=calendar,
        pack_for=pack_for,
    )
    return Store(engine, sessions, board, ring, cipher, codec, audit, cases, calendar, pack)
