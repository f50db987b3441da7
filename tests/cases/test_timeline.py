"""The statutory timeline (DESIGN.md §3): counting working days, weeks and months exactly."""

from __future__ import annotations

from datetime import date

import pytest

from cases.answers import Answer
from cases.calendar import WorkingCalendar
from cases.events import CaseEvent, Outcome
from cases.packs import bundled_pack
from cases.rules import Fact, RulesPack
from cases.timeline import AgencyScope, DeadlineKey, EventRecord, compute_deadlines, reconcile

HACKNEY = bundled_pack("hackney-2017")
ENGLAND = WorkingCalendar.england()


def deadlines_for(
    event: CaseEvent, on: date, outcome: Outcome | None = None, **kwargs: object
) -> dict[str, tuple[date, date]]:
    computed = compute_deadlines(HACKNEY, {event: EventRecord(on, outcome)}, ENGLAND, **kwargs)  # type: ignore[arg-type]
    return {d.rule: (d.due, d.act_by) for d in computed if d.occurrence == 1}


def test_decision_before_christmas_gives_statutory_notification_on_new_years_eve() -> None:
    # 004 §5.3: 5 working days. 25 Dec (Fri) Christmas, 28 Dec Boxing Day substitute; day 0 is the 22nd.
    got = deadlines_for(CaseEvent.DECISION_MADE, date(2026, 12, 22), Outcome.SCR)
    assert got["statutory_decision_notification"] == (date(2026, 12, 31), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("trigger", "rule", "due", "act_by"),
    [
        # chair_decision: 1 month, not moved; act_by the last working day on or before (1 Jan is a holiday).
        (date(2026, 12, 1), "chair_decision", date(2027, 1, 1), date(2026, 12, 31)),
        # 31 Jan + 1 month is the end of February; 2028 is a leap year.
        (date(2027, 1, 31), "chair_decision", date(2027, 2, 28), date(2027, 2, 26)),
        (date(2028, 1, 31), "chair_decision", date(2028, 2, 29), date(2028, 2, 29)),
        # 3 weeks, landing on Easter Monday 2027 (29 March): act_by skips back over Good Friday (26th).
        (date(2027, 3, 8), "subgroup_meeting", date(2027, 3, 29), date(2027, 3, 25)),
        # 5 working days over Easter 2027: Good Friday 26 Mar, Easter Monday 29 Mar.
        (date(2027, 3, 24), "records_secured", date(2027, 4, 2), date(2027, 4, 2)),
        # 5 working days over the early May bank holiday 2027 (3 May).
        (date(2027, 4, 30), "records_secured", date(2027, 5, 10), date(2027, 5, 10)),
        # Christmas 2027: Sat 25 and Sun 26 with substitute days Mon 27 and Tue 28 December.
        (date(2027, 12, 23), "records_secured", date(2028, 1, 4), date(2028, 1, 4)),
        # A Saturday trigger is still day 0.
        (date(2026, 11, 21), "records_secured", date(2026, 11, 27), date(2026, 11, 27)),
    ],
)
def test_referral_rules(trigger: date, rule: str, due: date, act_by: date) -> None:
    assert deadlines_for(CaseEvent.REFERRAL_RECEIVED, trigger)[rule] == (due, act_by)


def test_publication_copies_count_back_over_christmas() -> None:
    # 004 §10.5: at least 7 working days before publication on 6 Jan 2027.
    got = deadlines_for(CaseEvent.PUBLICATION_PLANNED, date(2027, 1, 6))
    assert got["publication_copies"] == (date(2026, 12, 23), date(2026, 12, 23))


def test_board_closure_days_are_not_working_days() -> None:
    calendar = WorkingCalendar.england([date(2026, 12, 24), date(2026, 12, 31)])
    computed = compute_deadlines(
        HACKNEY, {CaseEvent.DECISION_MADE: EventRecord(date(2026, 12, 22), Outcome.SCR)}, calendar
    )
    assert {d.rule: d.due for d in computed}["statutory_decision_notification"] == date(2027, 1, 5)


