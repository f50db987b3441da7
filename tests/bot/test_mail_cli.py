"""`scrbot mail ...` and `scrbot case show` end to end, as a business support officer would use them."""

from __future__ import annotations

import email
import io
import json
from datetime import UTC, datetime
from email.policy import default
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from intake.inbound.authentication import LOCAL_AUTHSERV_ID
from tests.factories import BOARD_TOML, SENSITIVE_STRINGS, referral_data
from tests.support.forms import encrypt_docx, referral_email, referral_form_docx
from tests.support.intake import authentication_results

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    board = tmp_path / "board.toml"
    board.write_text(BOARD_TOML + '\n[slack]\nbusiness_unit_channel = "C0BUSINESS"\n', encoding="utf-8")
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(board))
    monkeypatch.setenv("SCRBOT_MAIL_FROM", "scr@testshire.gov.uk")
    clock = FixedClock(NOW)

    def run(*argv: str, capsys: pytest.CaptureFixture[str], stdin: str | None = None) -> tuple[int, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv), clock=clock)
        captured = capsys.readouterr()
        run.err = captured.err  # type: ignore[attr-defined]
        return code, captured.out

    run.err = ""  # type: ignore[attr-defined]
    return run, tmp_path, clock


def reply_file(tmp_path: Path, request: Path, sender: str, body: str, name: str) -> Path:
    original = email.message_from_bytes(request.read_bytes(), policy=default)
    path = tmp_path / name
    path.write_bytes(
        (
            f"Authentication-Results: {authentication_results(sender, authserv_id=LOCAL_AUTHSERV_ID)}\r\n"
            f"From: <{sender}>\r\nTo: scr@testshire.gov.uk\r\nSubject: RE: {original['Subject']}\r\n"
            f"Date: Mon, 23 Nov 2026 09:30:00 +0000\r\nMessage-ID: <{name}@agency.example>\r\n"
            f"In-Reply-To: {original['Message-ID']}\r\n\r\n{body}\r\n"
        ).encode()
    )
    return path


