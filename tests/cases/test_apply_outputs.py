"""The case rules' whole answers (cases/apply.py): for each command, the complete `Changes` it gives (audit entry,
status, events, the agency's answer, what is published) and the exact line each refusal says. No database."""

from __future__ import annotations

from datetime import date

import pytest

from cases.actor import SYSTEM, Actor, Role, agency_actor
from cases.answers import Answer
from cases.apply import IncompleteSnapshot, needs
from cases.case import DeadlineState, Decision, Involvement, RecordsState
from cases.changes import AuditNote, Changes, ConfirmationChange, DeadlineMark, RecordsChange
from cases.commands import (
    AddAgency,
    Command,
    ConfirmAgency,
    FileReferral,
    MarkDeadline,
    MarkRequestSent,
    MoveStatus,
    RecomputeDeadlines,
    RecordDecision,
    RecordEvent,
)
from cases.domain_events import AgencyConfirmed, CaseEventRecorded, DecisionRecorded, ReferralFiled, StatusChanged
from cases.events import CaseEvent, CaseStatus, Outcome
from cases.figures.history import ExtensionRecord
from cases.notifications import DateFrom, Notification
from cases.permissions import (
    may_view_case,
    require_answer_for,
    require_mark_deadline,
    require_outbox_staff,
    require_staff,
)
from cases.rules import Fact
from cases.snapshot import (
    AGENCIES,
    DEADLINES,
    WHOLE_CASE,
    AgencyRecord,
    CaseSnapshot,
    Part,
    StoredDeadline,
    facts_of,
    rule_part,
)
from cases.timeline import DeadlineKey, EventRecord
from errors import BadInput, Conflict, NotFound, Refused
from tests.cases.test_apply import BOARD, CHAIR, HACKNEY, NOW, RECEIVED, TODAY, case, decide
from tests.factories import BUSINESS_UNIT, REFERRER, STAFF, make_referral

POLICE = agency_actor("police")
DECIDED_ON = date(2026, 12, 9)
SCR_DECIDED = {
    CaseEvent.REFERRAL_RECEIVED: EventRecord(RECEIVED),
    CaseEvent.DECISION_MADE: EventRecord(DECIDED_ON, Outcome.SCR),
}


def keys(changes: Changes) -> dict[str, set[tuple[str, str | None]]]:
    return {
        "added": {(d.computed.rule, d.computed.agency) for d in changes.added},
        "redated": {(d.rule, d.agency) for d in changes.redated},
        "reopened": {(k.rule, k.agency) for k in changes.reopened},
        "cancelled": {(k.rule, k.agency) for k in changes.cancelled},
        "marked": {(m.key.rule, m.key.agency) for m in changes.marked},
    }


def without_deadlines(changes: Changes) -> Changes:
    return Changes(
        changes.audit,
        changes.status,
        changes.closed,
        changes.events,
        changes.decision,
        changes.agencies_added,
        changes.confirmation,
        changes.request_sent,
        published=changes.published,
    )


def test_recording_a_meeting_date() -> None:
    changes = decide(case(), RecordEvent(CaseEvent.SUBGROUP_MEETING_SCHEDULED, TODAY))
    assert without_deadlines(changes) == Changes(
        AuditNote("event.recorded", {"event": "subgroup_meeting_scheduled", "on": TODAY, "new_due": None}),
        status=CaseStatus.UNDER_CONSIDERATION,
        events=((CaseEvent.SUBGROUP_MEETING_SCHEDULED, EventRecord(TODAY)),),
        published=(
            CaseEventRecorded(
                BOARD.id, "case-1", "SCR-2026-0001", NOW, CaseEvent.SUBGROUP_MEETING_SCHEDULED, TODAY, None
            ),
        ),
    )
    agencies = {("agency_involvement_check", a) for a in ("health", "police", "school")}
    assert keys(changes) == {
        "added": set(),
        "redated": agencies,
        "reopened": set(),
        "cancelled": set(),
        "marked": {("subgroup_meeting", None)},
    }


