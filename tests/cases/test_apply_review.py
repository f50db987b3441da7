"""The case rules the review phase adds (cases/apply.py GiveDue, MeetBy; open-ended recurring duties)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cases.apply import needs
from cases.case import DeadlineState
from cases.commands import GiveDue, MarkDeadline, MeetBy, RecomputeDeadlines
from cases.events import CaseEvent, CaseStatus, Outcome
from cases.packs import bundled_pack
from cases.rules import MetBy, RulesPack
from cases.snapshot import DEADLINES, WHOLE_CASE
from cases.timeline import DeadlineKey, EventRecord
from errors import BadInput, Refused
from tests.cases.test_apply import HACKNEY, RECEIVED, case, decide, marked
from tests.factories import REFERRER

DECIDED = {
    CaseEvent.REFERRAL_RECEIVED: EventRecord(RECEIVED),
    CaseEvent.DECISION_MADE: EventRecord(date(2026, 12, 1), Outcome.SCR),
}
POLICE_IMR = DeadlineKey("imr_submitted", "police")


def test_a_given_due_date_redates_only_that_agencys_report() -> None:
    changes = decide(
        case(status=CaseStatus.IN_REVIEW, events=DECIDED),
        GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 2, 6), "police"),
    )
    assert [(d.key, d.due, d.act_by, d.given) for d in changes.redated] == [
        (POLICE_IMR, date(2027, 2, 6), date(2027, 2, 5), True)
    ]
    assert not changes.added and not changes.cancelled and not changes.marked
    assert changes.audit.action == "deadline.due_given"
    assert dict(changes.audit.detail) == {
        "effect": "agency_report_accepted",
        "agency": "police",
        "due": date(2027, 2, 6),
        "occurrence": 1,
    }


def test_a_given_due_date_survives_recomputation() -> None:
    snapshot = case(status=CaseStatus.IN_REVIEW, events=DECIDED)
    given = tuple(
        replace(d, due=date(2027, 2, 6), act_by=date(2027, 2, 5), given=True) if d.key == POLICE_IMR else d
        for d in snapshot.deadlines
    )
    changes = decide(replace(snapshot, deadlines=given), RecomputeDeadlines())
    assert not changes.redated and not changes.added


@pytest.mark.parametrize(
    ("command", "actor", "error", "field"),
    [
        (GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 2, 6)), None, BadInput, "agency"),
        (GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 2, 6), "police"), REFERRER, Refused, None),
        (MeetBy(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 1, 5), "police"), REFERRER, Refused, None),
    ],
)
def test_review_commands_refuse(
    command: GiveDue | MeetBy, actor: object, error: type[Exception], field: str | None
) -> None:
    snapshot = case(status=CaseStatus.IN_REVIEW, events=DECIDED)
    with pytest.raises(error) as raised:
        decide(snapshot, command, **({"actor": actor} if actor else {}))  # type: ignore[arg-type]
    assert getattr(raised.value, "field", None) == field


def test_an_accepted_report_meets_that_agencys_deadline_only() -> None:
    changes = decide(
        case(status=CaseStatus.IN_REVIEW, events=DECIDED),
        MeetBy(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 1, 5), "police"),
    )
    assert marked(changes) == {("imr_submitted", "police"): (DeadlineState.MET, date(2027, 1, 5))}
    assert changes.audit.action == "deadline.met_by"


def test_meeting_an_open_ended_duty_brings_the_next_one() -> None:
    events = DECIDED | {CaseEvent.REPORT_PUBLISHED: EventRecord(date(2027, 1, 15))}
    snapshot = case(status=CaseStatus.PUBLISHED, events=events)
    assert [d.key.occurrence for d in snapshot.deadlines if d.key.rule == "action_plan_update"] == [1]
    changes = decide(snapshot, MarkDeadline("action_plan_update", date(2027, 4, 14)))
    assert marked(changes) == {("action_plan_update", None): (DeadlineState.MET, date(2027, 4, 14))}
    assert [(d.computed.occurrence, d.computed.due) for d in changes.added] == [(2, date(2027, 7, 15))]
    # Announced, so the pack's recurring notification (the quarterly progress report, 003 §7.3) is drafted again.
    assert [(type(e).__name__, e.rule, e.occurrence) for e in changes.published] == [  # type: ignore[union-attr]
        ("RecurringDutyDue", "action_plan_update", 2)
    ]
    other = decide(snapshot, MarkDeadline("statutory_decision_notification", date(2027, 4, 14)))
    assert other.published == ()  # a one-off duty announces nothing


def test_what_the_review_commands_need_loaded() -> None:
    partial = replace(case(status=CaseStatus.IN_REVIEW, events=DECIDED), loaded=frozenset({DEADLINES}))
    assert needs(partial, MeetBy(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 1, 5), "police")) == ()
    missing = set(WHOLE_CASE) - {DEADLINES}
    assert set(needs(partial, GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 2, 6), "police"))) == missing
    assert set(needs(partial, MarkDeadline("action_plan_update", date(2027, 4, 14)))) == missing


# --- what meets the review's deadlines, pack by pack (hackney-2017's IMRs; wt2023's agency information and
# final report, Children Act 2004 s.16H, Working Together 2023 ch. 5) ---------------------------------------

WT2023 = bundled_pack("wt2023")


@pytest.mark.parametrize(
    ("pack", "rule", "agency", "due"),
    [
        # 004 §7.3: six weeks from the decision (Tue 1 Dec 2026).
        (HACKNEY, "imr_submitted", "police", date(2027, 1, 12)),
        # wt2023: one month from the decision for each involved agency (the board's default).
        (WT2023, "agency_information_submitted", "police", date(2027, 1, 1)),
        (WT2023, "agency_information_submitted", "health", date(2027, 1, 1)),
        # wt2023: five months for the final report, a month before review_complete's six.
        (WT2023, "final_report", None, date(2027, 5, 1)),
        (WT2023, "review_complete", None, date(2027, 6, 1)),
    ],
)
def test_the_review_deadlines_each_pack_sets(pack: RulesPack, rule: str, agency: str | None, due: date) -> None:
    snapshot = case(status=CaseStatus.IN_REVIEW, events=DECIDED, pack=pack)
    assert [d.due for d in snapshot.deadlines if (d.key.rule, d.key.agency) == (rule, agency)] == [due]


@pytest.mark.parametrize(
    ("pack", "command", "met"),
    [
        (HACKNEY, MeetBy(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 1, 5), "police"), [("imr_submitted", "police")]),
        (
            WT2023,
            MeetBy(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 1, 5), "police"),
            [("agency_information_submitted", "police")],
        ),
        (WT2023, MeetBy(MetBy.REPORT_APPROVED, date(2027, 4, 20)), [("final_report", None)]),
        # hackney-2017 has no deadline an approved report meets: nothing marked.
        (HACKNEY, MeetBy(MetBy.REPORT_APPROVED, date(2027, 4, 20)), []),
    ],
)
def test_what_a_review_step_meets_in_each_pack(
    pack: RulesPack, command: MeetBy, met: list[tuple[str, str | None]]
) -> None:
    changes = decide(case(status=CaseStatus.IN_REVIEW, events=DECIDED, pack=pack), command)
    assert marked(changes) == {key: (DeadlineState.MET, command.on) for key in met}


def test_a_due_date_given_with_the_request_redates_the_agency_information() -> None:
    changes = decide(
        case(status=CaseStatus.IN_REVIEW, events=DECIDED, pack=WT2023),
        GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 2, 6), "police"),
    )
    assert [(d.key.rule, d.key.agency, d.due) for d in changes.redated] == [
        ("agency_information_submitted", "police", date(2027, 2, 6))
    ]