def test_a_reply_lands_and_a_quarantined_one_is_released(cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    run, tmp_path, _clock = cli
    referral = tmp_path / "referral.json"
    referral.write_text(json.dumps(referral_data()), encoding="utf-8")
    assert run("refer", "--file", str(referral), capsys=capsys)[0] == 0
    code, out = run("run", "--once", capsys=capsys)
    assert code == 0 and "mailbox:      maildir" in out
    requests = {
        email.message_from_bytes(p.read_bytes(), policy=default)["To"]: p
        for p in (tmp_path / "var" / "mail" / "outbox").glob("*.eml")
    }
    police = reply_file(
        tmp_path,
        requests["reviews@testshire.pnn.police.uk"],
        "reviews@testshire.pnn.police.uk",
        "Records secured: yes\nDate secured: 23/11/2026\nKnown to agency: no",
        "police.eml",
    )
    code, out = run("mail", "ingest", str(police), "--json", capsys=capsys)
    landed = json.loads(out)
    assert (code, landed["status"], landed["agency"], landed["case"]) == (0, "processed", "police", "SCR-2026-0001")
    code, out = run("mail", "ingest", str(police), capsys=capsys)
    assert "already seen: nothing changed" in out

    colleague = reply_file(
        tmp_path,
        requests["safeguarding.testshire@nhs.net"],
        "colleague@nhs.net",
        "Records secured: yes",
        "colleague.eml",
    )
    code, out = run("mail", "deliver", str(colleague), capsys=capsys)
    code, out = run("mail", "poll", "--json", capsys=capsys)
    polled = json.loads(out)
    assert polled["counts"] == {"quarantined": 1}
    message_id = polled["messages"][0]["id"]
    code, out = run("mail", "quarantine", "list", "--json", capsys=capsys)
    assert [m["id"] for m in json.loads(out)] == [message_id]
    assert not any(s in out for s in SENSITIVE_STRINGS)
    code, out = run("mail", "quarantine", "show", message_id, "--json", capsys=capsys)
    assert json.loads(out)["reason"] == "the sender is not a registered address of any agency"
    code, out = run("mail", "quarantine", "release", message_id, "--as-agency", "health", capsys=capsys)
    assert code == 0 and "released" in out
    code, out = run("mail", "quarantine", "list", capsys=capsys)
    assert "Nothing waiting for a person." in out

    code, out = run("case", "show", "SCR-2026-0001", "--json", capsys=capsys)
    shown = json.loads(out)
    agencies = {a["agency"]: a for a in shown["agencies"]}
    assert agencies["police"]["records"] == "secured"
    assert agencies["police"]["evidence"] == "<police.eml@agency.example>"
    assert agencies["health"]["records"] == "secured"  # recorded by the person who released it
    assert shown["not_confirmed"] == ["school"]
    assert {m["status"] for m in shown["mail"]} == {"processed", "released"}
    code, out = run("case", "show", "SCR-2026-0001", capsys=capsys)
    assert "Not yet confirmed records secured: school" in out and "Mail about this case" in out


def test_a_protected_referral_is_unlocked_with_a_password_from_stdin(cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    run, tmp_path, _clock = cli
    form = tmp_path / "referral.eml"
    form.write_bytes(
        referral_email(encrypt_docx(referral_form_docx(), "Synthetic-Pa55"), sent=NOW, authserv_id=LOCAL_AUTHSERV_ID)
    )
    code, out = run("mail", "ingest", str(form), "--json", capsys=capsys)
    waiting = json.loads(out)
    assert waiting["status"] == "needs_person"
    code, _out = run("mail", "unlock", waiting["id"], "--password-stdin", capsys=capsys, stdin="wrong\n")
    assert code == 2 and "does not open the form" in run.err
    code, out = run(
        "mail", "unlock", waiting["id"], "--password-stdin", "--json", capsys=capsys, stdin="Synthetic-Pa55\n"
    )
    unlocked = json.loads(out)
    assert (code, unlocked["status"], unlocked["case"]) == (0, "released", "SCR-2026-0001")


def test_an_unlocked_form_with_a_gap_is_filed_once_the_gap_is_filled(cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    """Issue 9 §5: after `mail unlock`, `mail quarantine release` files the form (it once said the form was
    still password-protected); unlock exits 0 when it read the form, and says what is left to do."""
    run, tmp_path, _clock = cli
    form = tmp_path / "referral.eml"
    protected = encrypt_docx(referral_form_docx(la_aware_date=""), "Synthetic-Pa55")
    form.write_bytes(referral_email(protected, sent=NOW, authserv_id=LOCAL_AUTHSERV_ID))
    code, out = run("mail", "ingest", str(form), "--json", capsys=capsys)
    message = json.loads(out)["id"]

    code, _out = run("mail", "quarantine", "release", message, capsys=capsys)
    assert code == 2 and f"open it first with scrbot mail unlock {message}" in run.err

    code, out = run("mail", "unlock", message, "--password-stdin", capsys=capsys, stdin="Synthetic-Pa55\n")
    assert code == 0, run.err
    assert f"{message} needs_person referral" in out and "Date the local authority became aware" in out
    assert f"scrbot mail quarantine release {message} --set FIELD=VALUE" in out
    code, out = run("mail", "quarantine", "show", message, "--json", capsys=capsys)
    assert any("(la_aware_date)" in gap for gap in json.loads(out)["detail"]["gaps"])

    code, _out = run("mail", "quarantine", "release", message, capsys=capsys)
    assert code == 2 and "cannot be filed yet" in run.err and "Date the local authority became aware" in run.err
    assert "password" not in run.err
    code, _out = run("mail", "quarantine", "release", message, "--set", "la_aware=17/11/2026", capsys=capsys)
    assert code == 2 and "no such form field: la_aware" in run.err
    code, _out = run("mail", "quarantine", "release", message, "--set", "17/11/2026", capsys=capsys)
    assert code == 2 and "--set takes FIELD=VALUE" in run.err
    code, out = run("case", "list", "--json", capsys=capsys)
    assert json.loads(out) == []  # nothing filed by the refusals

    code, out = run(
        "mail", "quarantine", "release", message, "--set", "la_aware_date=17/11/2026", "--json", capsys=capsys
    )
    released = json.loads(out)
    assert (code, released["status"], released["case"]) == (0, "released", "SCR-2026-0001"), run.err
    code, out = run("case", "show", "SCR-2026-0001", "--json", capsys=capsys)
    shown = json.loads(out)
    assert shown["events"]["incident_aware"]["on"] == "2026-11-17"
    assert "ofsted_incident_notification" in {d["rule"] for d in shown["deadlines"]}


def test_a_backend_without_its_settings_is_named(
    cli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    run, _tmp_path, _clock = cli
    monkeypatch.setenv("SCRBOT_MAIL_BACKEND", "graph")
    code, _out = run("mail", "poll", capsys=capsys)
    assert code == 2 and "SCRBOT_GRAPH_TENANT_ID" in run.err