def test_an_extension_moves_the_completion_date_and_starts_the_notice() -> None:
    snapshot = case(events=SCR_DECIDED, status=CaseStatus.IN_REVIEW, decided=True)
    new_due = date(2027, 8, 20)
    changes = decide(snapshot, RecordEvent(CaseEvent.REVIEW_EXTENDED, TODAY, new_due, "Agency_delay"))
    assert changes.events == ((CaseEvent.REVIEW_EXTENDED, EventRecord(TODAY, new_due=new_due)),)
    assert changes.audit.detail == {
        "event": "review_extended",
        "on": TODAY,
        "new_due": new_due,
        "reason": "agency delay",
    }
    assert changes.extension == ExtensionRecord(TODAY, new_due, "agency delay")
    [published] = changes.published
    assert isinstance(published, CaseEventRecorded) and published.new_due == new_due
    assert published.reason == "agency delay"
    assert keys(changes)["added"] == {("extension_notice", None)}
    [moved] = changes.redated
    assert (moved.rule, moved.due, moved.trigger_event) == ("review_complete", new_due, CaseEvent.REVIEW_EXTENDED)


@pytest.mark.parametrize(("facts", "leder"), [({}, True), ({Fact.LEARNING_DISABILITY: Answer.NO}, False)])
def test_recomputing_uses_the_facts_of_the_referral(facts: dict[Fact, Answer], leder: bool) -> None:
    """LeDeR (004 §2.10-2.12) applies unless the referral says no learning disability (or no death)."""
    snapshot = case()
    stored_without_leder = tuple(d for d in snapshot.deadlines if d.key.rule != "leder_alert")
    snapshot = CaseSnapshot(
        **{**snapshot.__dict__, "deadlines": stored_without_leder, "facts": facts}  # type: ignore[arg-type]
    )
    changes = decide(snapshot, RecordEvent(CaseEvent.INCIDENT_AWARE, TODAY))
    assert (("leder_alert", None) in keys(changes)["added"]) is leder


@pytest.mark.parametrize("decided", [False, True])
def test_recording_and_revising_the_decision(decided: bool) -> None:
    decision = Decision(outcome=Outcome.SCR, decided_on=DECIDED_ON, decided_by="the chair", rationale="x")
    changes = decide(case(decided=decided), RecordDecision(decision), CHAIR)
    assert without_deadlines(changes) == Changes(
        AuditNote("decision.revised" if decided else "decision.recorded", {"outcome": "scr", "decided_on": DECIDED_ON}),
        status=CaseStatus.DECIDED,
        events=((CaseEvent.DECISION_MADE, EventRecord(DECIDED_ON, Outcome.SCR)),),
        decision=decision,
        published=(DecisionRecorded(BOARD.id, "case-1", "SCR-2026-0001", NOW, Outcome.SCR, DECIDED_ON, decided),),
    )


def test_closing() -> None:
    changes = decide(case(), MoveStatus(CaseStatus.CLOSED))
    assert without_deadlines(changes) == Changes(
        AuditNote("case.status", {"from": "referred", "to": "closed"}),
        status=CaseStatus.CLOSED,
        closed=True,
        published=(StatusChanged(BOARD.id, "case-1", "SCR-2026-0001", NOW, CaseStatus.REFERRED, CaseStatus.CLOSED),),
    )


def test_marking_not_applicable() -> None:
    changes = decide(case(), MarkDeadline("chair_decision", TODAY, state=DeadlineState.NOT_APPLICABLE))
    assert changes == Changes(
        AuditNote(
            "deadline.marked", {"rule": "chair_decision", "agency": None, "state": "not_applicable", "on": TODAY}
        ),
        marked=(DeadlineMark(DeadlineKey("chair_decision"), DeadlineState.NOT_APPLICABLE, TODAY),),
    )


def test_reopening_a_deadline_clears_its_date() -> None:
    met = {DeadlineKey("chair_decision"): DeadlineState.MET}
    changes = decide(case(states=met), MarkDeadline("chair_decision", TODAY, state=DeadlineState.OPEN))
    assert changes.marked == (DeadlineMark(DeadlineKey("chair_decision"), DeadlineState.OPEN, None),)


