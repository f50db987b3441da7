"""Benchmark: one reminder sweep over 10,000 and over 100,000 open cases (15 deadlines each, every rung of
every ladder a row), on SQLite and on PostgreSQL.

DESIGN.md §4: the sweep's cost follows the number of reminders due now, not the number of open cases. Three
sweeps per size, each timed on its own:

- peak:  09:05 on a working day, when all of that day's reminders are due (they are all due at 09:00).
         The deadlines' act_by dates are spread evenly over a year, so the day's reminders grow with the
         number of cases: linear growth is the expectation here. One idle sweep at 08:55 runs first (not
         timed), as in the service, which sweeps every minute: the peak is a busy minute of a running bot,
         not the first statements a fresh process ever compiles.
- fixed: 100 reminders due, whatever the number of cases (median of 5): should not grow.
- idle:  nothing due (median of 5): the sweep every other minute of the day. Should not grow.

Seeded straight into the tables (executemany on SQLite, COPY on PostgreSQL). PostgreSQL runs when
SCRBOT_BENCH_POSTGRES_URL (or SCRBOT_TEST_POSTGRES_URL) names a server; a scratch database is created and
dropped. Prints the figures and the ratio of each size to the 10,000-case baseline measured in the same run,
and writes bench/results/reminders.json.

    .venv/bin/python bench/reminders.py [--sizes 10000 100000] [--backends sqlite postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, text

from bench.common import each_size, write_result
from bot import wiring
from cases.calendar import BOARD_TIMEZONE, WorkingCalendar
from cases.packs import bundled_pack
from notify.ladder import due_at
from storage.keyring import KeyRing
from storage.reminders import PENDING, NewReminder, ReminderRows
from storage.store import Store, open_store
from tests.notify.conftest import notify_board
from tests.support.reminder_seed import seed

TODAY = date(2027, 3, 10)  # a Wednesday, no bank holiday near
DEADLINES_PER_CASE = 15
SPREAD = 250  # act_by dates spread over 250 working days (about a year), 60 of them in the past
REPEATS = 5


def offset(case: int, k: int) -> int:
    return (case * DEADLINES_PER_CASE + k) * 7919 % SPREAD - 60


def add_due(store: Store, count: int, moment: datetime) -> None:
    """`count` fresh reminders due at `moment`, on open deadlines (new keys: nothing is deduplicated away)."""
    rows = ReminderRows(store.board.id)
    with store.sessions.begin() as s:
        tag = uuid.uuid4().hex[:6]
        rows.add(
            s,
            [
                NewReminder(f"{d.id}:business_unit:bench_{tag}_{i}", f"bench_{i}", "business_unit", TODAY, moment, d)
                for i, d in enumerate(rows.open_deadlines(s, limit=count))
            ],
            now=moment,
        )


def run_size(engine: Engine, cases: int, keys: Path) -> dict[str, Any]:
    board = notify_board()
    calendar = WorkingCalendar.england(board.closure_days)
    started = time.perf_counter()
    seeded = seed(
        engine, board, cases=cases, deadlines_per_case=DEADLINES_PER_CASE, today=TODAY, offset=offset, calendar=calendar
    )
    seed_seconds = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    store = open_store(engine, board, KeyRing.load_or_create(keys, board.id), bundled_pack(board.rules_pack))
    service = wiring.notifications(store, wiring.outbox_for(store), reply_to="scr-bot@testshire.gov.uk")
    peak_at = datetime.combine(TODAY, clock_time(9, 5), tzinfo=BOARD_TIMEZONE).astimezone(UTC)

    assert not service.sweep_once(peak_at - timedelta(minutes=10)).sent  # warm-up: nothing is due before 09:00
    started = time.perf_counter()
    peak = service.sweep_once(peak_at)
    peak_seconds = time.perf_counter() - started

    idle = []
    for n in range(REPEATS):
        started = time.perf_counter()
        report = service.sweep_once(peak_at.replace(minute=6 + n))
        idle.append(time.perf_counter() - started)
        assert not report.sent

    fixed = []
    for n in range(REPEATS):
        moment = peak_at.replace(minute=20 + n)
        add_due(store, 100, due_at(TODAY, clock_time(9, 10)).astimezone(UTC))
        started = time.perf_counter()
        report = service.sweep_once(moment)
        fixed.append(time.perf_counter() - started)
        assert len(report.sent) == 100, len(report.sent)

    with store.sessions() as s:
        pending = ReminderRows(store.board.id).count(s, PENDING)
    return {
        "cases": cases,
        "deadlines": seeded.deadlines,
        "reminder_rows": seeded.reminders,
        "pending_rows": int(pending or 0),
        "seed_seconds": round(seed_seconds, 1),
        "peak": {"due": len(peak.sent), "messages": len(peak.messages), "seconds": round(peak_seconds, 4)},
        "fixed_100": {"due": 100, "seconds": round(statistics.median(fixed), 4)},
        "idle": {"due": 0, "seconds": round(statistics.median(idle), 5)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--output", type=Path, default=None, help="default bench/results/reminders.json")
    args = parser.parse_args()

    def print_size(backend: str, figures: dict[str, Any]) -> None:
        print(
            f"{backend:>10} {figures['cases']:>7,} cases ({figures['reminder_rows']:,} reminder rows, seeded in "
            f"{figures['seed_seconds']} s): peak sweep {figures['peak']['seconds']:.3f} s for "
            f"{figures['peak']['due']:,} due ({figures['peak']['messages']} messages queued); "
            f"100 due {figures['fixed_100']['seconds']:.3f} s; idle {figures['idle']['seconds'] * 1000:.2f} ms",
            flush=True,
        )

    with tempfile.TemporaryDirectory(prefix="scrbot-bench-keys-") as keys_dir:
        results = each_size(
            args.backends,
            args.sizes,
            lambda backend, size, engine: run_size(engine, size, Path(keys_dir) / f"{backend}-{size}.json"),
            seeding="open cases",
            done=print_size,
        )
    print()
    print("Ratio of each size to the first (baseline) size, same run:")
    for backend, rows in results.items():
        base = rows[0]
        for row in rows[1:]:
            ratios = {
                kind: round(row[kind]["seconds"] / base[kind]["seconds"], 2) if base[kind]["seconds"] else None
                for kind in ("peak", "fixed_100", "idle")
            }
            row["ratio_to_baseline"] = {"cases": round(row["cases"] / base["cases"], 1), **ratios}
            print(
                f"  {backend:>10}: {row['cases'] / base['cases']:.0f}x the cases -> peak {ratios['peak']}x "
                f"(due {row['peak']['due'] / max(base['peak']['due'], 1):.1f}x), 100 due {ratios['fixed_100']}x, "
                f"idle {ratios['idle']}x"
            )
    target = {
        backend: rows[0]["peak"]["seconds"] < 1.0 for backend, rows in results.items() if rows[0]["cases"] == 10_000
    }
    print(f"Target (peak sweep under 1 s at 10,000 cases): {target}")
    path = write_result(
        "reminders",
        {
            "deadlines_per_case": DEADLINES_PER_CASE,
            "today": TODAY.isoformat(),
            "results": results,
            "target_peak_under_1s_at_10000": target,
        },
        args.output,
    )
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
