"""The whole service killed at random points: ingest, reminder sweep and send, with SIGKILL.

A board's mailbox on the fake EWS server (tests/support/fake_ews.py), which lives in the calling process and
so survives every kill and records every message that really left. The service runs in a separate process
(`tests/support/service_crash_worker.py`) built by the production wiring (`bot.context.AppContext`), against
a SQLite file (or a PostgreSQL database), and kills itself at its Nth step: a database commit (just before
it happens), a step of mail intake, or either side of handing a message to the mail server. Each restart
continues the simulated time from where the last one stopped, plus three minutes (a crashed send's lease has
run out by then).

Work: cases already filed (their agency requests and statutory notifications waiting to go), agencies' replies
to them, complete referrals by email (each filed, and its requests queued, during the run), noise (automatic
replies, strangers), and ten simulated days of reminders and chasers. Then `verify` counts: every inbound
message processed once and moved once, every referral filed once, every email that should go gone exactly
once (the server's own record, by Message-ID), none that should not.

Used by `bench/crash_run.py` (at least 50 kills) and `tests/test_crash_run.py` (a few).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.context import AppContext
from bot.settings import Settings
from storage.tables import AuditRow, CaseRow, InboundMessageRow, OutboxRow, ReminderRow
from tests.factories import make_referral
from tests.support.fake_ews import FakeEwsState, internet_message_id
from tests.support.intake import AUTHSERV_ID, authentication_results

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STEP = timedelta(hours=4)  # simulated time between rounds of the service
RESTART_GAP = timedelta(minutes=3)  # longer than the dispatcher's lease
MAIL_FROM = "scr-bot@testshire.gov.uk"
MAILBOX = "scr@testshire.gov.uk"
# Not counted: Slack posts (the worker sends email only) and drafts waiting for a person.
NOT_TO_SEND = {"draft", "rejected", "cancelled"}

BOARD_TOML = """
[board]
id = "testshire"
name = "Testshire Safeguarding Children Partnership"
rules_pack = "hackney-2017"

[notifications]
contact_email = "scr.unit@testshire.gov.uk"

[statutory_recipients.reviewer]
name = "Testshire lead reviewer"
email = "testshire.lead.reviewer@cjsm.net"

[statutory_recipients.review_panel]
name = "Testshire review panel"
email = "testshire.review.panel@nhs.net"

[[agencies]]
id = "police"
name = "Testshire Police"
kind = "police"
addresses = ["reviews@testshire.pnn.police.uk"]

[[agencies]]
id = "health"
name = "Testshire Community Health"
kind = "health"
addresses = ["safeguarding.testshire@nhs.net"]

[[agencies]]
id = "school"
name = "Testshire Schools"
kind = "education"
addresses = ["dsl@testshire-schools.example.org"]

[[members]]
name = "Business Unit Tester"
email = "bu.tester@testshire.gov.uk"
roles = ["business_unit"]
board_manager = true
"""

REFERRAL_BODY = """Please treat this email as a referral.

Case for Consideration

1. CASE OUTLINE: Synthetic outline: toddler admitted with unexplained fractures; family known to health visiting

Child's Last Name/s:\tCrashtest-{n}\tChild's Date of Birth:\t09/03/2024
Child's Forename/s:\tZephyrine Quillon
Gender: Female
Child's Home Address: 17 Imaginary Crescent, Nowhereton, ZZ1 9QQ

3. REASONS FOR REQUESTING A REVIEW/REFERRAL: Tick all appropriate options:
[x] Fits Serious Case Review criteria: 004 §4.4(ii)

