"""The rows the board's figures are computed from (cases/figures/), read in five set-based queries for the
whole period, never one per case: the cases the period can concern, their dates, their deadlines, their
extensions and their costs. No personal data is read: references, dates, states, reasons and amounts."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from cases.board import BoardConfig
from cases.case import DeadlineState
from cases.costs import CostKind
from cases.events import CaseEvent, Outcome
from cases.figures.compute import BoardFigures, board_figures
from cases.figures.history import CaseHistory, CostRecord, DutyRecord, ExtensionRecord
from cases.figures.period import Period
from cases.rules import RulesPack
from storage.tables import CaseEventRow, CaseRow, DeadlineRow, ReviewCostRow, ReviewExtensionRow

_DATED_EVENTS = (CaseEvent.REFERRAL_RECEIVED, CaseEvent.DECISION_MADE, CaseEvent.REPORT_PUBLISHED)
_COUNTED_STATES = (DeadlineState.OPEN.value, DeadlineState.MET.value)


class FigureReads:
    """The board's cases as histories for a period (cases/figures/history.py)."""

    def __init__(self, board_id: str) -> None:
        self.board_id = board_id

    def _cases_concerned(self, period: Period) -> Select[str]:
        """Cases referred by the period's end (or with no referral date: counted as open) that were not closed
        before it began, and any case with a cost or extension in the period."""
        referral = aliased(CaseEventRow)
        began = datetime.combine(period.start - timedelta(days=1), time(), tzinfo=UTC)
        in_period_cost = exists().where(
            ReviewCostRow.case_id == CaseRow.id, ReviewCostRow.incurred_on.between(period.start, period.end)
        )
        in_period_extension = exists().where(
            ReviewExtensionRow.case_id == CaseRow.id,
            ReviewExtensionRow.extended_on.between(period.start, period.end),
        )
        return (
            select(CaseRow.id)
            .outerjoin(
                referral,
                and_(referral.case_id == CaseRow.id, referral.event == CaseEvent.REFERRAL_RECEIVED.value),
            )
            .where(
                CaseRow.board_id == self.board_id,
                or_(
                    and_(
                        or_(referral.occurred_on.is_(None), referral.occurred_on <= period.end),
                        or_(CaseRow.closed_at.is_(None), CaseRow.closed_at >= began),
                    ),
                    in_period_cost,
                    in_period_extension,
                ),
            )
        )

    def histories(self, s: Session, period: Period, *, completion_rule: str = "") -> list[CaseHistory]:
        """`completion_rule`: the pack's completion rule, read whatever its due date (its met date is when the
        review was completed); other deadlines only when due in the period."""
        concerned = self._cases_concerned(period).subquery()
        references: dict[str, str] = {
            case_id: reference
            for case_id, reference in s.execute(
                select(CaseRow.id, CaseRow.reference).join(concerned, concerned.c.id == CaseRow.id)
            )
        }
        dates: dict[str, dict[CaseEvent, tuple[date, str | None]]] = defaultdict(dict)
        for case_id, event, on, outcome in s.execute(
            select(CaseEventRow.case_id, CaseEventRow.event, CaseEventRow.occurred_on, CaseEventRow.outcome)
            .join(concerned, concerned.c.id == CaseEventRow.case_id)
            .where(CaseEventRow.event.in_([e.value for e in _DATED_EVENTS]))
        ):
            dates[case_id][CaseEvent(event)] = (on, outcome)
        due_in_period = DeadlineRow.due.between(period.start, period.end)
        duties: dict[str, list[DutyRecord]] = defaultdict(list)
        states = {state.value: state for state in DeadlineState}
        for case_id, rule, agency, due, act_by, state, met_on in s.execute(
            select(
                DeadlineRow.case_id,
                DeadlineRow.rule_id,
                DeadlineRow.agency_id,
                DeadlineRow.due,
                DeadlineRow.act_by,
                DeadlineRow.state,
                DeadlineRow.met_on,
            )
            .join(concerned, concerned.c.id == DeadlineRow.case_id)
            .where(
                DeadlineRow.state.in_(_COUNTED_STATES),
                DeadlineRow.minimum_period.is_(False),
                or_(due_in_period, DeadlineRow.rule_id == completion_rule) if completion_rule else due_in_period,
            )
        ):
            duties[case_id].append(DutyRecord(rule, agency or None, due, act_by, states[state], met_on))
        extensions: dict[str, list[ExtensionRecord]] = defaultdict(list)
        for case_id, on, new_due, reason in s.execute(
            select(
                ReviewExtensionRow.case_id,
                ReviewExtensionRow.extended_on,
                ReviewExtensionRow.new_due,
                ReviewExtensionRow.reason,
            )
            .join(concerned, concerned.c.id == ReviewExtensionRow.case_id)
            .where(ReviewExtensionRow.extended_on.between(period.start, period.end))
        ):
            extensions[case_id].append(ExtensionRecord(on, new_due, reason))
        costs: dict[str, list[CostRecord]] = defaultdict(list)
        for case_id, kind, on, amount, hours in s.execute(
            select(
                ReviewCostRow.case_id,
                ReviewCostRow.kind,
                ReviewCostRow.incurred_on,
                ReviewCostRow.amount_pence,
                ReviewCostRow.hours,
            )
            .join(concerned, concerned.c.id == ReviewCostRow.case_id)
            .where(ReviewCostRow.incurred_on.between(period.start, period.end))
        ):
            costs[case_id].append(
                CostRecord(CostKind(kind), on, int(amount), Decimal(hours) if hours is not None else None)
            )
        return [
            _history(reference, dates.get(case_id, {}), duties, extensions, costs, case_id)
            for case_id, reference in sorted(references.items(), key=lambda item: item[1])
        ]


def _history(
    reference: str,
    dates: dict[CaseEvent, tuple[date, str | None]],
    duties: dict[str, list[DutyRecord]],
    extensions: dict[str, list[ExtensionRecord]],
    costs: dict[str, list[CostRecord]],
    case_id: str,
) -> CaseHistory:
    referral = dates.get(CaseEvent.REFERRAL_RECEIVED)
    decision = dates.get(CaseEvent.DECISION_MADE)
    published = dates.get(CaseEvent.REPORT_PUBLISHED)
    return CaseHistory(
        reference=reference,
        referral_received=referral[0] if referral else None,
        decided_on=decision[0] if decision else None,
        outcome=Outcome(decision[1]) if decision and decision[1] else None,
        published_on=published[0] if published else None,
        duties=tuple(duties.get(case_id, ())),
        extensions=tuple(sorted(extensions.get(case_id, ()), key=lambda e: e.extended_on)),
        costs=tuple(sorted(costs.get(case_id, ()), key=lambda c: c.incurred_on)),
    )


def board_figures_for(s: Session, board: BoardConfig, pack: RulesPack, period: Period, *, today: date) -> BoardFigures:
    """The board's figures for `period`: its cases read here, counted by the pure core as the pack declares."""
    declared = pack.figures
    histories = FigureReads(board.id).histories(s, period, completion_rule=declared.completion)
    return board_figures(
        histories,
        period,
        declared=declared,
        rule_order=[r.id for r in pack.rules],
        extension_reasons=board.figures.extension_reasons,
        today=today,
    )
