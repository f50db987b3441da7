"""Every CLI date option reads dates the way the referral conversation does (cases/dates.py): day first,
"today" from the command's own clock, and an unreadable or impossible date refused with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from intake.conversation.parsing import NotUnderstood, parse_date
from tests.bot.test_cli import run, workdir, write_referral

__all__ = ["workdir"]  # the fixture, shared with test_cli.py


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("2026-12-22", "2026-12-22"),
        ("22/12/2026", "2026-12-22"),
        ("22.12.26", "2026-12-22"),
        ("22 Dec 2026", "2026-12-22"),
        ("22nd December 2026", "2026-12-22"),
        ("today", "2026-11-22"),  # the command's clock (the fixture's FixedClock), not the wall clock
        ("yesterday", "2026-11-21"),
        ("1/12/2026", "2026-12-01"),  # day first: 1 December
    ],
)
def test_a_date_option_reads_what_the_chat_reads(
    typed: str, iso: str, workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(clock, capsys, "deadlines", "--event", "referral_received", "--on", typed, "--json")
    assert code == 0
    assert {r["trigger_date"] for r in json.loads(out)} == {iso}
    assert parse_date(typed, today=clock.now().date()).isoformat() == iso  # the chat, the same answer


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("31/02/2026", "not a real date"),
        ("12/31/2026", "there is no month 31"),  # a US date is refused, never swapped
        ("Dec 2026", "not a whole date"),
        ("22 Dec", "has no year"),
        ("next week", "not a date I can read"),
    ],
)
def test_an_unreadable_date_option_is_refused_with_the_reason(
    typed: str, why: str, workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["deadlines", "--event", "referral_received", "--on", typed], clock=clock)
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert f"argument --on: '{typed}'" in err and why in err
    with pytest.raises(NotUnderstood, match=why):
        parse_date(typed, today=clock.now().date())


def test_decide_on_a_uk_date(workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    run(clock, capsys, "refer", "--file", write_referral(workdir))
    code, out, _ = run(clock, capsys, "decide", "SCR-2026-0001", "--outcome", "scr", "--on", "21/11/2026")
    assert code == 0 and "(scr, 2026-11-21)" in out


def test_case_and_reminder_options_read_uk_dates(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    run(clock, capsys, "refer", "--file", write_referral(workdir))
    code, out, _ = run(clock, capsys, "case", "confirm", "SCR-2026-0001", "police", "--secured-on", "21/11/26")
    assert code == 0 and "secured on 2026-11-21" in out
    code, _, _ = run(clock, capsys, "reminders", "run", "--now", "24/11/2026", "--no-send")
    assert code == 0
