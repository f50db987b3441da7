"""The case rules (cases/apply.py), table by table, with no database: lifecycle transitions, who may do what,
which deadlines a change meets, starts or cancels, and what a command needs of the case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

import pytest

from cases.actor import SYSTEM, Actor, Role, agency_actor
from cases.apply import IncompleteSnapshot, InvalidTransition, apply, needs
from cases.board import BoardConfig
from cases.calendar import WorkingCalendar
from cases.case import DeadlineState, Decision, Involvement, RecordsState
from cases.changes import Changes
from cases.commands import (
    AddAgency,
    Command,
    ConfirmAgency,
    FileReferral,
    MarkDeadline,
    MarkRequestSent,
    MoveStatus,
    RecordDecision,
    RecordEvent,
)
from cases.events import CaseEvent, CaseStatus, Outcome, can_move
from cases.packs import bundled_pack
from cases.rules import RulesPack
from cases.snapshot import EVENTS, WHOLE_CASE, AgencyRecord, CaseSnapshot, StoredDeadline, agency_part, rule_part
from cases.timeline import AgencyScope, DeadlineKey, EventRecord, compute_deadlines
from errors import BadInput, Conflict, NotFound, Refused
from tests.factories import BUSINESS_UNIT, CHAIR, REFERRER, STAFF, at, make_board, make_referral

HACKNEY = bundled_pack("hackney-2017")
ENGLAND = WorkingCalendar.england()
BOARD = make_board()
RECEIVED = date(2026, 11, 20)  # a Friday
TODAY = date(2026, 12, 10)
NOW = at(TODAY, 12, 0)
AGENCIES = ("health", "police", "school")
ADMIN = Actor("cli:admin", frozenset({Role.ADMIN}))
POLICE = agency_actor("police")
HEALTH = agency_actor("health")


def case(
    *,
    status: CaseStatus = CaseStatus.REFERRED,
    events: Mapping[CaseEvent, EventRecord] | None = None,
    agencies: Mapping[str, AgencyRecord] | None = None,
    states: Mapping[DeadlineKey, DeadlineState] | None = None,
    pack: RulesPack = HACKNEY,
    decided: bool = False,
) -> CaseSnapshot:
    """A whole case as the store would load it: its deadlines as the events give them (all open unless said)."""
    events = dict(events or {CaseEvent.REFERRAL_RECEIVED: EventRecord(RECEIVED)})
    agencies = dict(agencies or {a: AgencyRecord(a) for a in AGENCIES})
    scope = AgencyScope(tuple(sorted(agencies)), tuple(sorted(a for a, r in agencies.items() if r.involved)))
    computed = compute_deadlines(pack, events, ENGLAND, agencies=scope)
    deadlines = tuple(
        StoredDeadline(d.key, d.trigger_date, d.due, d.act_by, (states or {}).get(d.key, DeadlineState.OPEN))
        for d in computed
    )
    return CaseSnapshot(
        "case-1",
        BOARD.id,
        "SCR-2026-0001",
        status,
        pack,
        loaded=frozenset(WHOLE_CASE),
        events=events,
        deadlines=deadlines,
        agencies=agencies,
        decided=decided,
    )


def decide(
    snapshot: CaseSnapshot, command: Command, actor: Actor = STAFF, board: BoardConfig = BOARD, now: datetime = NOW
) -> Changes:
    return apply(snapshot, command, actor=actor, board=board, calendar=ENGLAND, now=now)


def marked(changes: Changes) -> dict[tuple[str, str | None], tuple[DeadlineState, date | None]]:
    return {(m.key.rule, m.key.agency): (m.state, m.met_on) for m in changes.marked}


# --- the lifecycle (DESIGN.md §2) ------------------------------------------------------------------------


@pytest.mark.parametrize("current", list(CaseStatus))
@pytest.mark.parametrize("target", list(CaseStatus))
def test_a_case_moves_only_along_its_lifecycle(current: CaseStatus, target: CaseStatus) -> None:
    snapshot = case(status=current)
    if can_move(current, target):
        changes = decide(snapshot, MoveStatus(target))
        assert changes.status is target and changes.closed is (target is CaseStatus.CLOSED)
        assert [e.after for e in changes.published] == [target]  # type: ignore[union-attr]
    else:
        with pytest.raises(InvalidTransition):
            decide(snapshot, MoveStatus(target))


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (CaseStatus.REFERRED, CaseStatus.UNDER_CONSIDERATION, True),
        (CaseStatus.REFERRED, CaseStatus.DECIDED, True),
        (CaseStatus.REFERRED, CaseStatus.IN_REVIEW, False),  # no review before a decision
        (CaseStatus.DECIDED, CaseStatus.IN_REVIEW, True),
        (CaseStatus.DECIDED, CaseStatus.MONITORING, True),  # no review: straight to monitoring
        (CaseStatus.PUBLISHED, CaseStatus.REPORT_APPROVED, False),  # never backwards
        (CaseStatus.MONITORING, CaseStatus.CLOSED, True),
        (CaseStatus.CLOSED, CaseStatus.CLOSED, False),
        (CaseStatus.CLOSED, CaseStatus.REFERRED, False),
    ],
)
def test_the_lifecycle_table(current: CaseStatus, target: CaseStatus, allowed: bool) -> None:
    assert can_move(current, target) is allowed


def test_closing_cancels_every_open_deadline_and_nothing_else() -> None:
    met = DeadlineKey("records_secured", "police")
    changes = decide(case(states={met: DeadlineState.MET}), MoveStatus(CaseStatus.CLOSED))
    cancelled = set(changes.cancelled)
    assert met not in cancelled and DeadlineKey("chair_decision") in cancelled
    assert len(cancelled) == len(case().deadlines) - 1


@pytest.mark.parametrize(
    "command",
    [
        RecordEvent(CaseEvent.SUBGROUP_MEETING_SCHEDULED, TODAY),
        RecordDecision(Decision(outcome=Outcome.SCR, decided_on=TODAY)),
    ],
)
def test_a_closed_case_takes_no_more_events_or_decisions(command: Command) -> None:
    with pytest.raises(InvalidTransition, match="closed"):
        decide(case(status=CaseStatus.CLOSED), command)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (CaseStatus.REFERRED, True),
        (CaseStatus.UNDER_CONSIDERATION, True),
        (CaseStatus.DECIDED, True),  # a revised decision (004 §5.5)
        (CaseStatus.IN_REVIEW, False),
        (CaseStatus.PUBLISHED, False),
    ],
)
def test_a_decision_is_recorded_only_before_the_review_starts(status: CaseStatus, allowed: bool) -> None:
    command = RecordDecision(Decision(outcome=Outcome.NO_REVIEW, decided_on=TODAY))
    if allowed:
        assert decide(case(status=status), command, CHAIR).status is CaseStatus.DECIDED
    else:
        with pytest.raises(InvalidTransition, match="before the review starts"):
            decide(case(status=status), command, CHAIR)


@pytest.mark.parametrize(
    ("command", "status", "expected"),
    [
        (RecordEvent(CaseEvent.SUBGROUP_MEETING_SCHEDULED, TODAY), CaseStatus.REFERRED, CaseStatus.UNDER_CONSIDERATION),
        (RecordEvent(CaseEvent.SUBGROUP_MEETING_SCHEDULED, TODAY), CaseStatus.DECIDED, None),
        (RecordEvent(CaseEvent.REPORT_PUBLISHED, TODAY), CaseStatus.REPORT_APPROVED, CaseStatus.PUBLISHED),
        (RecordEvent(CaseEvent.REPORT_PUBLISHED, TODAY), CaseStatus.IN_REVIEW, None),
        (RecordEvent(CaseEvent.INCIDENT_AWARE, TODAY), CaseStatus.REFERRED, None),
    ],
)
def test_events_that_move_the_case_on(command: Command, status: CaseStatus, expected: CaseStatus | None) -> None:
    assert decide(case(status=status), command).status is expected


# --- who may do what (DESIGN.md §5) ------------------------------------------------------------------------

SUBGROUP_BOARD = BOARD.model_copy(update={"decision_maker": "subgroup"})
DECISION = RecordDecision(Decision(outcome=Outcome.NO_REVIEW, decided_on=TODAY))
PERMISSIONS: list[tuple[str, Command, Actor, BoardConfig, bool]] = [
    ("event by the business unit", RecordEvent(CaseEvent.INCIDENT_AWARE, TODAY), BUSINESS_UNIT, BOARD, True),
    ("event by a referrer", RecordEvent(CaseEvent.INCIDENT_AWARE, TODAY), REFERRER, BOARD, False),
    ("event by an agency", RecordEvent(CaseEvent.INCIDENT_AWARE, TODAY), POLICE, BOARD, False),
    ("decision by the chair (004 §3.8)", DECISION, CHAIR, BOARD, True),
    ("decision by an admin", DECISION, ADMIN, BOARD, True),
    ("decision by the business unit, chair decides", DECISION, BUSINESS_UNIT, BOARD, False),
    ("decision by the business unit, sub-group decides (004 §5.1)", DECISION, BUSINESS_UNIT, SUBGROUP_BOARD, True),
    ("decision by a referrer, sub-group decides", DECISION, REFERRER, SUBGROUP_BOARD, False),
    ("move by the business unit", MoveStatus(CaseStatus.UNDER_CONSIDERATION), BUSINESS_UNIT, BOARD, True),
    ("move by a referrer", MoveStatus(CaseStatus.UNDER_CONSIDERATION), REFERRER, BOARD, False),
    ("mark a board deadline, business unit", MarkDeadline("subgroup_meeting", TODAY), BUSINESS_UNIT, BOARD, True),
    ("mark a board deadline, an agency", MarkDeadline("subgroup_meeting", TODAY), POLICE, BOARD, False),
    ("mark its own deadline, the agency", MarkDeadline("records_secured", TODAY, "police"), POLICE, BOARD, True),
    ("mark another's deadline, an agency", MarkDeadline("records_secured", TODAY, "health"), POLICE, BOARD, False),
    ("mark a deadline, a referrer", MarkDeadline("records_secured", TODAY, "police"), REFERRER, BOARD, False),
    ("confirm for itself, the agency", ConfirmAgency("police", records=RecordsState.SECURED), POLICE, BOARD, True),
    ("confirm for another, an agency", ConfirmAgency("health", records=RecordsState.SECURED), POLICE, BOARD, False),
    ("confirm, the business unit", ConfirmAgency("health", records=RecordsState.SECURED), BUSINESS_UNIT, BOARD, True),
    ("confirm, a referrer", ConfirmAgency("health", records=RecordsState.SECURED), REFERRER, BOARD, False),
    # An actor whose id merely looks like an agency's is not one: identity is typed, not read from the id.
    ("confirm, an id that only looks like the agency's", ConfirmAgency("police"), Actor("mail:police"), BOARD, False),
    ("add an agency, business unit", AddAgency("school"), BUSINESS_UNIT, BOARD, True),
    ("add an agency, an agency", AddAgency("school"), POLICE, BOARD, False),
    ("request sent, the system", MarkRequestSent("police", NOW), SYSTEM, BOARD, True),
    ("request sent, an agency", MarkRequestSent("police", NOW), POLICE, BOARD, False),
]


@pytest.mark.parametrize(
    ("what", "command", "actor", "board", "allowed"),
    PERMISSIONS,
    ids=[p[0].encode("ascii", "replace").decode() for p in PERMISSIONS],  # node ids stay ASCII (mutmut)
)
def test_who_may_do_what(what: str, command: Command, actor: Actor, board: BoardConfig, allowed: bool) -> None:
    agencies = {a: AgencyRecord(a) for a in ("health", "police")}  # the school is not asked yet
    snapshot = case(agencies=agencies)
    if allowed:
        decide(snapshot, command, actor, board)
    else:
        with pytest.raises(Refused):
            decide(snapshot, command, actor, board)


# --- what a change meets, starts and cancels (the pack's `met_by`) ----------------------------------------


def test_the_decision_meets_the_rules_met_by_decision_recorded_on_its_date() -> None:
    decided_on = date(2026, 12, 9)
    changes = decide(case(), RecordDecision(Decision(outcome=Outcome.SCR, decided_on=decided_on)), CHAIR)
    assert marked(changes) == {("chair_decision", None): (DeadlineState.MET, decided_on)}
    started = {d.computed.rule for d in changes.added}
    assert {"statutory_decision_notification", "review_complete", "imr_submitted"} <= started
    assert changes.status is CaseStatus.DECIDED and changes.decision is not None


@pytest.mark.parametrize(
    ("meeting", "decided_on", "meeting_met"),
    [
        (date(2026, 12, 8), date(2026, 12, 9), True),  # held before the decision: met on the meeting day
        (date(2026, 12, 9), date(2026, 12, 9), True),  # on the same day
        (date(2026, 12, 11), date(2026, 12, 9), False),  # still to come
    ],
)
def test_a_decision_after_the_meeting_meets_the_meeting_deadline(
    meeting: date, decided_on: date, meeting_met: bool
) -> None:
    events = {
        CaseEvent.REFERRAL_RECEIVED: EventRecord(RECEIVED),
        CaseEvent.SUBGROUP_MEETING_SCHEDULED: EventRecord(meeting),
    }
    changes = decide(case(events=events), RecordDecision(Decision(outcome=Outcome.SCR, decided_on=decided_on)), CHAIR)
    expected = {("chair_decision", None): (DeadlineState.MET, decided_on)}
    if meeting_met:
        expected[("subgroup_meeting", None)] = (DeadlineState.MET, meeting)
    assert marked(changes) == expected


@pytest.mark.parametrize(
    ("meeting", "met"),
    [(TODAY, True), (date(2026, 12, 1), True), (date(2026, 12, 11), False)],
)
def test_a_subgroup_meeting_dated_on_or_before_today_is_held(meeting: date, met: bool) -> None:
    changes = decide(case(), RecordEvent(CaseEvent.SUBGROUP_MEETING_SCHEDULED, meeting))
    assert marked(changes) == ({("subgroup_meeting", None): (DeadlineState.MET, meeting)} if met else {})
    # The involvement check is now due before the meeting (004 §3.7): re-dated, not met.
    assert {d.key.rule for d in changes.redated} == {"agency_involvement_check"}


ANSWERS: list[tuple[str, ConfirmAgency, RecordsState, Involvement, dict[tuple[str, str | None], date]]] = [
    (
        "records secured on a date",
        ConfirmAgency("police", records=RecordsState.SECURED, records_on=date(2026, 12, 3)),
        RecordsState.SECURED,
        Involvement.UNKNOWN,
        {("records_secured", "police"): date(2026, 12, 3)},
    ),
    (
        "records secured, no date: today",
        ConfirmAgency("police", records=RecordsState.SECURED),
        RecordsState.SECURED,
        Involvement.UNKNOWN,
        {("records_secured", "police"): TODAY},
    ),
    (
        "no records held: meets the clock, counts as not involved",
        ConfirmAgency("police", records=RecordsState.NO_RECORDS_HELD, records_on=date(2026, 12, 4)),
        RecordsState.NO_RECORDS_HELD,
        Involvement.NOT_KNOWN,
        {("records_secured", "police"): date(2026, 12, 4), ("agency_involvement_check", "police"): TODAY},
    ),
    (
        "no records held, but the family is known",
        ConfirmAgency("police", involvement=Involvement.KNOWN, records=RecordsState.NO_RECORDS_HELD),
        RecordsState.NO_RECORDS_HELD,
        Involvement.KNOWN,
        {("records_secured", "police"): TODAY, ("agency_involvement_check", "police"): TODAY},
    ),
    (
        "not yet secured",
        ConfirmAgency("police", records=RecordsState.NOT_YET),
        RecordsState.NOT_YET,
        Involvement.UNKNOWN,
        {},
    ),
    (
        "involvement only",
        ConfirmAgency("police", involvement=Involvement.NOT_KNOWN),
        RecordsState.NOT_YET,
        Involvement.NOT_KNOWN,
        {("agency_involvement_check", "police"): TODAY},
    ),
]


@pytest.mark.parametrize(("what", "command", "records", "involvement", "met"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_an_agencys_answer_meets_its_own_deadlines(
    what: str,
    command: ConfirmAgency,
    records: RecordsState,
    involvement: Involvement,
    met: dict[tuple[str, str | None], date],
) -> None:
    changes = decide(case(), command, POLICE)
    assert marked(changes) == {key: (DeadlineState.MET, on) for key, on in met.items()}
    [confirmed] = changes.published
    assert (confirmed.records, confirmed.involvement) == (records, involvement)  # type: ignore[union-attr]
    answer = changes.confirmation
    assert answer is not None
    if command.records is not None:
        assert answer.records is not None and answer.records.state is records
        # "No records held" is never shown with a date the agency did not give.
        assert (answer.records.secured_on is not None) is (records is RecordsState.SECURED)


def test_an_agency_saying_it_is_not_involved_after_an_scr_decision_is_spared_its_imr() -> None:
    events = {
        CaseEvent.REFERRAL_RECEIVED: EventRecord(RECEIVED),
        CaseEvent.DECISION_MADE: EventRecord(date(2026, 12, 9), Outcome.SCR),
    }
    snapshot = case(events=events, status=CaseStatus.DECIDED, decided=True)
    for answer in (
        ConfirmAgency("police", involvement=Involvement.NOT_KNOWN),
        ConfirmAgency("police", records=RecordsState.NO_RECORDS_HELD),  # not involved unless it says otherwise
    ):
        changes = decide(snapshot, answer, POLICE)
        # Its IMR and its author's briefing (each involved agency's, 004 §7.3).
        assert changes.cancelled == (DeadlineKey("imr_briefing", "police"), DeadlineKey("imr_submitted", "police"))
    known = decide(snapshot, ConfirmAgency("police", involvement=Involvement.KNOWN), POLICE)
    assert known.cancelled == ()


def test_what_meets_a_deadline_is_the_packs_word_not_the_codes() -> None:
    """Move `met_by = "decision_recorded"` from chair_decision to subgroup_meeting: the decision follows it."""
    data = HACKNEY.model_dump()
    for rule in data["rules"]:
        if rule["id"] == "chair_decision":
            rule["met_by"] = None
        if rule["id"] == "subgroup_meeting":
            rule["met_by"] = "decision_recorded"
    moved = RulesPack.model_validate(data)
    changes = decide(case(pack=moved), RecordDecision(Decision(outcome=Outcome.NO_REVIEW, decided_on=TODAY)), CHAIR)
    assert marked(changes) == {("subgroup_meeting", None): (DeadlineState.MET, TODAY)}


def test_filing_asks_every_subgroup_agency_and_starts_the_referral_clocks() -> None:
    referral = make_referral(referral_date="2026-11-20", la_aware_date="2026-11-19")
    new = CaseSnapshot.new(case_id="case-1", board_id=BOARD.id, reference="SCR-2026-0001", pack=HACKNEY)
    changes = decide(new, FileReferral(referral, ("SCR-2025-0007",)), REFERRER)
    assert changes.status is CaseStatus.REFERRED and set(changes.agencies_added) == set(AGENCIES)
    assert dict(changes.events) == {
        CaseEvent.REFERRAL_RECEIVED: EventRecord(date(2026, 11, 20)),
        CaseEvent.INCIDENT_AWARE: EventRecord(date(2026, 11, 19)),
    }
    rules = {(d.computed.rule, d.computed.agency) for d in changes.added}
    assert ("records_secured", "police") in rules and ("ofsted_incident_notification", None) in rules
    assert all(d.state is DeadlineState.OPEN for d in changes.added)
    assert changes.audit.detail["possible_duplicates"] == ["SCR-2025-0007"]


# --- input and conflicts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "error", "field"),
    [
        (RecordEvent(CaseEvent.DECISION_MADE, TODAY), BadInput, "event"),
        (RecordEvent(CaseEvent.REVIEW_EXTENDED, TODAY), BadInput, "new_due"),
        (RecordEvent(CaseEvent.REVIEW_EXTENDED, TODAY, date(2027, 8, 20)), BadInput, "reason"),  # 003 §4.1
        (RecordEvent(CaseEvent.REVIEW_EXTENDED, TODAY, date(2027, 8, 20), "the weather"), BadInput, "reason"),
        (MarkDeadline("records_secured", TODAY), BadInput, "agency"),  # per agency: which one?
        (MarkDeadline("chair_decision", TODAY, state=DeadlineState.CANCELLED), BadInput, "state"),
        (MarkDeadline("no_such_rule", TODAY), NotFound, None),
        (AddAgency("police"), Conflict, None),  # asked already
        (AddAgency("no-such-agency"), NotFound, None),
        (ConfirmAgency("no-such-agency"), NotFound, None),
        (RecordDecision(Decision(outcome=Outcome.SCR, decided_on=date(2026, 12, 11))), BadInput, None),  # future
        (RecordDecision(Decision(outcome=Outcome.SCR, decided_on=date(2026, 11, 19))), BadInput, None),  # too early
    ],
)
def test_refused_input_and_conflicts(command: Command, error: type[Exception], field: str | None) -> None:
    with pytest.raises(error) as raised:
        decide(case(), command)
    if field is not None:
        assert getattr(raised.value, "field", None) == field


def test_marking_a_recurring_duty_marks_the_earliest_still_open() -> None:
    events = {CaseEvent.REFERRAL_RECEIVED: EventRecord(RECEIVED), CaseEvent.REPORT_PUBLISHED: EventRecord(TODAY)}
    first = DeadlineKey("action_plan_update", None, 1)
    snapshot = case(events=events, states={first: DeadlineState.MET})
    # Open-ended (003 §7.2): the second report appeared when the first was met.
    [report] = [d for d in snapshot.deadlines if d.key == first]
    second = replace(report, key=DeadlineKey("action_plan_update", None, 2), state=DeadlineState.OPEN)
    snapshot = replace(snapshot, deadlines=(*snapshot.deadlines, second))
    changes = decide(snapshot, MarkDeadline("action_plan_update", TODAY))
    assert [m.key.occurrence for m in changes.marked] == [2]


# --- what a command needs of the case ----------------------------------------------------------------------


def partial(**overrides: object) -> CaseSnapshot:
    whole = case(**overrides)  # type: ignore[arg-type]
    return replace(whole, loaded=frozenset(), events={}, deadlines=(), agencies={})


def test_an_answer_that_cannot_change_other_deadlines_reads_only_that_agencys() -> None:
    command = ConfirmAgency("police", records=RecordsState.SECURED)
    assert needs(partial(), command) == (agency_part("police"),)
    loaded = replace(
        partial(),
        loaded=frozenset({agency_part("police")}),
        agencies={"police": AgencyRecord("police")},
        deadlines=tuple(d for d in case().deadlines if d.key.agency == "police"),
    )
    assert needs(loaded, command) == ()
    assert marked(decide(loaded, command, POLICE)) == {("records_secured", "police"): (DeadlineState.MET, TODAY)}


def test_an_answer_that_may_change_who_is_involved_reads_the_events_then_the_whole_case_if_needed() -> None:
    command = ConfirmAgency("police", involvement=Involvement.NOT_KNOWN)
    police = replace(partial(), loaded=frozenset({agency_part("police")}), agencies={"police": AgencyRecord("police")})
    assert needs(police, command) == (EVENTS,)
    before_decision = replace(
        police, loaded=police.loaded | {EVENTS}, events={CaseEvent.REFERRAL_RECEIVED: EventRecord(RECEIVED)}
    )
    assert needs(before_decision, command) == ()  # no rule per involved agency has started
    after_decision = replace(
        before_decision,
        events={**before_decision.events, CaseEvent.DECISION_MADE: EventRecord(TODAY, Outcome.SCR)},
    )
    assert set(needs(after_decision, command)) == set(WHOLE_CASE) - {EVENTS}
    with pytest.raises(IncompleteSnapshot):
        decide(after_decision, command, POLICE)


@pytest.mark.parametrize(
    ("command", "parts"),
    [
        (RecordEvent(CaseEvent.INCIDENT_AWARE, TODAY), set(WHOLE_CASE)),
        (MarkDeadline("chair_decision", TODAY), {rule_part("chair_decision", None)}),
        (MoveStatus(CaseStatus.UNDER_CONSIDERATION), set()),
        (MarkRequestSent("police", NOW), {agency_part("police")}),
    ],
)
def test_what_each_command_reads(command: Command, parts: set[object]) -> None:
    assert set(needs(partial(), command)) == parts