def test_scr_only_rules_follow_the_outcome() -> None:
    no_review = deadlines_for(CaseEvent.DECISION_MADE, date(2026, 11, 2), Outcome.NO_REVIEW)
    assert set(no_review) == {"statutory_decision_notification"}
    scr = deadlines_for(CaseEvent.DECISION_MADE, date(2026, 11, 2), Outcome.SCR)
    assert {"scoping_meeting", "lead_reviewer", "chief_officer_letters", "imr_submitted", "review_complete"} <= set(scr)


@pytest.mark.parametrize(
    ("learning_disability", "died", "expected"),
    [
        (Answer.YES, Answer.YES, True),
        (Answer.UNKNOWN, Answer.YES, True),  # unknown never switches a duty off
        (Answer.NO, Answer.YES, False),
        (Answer.YES, Answer.NO, False),
    ],
)
def test_leder_alert_only_when_it_may_apply(learning_disability: Answer, died: Answer, expected: bool) -> None:
    facts = {Fact.LEARNING_DISABILITY: learning_disability, Fact.CHILD_DIED: died}
    got = deadlines_for(CaseEvent.REFERRAL_RECEIVED, date(2026, 11, 2), facts=facts)
    assert ("leder_alert" in got) is expected


def test_per_agency_rules_give_one_deadline_per_agency() -> None:
    scope = AgencyScope(subgroup=("health", "police"), involved=("police",))
    computed = compute_deadlines(
        HACKNEY,
        {
            CaseEvent.REFERRAL_RECEIVED: EventRecord(date(2026, 11, 2)),
            CaseEvent.DECISION_MADE: EventRecord(date(2026, 11, 20), Outcome.SCR),
        },
        ENGLAND,
        agencies=scope,
    )
    assert [d.agency for d in computed if d.rule == "records_secured"] == ["health", "police"]
    assert [d.agency for d in computed if d.rule == "imr_submitted"] == ["police"]


def test_involvement_check_is_due_before_the_scheduled_meeting() -> None:
    computed = compute_deadlines(
        HACKNEY,
        {
            CaseEvent.REFERRAL_RECEIVED: EventRecord(date(2026, 11, 2)),
            CaseEvent.SUBGROUP_MEETING_SCHEDULED: EventRecord(date(2026, 11, 16)),
        },
        ENGLAND,
    )
    check = next(d for d in computed if d.rule == "agency_involvement_check")
    assert (check.due, check.act_by, check.trigger_event) == (
        date(2026, 11, 16),
        date(2026, 11, 13),
        CaseEvent.SUBGROUP_MEETING_SCHEDULED,
    )


def test_extension_replaces_the_completion_date() -> None:
    computed = compute_deadlines(
        HACKNEY,
        {
            CaseEvent.DECISION_MADE: EventRecord(date(2026, 11, 2), Outcome.SCR),
            CaseEvent.REVIEW_EXTENDED: EventRecord(date(2027, 4, 1), new_due=date(2027, 8, 1)),
        },
        ENGLAND,
    )
    by_rule = {d.rule: d for d in computed}
    assert by_rule["review_complete"].due == date(2027, 8, 1)
    assert by_rule["review_complete"].act_by == date(2027, 7, 30)  # 1 Aug 2027 is a Sunday
    assert by_rule["extension_notice"].due == date(2027, 4, 8)  # Thu 1 Apr + 5 working days


PUBLISHED = {CaseEvent.REPORT_PUBLISHED: EventRecord(date(2027, 1, 15))}