def test_an_agencys_whole_answer() -> None:
    command = ConfirmAgency(
        "police",
        involvement=Involvement.KNOWN,
        involvement_detail="open to the youth offending team",
        records=RecordsState.SECURED,
        records_on=date(2026, 12, 3),
        secured_by="J. Testperson",
        evidence="<reply@pnn.example>",
    )
    changes = decide(case(), command, POLICE)
    assert without_deadlines(changes) == Changes(
        AuditNote("agency.confirmation", {"agency": "police", "involvement": "known", "records": "secured"}),
        confirmation=ConfirmationChange(
            "police",
            involvement=Involvement.KNOWN,
            involvement_detail="open to the youth offending team",
            records=RecordsChange(RecordsState.SECURED, date(2026, 12, 3), "J. Testperson"),
            evidence="<reply@pnn.example>",
        ),
        published=(
            AgencyConfirmed(
                BOARD.id, "case-1", "SCR-2026-0001", NOW, "police", RecordsState.SECURED, Involvement.KNOWN
            ),
        ),
    )
    assert set(changes.marked) == {
        DeadlineMark(DeadlineKey("agency_involvement_check", "police"), DeadlineState.MET, TODAY),
        DeadlineMark(DeadlineKey("records_secured", "police"), DeadlineState.MET, date(2026, 12, 3)),
    }


def test_an_answer_about_records_only_leaves_involvement_and_its_detail_alone() -> None:
    changes = decide(
        case(), ConfirmAgency("police", involvement_detail="ignored", records=RecordsState.SECURED), POLICE
    )
    assert changes.confirmation == ConfirmationChange("police", records=RecordsChange(RecordsState.SECURED, TODAY, ""))
    assert changes.audit.detail == {"agency": "police", "records": "secured"}


def test_adding_an_agency() -> None:
    snapshot = case(agencies={a: AgencyRecord(a) for a in ("health", "police")})
    changes = decide(snapshot, AddAgency("school"), BUSINESS_UNIT)
    assert without_deadlines(changes) == Changes(
        AuditNote("agency.added", {"agency": "school"}), agencies_added=("school",)
    )
    assert keys(changes)["added"] == {("records_secured", "school"), ("agency_involvement_check", "school")}


def test_a_request_recorded_as_sent() -> None:
    assert decide(case(), MarkRequestSent("police", NOW), SYSTEM) == Changes(
        AuditNote("agency.request_sent", {"agency": "police"}), request_sent=("police", NOW)
    )


def test_recomputing_cancels_what_no_longer_applies_and_reopens_what_does() -> None:
    snapshot = case()
    extra = StoredDeadline(DeadlineKey("scoping_meeting"), RECEIVED, TODAY, TODAY, DeadlineState.OPEN)
    back = DeadlineKey("chair_decision")
    stored = tuple(
        StoredDeadline(d.key, d.trigger_date, d.due, d.act_by, DeadlineState.CANCELLED) if d.key == back else d
        for d in snapshot.deadlines
    )
    snapshot = CaseSnapshot(**{**snapshot.__dict__, "deadlines": (*stored, extra)})  # type: ignore[arg-type]
    changes = decide(snapshot, RecomputeDeadlines(), SYSTEM)
    assert changes.audit == AuditNote("deadlines.recomputed")
    assert keys(changes) == {
        "added": set(),
        "redated": set(),
        "reopened": {("chair_decision", None)},
        "cancelled": {("scoping_meeting", None)},
        "marked": set(),
    }


# --- the exact lines people are told ----------------------------------------------------------------------

REFUSALS: list[tuple[Command, Actor, type[Exception], str]] = [
    (
        RecordEvent(CaseEvent.DECISION_MADE, TODAY),
        STAFF,
        BadInput,
        "record a decision with record_decision (it needs the outcome)",
    ),
    (
        RecordEvent(CaseEvent.REVIEW_EXTENDED, TODAY),
        STAFF,
        BadInput,
        "an extension needs the new completion date (003 §4.1)",
    ),
    (
        RecordEvent(CaseEvent.REVIEW_EXTENDED, TODAY, date(2027, 8, 20), "weather"),
        STAFF,
        BadInput,
        "an extension needs its reason, one of: parallel proceedings, agency delay, family involvement, "
        "reviewer availability, other (003 §4.1)",
    ),
    (RecordEvent(CaseEvent.INCIDENT_AWARE, TODAY), REFERRER, Refused, "only the business unit can record case events"),
    (
        RecordDecision(Decision(outcome=Outcome.SCR, decided_on=TODAY)),
        BUSINESS_UNIT,
        Refused,
        "only the chair can record the decision",
    ),
    (MoveStatus(CaseStatus.UNDER_CONSIDERATION), REFERRER, Refused, "only the business unit can move a case on"),
    (
        MoveStatus(CaseStatus.PUBLISHED),
        STAFF,
        Conflict,
        "case SCR-2026-0001 cannot move from referred to published",
    ),
    (MarkDeadline("records_secured", TODAY, "police"), REFERRER, Refused, "only the business unit can mark deadlines"),
    (MarkDeadline("records_secured", TODAY), STAFF, BadInput, "records_secured is per agency: say which agency"),
    (
        MarkDeadline("chair_decision", TODAY, state=DeadlineState.CANCELLED),
        STAFF,
        BadInput,
        "a deadline can be marked met, not_applicable or open again",
    ),
    (MarkDeadline("scoping_meeting", TODAY), STAFF, NotFound, "case SCR-2026-0001 has no deadline scoping_meeting"),
    (
        MarkDeadline("imr_submitted", TODAY, "police"),
        STAFF,
        NotFound,
        "case SCR-2026-0001 has no deadline imr_submitted for agency police",
    ),
    (
        ConfirmAgency("health"),
        POLICE,
        Refused,
        "only the business unit, or the agency itself by email, can confirm for an agency",
    ),
    (ConfirmAgency("probation"), STAFF, NotFound, "agency probation is not asked about case SCR-2026-0001"),
    (AddAgency("school"), REFERRER, Refused, "only the business unit can add agencies to a case"),
    (AddAgency("police"), STAFF, Conflict, "agency police is already asked about case SCR-2026-0001"),
    (
        MarkRequestSent("police", NOW),
        POLICE,
        Refused,
        "only the business unit can record that a request was sent",
    ),
    (MarkRequestSent("probation", NOW), STAFF, NotFound, "agency probation is not asked about case SCR-2026-0001"),
]


