"""A whole serious case review in simulated time, over Christmas 2026 and into 2027.

Referral (7 Dec 2026) -> agencies chased to secure records -> sub-group -> decision to hold an SCR
(Tue 22 Dec) -> statutory notification drafted, approved and sent within 5 working days (Tue 29 Dec, act
by Thu 31 Dec) -> letters to chief officers -> IMR requests and chasers -> extension (May 2027) -> copies
of the report before publication (Sep 2027). The clock moves one day at a time; each day at 09:05 the
sweep and the dispatcher run, as `scrbot run` would. Every reminder must go out on its working day, never
on 25 or 28 Dec or 1 Jan, never late, and never after its deadline is met.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select

from cases.calendar import WorkingCalendar, local_date
from cases.case import DeadlineState, Decision, Involvement
from cases.events import CaseEvent, CaseStatus, Outcome
from notify.outbox import OutboxStatus
from storage.tables import ReminderRow
from tests.factories import BUSINESS_UNIT, CHAIR, REFERRER, SENSITIVE_STRINGS, STAFF, at, make_referral
from tests.notify.conftest import NotifyEnv

CAL = WorkingCalendar.england()
D = date


SCHOOL_OVERDUE = [D(2026, 12, d) for d in (15, 16, 17, 18, 21, 22, 23, 24, 29, 30, 31)] + [D(2027, 1, 4)]

EXPECTED = {
    # Records secured, 5 working days from the referral (Mon 14 Dec): each agency chased on Wed 9 Dec.
    (D(2026, 12, 9), "records_secured", "police", "agency", "before_3"),
    (D(2026, 12, 9), "records_secured", "health", "agency", "before_3"),
    (D(2026, 12, 9), "records_secured", "school", "agency", "before_3"),
    # The school does not confirm until 5 Jan: chased on the day, then daily, over Christmas too (but never
    # on 25 Dec, 28 Dec or 1 Jan); the business unit hears daily, the manager after 2 and the chair after 5.
    (D(2026, 12, 14), "records_secured", "school", "agency", "on_day"),
    *((d, "records_secured", "school", who, "overdue") for d in SCHOOL_OVERDUE for who in ("agency", "business_unit")),
    (D(2026, 12, 16), "records_secured", "school", "manager", "escalate_manager"),
    (D(2026, 12, 21), "records_secured", "school", "chair", "escalate_chair"),
    # Decision Tue 22 Dec: notify within 5 working days = Thu 31 Dec; 3 working days before = Thu 24 Dec.
    (D(2026, 12, 24), "statutory_decision_notification", "", "business_unit", "before_3"),
    (D(2026, 12, 24), "scoping_meeting", "", "business_unit", "before_3"),
    (D(2026, 12, 24), "lead_reviewer", "", "business_unit", "before_3"),
    (D(2026, 12, 24), "chief_officer_letters", "", "business_unit", "before_3"),
    # Each involved agency briefs its IMR author within 2 weeks (Tue 5 Jan): reminded Wed 30 Dec and on the day.
    *((D(2026, 12, 30), "imr_briefing", a, "agency", "before_3") for a in ("police", "health")),
    *((D(2027, 1, 5), "imr_briefing", a, "agency", "on_day") for a in ("police", "health")),
    # The CCG informs the CQC, the police HMICFRS, within a month (Fri 22 Jan): reminded Tue 19 Jan.
    (D(2027, 1, 19), "cqc_notification", "", "business_unit", "before_3"),
    (D(2027, 1, 19), "hmicfrs_notification", "", "business_unit", "before_3"),
    # IMRs within 6 weeks (Tue 2 Feb): police in time, health two days late.
    (D(2027, 1, 28), "imr_submitted", "police", "agency", "before_3"),
    (D(2027, 1, 28), "imr_submitted", "health", "agency", "before_3"),
    (D(2027, 2, 2), "imr_submitted", "health", "agency", "on_day"),
    (D(2027, 2, 3), "imr_submitted", "health", "agency", "overdue"),
    (D(2027, 2, 3), "imr_submitted", "health", "business_unit", "overdue"),
    (D(2027, 2, 4), "imr_submitted", "health", "agency", "overdue"),
    (D(2027, 2, 4), "imr_submitted", "health", "business_unit", "overdue"),
    (D(2027, 2, 4), "imr_submitted", "health", "manager", "escalate_manager"),
    # The review runs late: extended on 10 May to Fri 20 Aug; reminded on the new date's ladder only.
    (D(2027, 8, 17), "review_complete", "", "business_unit", "before_3"),
    # Publication on Thu 30 Sep: copies 7 working days before (Tue 21 Sep); reminded Thu 16 Sep.
    (D(2027, 9, 16), "publication_copies", "", "business_unit", "before_3"),
}


def drafts(env: NotifyEnv, kind: str) -> list[str]:
    return [m.id for m in env.outbox.list(statuses=[OutboxStatus.DRAFT]) if m.kind == kind]


def approve_all(env: NotifyEnv, kind: str, now: datetime) -> list[str]:
    ids = drafts(env, kind)
    assert ids, f"no {kind} draft"
    for item_id in ids:
        env.outbox.approve(item_id, actor=BUSINESS_UNIT, now=now)
    env.dispatch(now)
    return ids


def deadline(env: NotifyEnv, ref: str, rule: str, agency: str | None = None) -> tuple[DeadlineState, date | None, date]:
    case = env.store.cases.get_case(ref, actor=STAFF, now=at(D(2027, 12, 1)))
    found = [d for d in case.deadlines if d.computed.rule == rule and d.computed.agency == agency]
    assert len(found) == 1, (rule, agency, found)
    return found[0].state, found[0].met_on, found[0].computed.act_by


def live_through(
    env: NotifyEnv,
    first: date,
    last: date,
    actions: dict[date, list[tuple[int, str]]],
    do: Callable[[str, datetime], None],
) -> None:
    """Every day from `first` to `last`: what people do before 09:00, the service's 09:00 sweep and send, then
    what they do from 09:00 (each action at its hour)."""
    day = first
    while day <= last:
        todo = sorted(actions.get(day, []))
        for hour, what in [a for a in todo if a[0] < 9]:
            do(what, at(day, hour, 0))
        env.tick(at(day))
        for hour, what in [a for a in todo if a[0] >= 9]:
            do(what, at(day, hour, 0))
        day += timedelta(days=1)


def test_a_whole_scr_case_over_christmas(env: NotifyEnv) -> None:
    cases = env.store.cases
    actions: dict[date, list[tuple[int, str]]] = {}

    def on(day: date, hour: int, what: str) -> None:
        actions.setdefault(day, []).append((hour, what))

    ref = "SCR-2026-0001"
    on(D(2026, 12, 7), 10, "refer")
    on(D(2026, 12, 7), 11, "approve incident")
    on(D(2026, 12, 10), 12, "police and health secure records")
    on(D(2026, 12, 15), 12, "meeting scheduled")
    on(D(2026, 12, 16), 8, "involvement answers")
    on(D(2026, 12, 17), 16, "meeting held")
    on(D(2026, 12, 22), 11, "decision")
    on(D(2026, 12, 29), 10, "approve statutory and letters")
    on(D(2026, 12, 30), 12, "scoping and lead reviewer")
    on(D(2027, 1, 4), 12, "in review")
    on(D(2027, 1, 5), 8, "school secures records")
    on(D(2027, 1, 5), 12, "briefed")
    on(D(2027, 1, 20), 12, "cqc")
    on(D(2027, 1, 29), 12, "police imr")
    on(D(2027, 2, 5), 8, "health imr")
    on(D(2027, 5, 10), 12, "extension")
    on(D(2027, 5, 11), 10, "approve extension")
    on(D(2027, 8, 18), 12, "review complete")
    on(D(2027, 9, 1), 12, "publication planned")
    on(D(2027, 9, 20), 10, "approve publication copies")

    def do(what: str, now: datetime) -> None:
        if what == "refer":
            referral = make_referral(
                D(2026, 12, 7),
                referral_date="2026-12-07",
                incident_date="2026-12-03",
                la_aware_date="2026-12-04",
            )
            assert cases.file_referral(referral, actor=REFERRER, now=now).reference == ref
        elif what == "approve incident":
            approve_all(env, "serious_incident_notification", now)
        elif what == "police and health secure records":
            for agency in ("police", "health"):
                cases.confirm_agency(ref, agency, actor=STAFF, now=now, records_secured=True)
        elif what == "meeting scheduled":
            cases.record_event(ref, CaseEvent.SUBGROUP_MEETING_SCHEDULED, D(2026, 12, 17), actor=STAFF, now=now)
        elif what == "involvement answers":
            for agency, answer in (("police", "known"), ("health", "known"), ("school", "not_known")):
                cases.confirm_agency(ref, agency, actor=STAFF, now=now, involvement=Involvement(answer))
        elif what == "meeting held":
            cases.mark_deadline(ref, "subgroup_meeting", actor=STAFF, now=now, on=D(2026, 12, 17))
        elif what == "decision":
            cases.record_decision(ref, Decision(outcome=Outcome.SCR, decided_on=D(2026, 12, 22)), actor=CHAIR, now=now)
        elif what == "approve statutory and letters":
            approve_all(env, "statutory_decision_notification", now)
            approve_all(env, "chief_officer_letter", now)
            assert len(approve_all(env, "imr_request", now)) == 2  # police and health: the school is not involved
        elif what == "scoping and lead reviewer":
            for rule in ("scoping_meeting", "lead_reviewer"):
                cases.mark_deadline(ref, rule, actor=STAFF, now=now, on=local_date(now))
        elif what == "in review":
            cases.move_status(ref, CaseStatus.IN_REVIEW, actor=STAFF, now=now)
        elif what == "school secures records":
            cases.confirm_agency(ref, "school", actor=STAFF, now=now, records_secured=True)
        elif what == "briefed":
            for agency in ("police", "health"):
                cases.mark_deadline(ref, "imr_briefing", actor=STAFF, now=now, on=local_date(now), agency=agency)
        elif what == "cqc":
            for rule in ("cqc_notification", "hmicfrs_notification"):
                cases.mark_deadline(ref, rule, actor=STAFF, now=now, on=local_date(now))
        elif what == "police imr":
            cases.mark_deadline(ref, "imr_submitted", actor=STAFF, now=now, on=local_date(now), agency="police")
        elif what == "health imr":
            cases.mark_deadline(ref, "imr_submitted", actor=STAFF, now=now, on=local_date(now), agency="health")
        elif what == "extension":
            cases.record_event(
                ref,
                CaseEvent.REVIEW_EXTENDED,
                D(2027, 5, 10),
                actor=STAFF,
                now=now,
                new_due=D(2027, 8, 20),
                reason="reviewer availability",
            )
        elif what == "approve extension":
            [draft] = drafts(env, "extension_notice")
            env.outbox.edit(
                draft,
                actor=BUSINESS_UNIT,
                now=now,
                text="The review awaits the outcome of related criminal proceedings (003 §4.1).",
            )
            approve_all(env, "extension_notice", now)
        elif what == "review complete":
            cases.mark_deadline(ref, "review_complete", actor=STAFF, now=now, on=local_date(now))
        elif what == "publication planned":
            cases.move_status(ref, CaseStatus.REPORT_APPROVED, actor=STAFF, now=now)
            cases.record_event(ref, CaseEvent.PUBLICATION_PLANNED, D(2027, 9, 30), actor=STAFF, now=now)
        elif what == "approve publication copies":
            approve_all(env, "publication_copies", now)
        else:  # pragma: no cover
            raise AssertionError(what)

    live_through(env, D(2026, 12, 7), D(2027, 9, 30), actions, do)

    with env.store.sessions() as s:
        sent = list(s.scalars(select(ReminderRow).where(ReminderRow.state == "sent", ReminderRow.rung != "digest")))
        digests = list(s.scalars(select(ReminderRow).where(ReminderRow.rung == "digest", ReminderRow.state == "sent")))

    # Every reminder on its working day, on time, and exactly the expected ones.
    for row in sent:
        assert row.sent_at is not None and local_date(row.sent_at) == row.remind_on, row.key
        assert CAL.is_working_day(row.remind_on) and not row.late, row.key
    got = {
        (r.remind_on, r.rule_id, r.agency_id, r.audience, "overdue" if r.rung.startswith("overdue_") else r.rung)
        for r in sent
    }
    assert got - EXPECTED == set(), "unexpected reminders"
    assert EXPECTED - got == set(), "missing reminders"
    assert not {D(2026, 12, 25), D(2026, 12, 28), D(2027, 1, 1)} & {r.remind_on for r in sent}

    # The weekly digest: Mondays, or the Tuesday after the substitute Boxing Day.
    digest_days = sorted(r.remind_on for r in digests)
    assert digest_days[:4] == [D(2026, 12, 14), D(2026, 12, 21), D(2026, 12, 29), D(2027, 1, 4)]
    assert all(d.weekday() == 0 or not CAL.is_working_day(d - timedelta(days=1)) for d in digest_days)

    # The statutory clocks were met on time, by sending, and say when.
    assert deadline(env, ref, "statutory_decision_notification") == (
        DeadlineState.MET,
        D(2026, 12, 29),
        D(2026, 12, 31),
    )
    assert deadline(env, ref, "chief_officer_letters") == (DeadlineState.MET, D(2026, 12, 29), D(2026, 12, 31))
    assert deadline(env, ref, "ofsted_incident_notification")[:2] == (DeadlineState.MET, D(2026, 12, 7))
    assert deadline(env, ref, "extension_notice") == (DeadlineState.MET, D(2027, 5, 11), D(2027, 5, 17))
    assert deadline(env, ref, "publication_copies") == (DeadlineState.MET, D(2027, 9, 20), D(2027, 9, 21))

    # What went out by email, as real .eml files.
    by_subject = {m["Subject"]: m for m in env.emails()}
    statutory = next(m for s, m in by_subject.items() if "decision on case SCR-2026-0001" in s)
    assert sorted(a.strip() for a in statutory["To"].split(",")) == [
        "mailbox.cpod@education.gov.uk",
        "mailbox.scrpanel@education.gov.uk",
        "scr.sin@ofsted.cjsm.net",
    ]
    body = statutory.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "decided to undertake a serious case review" in body and "22 December 2026" in body
    assert "ZQ M-T" in body  # initials, not the child's name
    letter = next(m for s, m in by_subject.items() if "terms of reference and IMR nomination" in s)
    assert sorted(a.strip() for a in letter["To"].split(",")) == [
        "reviews@testshire.pnn.police.uk",
        "safeguarding.testshire@nhs.net",
    ]
    assert any("new completion date 20 August 2027" in s for s in by_subject)
    extension = next(m for s, m in by_subject.items() if "new completion date" in s)
    assert "criminal proceedings" in extension.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert any("report to be published on 30 September 2027" in s for s in by_subject)
    imr_requests = [m for m in env.emails() if "individual management review for SCR-2026-0001" in m["Subject"]]
    assert sorted(m["To"] for m in imr_requests) == [
        "reviews@testshire.pnn.police.uk",
        "safeguarding.testshire@nhs.net",
    ]

    # Nothing that identifies the child went anywhere: not to Slack, not in any email.
    everything = "\n".join(text for _, text in env.chat.posts) + "\n".join(
        p.read_text(errors="replace") for p in env.outbox_dir.glob("*.eml")
    )
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in everything
    # Nothing is left waiting: every draft was approved and sent.
    assert env.outbox.list(statuses=[OutboxStatus.DRAFT, OutboxStatus.APPROVED, OutboxStatus.FAILED]) == []
