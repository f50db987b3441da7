"""Crash run: the service killed with SIGKILL at random points through ingest, reminder sweep and send, at
least 50 times, then left to finish; 0 duplicates and 0 lost is the target (DESIGN.md §4, issue 10).

The scenario is tests/support/crash_scenario.py: a board's Exchange mailbox on the fake EWS server (in this
process, so it survives the kills and records every message that really left), the service in a separate
process built by the production wiring, 150 inbound messages (agencies' replies, emailed referrals, noise),
30 cases filed beforehand and ten simulated days of reminders. Each kill falls at a random step: a database
commit, a step of intake, or either side of handing a message to the mail server. Afterwards every message,
referral, confirmation, reminder and email is counted against what the work should have produced.

Floor: the same work run once without a kill, in the same run; the ratio is the crash run's wall time to it
(what the restarts, leases and sent-items lookups cost).

    .venv/bin/python bench/crash_run.py [--kills 60] [--backends sqlite postgresql]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import write_result
from tests.support.crash_scenario import Layout, Workload, prepare, run_until_done, verify
from tests.support.fake_ews import fake_ews

KILL_RANGE = (1, 70)  # steps into a run; a clean run of this work takes about 2,400 (so 60 kills fit)


@contextmanager
def database(backend: str, root: Path, admin_url: str | None) -> Iterator[str]:
    """ "" (SQLite in `root`) or a scratch PostgreSQL database, dropped afterwards."""
    if backend == "sqlite":
        yield ""
        return
    assert admin_url is not None
    name = f"scrbot_crash_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def one(backend: str, work: Workload, *, kills: int, seed: int, admin_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="scrbot-crash-") as tmp:
        figures: dict[str, Any] = {}
        for label, count in (("clean", 0), ("crash", kills)):
            root = Path(tmp) / label
            with fake_ews() as (endpoint, state), database(backend, root, admin_url) as url:
                layout = Layout(root, url)
                delivered = prepare(layout, endpoint, state, work)

                def progress(done: int, at: int) -> None:
                    if done % 10 == 0:
                        print(f"  {backend}: {done} kills so far (last at step {at})", flush=True)

                report = run_until_done(
                    layout, endpoint, state, work, kills=count, kill_range=KILL_RANGE, seed=seed, on_run=progress
                )
                verdict = verify(layout, endpoint, state, delivered, work)
            figures[label] = {
                "kills": report.kills,
                "runs": report.runs,
                "seconds": round(report.seconds, 2),
                "killed_during": dict(report.kill_points),
                **verdict.as_json(),
            }
        clean, crash = figures["clean"], figures["crash"]
        figures["ratio_seconds_crash_to_clean"] = round(crash["seconds"] / clean["seconds"], 2)
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=60, help="kills before the run is left to finish (>= 50)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--seed", type=int, default=20261210)
    parser.add_argument("--small", action="store_true", help="a tiny workload (to check the script works)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    admin_url = os.environ.get("SCRBOT_BENCH_POSTGRES_URL") or os.environ.get("SCRBOT_TEST_POSTGRES_URL")
    work = Workload(filed=1, emailed_referrals=1, noise=1, days=2) if args.small else Workload()
    results: dict[str, Any] = {"workload": work.__dict__, "kill_range": list(KILL_RANGE)}
    for backend in args.backends:
        if backend == "postgresql" and not admin_url:
            print("postgresql: skipped (set SCRBOT_BENCH_POSTGRES_URL or SCRBOT_TEST_POSTGRES_URL)")
            continue
        figures = one(backend, work, kills=args.kills, seed=args.seed, admin_url=admin_url)
        results[backend] = figures
        crash, clean = figures["crash"], figures["clean"]
        print(
            f"{backend}: {crash['kills']} kills ({', '.join(f'{k} {v}' for k, v in crash['killed_during'].items())}) "
            f"in {crash['runs']} runs: {crash['duplicates']} duplicates, {crash['lost']} lost; "
            f"{crash['emails_sent']}/{crash['emails_to_send']} emails sent once ({crash['found_already_sent']} found "
            f"already sent after a kill), {crash['inbound_rows']}/{crash['delivered']} messages acted on once, "
            f"{crash['reminders_sent']} reminders"
        )
        print(
            f"{backend}: {crash['seconds']} s with kills vs {clean['seconds']} s uninterrupted "
            f"(ratio {figures['ratio_seconds_crash_to_clean']}); uninterrupted: {clean['duplicates']} duplicates, "
            f"{clean['lost']} lost"
        )
    path = write_result("crash_run", results, args.output)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
