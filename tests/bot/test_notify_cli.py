"""The CLI for notifications and reminders, in local mode: SQLite, a key file, a Maildir outbox of .eml files,
Slack posts printed to the console. Commands run in process with an injected clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from tests.factories import SENSITIVE_STRINGS, referral_data
from tests.notify.conftest import NOTIFY_BOARD_TOML

REFERRED = datetime(2026, 12, 14, 10, tzinfo=UTC)


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "board.toml").write_text(NOTIFY_BOARD_TOML)
    data = referral_data(referral_date="2026-12-14", incident_date="2026-12-10", la_aware_date="2026-12-11")
    (tmp_path / "referral.json").write_text(json.dumps(data))
    monkeypatch.chdir(tmp_path)
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    monkeypatch.setenv("SCRBOT_MAIL_FROM", "scr-bot@testshire.gov.uk")
    yield tmp_path


def scrbot(capsys: pytest.CaptureFixture[str], *argv: str, at: datetime = REFERRED) -> tuple[int, str, str]:
    code = main(list(argv), clock=FixedClock(at))
    out, err = capsys.readouterr()
    return code, out, err


def drafts(capsys: pytest.CaptureFixture[str], kind: str) -> list[str]:
    code, out, _ = scrbot(capsys, "notify", "list", "--status", "draft", "--json")
    assert code == 0
    return [m["id"] for m in json.loads(out) if m["kind"] == kind]


def test_list_shows_what_awaits_approval_unless_asked_for_all(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scrbot(capsys, "refer", "--file", "referral.json")[0] == 0
    everything = json.loads(scrbot(capsys, "notify", "list", "--all", "--json")[1])
    waiting = json.loads(scrbot(capsys, "notify", "list", "--json")[1])
    assert {m["status"] for m in everything} > {"draft"}  # agency requests and notices are queued, not drafts
    assert waiting and {m["status"] for m in waiting} == {"draft"}
    assert {m["id"] for m in waiting} == {m["id"] for m in everything if m["status"] == "draft"}
    for message in waiting:
        assert scrbot(capsys, "notify", "reject", message["id"])[0] == 0
    code, out, _ = scrbot(capsys, "notify", "list")
    assert code == 0 and out.startswith("Nothing awaits approval.")
    assert "rejected" in scrbot(capsys, "notify", "list", "--all")[1]


def test_decide_then_approve_and_send_the_statutory_notification(
    local: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scrbot(capsys, "refer", "--file", "referral.json")[0] == 0
    decided = datetime(2026, 12, 22, 11, tzinfo=UTC)
    assert scrbot(capsys, "decide", "SCR-2026-0001", "--outcome", "no_review", "--on", "2026-12-22", at=decided)[0] == 0
    [draft] = drafts(capsys, "statutory_decision_notification")

    code, out, _ = scrbot(capsys, "notify", "list", at=decided)
    assert code == 0 and "statutory_decision_notification" in out and draft[:12] in out
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in out

    code, out, _ = scrbot(capsys, "notify", "show", draft[:8], at=decided)
    assert code == 0 and "scr.sin@ofsted.cjsm.net" in out and "not to undertake a serious case review" in out

    code, _, _ = scrbot(capsys, "notify", "edit", draft[:8], "--subject", "Decision: SCR-2026-0001", at=decided)
    assert code == 0
    code, out, _ = scrbot(capsys, "notify", "approve", draft, at=decided)
    assert code == 0 and "approved" in out
    code, out, _ = scrbot(capsys, "notify", "send", "--json", at=decided)
    assert code == 0 and draft in json.loads(out)["sent"]
    [eml] = [p for p in (local / "var" / "mail" / "outbox").glob("*.eml") if draft in p.name]
    assert b"Subject: Decision: SCR-2026-0001" in eml.read_bytes()

    code, out, _ = scrbot(capsys, "case", "show", "SCR-2026-0001", "--json", at=decided)
    [deadline] = [d for d in json.loads(out)["deadlines"] if d["rule"] == "statutory_decision_notification"]
    assert (deadline["state"], deadline["met_on"]) == ("met", "2026-12-22")


def test_reject_means_never_sent(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scrbot(capsys, "refer", "--file", "referral.json")
    [draft] = drafts(capsys, "serious_incident_notification")
    assert scrbot(capsys, "notify", "reject", draft)[0] == 0
    code, _, err = scrbot(capsys, "notify", "approve", draft)
    assert code == 2 and "only a draft can be approved" in err
    scrbot(capsys, "reminders", "run", "--now", "2026-12-15T09:05")
    assert not [p for p in (local / "var" / "mail" / "outbox").glob("*.eml") if draft in p.name]


def test_unknown_or_ambiguous_ids_are_refused_clearly(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scrbot(capsys, "refer", "--file", "referral.json")
    code, _, err = scrbot(capsys, "notify", "approve", "abc")
    assert code == 2 and "at least 6 characters" in err
    code, _, err = scrbot(capsys, "notify", "approve", "ffffffffffff")
    assert code == 2 and "matches no messages" in err
    code, _, err = scrbot(capsys, "notify", "edit", "ffffffffffff")
    assert code == 2 and "--subject" in err


def test_reminders_run_with_an_injected_clock_prints_to_console_and_writes_eml(
    local: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scrbot(capsys, "refer", "--file", "referral.json")
    code, out, _ = scrbot(capsys, "reminders", "list", "--case", "SCR-2026-0001", "--json")
    assert code == 0 and {"records_secured", "chair_decision"} <= {r["rule"] for r in json.loads(out)}
    code, out, err = scrbot(capsys, "reminders", "run", "--now", "2026-12-16T09:05", "--json")
    assert code == 0
    report = json.loads(out)  # stdout is the JSON alone; local mode's Slack posts went to stderr
    assert report["reminders_sent"] > 0 and report["dispatched"]["failed"] == []
    assert "[slack C0BUSINESS] Deadline reminders" in err
    emls = list((local / "var" / "mail" / "outbox").glob("*.eml"))
    assert any(b"reminder for SCR-2026-0001" in p.read_bytes() for p in emls)
    code, out, _ = scrbot(capsys, "reminders", "run", "--now", "2026-12-16T09:06")
    assert code == 0 and "0 reminder(s) sent" in out
    code, out, _ = scrbot(capsys, "reminders", "run", "--now", "yesterday")  # a UK date option, like the chat's
    assert code == 0 and "0 reminder(s) sent" in out
    with pytest.raises(SystemExit) as refused:
        scrbot(capsys, "reminders", "run", "--now", "next week")
    assert refused.value.code == 2 and "is not a date" in capsys.readouterr().err


def test_deadlines_ics_lists_every_open_deadline(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scrbot(capsys, "refer", "--file", "referral.json")
    code, out, _ = scrbot(capsys, "deadlines", "--ics")
    assert code == 0 and out.startswith("BEGIN:VCALENDAR") and "SUMMARY:SCR-2026-0001: chair_decision" in out
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in out
    code, out, _ = scrbot(capsys, "deadlines", "--ics", "--output", "feed.ics")
    assert code == 0 and (local / "feed.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    code, _, err = scrbot(capsys, "deadlines", "--ics", "--event", "decision_made")
    assert code == 2 and "takes no --event" in err
    code, _, err = scrbot(capsys, "deadlines")
    assert code == 2 and "--ics" in err
    code, out, _ = scrbot(capsys, "deadlines", "--event", "decision_made", "--outcome", "scr", "--on", "2026-12-22")
    assert code == 0 and "statutory_decision_notification" in out


def test_run_once_ticks_every_job_in_local_mode(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scrbot(capsys, "refer", "--file", "referral.json")
    code, out, _ = scrbot(capsys, "run", "--once", at=datetime(2026, 12, 16, 9, 5, tzinfo=UTC))
    assert code == 0
    assert "scheduler:    reminders every 1 min, reminder_catch_up every 1 h, outbox every 15 s" in out
    assert "Ran 6 periodic job(s) once." in out  # reminders, catch-up, outbox, calendar, drafts, mailbox
    assert "[slack C0BUSINESS] Deadline reminders" in out  # reminders print to the console
    assert list((local / "var" / "mail" / "outbox").glob("*.eml"))  # and land as .eml files
    feed = local / "var" / "calendar" / "deadlines.ics"
    assert feed.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
