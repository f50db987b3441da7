"""`scrbot audit verify` and `sign-anchor` on a database upgraded from a version that did not sign the anchor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.clock import FixedClock
from storage.audit import GENESIS
from storage.db import make_engine, upgrade
from tests.factories import BOARD_TOML, referral_data


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_an_upgraded_database_is_reported_until_its_anchor_is_signed_once(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    # A database as the version before anchor signing left it: schema 0007, an anchor without a signature.
    engine = make_engine(f"sqlite+pysqlite:///{workdir / 'var' / 'scrbot.db'}")
    upgrade(engine, "0007")
    with engine.begin() as c:
        anchor = text("INSERT INTO audit_anchor (board_id, seq, head_hash) VALUES ('testshire', 0, :g)")
        c.execute(anchor, {"g": GENESIS})
    engine.dispose()
    (workdir / "referral.json").write_text(json.dumps(referral_data()))
    assert main(["refer", "--file", str(workdir / "referral.json")], clock=clock) == 0  # migrates, appends
    capsys.readouterr()

    assert main(["audit", "verify"], clock=clock) == 1
    assert "run `scrbot audit sign-anchor` once" in capsys.readouterr().out
    assert main(["audit", "sign-anchor"], clock=clock) == 0
    assert "chain was intact" in capsys.readouterr().out
    assert main(["audit", "verify", "--json"], clock=clock) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert main(["audit", "sign-anchor"], clock=clock) == 2
    assert capsys.readouterr().err.strip() == "scrbot: the audit anchor is already signed"
