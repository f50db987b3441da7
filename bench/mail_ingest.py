"""Benchmark: ingest 5,000 mixed messages from a Maildir end to end (store encrypted, classify, match,
record, notify, move), and in the same run only parse the same messages with the standard library.

    .venv/bin/python bench/mail_ingest.py [--messages 5000] [--database-url URL]

Prints messages/s for both, the ratio, and peak memory; writes bench/results/mail_ingest.json.
The mix (per 5,000): 750 agency confirmations, 500 of them delivered a second time, 1,250 out-of-office
replies, 1,000 from unknown senders (quarantined, with a Slack notice), 750 unclear answers (needs a person,
with a notice), 750 with a forged From that failed DMARC (quarantined, with a notice).
"""

from __future__ import annotations

import argparse
import email
import json
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cases.board import SlackSettings
from cases.packs import bundled_pack
from mail.maildir import MaildirMailbox
from storage.db import make_engine, upgrade
from storage.keyring import KeyRing
from storage.store import open_store
from tests.factories import REFERRER, make_board, make_referral
from tests.support.intake import make_intake

NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
AGENCIES = {
    "police": "reviews@testshire.pnn.police.uk",
    "health": "safeguarding.testshire@nhs.net",
    "school": "dsl@testshire-schools.example.org",
}
QUOTED = "\n".join(f"> line {i} of the request: Records secured: yes / no" for i in range(30))


def message(reference: str, sender: str, body: str, message_id: str, **headers: str) -> bytes:
    m = EmailMessage()
    m["From"] = f"Agency <{sender}>"
    m["To"] = "scr@testshire.gov.uk"
    m["Subject"] = f"RE: [{reference}] Please check your involvement and secure your records"
    m["Date"] = "Thu, 03 Dec 2026 10:00:00 +0000"
    m["Message-ID"] = message_id
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(f"{body}\n\nOn Tue, 1 Dec 2026 at 09:00, SCR Bot <scr@testshire.gov.uk> wrote:\n{QUOTED}\n")
    return bytes(m)


def mix(references: list[str], total: int) -> list[bytes]:
    rng = random.Random(5000)
    scale = total / 5000
    n = {
        k: int(v * scale)
        for k, v in {"confirm": 750, "again": 500, "ooo": 1250, "stranger": 1000, "unclear": 750}.items()
    }
    n["forged"] = total - sum(n.values())
    pairs = [(r, a) for r in references for a in AGENCIES][: n["confirm"]]
    confirms = [
        message(r, AGENCIES[a], "Records secured: yes\nDate secured: 02/12/2026\nKnown to agency: no", f"<c{i}@x>")
        for i, (r, a) in enumerate(pairs)
    ]
    messages = confirms + rng.sample(confirms, n["again"])
    ref = lambda i: references[i % len(references)]  # noqa: E731
    messages += [
        message(
            ref(i),
            AGENCIES["police"],
            "I am out of the office until Monday.",
            f"<o{i}@x>",
            Auto_Submitted="auto-replied",
        )
        for i in range(n["ooo"])
    ]
    messages += [
        message(ref(i), f"someone{i}@example.org", "Records secured.", f"<s{i}@x>") for i in range(n["stranger"])
    ]
    messages += [message(ref(i), AGENCIES["health"], "Yes", f"<u{i}@x>") for i in range(n["unclear"])]
    messages += [
        message(
            ref(i),
            AGENCIES["police"],
            "Records secured: yes",
            f"<f{i}@x>",
            Authentication_Results="mx.testshire.gov.uk; dmarc=fail header.from=testshire.pnn.police.uk",
        )
        for i in range(n["forged"])
    ]
    rng.shuffle(messages)
    return messages


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scrbot-bench-"))
    board = make_board(slack=SlackSettings(business_unit_channel="C0BUSINESS"))
    url = args.database_url or f"sqlite+pysqlite:///{work / 'scrbot.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = open_store(
        engine, board, KeyRing.load_or_create(work / "keys.json", board.id), bundled_pack(board.rules_pack)
    )
    references = [
        store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW).reference
        for _ in range(max(1, args.messages * 750 // 5000 // len(AGENCIES) + 1))
    ]
    mailbox = MaildirMailbox(work / "mail" / "inbox", work / "mail" / "outbox")
    messages = mix(references, args.messages)
    for raw in messages:
        mailbox.deliver(raw)
    intake = make_intake(store, mailbox=mailbox)
    rss_before = peak_rss_mib()

    started = time.perf_counter()
    report = intake.poll_mailbox(NOW, limit=len(messages) + 1)
    ingest_seconds = time.perf_counter() - started
    rss_ingest = peak_rss_mib()
    assert report.seen == len(messages) and not report.stopped, report.stopped
    assert mailbox.list_new() == []

    started = time.perf_counter()
    for raw in messages:
        parsed = email.message_from_bytes(raw, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain", "html"))
        if body is not None:
            body.get_content()
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for raw in messages:
        email.message_from_bytes(raw, policy=policy.compat32)
    compat_seconds = time.perf_counter() - started

    ingest_rate = len(messages) / ingest_seconds
    parse_rate = len(messages) / parse_seconds
    result = {
        "benchmark": "mail_ingest",
        "messages": len(messages),
        "database": engine.url.get_backend_name(),
        "outcomes": report.counts(),
        "duplicates": sum(1 for o in report.outcomes if o.duplicate),
        "end_to_end_messages_per_second": round(ingest_rate, 1),
        "baseline": "stdlib email, policy.default + get_body() + get_content(), same messages",
        "baseline_messages_per_second": round(parse_rate, 1),
        "ratio_end_to_end_to_baseline": round(ingest_rate / parse_rate, 3),
        "stdlib_compat32_parse_messages_per_second": round(len(messages) / compat_seconds, 1),
        "peak_rss_mib_before_ingest": round(rss_before, 1),
        "peak_rss_mib_after_ingest": round(rss_ingest, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "target_end_to_end_messages_per_second": 200,
        "meets_target": ingest_rate >= 200,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} CPUs",
        "load_average_at_end": [round(x, 2) for x in __import__("os").getloadavg()],
    }
    print(f"end to end (store encrypted, classify, match, record, notify, move): {ingest_rate:8.1f} messages/s")
    print(f"stdlib parse only (policy.default + get_body):                       {parse_rate:8.1f} messages/s")
    print(f"ratio end to end / stdlib parse:                                     {ingest_rate / parse_rate:8.3f}")
    compat_rate = len(messages) / compat_seconds
    print(f"stdlib parse only (compat32), for reference:                        {compat_rate:8.1f} messages/s")
    before, after = result["peak_rss_mib_before_ingest"], result["peak_rss_mib_after_ingest"]
    print(f"peak RSS: {after} MiB after ingest ({before} MiB before)")
    print(f"outcomes: {result['outcomes']}, of which duplicates {result['duplicates']}")
    out = Path(__file__).parent / "results" / "mail_ingest.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