Referrer's role: Named Doctor
Referrer's agency: Northshire Hospitals NHS Trust
Referral date: 30/11/2026
Incident date: 27/11/2026
Date the local authority became aware: 28/11/2026
"""


@dataclass(frozen=True)
class Workload:
    filed: int = 30  # cases filed before the run
    replies_per_case: int = 3  # each agency answers (the school from an address it has not registered)
    emailed_referrals: int = 20
    noise: int = 40
    days: int = 10


@dataclass
class Layout:
    root: Path
    database_url: str = ""

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite+pysqlite:///{self.root / 'scrbot.db'}"

    @property
    def progress(self) -> Path:
        return self.root / "progress.json"

    def settings(self, endpoint: str, state: FakeEwsState) -> Settings:
        return Settings(
            data_dir=self.root / "var",
            database_url=self.url,
            key_file=self.root / "keys.json",
            board_config=self.root / "board.toml",
            mail_from=MAIL_FROM,
            mail_backend="ews",
            ews_endpoint=endpoint,
            ews_username=state.username,
            ews_password=SecretStr(state.password),
            ews_mailbox=MAILBOX,
            ews_auth_type="basic",
            ews_max_wait_seconds=5,
            mail_authserv_id=AUTHSERV_ID,
            log_level="WARNING",
        )


def _reply(reference: str, sender: str, n: int) -> bytes:
    message = EmailMessage()
    message["Authentication-Results"] = authentication_results(sender)  # as the board's mail server stamps it
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = f"RE: [{reference}] Please check your involvement and secure your records"
    message["Date"] = format_datetime(START)
    message["Message-ID"] = f"<reply-{n}@agency.example>"
    message.set_content("Records secured: yes\nKnown to agency: no")
    return bytes(message)


def _emailed_referral(n: int) -> bytes:
    message = EmailMessage()
    message["Authentication-Results"] = authentication_results("ottoline.testwhistle@nhs.net")
    message["From"] = '"Dr Ottoline Testwhistle" <ottoline.testwhistle@nhs.net>'
    message["To"] = MAILBOX
    message["Subject"] = "Case for Consideration - new referral"
    message["Date"] = format_datetime(START)
    message["Message-ID"] = f"<referral-{n}@nhs.example>"
    message.set_content(REFERRAL_BODY.format(n=n))
    return bytes(message)


def _noise(n: int, reference: str) -> bytes:
    message = EmailMessage()
    message["From"] = "someone@example.org" if n % 2 else "reviews@testshire.pnn.police.uk"
    message["To"] = MAILBOX
    message["Subject"] = f"Automatic reply: [{reference}]" if n % 2 == 0 else "Hello"
    message["Message-ID"] = f"<noise-{n}@example.org>"
    if n % 2 == 0:
        message["Auto-Submitted"] = "auto-replied"
    message.set_content("I am out of the office." if n % 2 == 0 else "Just saying hello.")
    return bytes(message)


def prepare(layout: Layout, endpoint: str, state: FakeEwsState, work: Workload) -> int:
    """The database with the cases already filed (notifications approved), and the inbox; returns how many
    messages were delivered."""
    layout.root.mkdir(parents=True, exist_ok=True)
    (layout.root / "board.toml").write_text(BOARD_TOML)
    context = AppContext(settings=layout.settings(endpoint, state), clock=FixedClock(START))
    store = context.store
    addresses = [
        "reviews@testshire.pnn.police.uk",
        "safeguarding.testshire@nhs.net",
        "head@testshire-schools.example.org",
    ]
    references = []
    for n in range(work.filed):
        referral = make_referral(None, **{"child.last_name": f"Filed-{n}"})
        references.append(store.cases.file_referral(referral, actor=context_actor(), now=START).reference)
    for summary in context.outbox.list():
        if summary.status.value == "draft":
            context.outbox.approve(summary.id, actor=context_actor(), now=START)
    context.close()
    messages = [
        _reply(reference, addresses[k], n * work.replies_per_case + k)
        for n, reference in enumerate(references)
        for k in range(work.replies_per_case)
    ]
    messages += [_emailed_referral(n) for n in range(work.emailed_referrals)]
    messages += [_noise(n, references[n % len(references)]) for n in range(work.noise)]
    random.Random(20261201).shuffle(messages)
    for raw in messages:
        state.deliver(raw)
    layout.progress.write_text(json.dumps({"now": START.isoformat(), "round": 0}))
    return len(messages)


def context_actor() -> Any:
    from bot.context import cli_actor

    return cli_actor()


@dataclass
class RunReport:
    kills: int = 0
    runs: int = 0
    seconds: float = 0.0
    kill_points: Counter[str] = field(default_factory=Counter)


def run_until_done(
    layout: Layout,
    endpoint: str,
    state: FakeEwsState,
    work: Workload,
    *,
    kills: int,
    kill_range: tuple[int, int],
    seed: int,
    on_run: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Start the worker again and again, killing it at a random step each time, `kills` times; then let it
    finish. Fails if a run ends any other way than done or killed."""
    rng = random.Random(seed)
    report = RunReport()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    while True:
        kill_at = rng.randint(*kill_range) if report.kills < kills else 0
        config = {
            "url": layout.url,
            "root": str(layout.root),
            "endpoint": endpoint,
            "username": state.username,
            "password": state.password,
            "kill_at": kill_at,
            "end": (START + timedelta(days=work.days)).isoformat(),
        }
        done = subprocess.run(
            [sys.executable, "-m", "tests.support.service_crash_worker", json.dumps(config)],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=900,
            check=False,
        )
        report.runs += 1
        if done.returncode == 0:
            break
        if done.returncode != -signal.SIGKILL:
            raise AssertionError(f"the worker failed ({done.returncode}): {done.stderr.decode()[-3000:]}")
        report.kills += 1
        progress = json.loads(layout.progress.read_text())
        report.kill_points[str(progress.get("phase", "?"))] += 1
        if on_run is not None:
            on_run(report.kills, kill_at)
        if report.runs > kills * 4 + 20:
            raise AssertionError("the worker keeps being killed without finishing")
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class Verdict:
    """What the run left behind, counted against what the workload should have done."""

    delivered: int
    inbound_rows: int
    inbound_unfinished: int
    moved: int
    left_in_inbox: int
    referrals_filed: int
    referrals_expected: int
    confirmations: int
    confirmations_expected: int
    emails_to_send: int
    emails_sent: int
    email_duplicates: int
    emails_lost: int
    phantom: int
    reminders_sent: int
    reminders_due_not_sent: int
    found_already_sent: int
    statuses: dict[str, int]
    most_attempts: int = 0  # of any inbound message (above MAX_ATTEMPTS: read in a child process first)

    @property
    def duplicates(self) -> int:
        """Anything done twice: an email sent twice, a message acted on twice, a referral filed twice."""
        inbound = max(self.inbound_rows - self.delivered, 0)
        return (
            self.email_duplicates
            + inbound
            + max(self.referrals_filed - self.referrals_expected, 0)
            + max(self.confirmations - self.confirmations_expected, 0)
            + self.phantom
        )

    @property
    def lost(self) -> int:
        """Anything not done: an email not sent, a message not acted on or not moved, a reminder not sent."""
        return (
            self.emails_lost
            + self.inbound_unfinished
            + max(self.delivered - self.inbound_rows, 0)
            + self.left_in_inbox
            + max(self.delivered - self.moved, 0)
            + max(self.referrals_expected - self.referrals_filed, 0)
            + max(self.confirmations_expected - self.confirmations, 0)
            + self.reminders_due_not_sent
        )

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "duplicates": self.duplicates, "lost": self.lost}


