"""A whole review in simulated time, through the CLI in local mode (SQLite, a key file, a Maildir outbox): authors
nominated by email; agency reports requested, one arriving by email, returned unsigned then accepted, one chased
and escalated; the overview report's v1 blocked by the anonymisation check (a sibling's name in a footer, a date
of birth written "3rd March 2025", a possessive surname), v2 clean and sent with the publication copies as an
attachment 7 working days or more before publication; publication held for criminal proceedings then released
by the chair; the action plan's quarterly reports until the last action is evidenced, then the review
concluded. Afterwards nothing of the reports, the IMRs or the actions is in plaintext in the database file, the
logs, what was printed (the console's chat included) or the App Home."""

from __future__ import annotations

import email
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.context import AppContext
from bot.settings import Settings
from bot.slack.app_home import home_view
from intake.inbound.authentication import LOCAL_AUTHSERV_ID
from tests.factories import SENSITIVE_STRINGS, referral_data
from tests.notify.conftest import NOTIFY_BOARD_TOML
from tests.support.intake import authentication_results
from tests.support.reports import FILLER, docx_report, pdf_report

REF = "SCR-2026-0001"
POLICE = "reviews@testshire.pnn.police.uk"
POLICE_BOARD_MEMBER = "acc.board@testshire.pnn.police.uk"
# The police's board member hears of the police's own overdue tasks (the agency's board_member).
BOARD_TOML = NOTIFY_BOARD_TOML.replace(
    'chief_officer = "Chief Constable"', f'chief_officer = "Chief Constable"\nboard_member = "{POLICE_BOARD_MEMBER}"'
)
HEALTH = "safeguarding.testshire@nhs.net"
# Words that must never be found outside encrypted columns (the IMR's, the report's, the action's, the reasons).
SECRETS = [
    *SENSITIVE_STRINGS,
    "Ambrose",
    "3rd March 2025",
    "chronology of the agency contact",
    "Author Syntheticname",
    "Director Syntheticsign",
    "the chronology stops in 2025",
    "Refresh bruising protocol training",
    "ninety per cent of staff trained",
    "trial adjourned sine die",
    "clinic letters seen by the panel",
]


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "board.toml").write_text(BOARD_TOML)
    data = referral_data(
        referral_date="2026-12-14",
        incident_date="2026-12-10",
        la_aware_date="2026-12-11",
        **{"considerations.criminal_proceedings": "yes", "child.date_of_birth": "2025-03-03"},
    )
    (tmp_path / "referral.json").write_text(json.dumps(data))
    monkeypatch.chdir(tmp_path)
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    monkeypatch.setenv("SCRBOT_MAIL_FROM", "scr-bot@testshire.gov.uk")
    yield tmp_path


class Story:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.seen = ""  # everything printed, stdout and stderr (the console's chat goes to stderr)

    def run(self, when: str, *argv: str, code: int = 0) -> str:
        at = datetime.fromisoformat(when if "T" in when else when + "T10:00").replace(tzinfo=UTC)
        got = main(list(argv), clock=FixedClock(at))
        out, err = self.capsys.readouterr()
        self.seen += out + err
        assert got == code, (argv, out, err)
        return out if code == 0 else err

    def json(self, when: str, *argv: str) -> Any:
        return json.loads(self.run(when, *argv, "--json"))

    def deadlines(self, when: str, rule: str) -> list[tuple[str | None, int, str, str]]:
        shown = self.json(when, "case", "show", REF)
        return [(d["agency"], d["occurrence"], d["due"], d["state"]) for d in shown["deadlines"] if d["rule"] == rule]


@dataclass
class HomeServices:
    """What the App Home reads: the store, who a user is, the clock."""

    store: Any
    access: Any
    clock: FixedClock


def app_home(when: str) -> str:
    """The business unit's App Home, as Slack would be sent it."""
    clock = FixedClock(datetime.fromisoformat(when).replace(tzinfo=UTC))
    ctx = AppContext(settings=Settings(), clock=clock)
    try:
        services = HomeServices(ctx.store, SimpleNamespace(actor=ctx.board.slack_actor), clock)
        return json.dumps(home_view(services, "UBU000001"), ensure_ascii=False)  # type: ignore[arg-type]
    finally:
        ctx.close()