@pytest.mark.parametrize(
    ("command", "actor", "error", "line"), REFUSALS, ids=[f"{type(r[0]).__name__}-{i}" for i, r in enumerate(REFUSALS)]
)
def test_what_a_refusal_says(command: Command, actor: Actor, error: type[Exception], line: str) -> None:
    with pytest.raises(error) as raised:
        decide(case(), command, actor)
    assert str(raised.value) == line


@pytest.mark.parametrize(
    ("status", "command", "line"),
    ids=["closed", "in_review"],
    argvalues=[
        (CaseStatus.CLOSED, RecordEvent(CaseEvent.INCIDENT_AWARE, TODAY), "case SCR-2026-0001 is closed"),
        (
            CaseStatus.IN_REVIEW,
            RecordDecision(Decision(outcome=Outcome.SCR, decided_on=TODAY)),
            "case SCR-2026-0001 is in_review; a decision can only be recorded before the review starts",
        ),
    ],
)
def test_what_a_conflict_with_the_lifecycle_says(status: CaseStatus, command: Command, line: str) -> None:
    with pytest.raises(Conflict) as raised:
        decide(case(status=status), command, CHAIR)
    assert str(raised.value) == line


def test_the_subgroup_boards_refusal_names_the_business_unit() -> None:
    board = BOARD.model_copy(update={"decision_maker": "subgroup"})
    with pytest.raises(Refused) as raised:
        decide(case(), RecordDecision(Decision(outcome=Outcome.SCR, decided_on=TODAY)), REFERRER, board)
    assert str(raised.value) == "only the business unit can record the decision"


# --- permissions, the agency's identity, snapshot parts, date fields ----------------------------------------


@pytest.mark.parametrize(
    ("actor", "filed_by", "may"),
    [(STAFF, "slack:UOTHER", True), (REFERRER, REFERRER.id, True), (REFERRER, "slack:UOTHER", False)],
)
def test_who_may_see_a_case(actor: Actor, filed_by: str, may: bool) -> None:
    assert may_view_case(actor, filed_by) is may


@pytest.mark.parametrize(
    ("check", "line"),
    ids=["staff", "answer_for", "mark_deadline", "outbox"],
    argvalues=[
        (lambda: require_staff(REFERRER, "do this"), "only the business unit can do this"),
        (
            lambda: require_answer_for(REFERRER, "police"),
            "only the business unit, or the agency itself by email, can confirm for an agency",
        ),
        (lambda: require_mark_deadline(REFERRER, "police"), "only the business unit can mark deadlines"),
        (
            lambda: require_outbox_staff(REFERRER, "approve"),
            "only an authorised business unit member can approve a notification",
        ),
    ],
)
def test_permission_refusals_say_why(check: object, line: str) -> None:
    with pytest.raises(Refused) as raised:
        check()  # type: ignore[operator]
    assert str(raised.value) == line
    require_outbox_staff(Actor("cli:x", frozenset({Role.BUSINESS_UNIT})), "approve")  # staff pass


