"""The reminder sweep: rows claimed once, stopped when deadlines are met, caught up after downtime."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from cases.board import ReminderSettings
from cases.case import DeadlineState
from cases.events import CaseEvent, CaseStatus
from storage.reminder_claims import _CLAIM, _DUE_RECIPIENTS
from storage.tables import ReminderRow
from tests.factories import REFERRER, SENSITIVE_STRINGS, STAFF, at, make_referral
from tests.notify.conftest import NotifyEnv, make_env, notify_board

D = date


MONDAY = D(2026, 12, 7)


def file_case(env: NotifyEnv, day: date = MONDAY) -> str:
    referral = make_referral(
        day, referral_date=day.isoformat(), incident_date="2026-12-03", la_aware_date=day.isoformat()
    )
    return env.store.cases.file_referral(referral, actor=REFERRER, now=at(day, 10, 0)).reference


def pending(env: NotifyEnv, rule: str, agency: str = "") -> list[ReminderRow]:
    return [r for r in env.reminders() if r.rule_id == rule and r.agency_id == agency and r.state == "pending"]


def sent_keys(env: NotifyEnv) -> list[str]:
    return sorted(r.key for r in env.reminders() if r.state == "sent")


def test_reminders_are_planned_with_the_deadlines(env: NotifyEnv) -> None:
    file_case(env)
    rows = env.reminders()
    # records_secured for each sub-group agency: 3 rungs to the agency, 1 to the business unit, 2 escalations.
    police = sorted(
        (r.rung, r.audience, r.remind_on) for r in rows if r.rule_id == "records_secured" and r.agency_id == "police"
    )
    assert police == [
        ("before_3", "agency", D(2026, 12, 9)),
        ("escalate_chair", "chair", D(2026, 12, 21)),
        ("escalate_manager", "manager", D(2026, 12, 16)),
        ("on_day", "agency", D(2026, 12, 14)),
        ("overdue_1", "agency", D(2026, 12, 15)),
        ("overdue_1", "business_unit", D(2026, 12, 15)),
    ]
    assert all(r.due_at == at(r.remind_on, 9, 0) for r in rows)


def reminder_rows(env: NotifyEnv) -> dict[str, tuple[str, str]]:
    """Every reminder row by its key: (row id, state)."""
    return {r.key: (r.id, r.state) for r in env.reminders()}


def test_planning_again_creates_nothing_twice(env: NotifyEnv) -> None:
    reference = file_case(env)
    env.store.cases.record_event(
        reference, CaseEvent.SUBGROUP_MEETING_SCHEDULED, D(2026, 12, 21), actor=STAFF, now=at(D(2026, 12, 7), 11)
    )
    planned = reminder_rows(env)
    # One pending row per deadline, audience and rung: no ladder twice.
    ladders = Counter((r.rule_id, r.agency_id, r.audience, r.rung) for r in env.reminders() if r.state == "pending")
    assert set(ladders.values()) == {1}
    assert len(pending(env, "records_secured", "police")) == 6
    env.service.sweep.catch_up(at(D(2026, 12, 7), 12))
    env.service.sweep.catch_up(at(D(2026, 12, 7), 13))
    # Planning again (the catch-up covers every deadline changed today) changes no row and adds none.
    assert reminder_rows(env) == planned
    [case_id] = {r.case_id for r in env.reminders()}
    with env.store.sessions.begin() as s:
        env.service.planner.plan_case(s, case_id, now=at(D(2026, 12, 7), 14))
    assert reminder_rows(env) == planned


def test_a_deadline_met_stops_its_reminders_at_once(env: NotifyEnv) -> None:
    reference = file_case(env)
    # Marked met by hand: no domain event, yet no reminder for it may go out.
    env.store.cases.mark_deadline(
        reference, "records_secured", actor=STAFF, now=at(D(2026, 12, 8), 15), on=D(2026, 12, 8), agency="police"
    )
    report = env.sweep(at(D(2026, 12, 9)))
    police = [r for r in env.reminders() if r.rule_id == "records_secured" and r.agency_id == "police"]
    assert {r.state for r in police} == {"cancelled"}
    assert not any(r in report.sent for r in (p.id for p in police))
    env.dispatch(at(D(2026, 12, 9)))
    to = [m["To"] for m in env.emails()]
    assert "reviews@testshire.pnn.police.uk" not in to
    assert "safeguarding.testshire@nhs.net" in to  # health has not secured its records: it is chased


def test_confirmation_by_an_agency_cancels_pending_reminders_in_the_same_transaction(env: NotifyEnv) -> None:
    reference = file_case(env)
    env.store.cases.confirm_agency(reference, "health", actor=STAFF, now=at(D(2026, 12, 8), 15), records_secured=True)
    assert pending(env, "records_secured", "health") == []
    assert len(pending(env, "records_secured", "police")) == 6


def test_a_re_dated_deadline_gets_a_new_ladder(env: NotifyEnv) -> None:
    reference = file_case(env)
    [old] = [r for r in pending(env, "agency_involvement_check", "police") if r.rung == "on_day"]
    assert old.remind_on == D(2026, 12, 24)  # before the sub-group meeting, due 3 weeks after the referral
    env.store.cases.record_event(
        reference, CaseEvent.SUBGROUP_MEETING_SCHEDULED, D(2026, 12, 16), actor=STAFF, now=at(D(2026, 12, 8), 11)
    )
    rows = [r for r in env.reminders() if r.rule_id == "agency_involvement_check" and r.agency_id == "police"]
    assert {r.state for r in rows if r.act_by == D(2026, 12, 24)} == {"cancelled"}
    assert {(r.rung, r.remind_on) for r in rows if r.state == "pending" and r.audience == "agency"} == {
        ("before_3", D(2026, 12, 10)),
        ("on_day", D(2026, 12, 15)),
        ("overdue_1", D(2026, 12, 16)),
    }


def test_a_reopened_deadline_gets_its_reminders_back(env: NotifyEnv) -> None:
    reference = file_case(env)
    now = at(D(2026, 12, 8), 12)
    env.store.cases.mark_deadline(reference, "chair_decision", actor=STAFF, now=now, on=now.date())
    env.service.sweep.catch_up(now)
    assert pending(env, "chair_decision") == []
    env.store.cases.mark_deadline(
        reference, "chair_decision", actor=STAFF, now=now + timedelta(hours=1), on=now.date(), state=DeadlineState.OPEN
    )
    env.service.sweep.catch_up(now + timedelta(hours=1))
    assert {r.rung for r in pending(env, "chair_decision")} == {
        "before_3",
        "on_day",
        "overdue_1",
        "escalate_manager",
        "escalate_chair",
    }


def test_closing_a_case_cancels_its_reminders(env: NotifyEnv) -> None:
    reference = file_case(env)
    env.store.cases.move_status(reference, CaseStatus.CLOSED, actor=STAFF, now=at(D(2026, 12, 8), 12))
    assert [r for r in env.reminders() if r.case_ref == reference and r.state == "pending"] == []


def test_a_bot_stopped_for_three_days_sends_every_missed_reminder_once_late(env: NotifyEnv) -> None:
    file_case(env)  # Mon 7 Dec: records secured and Ofsted notified by Mon 14 Dec, reminders on Wed 9 Dec
    env.tick(at(D(2026, 12, 7)))
    env.tick(at(D(2026, 12, 8)))
    posts_before = len(env.chat.posts)
    due_while_down = sorted(
        r.key for r in env.reminders() if r.state == "pending" and r.due_at <= at(D(2026, 12, 11), 23)
    )
    assert len(due_while_down) == 4  # three agencies' chasers and the business unit's Ofsted reminder
    # Down Wed 9 to Fri 11. Started again on Saturday morning:
    restart = at(D(2026, 12, 12), 8, 30)
    report, _ = env.tick(restart)
    assert sorted(report.sent) == sorted(r.id for r in env.reminders() if r.key in due_while_down)
    assert set(report.late) == set(report.sent)
    assert {r.key for r in env.reminders() if r.state == "sent" and r.late} == set(due_while_down)
    # Each says so.
    chasers = [m for m in env.emails() if "reminder for SCR-2026-0001" in m["Subject"]]
    assert len(chasers) == 3
    for chaser in chasers:
        text = chaser.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "This reminder was due on 9 December 2026 and is sent late." in text
    [bu_post] = env.chat.posts[posts_before:]
    assert "ofsted_incident_notification" in bu_post[1] and "was due 9 December 2026; sent late" in bu_post[1]
    # And once only: sweeping again (or after another restart) sends nothing more for those days.
    again, _ = env.tick(restart + timedelta(minutes=1))
    assert again.sent == []
    fresh = make_env(env.store, env.outbox_dir.parent.parent / "second")
    assert fresh.sweep(restart + timedelta(minutes=2)).sent == []


def test_overdue_days_missed_while_down_make_one_late_line(env: NotifyEnv) -> None:
    file_case(env)
    env.tick(at(D(2026, 12, 14)))
    # Down from Tue 15 to Thu 17 Dec: the school's daily overdue chasers for 15, 16, 17 Dec were missed.
    env.store.cases.confirm_agency(
        "SCR-2026-0001", "police", actor=STAFF, now=at(D(2026, 12, 14), 12), records_secured=True
    )
    env.store.cases.confirm_agency(
        "SCR-2026-0001", "health", actor=STAFF, now=at(D(2026, 12, 14), 12), records_secured=True
    )
    before = env.emails()
    env.tick(at(D(2026, 12, 18)))
    school = [m for m in env.emails(besides=before) if m["To"] == "dsl@testshire-schools.example.org"]
    assert len(school) == 1
    text = school[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.count("SCR-2026-0001: secure its records") == 1
    assert "overdue by 4 working days" in text and "was due on 15 December 2026" in text
    # The next daily chaser is the first day still to come, Mon 21 Dec, not the days already covered.
    [next_one] = [r for r in pending(env, "records_secured", "school") if r.audience == "agency"]
    assert next_one.remind_on == D(2026, 12, 21)


# The store is built from the `board` fixture (tests/conftest.py): a test that needs another board says so here
# rather than changing a built store's board afterwards, which the store's other parts would not see.
@pytest.mark.parametrize(
    "board",
    [notify_board(members=tuple(m.model_copy(update={"board_manager": False}) for m in notify_board().members))],
    ids=["no board manager"],
)
def test_escalation_goes_to_the_business_unit_when_no_one_holds_the_role(env: NotifyEnv) -> None:
    file_case(env)
    env.tick(at(D(2026, 12, 16)))
    escalations = [m for m in env.emails() if "escalated to the board manager" in m["Subject"]]
    # Each member of the business unit (the chair is one here), rather than no one.
    [escalation] = escalations
    assert sorted(a.strip() for a in escalation["To"].split(",")) == [
        "bu.tester@testshire.gov.uk",
        "chair@testshire.gov.uk",
        "manager@testshire.gov.uk",
    ]


def test_reminder_texts_logs_and_the_database_hold_no_personal_data(
    env: NotifyEnv, backend: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    file_case(env)
    day = D(2026, 12, 7)
    while day <= D(2026, 12, 24):
        env.tick(at(day))
        day += timedelta(days=1)
    assert len(env.chat.posts) > 5 and len(env.emails()) > 10
    outputs = [text for _, text in env.chat.posts]
    outputs += [p.read_text(errors="replace") for p in env.outbox_dir.glob("*.eml")]
    outputs.append(caplog.text)
    if backend == "sqlite":
        for path in tmp_path.glob("scrbot.db*"):
            outputs.append(path.read_bytes().decode("latin-1"))
    for sensitive in SENSITIVE_STRINGS:
        for output in outputs:
            assert sensitive not in output


def test_the_weekly_digest_lists_open_cases_deadlines_and_missing_confirmations(env: NotifyEnv) -> None:
    reference = file_case(env)
    env.store.cases.confirm_agency(reference, "police", actor=STAFF, now=at(D(2026, 12, 8), 12), records_secured=True)
    env.tick(at(D(2026, 12, 8)))  # plans the digest for Monday 14 Dec
    env.tick(at(D(2026, 12, 14)))
    digests = [m for m in env.emails() if "weekly digest" in m["Subject"]]
    assert len(digests) == 1
    text = digests[0].get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert "Notifications waiting for approval: 1 (" in text  # the serious incident notification
    # This year's compliance in one line: the police's records, confirmed secured on 8 Dec, the one duty met.
    assert text.splitlines()[1] == (
        "Figures 2026-27 so far: 1 of 1 statutory duties met on time (100%), 0 late, 0 overdue; 0 reviews open."
    )
    # Every open deadline with its RAG (amber: act by today), police's records secured no longer listed.
    case_block = f"""{reference} (referred)
  [amber] ofsted_incident_notification: act by 14 December 2026
  [amber] records_secured (health): act by 14 December 2026
  [amber] records_secured (school): act by 14 December 2026
  [green] agency_involvement_check (health): act by 24 December 2026
  [green] agency_involvement_check (police): act by 24 December 2026
  [green] agency_involvement_check (school): act by 24 December 2026
  [green] subgroup_meeting: act by 24 December 2026
  [green] chair_decision: act by 7 January 2027
  Records not yet confirmed secured: health, school