def mail_from(local: Path, sender: str, subject: str, body: str, attached: Path | None = None) -> Path:
    """An agency's message as the board's mail server hands it on (stamped with a DMARC pass, local mode)."""
    message = EmailMessage()
    message["Authentication-Results"] = authentication_results(sender, authserv_id=LOCAL_AUTHSERV_ID)
    message["From"] = f"Agency <{sender}>"
    message["To"] = "scr@testshire.gov.uk"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@agency.example>"
    message.set_content(body)
    if attached is not None:
        data = attached.read_bytes()
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=attached.name)
    path = local / f"mail-{abs(hash((sender, subject)))}.eml"
    path.write_bytes(bytes(message))
    return path


def eml(local: Path, contains: bytes) -> list[Message]:
    found = [p.read_bytes() for p in (local / "var" / "mail" / "outbox").glob("*.eml")]
    return [email.message_from_bytes(b) for b in found if contains in b]


def progress_reports(story: Story, when: str) -> list[dict[str, Any]]:
    drafts = story.json(when, "notify", "list", "--case", REF)
    return [d for d in drafts if d["template"] == "action_plan_progress_report"]


def test_a_whole_review(local: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    story = Story(capsys)
    story.run("2026-12-14", "refer", "--file", "referral.json")
    story.run("2026-12-22", "decide", REF, "--outcome", "scr", "--on", "2026-12-22")

    # --- agency reports: nominated, requested, one returned unsigned then accepted -------------------------
    for agency, sender in (("police", POLICE), ("health", HEALTH)):
        nomination = mail_from(
            local, sender, "RE: [SCR-2026-0001] Nomination of the IMR author",
            "Author: Author Syntheticname, safeguarding lead\nThe author has had no involvement with the case.",
        )  # fmt: skip
        landed = story.json("2027-01-04", "mail", "ingest", str(nomination))
        assert (landed["status"], landed["agency"]) == ("processed", agency), landed["reason"]
        story.run("2027-01-04", "review", "imr", "request", REF, agency, "--due", "2027-02-01")
    refused = story.run("2027-01-04", "review", "imr", "nominate", REF, "school", "--author", "A N Other", code=2)
    assert "no involvement with the case (004 §7.2)" in refused
    assert ("police", 1, "2027-02-01", "open") in story.deadlines("2027-01-04", "imr_submitted")

    imr = local / "health-imr.docx"
    imr.write_bytes(docx_report(["The chronology of the agency contact, in full."]))
    by_email = mail_from(local, HEALTH, "[SCR-2026-0001] Individual management review", "Attached.", imr)
    assert story.json("2027-01-25", "mail", "ingest", str(by_email))["status"] == "processed"
    unsigned = story.run("2027-01-25", "review", "imr", "accept", REF, "health", code=2)
    assert "not signed off: return it (004 §7.6-7.7)" in unsigned
    story.run(
        "2027-01-25", "review", "imr", "return", REF, "health", "--reasons", "the chronology stops in 2025", "--due",
        "2027-02-15",
    )  # fmt: skip
    assert ("health", 1, "2027-02-15", "open") in story.deadlines("2027-01-25", "imr_submitted")
    story.run("2027-02-08", "review", "imr", "receive", REF, "health", str(imr))
    story.run("2027-02-08", "review", "imr", "sign-off", REF, "health", "--by", "Director Syntheticsign")
    accepted = story.run("2027-02-09", "review", "imr", "accept", REF, "health")
    assert "To the lead reviewer and the review panel, the accepted version attached: draft" in accepted
    assert ("health", 1, "2027-02-15", "met") in story.deadlines("2027-02-09", "imr_submitted")

    # --- the accepted report to the lead reviewer and the panel (003 §5.7): approved, sent with version 2 ------
    drafts = story.json("2027-02-09", "notify", "list", "--case", REF)
    [shared] = [d for d in drafts if d["template"] == "agency_report_distribution"]
    assert (shared["to"], shared["requires_approval"]) == ("statutory:reviewer,review_panel", True)
    status = story.json("2027-02-09", "review", "imr", "status", REF)
    assert {a["agency"]: a["distribution"] for a in status["agencies"]}["health"] == "draft"
    story.run("2027-02-10", "notify", "approve", shared["id"])
    assert shared["id"] in story.json("2027-02-10", "notify", "send")["sent"]
    [distributed] = eml(local, b"report, version 2, accepted")
    assert [p.get_filename() for p in distributed.walk() if p.get_filename()] == ["health-imr.docx"]
    assert "sent" in story.run("2027-02-10", "review", "imr", "status", REF)

    # --- the police report is late: chased at the agency, escalated to the board manager ----------------------
    pending = story.json("2027-01-28", "reminders", "list", "--case", REF)
    police = {(r["to"], r["rung"]) for r in pending if r["rule"] == "imr_submitted" and r["agency"] == "police"}
    assert {
        ("agency", "overdue_1"),
        ("manager", "escalate_manager"),
        ("agency_board_member", "escalate_agency"),
    } <= police
    health = {(r["to"], r["rung"]) for r in pending if r["rule"] == "imr_submitted" and r["agency"] == "health"}
    assert ("manager", "escalate_manager") in health and not {t for t, _ in health} & {"agency_board_member"}
    story.run("2027-02-04T09:05", "reminders", "run", "--now", "2027-02-04T09:05")
    pending = story.json("2027-02-04", "reminders", "list", "--case", REF)
    left = {(r["to"], r["rung"]) for r in pending if r["rule"] == "imr_submitted" and r["agency"] == "police"}
    assert ("manager", "escalate_manager") not in left  # sent
    assert eml(local, b"reviews@testshire.pnn.police.uk") and eml(local, b"manager@testshire.gov.uk")
    assert ("agency_board_member", "escalate_agency") not in left  # sent, with the police's other overdue tasks
    to_member = "".join(str(m) for m in eml(local, POLICE_BOARD_MEMBER.encode()))
    assert "(agency: police)" in to_member and "(agency: health)" not in to_member  # only the police's own
    status = story.json("2027-02-04", "review", "imr", "status", REF)
    steps = {a["agency"]: (a["step"], a["awaiting"]) for a in status["agencies"]}
    assert steps["police"] == ("requested", "the report, due 2027-02-01")
    assert steps["health"] == ("accepted", "nothing")
    story.run("2027-02-10", "review", "imr", "receive", REF, "police", str(imr))
    story.run("2027-02-10", "review", "imr", "sign-off", REF, "police", "--by", "Director Syntheticsign")
    story.run("2027-02-10", "review", "imr", "accept", REF, "police")

    # --- the overview report: v1 blocked by the anonymisation check, v2 clean --------------------------------
    v1 = local / "overview-v1.docx"
    v1.write_bytes(
        docx_report(
            [FILLER, "The child was born on 3rd March 2025.", "The Marchbanks-Toveys' flat was cold."],
            footers={1: "Prepared after talking to Ambrose"},
        )
    )
    checked = story.json("2027-03-01", "review", "report", "upload", REF, str(v1))
    assert checked["state"] == "blocked"
    assert [(f["what"], f["where"]) for f in checked["findings"]] == [
        ("child's date of birth", "body, paragraph 2"),
        ("family surname", "body, paragraph 3"),
        ("sibling's forename", "footer of section 1, paragraph 1"),
    ]
    v2 = local / "overview-v2.pdf"
    v2.write_bytes(pdf_report([[FILLER, "Child C was born in the spring.", "Sibling S lived at home."]]))
    assert story.json("2027-03-08", "review", "report", "upload", REF, str(v2))["state"] == "clean"
    # Only a version that may leave the board is approved; hackney-2017 has no deadline it meets (wt2023's
    # final_report is, tests/storage/test_review_report_approval.py).
    assert "holds 3 item(s)" in story.run("2027-03-08", "review", "report", "approve", REF, "1", code=2)
    approved = story.json("2027-03-08", "review", "report", "approve", REF, "2")
    assert (approved["version"], approved["on"], approved["met"]) == (2, "2027-03-08", [])

    # --- publication: copies with v2 attached, 7 working days before; held, then released by the chair -------
    story.run("2027-03-10", "review", "publication", "plan", REF, "--on", "2027-04-01")
    assert story.deadlines("2027-03-10", "publication_copies") == [(None, 1, "2027-03-19", "open")]
    blocked = story.run("2027-03-10", "review", "report", "attach", REF, "1", code=2)
    assert "holds 3 item(s)" in blocked and "Ambrose" not in blocked
    [copies] = story.json("2027-03-10", "review", "report", "attach", REF, "2")["messages"]
    story.run("2027-03-11", "notify", "approve", copies)
    assert copies in story.json("2027-03-11", "notify", "send")["sent"]
    [sent] = [m for m in eml(local, copies.encode()) if m.is_multipart()]
    [attached] = [p for p in sent.walk() if p.get_filename()]
    assert (attached.get_filename(), attached.get_payload(decode=True)) == ("overview-v2.pdf", v2.read_bytes())
    assert story.deadlines("2027-03-11", "publication_copies") == [(None, 1, "2027-03-19", "met")]

    held = story.json("2027-04-01", "review", "publication", "status", REF)
    assert (held["held"], held["open_proceedings"]) == (True, ["criminal"])
    home = app_home("2027-04-01T10:00")
    assert "Agency reports: health accepted, police accepted, school not nominated · Report v2 clean" in home
    assert "Publication held: criminal proceedings open" in home
    refused = story.run("2027-04-01", "review", "publication", "published", REF, code=2)
    assert "held while criminal proceedings are open" in refused
    story.run("2027-04-01", "review", "publication", "publish-anyway", REF, "--reason", "trial adjourned sine die")
    assert story.json("2027-04-01", "review", "publication", "published", REF)["state"] == "published"
    assert story.deadlines("2027-04-01", "publication_minimum") == [(None, 1, "2028-04-01", "open")]

    # --- the action plan: quarterly reports until the last action is evidenced ---------------------------------
    named = story.run(
        "2027-04-02", "review", "actions", "add", REF, "--text", "Tell Zephyrine's nursery", "--agency", "health",
        "--role", "Named nurse", "--due", "2027-06-30", "--measure", "done", code=2,
    )  # fmt: skip
    assert "personal data" in named and "Zephyrine" not in named
    for agency, due in (("health", "2027-06-30"), ("police", "2027-09-30")):
        story.run(
            "2027-04-02", "review", "actions", "add", REF, "--text", "Refresh bruising protocol training",
            "--agency", agency, "--role", "Safeguarding lead", "--due", due, "--measure",
            "ninety per cent of staff trained",
        )  # fmt: skip
    story.run("2027-04-05", "review", "actions", "sign-up", REF, "1")
    assert story.deadlines("2027-04-05", "action_plan_update") == [(None, 1, "2027-07-01", "open")]
    story.run("2027-06-20", "review", "actions", "complete", REF, "1", "--evidence", "clinic letters seen by the panel")
    # The quarter's progress report to the board was drafted when it became due; sending it meets it (003 §7.3)
    # and the next quarter's is drafted.
    [first] = progress_reports(story, "2027-07-01")
    assert (first["to"], first["requires_approval"]) == ("statutory:board", True)
    story.run("2027-07-01", "notify", "approve", first["id"])
    assert first["id"] in story.json("2027-07-01", "notify", "send")["sent"]
    [second] = progress_reports(story, "2027-07-01")
    assert second["id"] != first["id"] and eml(local, b"progress report on the action plan")
    assert story.deadlines("2027-07-01", "action_plan_update") == [
        (None, 1, "2027-07-01", "met"),
        (None, 2, "2027-10-01", "open"),
    ]
    done = story.run("2027-09-20", "review", "actions", "complete", REF, "2")
    assert "the review is concluded" in done
    assert story.deadlines("2027-09-20", "action_plan_update")[-1] == (None, 2, "2027-10-01", "cancelled")
    # The next quarter's report, drafted but not sent, is withdrawn (audited): nobody approves a stale report.
    assert progress_reports(story, "2027-09-20") == []
    entries = story.json("2027-09-20", "audit", "show", REF, "--limit", "500", "--json")
    withdrawn = [e["detail"]["id"] for e in entries if e["action"] == "outbox.cancelled"]
    assert second["id"] in withdrawn
    assert story.deadlines("2027-09-20", "action_complete") == [
        ("health", 1, "2027-06-30", "met"),
        ("police", 2, "2027-09-30", "met"),
    ]
    audit = story.run("2027-09-20", "audit", "show", REF, "--limit", "500")
    assert "review.concluded" in audit and "report.check_overridden" not in audit

    # --- the closure notified: drafted for approval to the DfE (003 §7.2), then sent --------------------------
    drafts = story.json("2027-09-20", "notify", "list", "--case", REF)
    [closure] = [d for d in drafts if d["template"] == "review_concluded"]
    assert (closure["to"], closure["requires_approval"]) == ("statutory:dfe", True)
    story.run("2027-09-21", "notify", "approve", closure["id"])
    assert closure["id"] in story.json("2027-09-21", "notify", "send")["sent"]
    [told] = eml(local, b"concluded")
    assert "20 September 2027" in told.get_payload() and REF in told["Subject"]

    # --- nothing of it in plaintext: the database file, the logs, what was printed ---------------------------
    database = b"".join(p.read_bytes() for p in (local / "var").rglob("*.db*"))
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for secret in SECRETS:
        assert secret.encode() not in database, secret
        assert secret not in logs, secret
        assert secret not in story.seen.replace("Zephyrine's nursery", ""), secret
        assert secret not in home, secret


def test_the_decision_not_to_publish_goes_to_the_national_bodies(
    local: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """004 §10.5: the chair's decision not to publish the full report is drafted for approval to the DfE and the
    National Panel, with the reasons and the improvements information; words naming the family are refused."""
    caplog.set_level(logging.DEBUG)
    story = Story(capsys)
    story.run("2026-12-14", "refer", "--file", "referral.json")
    story.run("2026-12-22", "decide", REF, "--outcome", "scr", "--on", "2026-12-22")
    reasons, improvements = "the trial of a parent is still to come", "a shared bruising protocol across agencies"
    named = story.run(
        "2027-03-01", "review", "publication", "withhold", REF, "--reasons", "Zephyrine would be identified",
        "--improvements", improvements, code=2,
    )  # fmt: skip
    assert "personal data" in named and "Zephyrine" not in named
    assert not [d for d in story.json("2027-03-01", "notify", "list", "--case", REF) if "withheld" in d["template"]]

    story.run(
        "2027-03-01", "review", "publication", "withhold", REF, "--reasons", reasons, "--improvements", improvements
    )
    [draft] = [d for d in story.json("2027-03-01", "notify", "list", "--case", REF) if "withheld" in d["template"]]
    assert (draft["template"], draft["to"]) == ("publication_withheld", "statutory:dfe,national_panel")
    story.run("2027-03-02", "notify", "approve", draft["id"])
    assert draft["id"] in story.json("2027-03-02", "notify", "send")["sent"]
    [told] = eml(local, b"not to be published")
    payload = told.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert reasons in body and improvements in body and "1 March 2027" in body
    assert "publication.withheld" in story.run("2027-03-02", "audit", "show", REF, "--limit", "200")

    database = b"".join(p.read_bytes() for p in (local / "var").rglob("*.db*"))
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (reasons, improvements, *SENSITIVE_STRINGS):
        assert secret.encode() not in database, secret
        assert secret not in logs, secret
