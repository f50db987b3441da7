"""An agency's records: secured (on the date it gave), no records held (its own state, with no date), or not yet
(issue 9 §5). Each answer arrives as its own synthetic .eml (tests/bot/records_answers/) and is shown as such
everywhere: `case show` (text and JSON), `case list`, the Slack case view and the App Home."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.context import AppContext
from bot.settings import Settings
from bot.slack.app_home import home_view
from bot.slack.case_views import case_modal
from cases.actor import Actor
from tests.factories import BOARD_TOML, BUSINESS_UNIT, STAFF, make_board, referral_data

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ANSWERS = Path(__file__).parent / "records_answers"


@dataclass(frozen=True)
class Expected:
    agency: str
    records: str  # as `case show --json` gives it
    secured_on: str | None
    involvement: str
    shown: str  # the RECORDS column of `case show`
    outstanding: bool  # still among the agencies to confirm


TABLE = {
    "01_no_records_held.eml": Expected("health", "no_records_held", None, "not_known", "NO RECORDS HELD", False),
    "02_nil_return.eml": Expected("school", "no_records_held", None, "not_known", "NO RECORDS HELD", False),
    "03_secured_on_a_date.eml": Expected("police", "secured", "2026-11-20", "unknown", "SECURED ON 2026-11-20", False),
    "04_not_yet_secured.eml": Expected("police", "not_yet", None, "known", "NOT YET", True),
}


def test_every_answer_file_is_in_the_table() -> None:
    assert {p.name for p in ANSWERS.glob("*.eml")} == set(TABLE)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    board = tmp_path / "board.toml"
    board.write_text(BOARD_TOML, encoding="utf-8")
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(board))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    clock = FixedClock(NOW)

    def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
        code = main(list(argv), clock=clock)
        out = capsys.readouterr().out
        assert code == 0, (argv, out)
        return out

    referral = tmp_path / "referral.json"
    referral.write_text(json.dumps(referral_data()), encoding="utf-8")
    return run, referral


@dataclass
class SlackServicesForViews:
    """What the App Home reads: the store, who a user is, the clock."""

    store: Any
    access: Any
    clock: FixedClock


class Access:
    def actor(self, user: str) -> Actor:
        return make_board().slack_actor(user)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_an_agencys_records_are_shown_as_it_answered(name: str, cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    run, referral = cli
    expected = TABLE[name]
    run("refer", "--file", str(referral), capsys=capsys)
    landed = json.loads(run("mail", "ingest", str(ANSWERS / name), "--json", capsys=capsys))
    assert (landed["status"], landed["agency"]) == ("processed", expected.agency), landed["reason"]

    shown = json.loads(run("case", "show", "SCR-2026-0001", "--json", capsys=capsys))
    agency = {a["agency"]: a for a in shown["agencies"]}[expected.agency]
    assert (agency["records"], agency["secured_on"], agency["involvement"]) == (
        expected.records,
        expected.secured_on,
        expected.involvement,
    )
    assert "records_secured" not in agency  # one field says where the records stand
    assert (expected.agency in shown["not_confirmed"]) is expected.outstanding
    assert (expected.agency in shown["no_records_held"]) is (expected.records == "no_records_held")
    states = {(d["rule"], d["agency"]): (d["state"], d["met_on"]) for d in shown["deadlines"]}
    records_deadline = states[("records_secured", expected.agency)]
    if expected.records == "not_yet":
        assert records_deadline == ("open", None)  # still chased
    else:
        # The clock is discharged: on the date given, or for no records held on the day of the answer.
        assert records_deadline == ("met", expected.secured_on or "2026-11-23")

    text = run("case", "show", "SCR-2026-0001", capsys=capsys)
    [row] = [line for line in text.splitlines() if line.startswith(expected.agency + " ")]
    assert expected.shown in row
    if expected.records == "no_records_held":
        assert "SECURED ON" not in row  # never a date the agency did not give

    [listed] = json.loads(run("case", "list", "--json", capsys=capsys))
    assert (expected.agency in listed["agencies_not_confirmed"]) is expected.outstanding
    assert (expected.agency in listed["agencies_no_records_held"]) is (expected.records == "no_records_held")
    listing = run("case", "list", capsys=capsys)
    if expected.records == "no_records_held":
        assert expected.agency in listing.splitlines()[-1].split()[-1]  # the NO RECORDS HELD column

    ctx = AppContext(settings=Settings(), clock=FixedClock(NOW))
    try:
        case = ctx.store.cases.get_case("SCR-2026-0001", actor=STAFF, now=NOW)
        modal = json.dumps(case_modal(case, today=NOW.date(), calendar=ctx.store.calendar, amber=3))
        services = SlackServicesForViews(ctx.store, Access(), FixedClock(NOW))
        home = json.dumps(home_view(services, BUSINESS_UNIT.id.removeprefix("slack:")))  # type: ignore[arg-type]
    finally:
        ctx.close()
    if expected.records == "no_records_held":
        assert f"{expected.agency}: no records held" in modal
        assert f"No records held: {expected.agency}" in home
    elif expected.records == "secured":
        assert f"{expected.agency}: secured on {expected.secured_on}" in modal
        assert "No records held" not in home
    else:
        assert "Agencies still to confirm records secured:* health, police, school" in modal
        assert "Still to confirm records secured: health, police, school" in home
