"""Cases' histories (cases/figures/history.py) written straight into the tables, for the report benchmark:
filing 10,000 cases one at a time through the case rules would take hours. Only what the figures read is
written (the case, its dated events, its deadlines, extensions and costs); no referral, no personal data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert

from cases.board import BoardConfig
from cases.events import CaseEvent
from cases.figures.history import CaseHistory
from storage.tables import CaseEventRow, CaseRow, DeadlineRow, ReviewCostRow, ReviewExtensionRow

SEEDED_AT = datetime(2027, 4, 1, tzinfo=UTC)
SEEDED_BY = "cli:seed"


def _id(prefix: str, n: int, k: int = 0) -> str:
    return f"{prefix}{n:012d}{k:05d}".ljust(32, "0")[:32]


def seed_histories(engine: Engine, board: BoardConfig, histories: Sequence[CaseHistory]) -> dict[str, int]:
    """Write every history; returns how many rows of each kind."""
    cases: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    deadlines: list[dict[str, Any]] = []
    extensions: list[dict[str, Any]] = []
    costs: list[dict[str, Any]] = []
    stamp = {"board_id": board.id}
    recorded = {"recorded_at": SEEDED_AT, "recorded_by": SEEDED_BY}
    for n, h in enumerate(histories):
        case_id = _id("c", n)
        cases.append(
            {"id": case_id, "reference": h.reference, "status": "in_review", "rules_pack": board.rules_pack,
             "filed_by": SEEDED_BY, "created_at": SEEDED_AT, "updated_at": SEEDED_AT, **stamp}
        )  # fmt: skip
        dated = (
            (CaseEvent.REFERRAL_RECEIVED, h.referral_received, None),
            (CaseEvent.DECISION_MADE, h.decided_on, h.outcome.value if h.outcome else None),
            (CaseEvent.REPORT_PUBLISHED, h.published_on, None),
        )
        for k, (event, on, outcome) in enumerate(dated):
            if on is not None:
                events.append(
                    {"id": _id("e", n, k), "case_id": case_id, "event": event.value, "occurred_on": on,
                     "outcome": outcome, "new_due": None, **stamp, **recorded}
                )  # fmt: skip
        for k, d in enumerate(h.duties):
            deadlines.append(
                {"id": _id("d", n, k), "case_id": case_id, "rule_id": d.rule, "agency_id": d.agency or "",
                 "occurrence": 1, "trigger_event": "referral_received", "trigger_date": d.due, "due": d.due,
                 "act_by": d.act_by, "limit_text": "seeded", "action": "seeded", "who": "seeded",
                 "rule_text": "seeded", "source": "seeded", "per_agency": bool(d.agency), "minimum_period": False,
                 "state": d.state.value, "met_on": d.met_on, "updated_at": SEEDED_AT, **stamp}
            )  # fmt: skip
        for k, e in enumerate(h.extensions):
            extensions.append(
                {"id": _id("x", n, k), "case_id": case_id, "extended_on": e.extended_on, "new_due": e.new_due,
                 "reason": e.reason, **stamp, **recorded}
            )  # fmt: skip
        for k, c in enumerate(h.costs):
            costs.append(
                {"id": _id("m", n, k), "case_id": case_id, "kind": c.kind.value, "incurred_on": c.incurred_on,
                 "amount_pence": c.amount_pence, "hours": c.hours, "hourly_rate_pence": 4500 if c.hours else None,
                 "note_enc": None, **stamp, **recorded}
            )  # fmt: skip
    with engine.begin() as connection:
        for table, rows in (
            (CaseRow, cases),
            (CaseEventRow, events),
            (DeadlineRow, deadlines),
            (ReviewExtensionRow, extensions),
            (ReviewCostRow, costs),
        ):
            if rows:
                connection.execute(insert(table), rows)
    return {"cases": len(cases), "events": len(events), "deadlines": len(deadlines),
            "extensions": len(extensions), "costs": len(costs)}  # fmt: skip
