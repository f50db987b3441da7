"""Benchmark (issue 15 §2): a national deployment's 09:00 reminder sweep, by two worker processes at once.

150 boards x 50 referrals a year x 10 years retained = 75,000 cases (15 deadlines each, every rung of every
reminder ladder a row: over a million deadlines). A year's referrals are open (50 a board: 7,500), the
older ones closed as an archive keeps them (deadlines met, the rungs they sent kept, the rest cancelled).
Seeded straight into the tables (tests/support/reminder_seed.py: COPY on PostgreSQL, executemany on SQLite).

Two worker processes, each with every board's store and reminder sweep as the service wires them, are
released together at 09:05 on a working day and make one pass over every board (notify/board_sweeps.py: one
question for the boards with anything due, then those boards' sweeps; one worker in board order, the other
in reverse), as two bot processes would. Timed from the release until both have finished:

- peak:  every reminder due that morning (what the open cases' ladders hold for the day);
- idle:  a minute later, nothing due: what a pass over every board costs before any reminder is sent;
- fixed: 100 fresh reminders due (median of 3 rounds).

Sizes: the same open cases with 10,000, 75,000 and 150,000 cases kept, so the same number is due at each
size and the ratio of the times to the smallest size's shows whether the sweep grows with the rows kept.
Exactly once: each reminder due before the peak must be claimed by exactly one worker (the reports of both,
counted per reminder) and be `sent` with the outbox message it went in.

PostgreSQL runs on a scratch database of SCRBOT_BENCH_POSTGRES_URL (or SCRBOT_TEST_POSTGRES_URL); each
worker's session sets `work_mem` (`--work-mem`); `shared_buffers` is the server's and is reported. Prints the
figures and the ratios, writes bench/results/national.json.

    .venv/bin/python bench/national.py [--boards 150] [--per-year 50] [--sizes 10000 75000 150000]
        [--backends postgresql sqlite] [--work-mem 64MB]
    .venv/bin/python bench/national.py --boards 10 --sizes 1000 5000   # a quick run
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, text

from bench.common import each_size, write_result
from bench.reminders import DEADLINES_PER_CASE, TODAY, add_due, offset
from bot import wiring
from cases.calendar import BOARD_TIMEZONE, WorkingCalendar
from cases.packs import bundled_pack
from notify.board_sweeps import sweep_boards
from notify.ladder import due_at
from notify.service import NotifyService
from storage.db import make_engine
from storage.keyring import KeyRing
from storage.store import open_store
from tests.notify.conftest import notify_board
from tests.support.reminder_seed import due_reminder_ids, reminders_sent_in_a_message, seed

PEAK_AT = datetime.combine(TODAY, clock_time(9, 5), tzinfo=BOARD_TIMEZONE).astimezone(UTC)
FIXED_ROUNDS = 3
FIXED_DUE = 100
WORKERS = 2
TARGET_PEAK_SECONDS = 1.0
TARGET_RATIO = 1.2


def board_ids(boards: int) -> list[str]:
    return [f"board-{b:03d}" for b in range(boards)]


def services_for(engine: Engine, boards: list[str], keys: Path) -> list[NotifyService]:
    ring = KeyRing.load(keys)
    services = []
    for board_id in boards:
        board = notify_board(id=board_id)
        store = open_store(engine, board, ring, bundled_pack(board.rules_pack))
        services.append(wiring.notifications(store, wiring.outbox_for(store), reply_to="scr-bot@testshire.gov.uk"))
    return services


def engine_for(url: str, work_mem: str) -> Engine:
    if url.startswith("postgresql"):
        return make_engine(url, connect_args={"options": f"-c work_mem={work_mem}"})
    return make_engine(url)


def worker(
    url: str, keys: str, boards: list[str], moments: list[datetime], work_mem: str, reverse: bool, barrier: Barrier,
    results: Any,
) -> None:  # fmt: skip
    """One bot process: every board's sweep, run at each moment once released (with the other worker)."""
    engine = engine_for(url, work_mem)
    services = services_for(engine, boards, Path(keys))
    order = list(reversed(services)) if reverse else services
    sweeps = [service.sweep for service in order]
    sweep_boards(sweeps, PEAK_AT - timedelta(minutes=10))  # as the running service has: a pass before, nothing due
    for moment in moments:
        barrier.wait()
        started = time.perf_counter()
        sent: list[str] = []
        messages = 0
        for report in sweep_boards(sweeps, moment).values():  # one pass over every board, as `scrbot run` has
            sent += report.sent
            messages += len(report.messages)
        results.put({"seconds": time.perf_counter() - started, "sent": sent, "messages": messages})
    engine.dispose()