@pytest.mark.parametrize(
    ("done", "completed", "expected"),
    [
        # Open-ended (003 §7.2): one report at a time, the next appearing once the one before is met.
        (0, None, [date(2027, 4, 15)]),
        (1, None, [date(2027, 4, 15), date(2027, 7, 15)]),
        # Not capped at 12 months: the fifth report is due 15 months on.
        (4, None, [date(2027, 4, 15), date(2027, 7, 15), date(2027, 10, 15), date(2028, 1, 15), date(2028, 4, 15)]),
        # Every action complete on 1 Sep 2027: the report due after it never appears.
        (2, date(2027, 9, 1), [date(2027, 4, 15), date(2027, 7, 15)]),
        # ...but one due before completion still does.
        (1, date(2027, 9, 1), [date(2027, 4, 15), date(2027, 7, 15)]),
    ],
)
def test_action_plan_reports_recur_quarterly_until_every_action_is_complete(
    done: int, completed: date | None, expected: list[date]
) -> None:
    events = dict(PUBLISHED)
    if completed is not None:
        events[CaseEvent.ACTIONS_COMPLETED] = EventRecord(completed)
    computed = compute_deadlines(HACKNEY, events, ENGLAND, done={"action_plan_update": done})
    updates = [(d.occurrence, d.due) for d in computed if d.rule == "action_plan_update"]
    assert updates == list(enumerate(expected, start=1))


def test_a_given_due_date_replaces_the_computed_one_for_that_agency_only() -> None:
    decided = {CaseEvent.DECISION_MADE: EventRecord(date(2026, 12, 1), Outcome.SCR)}
    scope = AgencyScope(("health", "police"), ("health", "police"))
    given = {DeadlineKey("imr_submitted", "police", 1): date(2027, 2, 6)}  # a Saturday
    computed = compute_deadlines(HACKNEY, decided, ENGLAND, agencies=scope, given=given)
    imrs = {d.agency: (d.due, d.act_by, d.given) for d in computed if d.rule == "imr_submitted"}
    assert imrs == {
        "health": (date(2027, 1, 12), date(2027, 1, 12), False),
        "police": (date(2027, 2, 6), date(2027, 2, 5), True),
    }


def test_a_given_date_rule_has_a_deadline_only_for_each_date_given() -> None:
    pack = RulesPack.from_toml(
        """
[pack]
id = "t"
title = "t"
[[rules]]
id = "action_due"
starts_on = "report_published"
who = "Owner agency"
action = "complete the action"
limit = { kind = "given" }
per_agency = true
met_by = "action_completed"
source = "003 §7.3"
"""
    )
    given = {
        DeadlineKey("action_due", "police", 2): date(2027, 3, 1),
        DeadlineKey("action_due", "health", 1): date(2027, 5, 3),
    }
    computed = compute_deadlines(pack, PUBLISHED, ENGLAND, given=given)
    assert [(d.agency, d.occurrence, d.due, d.given) for d in computed] == [
        ("health", 1, date(2027, 5, 3), True),
        ("police", 2, date(2027, 3, 1), True),
    ]
    assert compute_deadlines(pack, PUBLISHED, ENGLAND) == []
    assert pack.rules[0].text == (
        "Owner agency: complete the action, on the date given, from report_published. Source: 003 §7.3."
    )


def test_changing_a_trigger_recomputes_only_what_depends_on_it() -> None:
    first = compute_deadlines(
        HACKNEY,
        {
            CaseEvent.REFERRAL_RECEIVED: EventRecord(date(2026, 11, 2)),
            CaseEvent.INCIDENT_AWARE: EventRecord(date(2026, 10, 30)),
        },
        ENGLAND,
    )
    stored = {d.key: (d.trigger_date, d.due, d.act_by) for d in first}
    second = compute_deadlines(
        HACKNEY,
        {
            CaseEvent.REFERRAL_RECEIVED: EventRecord(date(2026, 11, 3)),
            CaseEvent.INCIDENT_AWARE: EventRecord(date(2026, 10, 30)),
        },
        ENGLAND,
    )
    plan = reconcile(stored, second)
    assert not plan.added and not plan.cancelled
    assert {d.rule for d in plan.changed} == {
        "records_secured",
        "agency_involvement_check",
        "leder_alert",
        "subgroup_meeting",
        "chair_decision",
    }
    assert [k.rule for k in plan.unchanged] == ["ofsted_incident_notification"]