def test_an_agency_answering_for_itself_is_an_actor_with_its_agency_and_no_role() -> None:
    assert agency_actor("police") == Actor("mail:police", frozenset(), agency="police")
    assert not agency_actor("police").is_staff


def test_a_new_case_is_referred_and_wholly_known() -> None:
    new = CaseSnapshot.new(case_id="c", board_id="b", reference="SCR-2026-0009", pack=HACKNEY)
    assert (new.status, new.loaded, new.decided) == (CaseStatus.REFERRED, frozenset(WHOLE_CASE), False)
    assert new.has(rule_part("x", None)) and new.has(Part("agency", agency="police"))
    assert rule_part("records_secured", "police") == Part("rule", agency="police", rule="records_secured")
    partial = CaseSnapshot("c", "b", "SCR-2026-0009", CaseStatus.REFERRED, HACKNEY)
    assert not partial.has(rule_part("x", None))
    assert partial.with_part(DEADLINES, deadlines=()).has(rule_part("x", None))


def test_the_facts_a_referral_gives() -> None:
    assert facts_of(None) == {}
    referral = make_referral(learning_disability="yes", **{"criteria.child_died": "no"})
    assert facts_of(referral) == {
        Fact.LEARNING_DISABILITY: Answer.YES,
        Fact.CHILD_DIED: Answer.NO,
        Fact.NOTIFIABLE_INCIDENT: Answer.YES,  # seriously harmed in the area, abuse suspected (s.16C(1)(a))
        Fact.NOTIFIABLE_TO_PANEL: Answer.YES,
        Fact.LOOKED_AFTER: Answer.NO,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("review_complete", DateFrom(rule="review_complete", which="act_by")),
        ("review_complete.due", DateFrom(rule="review_complete", which="due")),
        ("review_complete.act_by", DateFrom(rule="review_complete", which="act_by")),
        ("review_complete.original_due", DateFrom(rule="review_complete", which="original_due")),
    ],
)
def test_date_fields_name_a_rule_and_which_of_its_dates(text: str, expected: DateFrom) -> None:
    assert DateFrom.parse(text) == expected


def test_a_notification_names_the_rules_it_uses_by_key() -> None:
    notification = Notification(
        template="imr_request",
        on="decision_made",  # type: ignore[arg-type]
        to=("each_involved_agency",),  # type: ignore[arg-type]
        purpose="IMR request",
        serves="imr_submitted",
        dates={"imr_due": "imr_submitted", "briefing_by": "imr_briefing.due"},  # type: ignore[dict-item]
    )
    assert notification.rules_named() == {
        "serves": "imr_submitted",
        "dates.imr_due": "imr_submitted",
        "dates.briefing_by": "imr_briefing",
    }
    assert notification.serves_rule == "imr_submitted" and notification.per_agency


# --- what each recomputation is given ----------------------------------------------------------------------

NO_LEARNING_DISABILITY = {Fact.LEARNING_DISABILITY: Answer.NO}


@pytest.mark.parametrize(
    ("command", "actor", "events", "status"),
    [
        (RecordDecision(Decision(outcome=Outcome.SCR, decided_on=DECIDED_ON)), CHAIR, None, CaseStatus.REFERRED),
        (AddAgency("probation"), STAFF, None, CaseStatus.REFERRED),
        (RecomputeDeadlines(), SYSTEM, None, CaseStatus.REFERRED),
        (ConfirmAgency("police", involvement=Involvement.NOT_KNOWN), STAFF, SCR_DECIDED, CaseStatus.DECIDED),
    ],
    ids=["decision", "add_agency", "recompute", "confirm"],
)
def test_every_recomputation_uses_the_facts_of_the_referral(
    command: Command, actor: Actor, events: dict[CaseEvent, EventRecord] | None, status: CaseStatus
) -> None:
    board = BOARD.model_copy(
        update={"agencies": (*BOARD.agencies, BOARD.agencies[0].model_copy(update={"id": "probation"}))}
    )
    snapshot = case(events=events, status=status)
    without_leder = tuple(d for d in snapshot.deadlines if d.key.rule != "leder_alert")
    for facts, leder in (({}, True), (NO_LEARNING_DISABILITY, False)):
        given = CaseSnapshot(**{**snapshot.__dict__, "deadlines": without_leder, "facts": facts})  # type: ignore[arg-type]
        changes = decide(given, command, actor, board)
        assert (("leder_alert", None) in keys(changes)["added"]) is leder, facts


