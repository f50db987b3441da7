"""`scrbot notify edit / show / approve` and the case's personal data: an edit may not put it into a message
for a non-secure address, an approver is warned when free text holds it, and no error line repeats it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notify import templates
from tests.bot.test_notify_cli import drafts, local, scrbot  # noqa: F401 - the fixture is used by name
from tests.factories import CHILD_FORENAMES, CHILD_LAST_NAME, SENSITIVE_STRINGS

DECIDED = datetime(2026, 12, 22, 11, tzinfo=UTC)
NAME = f"{CHILD_FORENAMES} {CHILD_LAST_NAME}"


def decide(capsys: pytest.CaptureFixture[str], *extra: str) -> None:
    assert scrbot(capsys, "refer", "--file", "referral.json")[0] == 0
    argv = ["decide", "SCR-2026-0001", "--outcome", "scr", "--on", "2026-12-22", *extra]
    assert scrbot(capsys, *argv, at=DECIDED)[0] == 0


def test_an_edit_naming_the_child_in_a_letter_to_a_non_secure_school_is_refused(
    local: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    decide(capsys)
    code, out, _ = scrbot(capsys, "notify", "list", "--status", "draft", "--json", at=DECIDED)
    [school] = [m["id"] for m in json.loads(out) if m["kind"] == "imr_request" and m["to"] == "agency:school"]
    text = f"Please send your IMR about {NAME}, born 9 March 2024."
    code, out, err = scrbot(capsys, "notify", "edit", school[:8], "--text", text, at=DECIDED)
    assert code == 2
    [line] = err.strip().splitlines()
    assert "was not changed" in line and "not on a secure domain" in line
    for sensitive in [*SENSITIVE_STRINGS, "9 March 2024"]:
        assert sensitive not in err and sensitive not in out
    code, out, _ = scrbot(capsys, "notify", "show", school[:8], "--json", at=DECIDED)
    assert CHILD_LAST_NAME not in json.loads(out)["text"]


def test_the_approver_is_warned_when_the_rationale_names_the_child(
    local: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shipped = templates.get_template("statutory_decision_notification")
    asking = replace(
        shipped,
        optional=(*shipped.optional, "rationale"),
        text_source=shipped.text_source + "\nThe board's reasons:\n{{ rationale }}\n",
    )
    monkeypatch.setitem(templates.catalogue(), "statutory_decision_notification", asking)
    decide(capsys, "--rationale", f"The injuries to {NAME} meet 004 §4.4.")
    [draft] = drafts(capsys, "statutory_decision_notification")

    code, out, _ = scrbot(capsys, "notify", "show", draft[:8], at=DECIDED)
    [warning] = [line for line in out.splitlines() if line.startswith("WARNING:")]
    assert code == 0 and "personal data (name (line" in warning and CHILD_LAST_NAME not in warning

    code, out, err = scrbot(capsys, "notify", "approve", draft[:8], at=DECIDED)
    assert code == 2 and "not approved" in err and "--despite-warning" in err
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in err
    assert scrbot(capsys, "notify", "approve", draft[:8], "--despite-warning", at=DECIDED)[0] == 0


def test_the_shipped_notification_leaves_the_rationale_out_and_approves_without_a_warning(
    local: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    decide(capsys, "--rationale", f"The injuries to {NAME} meet 004 §4.4.")
    [draft] = drafts(capsys, "statutory_decision_notification")
    code, out, _ = scrbot(capsys, "notify", "show", draft[:8], "--json", at=DECIDED)
    shown = json.loads(out)
    assert code == 0 and shown["warning"] is None and CHILD_LAST_NAME not in shown["text"]
    assert scrbot(capsys, "notify", "approve", draft[:8], at=DECIDED)[0] == 0
