"""Working Together 2023 from the command line: the deadlines the wt2023 pack gives, the serious incident
notification made on the national online form and recorded with its portal reference (which meets
`panel_notification`), the Panel's response, and a case opened under hackney-2017 keeping its pack when the
board moves to wt2023."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from errors import EXIT_BAD_INPUT
from tests.factories import SENSITIVE_STRINGS, referral_data
from tests.notify.conftest import NOTIFY_BOARD_TOML

AWARE = datetime(2026, 12, 21, 10, tzinfo=UTC)  # Monday 21 December 2026
PARTNERS = """
[statutory_recipients.safeguarding_partners]
name = "Testshire safeguarding partners"
email = "partners.testshire@nhs.net"
"""
WT2023_BOARD = NOTIFY_BOARD_TOML.replace('rules_pack = "hackney-2017"', 'rules_pack = "wt2023"') + PARTNERS


def scrbot(capsys: pytest.CaptureFixture[str], *argv: str, at: datetime = AWARE) -> tuple[int, str, str]:
    code = main(list(argv), clock=FixedClock(at))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = referral_data(referral_date="2026-12-21", incident_date="2026-12-19", la_aware_date="2026-12-21")
    (tmp_path / "referral.json").write_text(json.dumps(data))
    monkeypatch.chdir(tmp_path)
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    monkeypatch.setenv("SCRBOT_MAIL_FROM", "scr-bot@testshire.gov.uk")
    yield tmp_path


def deadline(capsys: pytest.CaptureFixture[str], reference: str, rule: str) -> dict[str, object]:
    code, out, err = scrbot(capsys, "case", "show", reference, "--json")
    assert code == 0, err
    found: list[dict[str, object]] = [d for d in json.loads(out)["deadlines"] if d["rule"] == rule]
    assert len(found) == 1
    return found[0]


def test_deadlines_gives_panel_notification_over_christmas(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (local / "board.toml").write_text(WT2023_BOARD)
    argv = ("deadlines", "--rules", "wt2023", "--event", "incident_aware", "--on", "2026-12-21", "--json")
    code, out, _ = scrbot(capsys, *argv)
    assert code == 0
    rules = {d["rule"]: d for d in json.loads(out)}
    # Mon 21 Dec is day 0: Tue 22 (1), Wed 23 (2), Thu 24 (3), Fri 25 Christmas and Mon 28 (the substitute
    # Boxing Day) are bank holidays, Tue 29 (4), Wed 30 (5).
    assert rules["panel_notification"]["due"] == "2026-12-30"
    assert "s.16C(1)" in str(rules["panel_notification"]["source"])
    assert rules["partners_informed"]["due"] == "2026-12-30"
    # 15 working days: ... Wed 30 (5), Thu 31 (6), Fri 1 Jan bank holiday, Mon 4 Jan (7) ... Thu 14 Jan (15).
    assert rules["rapid_review"]["due"] == "2027-01-14"
    # A limit the law does not set says it is the board's default.
    assert "board's default" in str(rules["rapid_review_information"]["note"])


def test_the_portal_submission_recorded_meets_panel_notification(
    local: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (local / "board.toml").write_text(WT2023_BOARD)
    assert scrbot(capsys, "refer", "--file", "referral.json")[0] == 0
    ref = "SCR-2026-0001"
    before = deadline(capsys, ref, "panel_notification")
    assert (before["due"], before["state"]) == ("2026-12-30", "open")
    code, out, _ = scrbot(capsys, "case", "show", ref, "--json")
    assert (json.loads(out)["rules_pack"], json.loads(out)["rules_pack_version"]) == ("wt2023", "2023.1")
    code, out, _ = scrbot(capsys, "case", "show", ref)
    assert "local child safeguarding practice review (LCSPR)" in out

    # Nothing is emailed for it: the bot words the form's fields, a person submits them on the portal.
    code, out, _ = scrbot(capsys, "notify", "list", "--all", "--json")
    assert "serious_incident_notification_form" not in {m["kind"] for m in json.loads(out)}
    code, form, _ = scrbot(capsys, "notify", "form", ref)
    assert code == 0 and "national online form" in form and "ZQ M-T" in form and "30 December 2026" in form
    assert "s.16C(1)(a)" in form
    for sensitive in SENSITIVE_STRINGS:
        assert sensitive not in form

    submitted = datetime(2026, 12, 29, 15, tzinfo=UTC)
    code, _, err = scrbot(capsys, "notify", "submitted", ref, "--on", "29/12/2026", at=submitted)
    assert code == EXIT_BAD_INPUT and "portal reference" in err
    argv = ("notify", "submitted", ref, "--portal-ref", "SIN-2026-04217", "--on", "29/12/2026", "--json")
    code, out, err = scrbot(capsys, *argv, at=submitted)
    assert code == 0, err
    assert json.loads(out) == {
        "case": ref,
        "portal_ref": "SIN-2026-04217",
        "rule": "panel_notification",
        "state": "met",
        "met_on": "2026-12-29",
        "act_by": "2026-12-30",
    }
    after = deadline(capsys, ref, "panel_notification")
    assert (after["state"], after["met_on"]) == ("met", "2026-12-29")
    code, out, _ = scrbot(capsys, "audit", "show", ref, "--json")
    assert "SIN-2026-04217" in out

    code, out, err = scrbot(
        capsys, "notify", "panel-response", ref, "--response", "agrees", "--on", "2026-12-29", at=submitted
    )
    assert code == 0, err
    code, out, _ = scrbot(capsys, "case", "show", ref, "--json")
    assert json.loads(out)["events"]["panel_responded"]["on"] == "2026-12-29"

    # The decision is told in the pack's words, in the channel too.
    code, _, err = scrbot(
        capsys, "decide", ref, "--outcome", "scr", "--on", "2026-12-29", "--by", "chair", at=submitted
    )
    assert code == 0, err
    queued = json.loads(scrbot(capsys, "notify", "list", "--all", "--json", at=submitted)[1])
    [notice] = [m["id"] for m in queued if m["kind"] == "decision_recorded_notice"]
    code, out, _ = scrbot(capsys, "notify", "show", notice, at=submitted)
    assert "local child safeguarding practice review" in out and "Serious Case Review" not in out


def test_a_case_keeps_its_pack_when_the_board_moves_to_wt2023(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (local / "board.toml").write_text(NOTIFY_BOARD_TOML)
    assert scrbot(capsys, "refer", "--file", "referral.json")[0] == 0
    ref = "SCR-2026-0001"
    (local / "board.toml").write_text(WT2023_BOARD)
    code, out, err = scrbot(capsys, "case", "show", ref, "--json")
    assert code == 0, err
    case = json.loads(out)
    assert (case["rules_pack"], case["rules_pack_version"]) == ("hackney-2017", "1")
    assert "ofsted_incident_notification" in {d["rule"] for d in case["deadlines"]}
    # Its decision starts hackney-2017's clocks, not wt2023's.
    decided = datetime(2026, 12, 22, 11, tzinfo=UTC)
    code, _, err = scrbot(capsys, "decide", ref, "--outcome", "scr", "--on", "2026-12-22", "--by", "chair", at=decided)
    assert code == 0, err
    rules = {d["rule"] for d in json.loads(scrbot(capsys, "case", "show", ref, "--json", at=decided)[1])["deadlines"]}
    assert {"chief_officer_letters", "imr_submitted"} <= rules and "reviewer_appointed" not in rules
    # A new referral is opened under the board's new pack.
    assert scrbot(capsys, "refer", "--file", "referral.json", at=decided)[0] == 0
    code, out, _ = scrbot(capsys, "case", "show", "SCR-2026-0002", "--json", at=decided)
    assert json.loads(out)["rules_pack"] == "wt2023"


def test_a_wt2023_board_without_the_partners_address_is_refused_at_start_naming_the_key(
    local: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (local / "board.toml").write_text(WT2023_BOARD.replace(PARTNERS, ""))
    code, _, err = scrbot(capsys, "case", "list")
    assert code == EXIT_BAD_INPUT
    assert "notifications.1.to.0" in err and "safeguarding_partners" in err
    assert len(err.strip().splitlines()) == 1


def test_the_panel_responses_spelled_out_for_a_fast_start_are_the_real_ones() -> None:
    from bot.commands.notify_outside import PANEL_RESPONSES
    from cases.events import PanelResponse

    assert tuple(r.value for r in PanelResponse) == PANEL_RESPONSES