"""
    assert case_block in text
    assert sorted(a.strip() for a in digests[0]["To"].split(",")) == [
        "bu.tester@testshire.gov.uk",
        "chair@testshire.gov.uk",
        "manager@testshire.gov.uk",
    ]
    env.tick(at(D(2026, 12, 14), 10))
    assert len([m for m in env.emails() if "weekly digest" in m["Subject"]]) == 1


@pytest.mark.parametrize(
    "board",
    [notify_board(reminders=ReminderSettings(business_unit_email="scr.unit@testshire.gov.uk"))],
    ids=["business unit address"],
)
def test_reminder_emails_go_to_the_configured_business_unit_address(env: NotifyEnv) -> None:
    file_case(env)
    env.tick(at(D(2026, 12, 9)))
    reminders = [m for m in env.emails() if "deadline reminder" in m["Subject"]]
    assert [m["To"] for m in reminders] == ["scr.unit@testshire.gov.uk"]


@pytest.mark.parametrize("statement", ["recipients", "claim"])
def test_the_sweep_claims_through_the_partial_index_of_pending_rows(
    env: NotifyEnv, backend: str, statement: str
) -> None:
    """Planned as the driver sends it, with bound parameters: a partial index serves only a query whose own
    condition implies the index's `state = 'pending'`."""
    file_case(env)
    values = {"board_ids": [env.store.board.id], "now": at(D(2026, 12, 9))}
    if statement == "recipients":  # which recipients have reminders due (storage/reminder_claims.py)
        query = _DUE_RECIPIENTS
    else:  # their rows
        query, values = _CLAIM, {**values, "recipients": [f"{env.store.board.id}:business_unit"]}
    with env.store.sessions() as s:
        bind = s.get_bind()
        compiled = query.compile(dialect=bind.dialect).construct_expanded_state(values)
        sql, params = compiled.statement, compiled.parameters
        if backend == "sqlite":
            # The second index on (state, due_at) serves it as well (the rows due, not the rows kept), and
            # SQLite picks it for the recipients' GROUP BY: dropped in this transaction, as below.
            s.execute(text("DROP INDEX ix_reminders_state_due_at"))
            args: Any = tuple(params[name] for name in compiled.positiontup or ())
            rows = s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", args)
            plan = " ".join(str(r[-1]) for r in rows)
            s.rollback()
        else:
            # A tiny table, and a second index on (state, due_at) the planner may also pick depending on its
            # statistics: drop that one inside this transaction (rolled back) and forbid the sequential scan,
            # so the plan answers only whether the partial index can serve the query.
            s.execute(text("DROP INDEX ix_reminders_state_due_at"))
            s.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(str(r[0]) for r in s.connection().exec_driver_sql(f"EXPLAIN {sql}", params))
            s.rollback()
    assert "ix_reminders_pending_due" in plan
    report = env.sweep(at(D(2026, 12, 9)))
    assert report.sent
    assert all(r.state == "pending" for r in env.reminders() if r.due_at > at(D(2026, 12, 9)))
