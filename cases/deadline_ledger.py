"""A case's deadlines while a command is decided: recomputed from the events, marked, and told apart into
the `Changes` a store writes (added, re-dated, reopened, cancelled, marked). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from cases.answers import Answer
from cases.calendar import WorkingCalendar
from cases.case import DeadlineState
from cases.changes import Changes, DeadlineMark, NewDeadline
from cases.events import CaseEvent
from cases.rules import Fact, MetBy, RulesPack
from cases.snapshot import AgencyRecord, CaseSnapshot, StoredDeadline
from cases.timeline import AgencyScope, ComputedDeadline, DeadlineKey, EventRecord, compute_deadlines, reconcile
from errors import BadInput


@dataclass
class DeadlineLedger:
    """The case's deadlines while a command is decided, to be told apart into `Changes` at the end."""

    stored: dict[DeadlineKey, StoredDeadline]
    state: dict[DeadlineKey, tuple[DeadlineState, date | None]]
    added: dict[DeadlineKey, ComputedDeadline] = field(default_factory=dict)
    redated: list[ComputedDeadline] = field(default_factory=list)
    reopened: list[DeadlineKey] = field(default_factory=list)
    cancelled: list[DeadlineKey] = field(default_factory=list)
    marked: dict[DeadlineKey, DeadlineMark] = field(default_factory=dict)
    given: dict[DeadlineKey, date] = field(default_factory=dict)  # due dates a person gives now

    @classmethod
    def of(cls, case: CaseSnapshot) -> DeadlineLedger:
        stored = {d.key: d for d in case.deadlines}
        return cls(stored, {k: (d.state, d.met_on) for k, d in stored.items()})

    def recompute(
        self,
        case: CaseSnapshot,
        calendar: WorkingCalendar,
        *,
        events: Mapping[CaseEvent, EventRecord],
        agencies: Mapping[str, AgencyRecord],
        facts: Mapping[Fact, Answer],
    ) -> None:
        """Bring the deadlines in line with the events: add, re-date, cancel; keep what is met; a deadline
        that applies again (e.g. a corrected outcome) reopens. Nothing changes on a closed case."""
        if case.closed:
            return
        scope = AgencyScope(
            subgroup=tuple(sorted(agencies)),
            involved=tuple(sorted(a for a, record in agencies.items() if record.involved)),
        )
        given = {
            k: d.due for k, d in self.stored.items() if d.given and self.state[k][0] is not DeadlineState.CANCELLED
        }
        given.update(self.given)
        computed = compute_deadlines(
            case.pack, events, calendar, facts=facts, agencies=scope, given=given, done=self._done()
        )
        stored = {k: (d.trigger_date, d.due, d.act_by, d.given) for k, d in self.stored.items()}
        plan = reconcile(stored, computed)
        for deadline in plan.added:
            self.added[deadline.key] = deadline
            self.state[deadline.key] = (DeadlineState.OPEN, None)
        self.redated.extend(plan.changed)
        for key in [*(c.key for c in plan.changed), *plan.unchanged]:
            if self.state[key][0] is DeadlineState.CANCELLED:
                self.reopened.append(key)
                self.state[key] = (DeadlineState.OPEN, None)
        for key in plan.cancelled:
            if self.state[key][0] is DeadlineState.OPEN:
                self.cancelled.append(key)
                self.state[key] = (DeadlineState.CANCELLED, self.state[key][1])

    def _done(self) -> dict[str, int]:
        """Per rule, how many occurrences from the first are met or not applicable without a gap."""
        done: dict[str, int] = {}
        for key in sorted(self.state, key=lambda k: (k.rule, k.agency or "", k.occurrence)):
            finished = self.state[key][0] in (DeadlineState.MET, DeadlineState.NOT_APPLICABLE)
            if finished and key.agency is None and key.occurrence == done.get(key.rule, 0) + 1:
                done[key.rule] = key.occurrence
        return done

    def give(self, key: DeadlineKey, due: date) -> None:
        """A due date a person gives (the next `recompute` uses it)."""
        self.given[key] = due

    def mark(
        self, rule: str, agency: str | None, state: DeadlineState, on: date, occurrence: int | None = None
    ) -> DeadlineKey | None:
        """Mark the rule's deadline (the agency's, for a per-agency rule); recurring duties mark the earliest
        still open, unless `occurrence` says which. None if the case has no such deadline."""
        keys = sorted(
            (
                k
                for k, (current, _) in self.state.items()
                if k.rule == rule
                and (agency is None or k.agency == agency)
                and (occurrence is None or k.occurrence == occurrence)
                and current is not DeadlineState.CANCELLED
            ),
            key=lambda k: (k.occurrence, k.agency or ""),
        )
        if not keys:
            return None
        if agency is None and len({k.agency for k in keys}) > 1:
            raise BadInput(f"{rule} is per agency: say which agency", field="agency")
        target = next((k for k in keys if self.state[k][0] is DeadlineState.OPEN), keys[-1])
        met_on = on if state is not DeadlineState.OPEN else None
        self.state[target] = (state, met_on)
        if target not in self.added:
            self.marked[target] = DeadlineMark(target, state, met_on)
        return target

    def mark_met_by(
        self, pack: RulesPack, effect: MetBy, on: date, agency: str | None = None, occurrence: int | None = None
    ) -> None:
        for rule in pack.rules_met_by(effect):
            self.mark(rule.id, agency, DeadlineState.MET, on, occurrence)

    def into(self, changes: Changes) -> Changes:
        """`changes` with what happened to the deadlines."""
        return replace(
            changes,
            added=tuple(NewDeadline(c, *self.state[k]) for k, c in self.added.items()),
            redated=tuple(self.redated),
            reopened=tuple(self.reopened),
            cancelled=tuple(self.cancelled),
            marked=tuple(self.marked.values()),
        )
