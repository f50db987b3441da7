"""`scrbot review ...` refuses bad input with one clear line on stderr (exit 2) and stores nothing: a wrong file
type, a password-protected PDF, a file over the size limit, an unknown review or agency."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from tests.factories import BOARD_TOML, referral_data
from tests.support.reports import docx_report, pdf_report

NOW = datetime(2026, 12, 22, 11, tzinfo=UTC)


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    (tmp_path / "referral.json").write_text(json.dumps(referral_data()))
    (tmp_path / "notes.docx").write_bytes(b"plain text pretending to be Word")
    (tmp_path / "locked.pdf").write_bytes(pdf_report(password="secret"))
    (tmp_path / "huge.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    (tmp_path / "good.docx").write_bytes(docx_report())
    monkeypatch.chdir(tmp_path)
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    monkeypatch.setenv("SCRBOT_MAIL_MAX_ATTACHMENT_MB", "1")
    yield tmp_path


def scrbot(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), clock=FixedClock(NOW))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("review", "imr", "receive", "SCR-2026-0001", "police", "notes.docx"), "not a report we can read"),
        (("review", "imr", "receive", "SCR-2026-0001", "police", "locked.pdf"), "password"),
        (("review", "imr", "receive", "SCR-2026-0001", "police", "huge.pdf"), "over the 1048576-byte limit"),
        (("review", "imr", "receive", "SCR-2026-0001", "police", "missing.pdf"), "cannot read missing.pdf"),
        (("review", "imr", "receive", "SCR-2026-0001", "fire", "good.docx"), "fire"),
        (("review", "imr", "receive", "SCR-2099-0001", "police", "good.docx"), "no case SCR-2099-0001"),
        (("review", "report", "upload", "SCR-2026-0001", "locked.pdf"), "password"),
        (("review", "report", "upload", "SCR-2099-0001", "good.docx"), "no case SCR-2099-0001"),
        (("review", "report", "check", "SCR-2026-0001", "3"), "no version 3"),
        (("review", "actions", "add", "SCR-2026-0001", "--text", "T", "--agency", "fire", "--role", "R",
          "--due", "2027-06-01", "--measure", "M"), "fire"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_nothing_is_stored(
    local: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], says: str
) -> None:
    assert scrbot(capsys, "refer", "--file", "referral.json")[0] == 0
    assert scrbot(capsys, "decide", "SCR-2026-0001", "--outcome", "scr", "--on", "2026-12-22")[0] == 0
    code, _, err = scrbot(capsys, *argv)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    status = json.loads(scrbot(capsys, "review", "imr", "status", "SCR-2026-0001", "--json")[1])
    assert {a["version"] for a in status["agencies"]} == {0}
    versions = json.loads(scrbot(capsys, "review", "report", "status", "SCR-2026-0001", "--json")[1])
    assert versions["versions"] == []