def test_filing_a_referral_whole() -> None:
    referral = make_referral(learning_disability="no")
    new = CaseSnapshot.new(case_id="case-1", board_id=BOARD.id, reference="SCR-2026-0001", pack=HACKNEY)
    changes = decide(new, FileReferral(referral, ("SCR-2025-0007",)), REFERRER)
    assert without_deadlines(changes) == Changes(
        AuditNote("referral.filed", {"possible_duplicates": ["SCR-2025-0007"], "rules_pack": "hackney-2017"}),
        status=CaseStatus.REFERRED,
        events=tuple(changes.events),
        agencies_added=("police", "health", "school"),
        published=(
            ReferralFiled(
                BOARD.id,
                "case-1",
                "SCR-2026-0001",
                NOW,
                ("SCR-2025-0007",),
                "Notifiable incident: the child was seriously harmed in the area and abuse or neglect is known or "
                "suspected (Children Act 2004 s.16C(1)(a); 004 §2.2).",
            ),
        ),
    )
    rules = keys(changes)["added"]
    assert ("leder_alert", None) not in rules  # the referral says no learning disability (004 §2.10)
    assert {a for r, a in rules if r == "records_secured"} == {"police", "health", "school"}


def test_an_answer_about_involvement_only_leaves_the_records_alone() -> None:
    changes = decide(case(), ConfirmAgency("police", involvement=Involvement.NOT_KNOWN), POLICE)
    assert changes.confirmation == ConfirmationChange("police", involvement=Involvement.NOT_KNOWN)


def test_a_case_without_a_referral_date_cannot_be_decided() -> None:
    snapshot = case()
    snapshot = CaseSnapshot(**{**snapshot.__dict__, "events": {}})  # type: ignore[arg-type]
    with pytest.raises(Conflict) as raised:
        decide(snapshot, RecordDecision(Decision(outcome=Outcome.SCR, decided_on=TODAY)), CHAIR)
    assert str(raised.value) == "case SCR-2026-0001 has no referral date to decide on"


def test_only_closing_cancels_deadlines() -> None:
    assert decide(case(), MoveStatus(CaseStatus.UNDER_CONSIDERATION)).cancelled == ()


@pytest.mark.parametrize(
    ("command", "parts"),
    [
        (MoveStatus(CaseStatus.CLOSED), {DEADLINES}),
        (MarkDeadline("records_secured", TODAY, "police"), {rule_part("records_secured", "police")}),
    ],
    ids=["close", "mark_agency"],
)
def test_what_closing_and_marking_an_agencys_deadline_read(command: Command, parts: set[Part]) -> None:
    partial = CaseSnapshot("case-1", BOARD.id, "SCR-2026-0001", CaseStatus.REFERRED, HACKNEY)
    assert set(needs(partial, command)) == parts


def test_the_rules_refuse_a_snapshot_without_the_parts_they_need() -> None:
    partial = CaseSnapshot("case-1", BOARD.id, "SCR-2026-0001", CaseStatus.REFERRED, HACKNEY)
    with pytest.raises(IncompleteSnapshot) as raised:
        decide(partial, MoveStatus(CaseStatus.CLOSED))
    assert str(raised.value) == "MoveStatus needs deadlines"
    with pytest.raises(IncompleteSnapshot) as raised:
        decide(partial, RecomputeDeadlines(), SYSTEM)
    assert str(raised.value) == "RecomputeDeadlines needs events, deadlines, agencies, facts, decision"


def test_what_a_snapshot_holds() -> None:
    new = CaseSnapshot.new(case_id="c", board_id="b", reference="SCR-2026-0009", pack=HACKNEY)
    assert (new.case_id, new.board_id, new.reference) == ("c", "b", "SCR-2026-0009")
    partial = CaseSnapshot("c", "b", "SCR-2026-0009", CaseStatus.REFERRED, HACKNEY)
    agencies_only = partial.with_part(AGENCIES, agencies={})
    assert not agencies_only.has(Part("agency", agency="police"))  # its deadlines are not read yet
    assert agencies_only.with_part(DEADLINES, deadlines=()).has(Part("agency", agency="police"))
    stored = StoredDeadline(DeadlineKey("chair_decision"), RECEIVED, TODAY, TODAY, DeadlineState.OPEN)
    assert partial.with_part(DEADLINES, deadlines=(stored,)).deadlines == (stored,)