def verify(layout: Layout, endpoint: str, state: FakeEwsState, delivered: int, work: Workload) -> Verdict:
    finished = datetime.fromisoformat(json.loads(layout.progress.read_text())["now"])
    context = AppContext(settings=layout.settings(endpoint, state), clock=FixedClock(START))
    store = context.store
    with store.sessions() as s:
        inbound = Counter(s.scalars(select(InboundMessageRow.status)))
        most_attempts = s.scalar(select(func.max(InboundMessageRow.attempts)))
        filed_by_mail = s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.filed_by == "mail:referral"))
        confirmations = s.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.action == "agency.confirmation")
        )
        emails = list(s.execute(select(OutboxRow.id, OutboxRow.status).where(OutboxRow.channel == "email")))
        found = s.scalar(
            select(func.count())
            .select_from(AuditRow)
            .where(AuditRow.action == "outbox.sent", AuditRow.detail.contains("found_already_sent"))
        )
        statuses = Counter(status for _, status in emails)
        reminders = Counter(
            state for state, due_at in s.execute(select(ReminderRow.state, ReminderRow.due_at)) if due_at <= finished
        )
        orphans = s.scalar(
            select(func.count())
            .select_from(ReminderRow)
            .where(ReminderRow.state == "sent", ReminderRow.outbox_id.not_in(select(OutboxRow.id)))
        )
    context.close()
    from notify.senders import message_id_for

    sent_ids = Counter(internet_message_id(raw) for raw in state.sent)
    expected = {message_id_for(row_id, MAIL_FROM): status for row_id, status in emails if status not in NOT_TO_SEND}
    lost = sum(1 for mid, status in expected.items() if status != "sent" or sent_ids[mid] == 0)
    folders = Counter(item.folder for item in state.items.values())
    return Verdict(
        delivered=delivered,
        inbound_rows=sum(inbound.values()),
        inbound_unfinished=inbound.get("received", 0),
        moved=sum(n for folder, n in folders.items() if folder not in {"inbox", "sentitems"}),
        left_in_inbox=folders.get("inbox", 0),
        referrals_filed=int(filed_by_mail or 0),
        referrals_expected=work.emailed_referrals,
        confirmations=int(confirmations or 0),
        confirmations_expected=work.filed * min(work.replies_per_case, 2),  # the school's address is unregistered
        emails_to_send=len(expected),
        emails_sent=sum(1 for mid in expected if sent_ids[mid]),
        email_duplicates=sum(n - 1 for n in sent_ids.values() if n > 1),
        emails_lost=lost,
        phantom=sum(1 for mid in sent_ids if mid not in expected),
        reminders_sent=reminders.get("sent", 0),
        reminders_due_not_sent=reminders.get("pending", 0) + int(orphans or 0),
        found_already_sent=int(found or 0),
        statuses=dict(statuses),
        most_attempts=int(most_attempts or 0),
    )