def due_ids(engine: Engine, moment: datetime) -> set[str]:
    return due_reminder_ids(engine, moment)


def exactly_once(engine: Engine, due: set[str], claims: list[list[str]]) -> dict[str, Any]:
    """Per reminder due: how many workers claimed it, and whether its row is sent in an outbox message."""
    counted = Counter(rid for claimed in claims for rid in claimed)
    sent_in_message = reminders_sent_in_a_message(engine)
    return {
        "due": len(due),
        "claimed": sum(counted.values()),
        "duplicates": sum(n - 1 for n in counted.values() if n > 1),
        "missing": len(due - set(counted)),
        "not_sent_in_a_message": len(due - sent_in_message),
        "claimed_by_worker": [len(c) for c in claims],
    }


def run_size(url: str, engine: Engine, cases: int, args: argparse.Namespace, keys: Path) -> dict[str, Any]:
    boards = board_ids(args.boards)
    per_board = cases // args.boards
    calendar = WorkingCalendar.england(notify_board().closure_days)
    for board_id in boards:
        KeyRing.load_or_create(keys, board_id)
    # Each board's audit anchor before its cases, as filing the first case makes it: seeded straight into the
    # tables after the anchor, the board's first audit entry would otherwise restore a "missing" anchor in the
    # peak (a restore a board, which no running deployment does).
    setup = services_for(engine, boards, keys)
    started = time.perf_counter()
    deadlines = reminders = 0
    for b, board_id in enumerate(boards):
        seeded = seed(
            engine, notify_board(id=board_id), cases=per_board, deadlines_per_case=DEADLINES_PER_CASE, today=TODAY,
            offset=offset, calendar=calendar, first=b * per_board, open_cases=min(args.per_year, per_board),
        )  # fmt: skip
        deadlines += seeded.deadlines
        reminders += seeded.reminders
    seed_seconds = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    fixed_at = due_at(TODAY, clock_time(9, 10)).astimezone(UTC)
    moments = [PEAK_AT, PEAK_AT.replace(minute=6)] + [PEAK_AT.replace(minute=20 + n) for n in range(FIXED_ROUNDS)]

    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(WORKERS + 1)
    results = spawn.Queue()
    processes = [
        spawn.Process(target=worker, args=(url, str(keys), boards, moments, args.work_mem, n == 1, barrier, results))
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    rounds = []
    for n, moment in enumerate(moments):
        if n > 1:  # 100 fresh reminders due, on the first boards' open deadlines
            added = 0
            for service in setup:
                if added >= FIXED_DUE:
                    break
                add_due(service.store, min(FIXED_DUE - added, args.per_year), fixed_at)
                added = len(due_ids(engine, moment))
        due = due_ids(engine, moment)
        barrier.wait()
        reports = [results.get(timeout=3600) for _ in range(WORKERS)]
        rounds.append(
            {
                "seconds": max(r["seconds"] for r in reports),
                "messages": sum(r["messages"] for r in reports),
                **exactly_once(engine, due, [r["sent"] for r in reports]),
            }
        )
    for process in processes:
        process.join(timeout=60)
    settings: dict[str, str] = {}
    if engine.dialect.name == "postgresql":
        server = engine_for(url, args.work_mem)
        with server.connect() as c:
            settings = {name: str(c.scalar(text(f"SHOW {name}"))) for name in ("shared_buffers", "work_mem")}
            sizes = {
                "database": "pg_database_size(current_database())",
                "reminders_table": "pg_total_relation_size('reminders')",
                "pending_index": "pg_relation_size('ix_reminders_pending_due')",
                "deadlines_table": "pg_total_relation_size('deadlines')",
            }
            settings.update(
                {f"{k}_mb": f"{int(c.scalar(text(f'SELECT {v}')) or 0) / 2**20:.1f}" for k, v in sizes.items()}
            )
        server.dispose()  # its connection would keep the scratch database from being dropped
    peak, idle, fixed = rounds[0], rounds[1], rounds[2:]
    return {
        "cases": per_board * args.boards,
        "open_cases": min(args.per_year, per_board) * args.boards,
        "boards": args.boards,
        "deadlines": deadlines,
        "reminder_rows": reminders,
        "seed_seconds": round(seed_seconds, 1),
        "server_settings": settings,
        "peak": {**peak, "seconds": round(peak["seconds"], 4)},
        "idle": {"seconds": round(idle["seconds"], 4), "claimed": idle["claimed"]},
        "fixed_100": {
            "seconds": round(statistics.median(r["seconds"] for r in fixed), 4),
            "rounds": [{**r, "seconds": round(r["seconds"], 4)} for r in fixed],
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--boards", type=int, default=150, help="boards in the deployment (default 150)")
    parser.add_argument("--per-year", type=int, default=50, help="referrals a board a year: its open cases (50)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 75_000, 150_000], help="cases kept")
    parser.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    parser.add_argument("--work-mem", default="64MB", help="PostgreSQL work_mem for each worker's session")
    parser.add_argument("--output", type=Path, default=None, help="default bench/results/national.json")
    args = parser.parse_args()
    so_far: dict[str, list[dict[str, Any]]] = {}

    def done(backend: str, figures: dict[str, Any]) -> None:
        peak, fixed = figures["peak"], figures["fixed_100"]
        print(
            f"{backend:>10} {figures['cases']:>7,} cases ({figures['open_cases']:,} open, "
            f"{figures['deadlines']:,} deadlines, {figures['reminder_rows']:,} reminder rows, seeded in "
            f"{figures['seed_seconds']} s): peak {peak['seconds']:.3f} s for {peak['due']:,} due "
            f"(duplicates {peak['duplicates']}, missing {peak['missing']}, claimed "
            f"{peak['claimed_by_worker']}); idle {figures['idle']['seconds']:.3f} s; "
            f"100 due {fixed['seconds']:.3f} s "
            f"{figures['server_settings'] or ''}",
            flush=True,
        )
        so_far.setdefault(backend, []).append(figures)
        write(args, so_far, {})  # what is done so far, should a later size be stopped

    with tempfile.TemporaryDirectory(prefix="scrbot-national-") as work:

        def run(backend: str, size: int, engine: Engine) -> dict[str, Any]:
            url = engine.url.render_as_string(hide_password=False)
            return run_size(url, engine, size, args, Path(work) / f"{backend}-{size}.json")

        results = each_size(args.backends, args.sizes, run, seeding=f"cases over {args.boards} boards", done=done)
    print()
    summary: dict[str, Any] = {}
    for backend, rows in results.items():
        base = rows[0]
        for row in rows:
            row["ratio_to_smallest"] = {
                "cases": round(row["cases"] / base["cases"], 1),
                "peak": round(row["peak"]["seconds"] / base["peak"]["seconds"], 2),
                "fixed_100": round(row["fixed_100"]["seconds"] / base["fixed_100"]["seconds"], 2),
            }
            print(f"  {backend:>10} {row['cases']:>7,} cases: ratio to {base['cases']:,} {row['ratio_to_smallest']}")
        once = all(r[k]["duplicates"] == 0 and r[k]["missing"] == 0 for r in rows for k in ("peak",)) and all(
            f["duplicates"] == 0 and f["missing"] == 0 for r in rows for f in r["fixed_100"]["rounds"]
        )
        national = next((r for r in rows if r["cases"] == 75_000), rows[-1])
        summary[backend] = {
            "peak_seconds_at_national_size": national["peak"]["seconds"],
            "peak_under_1s": national["peak"]["seconds"] < TARGET_PEAK_SECONDS,
            "within_1_2x": all(
                r["ratio_to_smallest"]["peak"] <= TARGET_RATIO and r["ratio_to_smallest"]["fixed_100"] <= TARGET_RATIO
                for r in rows
            ),
            "exactly_once": once,
        }
    print(f"targets: {summary}")
    print(f"written: {write(args, results, summary)}")
    return 0


def write(args: argparse.Namespace, results: dict[str, list[dict[str, Any]]], targets: dict[str, Any]) -> Path:
    return write_result(
        "national",
        {
            "boards": args.boards,
            "per_year": args.per_year,
            "deadlines_per_case": DEADLINES_PER_CASE,
            "workers": WORKERS,
            "today": TODAY.isoformat(),
            "work_mem": args.work_mem,
            "results": results,
            "targets": targets,
        },
        args.output,
    )


if __name__ == "__main__":
    raise SystemExit(main())
