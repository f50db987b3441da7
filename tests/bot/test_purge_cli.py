"""`scrbot purge` leaves nothing of the child behind: the README's own steps (an emailed referral with gaps,
filed with `refer --file` and released with `--dismiss`; a colleague's reply quarantined; agency requests
sent; a send killed halfway), then the case closed and purged. Every file under the data folder is searched,
and every encrypted value in the database is opened and searched, for the synthetic names."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.clock import FixedClock
from bot.context import AppContext
from storage.rotation import encrypted_tables
from storage.tables import encrypted_columns
from tests.factories import BOARD_TOML, SENSITIVE_STRINGS, referral_data
from tests.support.forms import referral_email

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
BOARD = BOARD_TOML.replace(
    'rules_pack = "hackney-2017"', 'rules_pack = "hackney-2017"\nretention_days_after_close = 30'
)
GAPPY_FORM = """Please treat this email as a referral.

Case for Consideration

1. CASE OUTLINE: Synthetic outline: toddler admitted with unexplained fractures; family known to health visiting

Child's Last Name/s:\tMarchbanks-Tovey\tChild's Date of Birth:\t09/03/2024
Child's Forename/s:\tZephyrine Quillon
Child's Home Address: 17 Imaginary Crescent, Nowhereton, ZZ1 9QQ
Mother's Name: Philippa Marchbanks-Tovey
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "board.toml").write_text(BOARD)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    monkeypatch.setenv("SCRBOT_MAIL_FROM", "scr-bot@testshire.gov.uk")
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK", "SCRBOT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def scrbot(capsys: pytest.CaptureFixture[str], *argv: str, at: datetime = NOW) -> str:
    code = main(list(argv), clock=FixedClock(at))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def colleague_reply(reference: str) -> bytes:
    message = EmailMessage()
    message["From"] = "a.colleague@testshire.pnn.police.uk"  # not a registered address: quarantined
    message["To"] = "scr@testshire.gov.uk"
    message["Subject"] = f"RE: [{reference}] Please check your involvement and secure your records"
    message["Message-ID"] = "<colleague-1@testshire.pnn.police.uk>"
    message.set_content("We knew Zephyrine Marchbanks-Tovey of 17 Imaginary Crescent. Records secured: yes")
    return bytes(message)


def everything_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def every_value(workdir: Path) -> dict[bytes, str]:
    """Every encrypted value in the database, opened (by its ciphertext)."""
    context = AppContext(clock=FixedClock(NOW))
    store = context.store
    opened: dict[bytes, str] = {}
    with store.sessions() as s:
        for table in encrypted_tables():
            columns = encrypted_columns(table)
            for row in s.execute(select(table.c.id, *(table.c[c] for c in columns))):
                for column, token in zip(columns, row[1:], strict=True):
                    if token is not None:
                        plain = store.cipher.open(token, table=table.name, column=column, row_id=row[0])
                        opened[bytes(token)] = plain.decode("utf-8", "replace")
    context.close()
    return opened


def test_purge_removes_the_child_from_every_row_and_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An emailed referral with gaps waits for a person...
    (workdir / "referral.eml").write_bytes(referral_email(None, body=GAPPY_FORM, sent=NOW))
    scrbot(capsys, "mail", "deliver", "referral.eml")
    scrbot(capsys, "mail", "poll")
    [waiting] = json.loads(scrbot(capsys, "mail", "quarantine", "list", "--json"))
    # ...who fills the gaps in a JSON file, files it, and dismisses the email (the README's steps).
    (workdir / "referral.json").write_text(json.dumps(referral_data()))
    reference = json.loads(scrbot(capsys, "refer", "--file", "referral.json", "--json"))["reference"]
    scrbot(capsys, "mail", "quarantine", "release", waiting["id"], "--dismiss")
    # The agencies are asked (the .eml files go to the outbox), a colleague answers from an unregistered address.
    scrbot(capsys, "notify", "send")
    (workdir / "reply.eml").write_bytes(colleague_reply(reference))
    scrbot(capsys, "mail", "deliver", "reply.eml")
    scrbot(capsys, "mail", "poll")
    outbox = workdir / "var" / "mail" / "outbox"
    [first, *_] = sorted(outbox.glob("*.eml"))
    (outbox / f".{first.name}.tmp999999").write_bytes(first.read_bytes()[:400])  # a send killed halfway
    before = everything_under(workdir / "var")
    assert any(s.encode() in data for data in before.values() for s in SENSITIVE_STRINGS)  # the search can fail
    naming = [token for token, plain in every_value(workdir).items() if any(s in plain for s in SENSITIVE_STRINGS)]
    assert naming

    scrbot(capsys, "case", "close", reference, "--yes")
    # The service is running meanwhile: its open connection keeps the write-ahead log from being folded away.
    service = sqlite3.connect(workdir / "var" / "scrbot.db")
    service.execute("SELECT count(*) FROM cases").fetchone()
    purged = json.loads(scrbot(capsys, "purge", "--json", "--yes", at=NOW + timedelta(days=31)))
    assert purged["cases"] == [reference]

    for name, data in everything_under(workdir / "var").items():
        found = [s for s in SENSITIVE_STRINGS if s.encode() in data]
        assert found == [], f"{name} still holds {found}"
    for value in every_value(workdir).values():
        assert [s for s in SENSITIVE_STRINGS if s in value] == []
    # Nor is an old ciphertext left in the file's free pages or the write-ahead log, where the key would open it.
    database = b"".join(data for name, data in everything_under(workdir / "var").items() if "scrbot.db" in name)
    assert [token for token in naming if token in database] == []
    service.close()
    shown = scrbot(capsys, "mail", "quarantine", "show", waiting["id"], "--raw", at=NOW + timedelta(days=31))
    assert [s for s in SENSITIVE_STRINGS if s in shown] == []
    # The de-identified timeline stays: the case, its deadlines, the messages' rows without their content.
    case = json.loads(scrbot(capsys, "case", "show", reference, "--json", at=NOW + timedelta(days=31)))
    assert case["status"] == "closed" and case["deadlines"]
    assert len(json.loads(scrbot(capsys, "mail", "list", "--json"))) == 2
