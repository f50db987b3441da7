"""The board's figures for a period, from the cases' histories (000 appendix 1 §2: how many reviews, how many
at once, how long each stage takes, what they cost; how often statutory timescales were met).

What counts where, so each figure can be checked by hand:

- referrals received: cases whose referral date is in the period, by month;
- decisions: decisions dated in the period, by outcome;
- reviews open at once: a review (an outcome the pack's `[figures] review_outcomes` names) is open from its
  decision until its completion (the met date of the pack's `[figures] completion` rule); per month, those
  open on any day of it and those still open on its last day;
- stage durations, in calendar days, of the stages that ended in the period (referral to decision: decisions
  in the period; decision to completion: reviews completed in it; completion to publication: reports
  published in it). A stage that had started and not ended by the period's end, or whose start or end date
  is missing, is counted as open instead;
- statutory duties: every stored deadline due in the period (cancelled, not applicable and minimum periods
  left out), per rule: met on or before its due date (on time), met after it (late, with the days late), or
  not met (open: overdue once its due date is before `as_of`, today or the period's end if earlier);
- agencies' timeliness: the same, per agency, for each group of rules the pack declares
  (`[[figures.agency_duties]]`);
- extensions: extensions recorded in the period, by reason (every reason on the board's list, none left out);
- costs: costs incurred in the period, per review and in total.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from cases.case import DeadlineState
from cases.costs import CostKind
from cases.events import Outcome
from cases.figures.declared import PackFigures
from cases.figures.history import CaseHistory, DutyRecord
from cases.figures.period import Month, Period
from cases.figures.stats import Distribution, distribution, median


@dataclass(frozen=True)
class DutyTally:
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    open_not_yet_due: int = 0
    days_late: tuple[int, ...] = ()

    @property
    def not_met(self) -> int:
        return self.open_overdue + self.open_not_yet_due

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.not_met

    @property
    def median_days_late(self) -> float | None:
        return median(self.days_late)


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    referrals: int
    reviews_open: int  # open on any day of the month
    reviews_open_at_end: int


class Stage:
    REFERRAL_TO_DECISION = "referral_to_decision"
    DECISION_TO_COMPLETION = "decision_to_completion"
    COMPLETION_TO_PUBLICATION = "completion_to_publication"


STAGE_LABELS = {
    Stage.REFERRAL_TO_DECISION: "Referral to decision",
    Stage.DECISION_TO_COMPLETION: "Decision to completion",
    Stage.COMPLETION_TO_PUBLICATION: "Completion to publication",
}


@dataclass(frozen=True)
class StageFigures:
    stage: str
    days: Distribution | None
    still_open: int

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]


@dataclass(frozen=True)
class ReviewCost:
    reference: str
    pence: dict[CostKind, int]
    hours: dict[CostKind, float]

    @property
    def total_pence(self) -> int:
        return sum(self.pence.values())


@dataclass(frozen=True)
class BoardFigures:
    period: Period
    as_of: date
    referrals: int
    months: tuple[MonthFigures, ...]
    decisions: dict[Outcome, int]
    stages: tuple[StageFigures, ...]
    duties: tuple[tuple[str, DutyTally], ...]  # per rule, in the pack's order
    agency_duties: tuple[tuple[str, tuple[tuple[str, DutyTally], ...]], ...]  # per group label, per agency
    extensions: dict[str, int]
    reviews_extended: int
    costs: tuple[ReviewCost, ...]
    cost_totals: dict[CostKind, int] = field(default_factory=dict)

    @property
    def all_duties(self) -> DutyTally:
        return _sum_tallies(t for _rule, t in self.duties)

    @property
    def total_cost_pence(self) -> int:
        return sum(self.cost_totals.values())

    @property
    def decided(self) -> int:
        return sum(self.decisions.values())

    @property
    def empty(self) -> bool:
        """Nothing happened in the period: no referral, decision, duty due, extension or cost."""
        return not (self.referrals or self.decided or self.all_duties.total or self.extensions_total or self.costs)

    @property
    def extensions_total(self) -> int:
        return sum(self.extensions.values())

    @property
    def reviews_open_at_end(self) -> int:
        return self.months[-1].reviews_open_at_end if self.months else 0


def board_figures(
    cases: Iterable[CaseHistory],
    period: Period,
    *,
    declared: PackFigures,
    rule_order: Sequence[str] = (),
    extension_reasons: Sequence[str] = (),
    today: date,
) -> BoardFigures:
    """Every figure for `period`. `rule_order`: the pack's rules, for the order of the per-rule table (rules
    not in it follow, by id); `today`: what "overdue" is measured against when the period is not over."""
    as_of = min(today, period.end)
    histories = list(cases)
    months = period.months()
    completed = {c.reference: _completed_on(c, declared) for c in histories}
    reviews = [c for c in histories if c.outcome in declared.review_outcomes and c.decided_on is not None]
    referral_months = Counter(
        _month_of(c.referral_received, months) for c in histories if c.referral_received in period
    )
    month_figures = tuple(
        MonthFigures(
            month=m,
            referrals=referral_months[m.first],
            reviews_open=sum(1 for r in reviews if _open_during(r, completed[r.reference], m.first, m.last)),
            reviews_open_at_end=sum(1 for r in reviews if _open_on(r, completed[r.reference], m.last)),
        )
        for m in months
    )
    extensions, reviews_extended = _extensions(histories, period, extension_reasons)
    costs, cost_totals = _costs(histories, period)
    decisions = {o: 0 for o in Outcome}
    for c in histories:
        if c.decided_on in period and c.outcome is not None:
            decisions[c.outcome] += 1
    return BoardFigures(
        period=period,
        as_of=as_of,
        referrals=sum(referral_months.values()),
        months=month_figures,
        decisions=decisions,
        stages=_stages(histories, completed, reviews, period),
        duties=_per_rule(histories, period, as_of, rule_order),
        agency_duties=_per_agency(histories, period, as_of, declared),
        extensions=extensions,
        reviews_extended=reviews_extended,
        costs=costs,
        cost_totals=cost_totals,
    )


def _month_of(day: date | None, months: Sequence[Month]) -> date | None:
    for m in months:
        if day is not None and m.first <= day <= m.last:
            return m.first
    return None


def _completed_on(case: CaseHistory, declared: PackFigures) -> date | None:
    if not declared.completion:
        return None
    met = [
        d.met_on
        for d in case.duties
        if d.rule == declared.completion and d.state is DeadlineState.MET and d.met_on is not None
    ]
    return max(met) if met else None


def _open_during(review: CaseHistory, completed: date | None, first: date, last: date) -> bool:
    assert review.decided_on is not None
    return review.decided_on <= last and (completed is None or completed >= first)


def _open_on(review: CaseHistory, completed: date | None, day: date) -> bool:
    assert review.decided_on is not None
    return review.decided_on <= day and (completed is None or completed > day)


def _stage(spans: Iterable[tuple[date | None, date | None]], period: Period) -> StageFigures:
    """Durations of the spans that ended in the period; the rest that started by its end (or whose dates are
    missing) count as open."""
    days: list[float] = []
    still_open = 0
    for start, end in spans:
        if end is not None and end > period.end:
            end = None  # ended after the period: open at its end
        if start is not None and start > period.end:
            continue  # began after the period
        if end is not None and end < period.start:
            continue  # over before the period
        if start is None or end is None:
            still_open += 1
            continue
        days.append(float((end - start).days))
    return StageFigures("", distribution(days), still_open)


def _stages(
    cases: Sequence[CaseHistory], completed: dict[str, date | None], reviews: Sequence[CaseHistory], period: Period
) -> tuple[StageFigures, ...]:
    to_decision = _stage(((c.referral_received, c.decided_on) for c in cases), period)
    to_completion = _stage(((r.decided_on, completed[r.reference]) for r in reviews), period)
    # Publication follows completion: a review not yet completed is not waiting for publication.
    to_publication = _stage(
        ((completed[r.reference], r.published_on) for r in reviews if completed[r.reference] or r.published_on),
        period,
    )
    return (
        StageFigures(Stage.REFERRAL_TO_DECISION, to_decision.days, to_decision.still_open),
        StageFigures(Stage.DECISION_TO_COMPLETION, to_completion.days, to_completion.still_open),
        StageFigures(Stage.COMPLETION_TO_PUBLICATION, to_publication.days, to_publication.still_open),
    )


_COUNTED = frozenset({DeadlineState.OPEN, DeadlineState.MET})


def _duties_due(cases: Iterable[CaseHistory], period: Period) -> Iterable[DutyRecord]:
    for case in cases:
        for duty in case.duties:
            if duty.state in _COUNTED and duty.due in period:
                yield duty


@dataclass
class _Tallying:
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    open_not_yet_due: int = 0
    days_late: list[int] = field(default_factory=list)

    def add(self, duty: DutyRecord, as_of: date) -> None:
        if duty.state is DeadlineState.MET and duty.met_on is not None:
            if duty.met_on <= duty.due:
                self.on_time += 1
            else:
                self.late += 1
                self.days_late.append((duty.met_on - duty.due).days)
        elif duty.due < as_of:
            self.open_overdue += 1  # not met, or met on no recorded date: open
        else:
            self.open_not_yet_due += 1

    def done(self) -> DutyTally:
        return DutyTally(
            self.on_time, self.late, self.open_overdue, self.open_not_yet_due, tuple(sorted(self.days_late))
        )


def _sum_tallies(tallies: Iterable[DutyTally]) -> DutyTally:
    total = _Tallying()
    for t in tallies:
        total.on_time += t.on_time
        total.late += t.late
        total.open_overdue += t.open_overdue
        total.open_not_yet_due += t.open_not_yet_due
        total.days_late += t.days_late
    return total.done()


def _per_rule(
    cases: Sequence[CaseHistory], period: Period, as_of: date, rule_order: Sequence[str]
) -> tuple[tuple[str, DutyTally], ...]:
    tallies: dict[str, _Tallying] = defaultdict(_Tallying)
    for duty in _duties_due(cases, period):
        tallies[duty.rule].add(duty, as_of)
    order = {rule: i for i, rule in enumerate(rule_order)}
    ranked = sorted(tallies, key=lambda rule: (order.get(rule, len(order)), rule))
    return tuple((rule, tallies[rule].done()) for rule in ranked)


def _per_agency(
    cases: Sequence[CaseHistory], period: Period, as_of: date, declared: PackFigures
) -> tuple[tuple[str, tuple[tuple[str, DutyTally], ...]], ...]:
    groups = []
    for group in declared.agency_duties:
        rules = set(group.rules)
        tallies: dict[str, _Tallying] = defaultdict(_Tallying)
        for duty in _duties_due(cases, period):
            if duty.rule in rules and duty.agency:
                tallies[duty.agency].add(duty, as_of)
        groups.append((group.label, tuple((agency, tallies[agency].done()) for agency in sorted(tallies))))
    return tuple(groups)


def _extensions(cases: Sequence[CaseHistory], period: Period, reasons: Sequence[str]) -> tuple[dict[str, int], int]:
    counts = {reason: 0 for reason in reasons}
    extended: set[str] = set()
    for case in cases:
        for extension in case.extensions:
            if extension.extended_on in period:
                counts[extension.reason] = counts.get(extension.reason, 0) + 1
                extended.add(case.reference)
    return counts, len(extended)


def _costs(cases: Sequence[CaseHistory], period: Period) -> tuple[tuple[ReviewCost, ...], dict[CostKind, int]]:
    per_review: list[ReviewCost] = []
    totals = {kind: 0 for kind in CostKind}
    for case in sorted(cases, key=lambda c: c.reference):
        spent = [c for c in case.costs if c.incurred_on in period]
        if not spent:
            continue
        pence = {kind: 0 for kind in CostKind}
        hours = {kind: 0.0 for kind in CostKind if kind.in_hours}
        for cost in spent:
            pence[cost.kind] += cost.amount_pence
            totals[cost.kind] += cost.amount_pence
            if cost.hours is not None and cost.kind in hours:
                hours[cost.kind] += float(cost.hours)
        per_review.append(ReviewCost(case.reference, pence, hours))
    return tuple(per_review), totals
