"""Reminder planning, pure (notify/reminder_plan.py): which rows a deadline should have, and what to change in
the stored ones to get there. No database: the planner (notify/reminder_planner.py) reads and writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from cases.board import ReminderSettings
from cases.calendar import WorkingCalendar
from notify.ladder import Audience, Rung
from notify.reminder_plan import following_overdue, latest_overdue, plan_changes, reminder_key, wanted
from storage.reminders import CANCELLED, PENDING, SENT, DeadlineInfo, StoredReminder

CAL = WorkingCalendar.england()
SETTINGS = ReminderSettings()
TODAY = date(2026, 12, 7)  # a Monday
ACT_BY = date(2026, 12, 14)  # the Monday after


def deadline(
    deadline_id: str = "d1", *, act_by: date = ACT_BY, agency: str = "", state: str = "open", minimum: bool = False
) -> DeadlineInfo:
    return DeadlineInfo(deadline_id, "c1", "SCR-2026-0001", "rule", agency, bool(agency), minimum, state, act_by)


def test_a_rung_has_a_stable_key_naming_its_deadline_audience_rung_and_date() -> None:
    rung = Rung("before_3", Audience.AGENCY, date(2026, 12, 9))
    assert reminder_key("d1", rung, ACT_BY) == "d1:agency:before_3:20261214"


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (
            deadline(),
            {
                ("before_3", "business_unit", date(2026, 12, 9)),
                ("on_day", "business_unit", ACT_BY),
                ("overdue_1", "business_unit", date(2026, 12, 15)),
                ("escalate_manager", "manager", date(2026, 12, 16)),
                ("escalate_chair", "chair", date(2026, 12, 21)),
            },
        ),
        (
            deadline(agency="police"),  # an agency's own task: chased at the agency, the business unit once overdue
            {
                ("before_3", "agency", date(2026, 12, 9)),
                ("on_day", "agency", ACT_BY),
                ("overdue_1", "agency", date(2026, 12, 15)),
                ("overdue_1", "business_unit", date(2026, 12, 15)),
                ("escalate_manager", "manager", date(2026, 12, 16)),
                ("escalate_chair", "chair", date(2026, 12, 21)),
            },
        ),
        (
            # A per-agency rule's board-level row (no agency asked): the business unit's own task.
            DeadlineInfo("d1", "c1", "SCR-2026-0001", "rule", "", True, False, "open", ACT_BY),
            {
                ("before_3", "business_unit", date(2026, 12, 9)),
                ("on_day", "business_unit", ACT_BY),
                ("overdue_1", "business_unit", date(2026, 12, 15)),
                ("escalate_manager", "manager", date(2026, 12, 16)),
                ("escalate_chair", "chair", date(2026, 12, 21)),
            },
        ),
        (deadline(state="met"), set()),
        (deadline(state="cancelled"), set()),
        (deadline(minimum=True), set()),  # a minimum period is not chased
    ],
)
def test_the_rungs_a_deadline_wants(info: DeadlineInfo, expected: set[tuple[str, str, date]]) -> None:
    rows = wanted([info], TODAY, SETTINGS, CAL)
    assert {(r.rung, r.audience, r.remind_on) for r in rows} == expected
    assert all(r.key.startswith(f"{info.id}:{r.audience}:{r.rung}:") for r in rows)
    assert all(r.deadline == info for r in rows)
    assert all(r.due_at == datetime.combine(r.remind_on, time(9), tzinfo=r.due_at.tzinfo) for r in rows)
    assert all(r.due_at.utcoffset() is not None for r in rows)


def stored(info: DeadlineInfo, state: str = PENDING, *, act_by: date | None = None) -> list[StoredReminder]:
    """The rows a previous plan stored for `info` (with the act_by it had then)."""
    then = DeadlineInfo(**{**info.__dict__, "act_by": act_by or info.act_by, "state": "open"})
    return [
        StoredReminder(f"r{i}", info.id, then.act_by, row.key, state)
        for i, row in enumerate(wanted([then], TODAY, SETTINGS, CAL))
    ]


def test_planning_again_changes_nothing() -> None:
    info = deadline()
    changes = plan_changes([info], stored(info), TODAY, SETTINGS, CAL)
    assert (changes.cancel, changes.restore, changes.add) == ([], [], [])
    assert changes.offered == 5


def test_a_met_deadline_has_its_pending_rows_cancelled_and_its_sent_ones_kept() -> None:
    info = deadline()
    rows = stored(info)
    rows[0] = StoredReminder(rows[0].id, rows[0].deadline_id, rows[0].act_by, rows[0].key, SENT)
    changes = plan_changes([deadline(state="met")], rows, TODAY, SETTINGS, CAL)
    assert changes.cancel == [r.id for r in rows[1:]] and changes.add == [] and changes.offered == 0


def test_a_re_dated_deadline_gets_a_new_ladder_and_its_old_one_is_cancelled() -> None:
    moved = deadline(act_by=date(2026, 12, 21))
    old = stored(moved, act_by=ACT_BY)
    changes = plan_changes([moved], old, TODAY, SETTINGS, CAL)
    assert changes.cancel == [r.id for r in old]
    assert {r.key.rsplit(":", 1)[-1] for r in changes.add} == {"20261221"}
    assert len(changes.add) == 5


def test_a_reopened_deadline_gets_back_the_rows_it_had() -> None:
    info = deadline()
    cancelled = stored(info, CANCELLED)
    changes = plan_changes([info], cancelled, TODAY, SETTINGS, CAL)
    assert changes.restore == [r.id for r in cancelled] and changes.add == [] and changes.cancel == []


def test_rows_another_sweep_holds_are_offered_again_and_left_to_the_insert() -> None:
    info = deadline()
    rows = stored(info)
    changes = plan_changes([info], rows[:2], TODAY, SETTINGS, CAL)  # the other three not readable now
    assert {r.key for r in changes.add} == {r.key for r in rows[2:]}


@pytest.mark.parametrize(
    ("last", "today", "expected"),
    [
        ("overdue_1", date(2026, 12, 15), ("overdue_2", date(2026, 12, 16))),
        # Sent late, after three missed days: the next is the first still to come.
        ("overdue_1", date(2026, 12, 18), ("overdue_5", date(2026, 12, 21))),
    ],
)
def test_the_next_overdue_reminder(last: str, today: date, expected: tuple[str, date]) -> None:
    rung = Rung(last, Audience.BUSINESS_UNIT, date(2026, 12, 15))
    following = following_overdue(rung, ACT_BY, today, SETTINGS, CAL)
    assert following is not None and (following.name, following.day) == expected


def test_an_overdue_reminder_that_does_not_repeat_has_no_next() -> None:
    once = SETTINGS.model_copy(update={"overdue_every_working_days": 0})
    rung = Rung("overdue_1", Audience.BUSINESS_UNIT, date(2026, 12, 15))
    assert following_overdue(rung, ACT_BY, date(2026, 12, 15), once, CAL) is None


@pytest.mark.parametrize(
    ("rungs", "latest"),
    [
        (["before_3", "on_day"], None),
        (["overdue_2", "overdue_10", "overdue_3"], "overdue_10"),  # by number, not as text
        (["escalate_manager", "overdue_1"], "overdue_1"),
    ],
)
def test_the_latest_overdue_rung_sent(rungs: list[str], latest: str | None) -> None:
    assert latest_overdue(rungs) == latest


def test_due_times_are_england_local() -> None:
    [first, *_] = wanted([deadline()], TODAY, SETTINGS, CAL)
    assert first.due_at.astimezone(UTC).hour == 9  # December: GMT


def test_cancelled_rows_of_an_old_date_stay_cancelled() -> None:
    moved = deadline(act_by=date(2026, 12, 21))
    old = stored(moved, CANCELLED, act_by=ACT_BY)
    changes = plan_changes([moved], old, TODAY, SETTINGS, CAL)
    assert changes.restore == [] and changes.cancel == [] and len(changes.add) == 5
