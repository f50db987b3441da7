"""The core checks, each made to fail the way a real set-up does, and the one line that says what to fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.doctor import core
from bot.doctor.base import Status
from bot.settings_errors import load_settings
from tests.bot.doctor.conftest import Doctor
from tests.factories import referral_data


def file_a_referral(env: Path, clock: FixedClock) -> None:
    (env / "referral.json").write_text(json.dumps(referral_data()))
    assert main(["refer", "--file", str(env / "referral.json")], clock=clock) == 0


def test_a_fresh_local_set_up_passes_and_creates_nothing(env: Path, doctor: Doctor) -> None:
    code, checks = doctor()
    assert code == 0
    assert {name: status for name, (status, _) in checks.items()} == {
        "settings": "ok",
        "board": "ok",
        "database": "ok",
        "migrations": "ok",
        "key file": "ok",
        "keys": "ok",
        "keys match data": "ok",
        "mail trust": "ok",
        "holidays": "ok",
        "disk": "ok",
        "mailbox": "ok",
        "slack": "skip",
        "teams": "skip",
    }
    assert "will be created on first run" in checks["database"][1]
    assert not (env / "var").exists()  # the doctor looks; it does not make the database or the keys


def test_wrong_settings_are_the_one_failed_line(doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRBOT_MAIL_POLL_SECONDS", "1")
    code, checks = doctor()
    assert code == 1 and list(checks) == ["settings"]
    assert checks["settings"] == (
        "fail",
        "SCRBOT_MAIL_POLL_SECONDS: '1' is below the least allowed (5); allowed: a whole number, at least 5",
    )


def test_a_mistyped_variable_is_named_with_a_suggestion(doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRBOT_SLAK_BOT_TOKEN", "xoxb-1")
    code, checks = doctor()
    assert code == 0
    assert checks["settings"][0] == "warn"
    assert "SCRBOT_SLAK_BOT_TOKEN is not a setting (did you mean SCRBOT_SLACK_BOT_TOKEN?)" in checks["settings"][1]


@pytest.mark.parametrize(
    ("url", "warned"), [("", True), ("postgresql+psycopg://scr@127.0.0.1:1/scr", False)], ids=["sqlite", "postgresql"]
)
def test_sqlite_commits_not_synced_are_a_warning(
    doctor: Doctor, monkeypatch: pytest.MonkeyPatch, url: str, warned: bool
) -> None:
    """A choice the operator may make (durability for speed), so a warning, not a failure; PostgreSQL ignores it."""
    monkeypatch.setenv("SCRBOT_SQLITE_SYNCHRONOUS", "normal")
    monkeypatch.setenv("SCRBOT_DATABASE_URL", url)
    _, checks = doctor("--quick")
    said = "SCRBOT_SQLITE_SYNCHRONOUS=normal (a power cut may lose the last transactions)" in checks["settings"][1]
    assert said is warned
    assert checks["settings"][0] == ("warn" if warned else "ok")


def test_a_missing_board_file(doctor: Doctor, env: Path) -> None:
    (env / "board.toml").unlink()
    code, checks = doctor()
    assert code == 1 and checks["settings"][0] == "fail" and "SCRBOT_BOARD_CONFIG" in checks["settings"][1]


def test_a_broken_board_file(doctor: Doctor, env: Path) -> None:
    (env / "board.toml").write_text('[board]\nid = "x"\nrules_pack = "no-such-pack"\n')
    code, checks = doctor()
    assert code == 1 and checks["board"][0] == "fail"
    assert checks["keys"] == ("skip", "needs board first")


def test_the_example_board_outside_local_mode(doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import EXAMPLE_BOARD

    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(EXAMPLE_BOARD))
    monkeypatch.setenv("SCRBOT_SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SCRBOT_SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SCRBOT_SLACK_API_URL", "http://127.0.0.1:9/api/")  # nothing listens: Slack lines fail
    code, checks = doctor("--quick")
    assert code == 1 and checks["board"][0] == "fail" and "example board" in checks["board"][1]


def test_a_key_file_others_can_read(doctor: Doctor, env: Path, clock: FixedClock) -> None:
    file_a_referral(env, clock)
    (env / "var" / "keys.json").chmod(0o644)
    code, checks = doctor()
    assert code == 1
    assert checks["key file"][0] == "fail" and "chmod 600" in checks["key file"][1]


def test_a_lost_key_file_beside_sealed_data(doctor: Doctor, env: Path, clock: FixedClock) -> None:
    file_a_referral(env, clock)
    (env / "var" / "keys.json").rename(env / "elsewhere.json")
    code, checks = doctor()
    assert code == 1
    assert checks["keys"][0] == "ok"  # no file: on its own, a first run
    status, detail = checks["keys match data"]
    assert status == "fail" and "sealed record(s)" in detail and "scrbot restore" in detail


def test_a_database_file_others_can_read(doctor: Doctor, env: Path, clock: FixedClock) -> None:
    file_a_referral(env, clock)
    (env / "var" / "scrbot.db").chmod(0o644)
    code, checks = doctor()
    assert code == 1 and checks["database"][0] == "fail" and "chmod 600" in checks["database"][1]


def test_an_unreachable_database_names_where(doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRBOT_DATABASE_URL", "postgresql+psycopg://scr@127.0.0.1:9/scr?connect_timeout=5")
    code, checks = doctor()
    assert code == 1
    status, detail = checks["database"]
    assert status == "fail" and "cannot reach the database at postgresql+psycopg://scr@127.0.0.1:9/scr" in detail
    assert checks["migrations"][0] == "skip"
    code, checks = doctor("--quick")  # a server database is a network call: left out of the healthcheck
    assert code == 0 and checks["database"][0] == "skip"


def test_a_database_from_a_newer_version(doctor: Doctor, env: Path, clock: FixedClock) -> None:
    import sqlite3

    file_a_referral(env, clock)
    with sqlite3.connect(env / "var" / "scrbot.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    code, checks = doctor()
    assert code == 1 and checks["migrations"][0] == "fail" and "9999" in checks["migrations"][1]


def test_a_real_mailbox_without_an_authserv_id(doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "MAIL_BACKEND": "ews",
        "EWS_ENDPOINT": "https://127.0.0.1:9/EWS/Exchange.asmx",
        "EWS_USERNAME": "TESTSHIRE\\scrbot",
        "EWS_MAILBOX": "scr@testshire.gov.uk",
    }.items():
        monkeypatch.setenv(f"SCRBOT_{name}", value)
    code, checks = doctor("--quick")
    assert code == 1 and checks["mail trust"][0] == "fail" and "SCRBOT_MAIL_AUTHSERV_ID" in checks["mail trust"][1]
    monkeypatch.setenv("SCRBOT_MAIL_AUTHSERV_ID", "mx.testshire.gov.uk")
    code, checks = doctor("--quick")
    assert code == 0 and checks["mail trust"][0] == "ok"


def test_little_disk_space(env: Path, clock: FixedClock) -> None:
    from bot.context import AppContext

    ctx = AppContext(settings=load_settings(), clock=clock)
    assert core.check_disk(ctx).status is Status.OK
    assert core.check_disk(ctx, fail_below=2**62, warn_below=2**63).status is Status.FAIL
    assert core.check_disk(ctx, fail_below=0, warn_below=2**63).status is Status.WARN


def test_holidays_cover_the_next_eighteen_months(env: Path, clock: FixedClock) -> None:
    from bot.context import AppContext

    ctx = AppContext(settings=load_settings(), clock=clock)
    finding = core.check_holidays(ctx)
    assert finding.status is Status.OK and "known to 2028-05" in finding.detail


def test_holidays_missing_for_a_year_fail(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A holidays release that stopped knowing a year in the horizon (seen with one-off and future data)."""
    import holidays

    from bot.clock import FixedClock as Fixed
    from bot.context import AppContext

    real = holidays.country_holidays

    def thin(*args: object, **kwargs: object) -> holidays.HolidayBase:
        years = kwargs.pop("years")
        return real(*args, years=[y for y in years if y < 2028], **kwargs)  # type: ignore[arg-type, misc]

    monkeypatch.setattr(holidays, "country_holidays", thin)
    from datetime import UTC, datetime

    ctx = AppContext(settings=load_settings(), clock=Fixed(datetime(2027, 1, 5, tzinfo=UTC)))
    finding = core.check_holidays(ctx)
    assert finding.status is Status.FAIL and "2028" in finding.detail
