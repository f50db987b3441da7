"""The board's figures over a national-scale year: `scrbot report` for 10,000 synthetic cases (issue 14).

10,000 made-up cases (tests/support/figure_year.py: referred over the year 2026-27 and the months before it,
with their deadlines, extensions and costs: about 120,000 deadline rows) are written straight into a SQLite
database. Then, in the same run, each measured `--rounds` times (median):

- floor:  merely reading the rows the report needs (the same five sets of rows, fetched with plain SQL and
          nothing done with them);
- read:   the figures read through the store (the five queries, the cases' histories built);
- report: the whole of `scrbot report --year 2026-27`'s work: the figures read and computed, every chart
          drawn by matplotlib, the HTML page and the CSV written.

Target: the report under 5 s. Prints the figures and the ratio of each to the floor, and writes
bench/results/report.json. The first import of the drawing libraries (once per process) is measured apart.

    .venv/bin/python bench/report.py [--cases 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bench.common import timed, write_result
from cases.packs import bundled_pack
from storage.db import make_engine, upgrade
from storage.keyring import KeyRing
from storage.store import Store, open_store
from tests.factories import make_board
from tests.support.figure_seed import seed_histories
from tests.support.figure_year import AFTER_THE_YEAR, YEAR, synthetic_histories

TARGET_SECONDS = 5.0


def read_rows(store: Store) -> int:
    """The floor: the rows the figures are made from, fetched and dropped."""
    p = {"board": store.board.id, "start": YEAR.start, "end": YEAR.end, "completion": store.pack.figures.completion}
    queries = (
        "SELECT id, reference, closed_at FROM cases WHERE board_id = :board",
        "SELECT case_id, event, occurred_on, outcome FROM case_events WHERE board_id = :board "
        "AND event IN ('referral_received', 'decision_made', 'report_published')",
        "SELECT case_id, rule_id, agency_id, due, act_by, state, met_on FROM deadlines WHERE board_id = :board "
        "AND state IN ('open', 'met') AND NOT minimum_period "
        "AND (due BETWEEN :start AND :end OR rule_id = :completion)",
        "SELECT case_id, extended_on, new_due, reason FROM review_extensions WHERE board_id = :board "
        "AND extended_on BETWEEN :start AND :end",
        "SELECT case_id, kind, incurred_on, amount_pence, hours FROM review_costs WHERE board_id = :board "
        "AND incurred_on BETWEEN :start AND :end",
    )
    rows = 0
    with store.engine.connect() as connection:
        for query in queries:
            rows += len(connection.execute(text(query), p).fetchall())
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", type=Path, help="where to write the JSON (default bench/results/report.json)")
    args = parser.parse_args()

    board = make_board()
    pack = bundled_pack(board.rules_pack)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        engine = make_engine(f"sqlite:///{work / 'scrbot.db'}")
        upgrade(engine)
        store = open_store(engine, board, KeyRing.load_or_create(work / "keys.json", board.id), pack)
        started = time.perf_counter()
        seeded = seed_histories(engine, board, synthetic_histories(args.cases))
        seeding = time.perf_counter() - started

        started = time.perf_counter()
        from reports.write import write_report  # matplotlib and Jinja: what `scrbot report` imports first

        first_import = time.perf_counter() - started
        made_at = datetime(2027, 5, 1, 9, tzinfo=UTC)
        today = AFTER_THE_YEAR
        row_counts: list[int] = []
        outcome: dict[str, Any] = {}

        def floor() -> None:
            row_counts.append(read_rows(store))

        def read() -> None:
            store.figures(YEAR, today=today)

        def report() -> None:
            figures = store.figures(YEAR, today=today)
            written = write_report(figures, board=board, pack=pack, output=work / "out", suppress=True, made_at=made_at)
            outcome.update(html_bytes=written.html.stat().st_size, csv_bytes=written.csv.stat().st_size)
            outcome.update(headline=written.headline)

        report()  # once before measuring: the first chart compiles matplotlib's font cache and paths
        times: dict[str, list[float]] = {"floor": [], "read": [], "report": []}
        for _ in range(args.rounds):
            for name, step in (("floor", floor), ("read", read), ("report", report)):
                times[name].append(timed(step))
        engine.dispose()

    medians = {name: statistics.median(values) for name, values in times.items()}
    floor_s = medians["floor"]
    met = medians["report"] < TARGET_SECONDS
    print(f"{args.cases:,} cases seeded in {seeding:.1f} s: {seeded}")
    print(f"median of {args.rounds} rounds (seconds), rows read per round: {row_counts[-1]:,}")
    for name, value in medians.items():
        print(f"  {name:<7} {value:7.3f}  {value / floor_s:6.1f}x the floor")
    print(f"  first import of matplotlib and Jinja (once per process): {first_import:.3f} s")
    print(f"target: the report under {TARGET_SECONDS:.0f} s: {'met' if met else 'not met'}")
    path = write_result(
        "report",
        {
            "cases": args.cases,
            "rounds": args.rounds,
            "seeded_rows": seeded,
            "rows_read": row_counts[-1],
            "median_seconds": {k: round(v, 4) for k, v in medians.items()},
            "ratio_to_floor": {k: round(v / floor_s, 1) for k, v in medians.items()},
            "first_import_seconds": round(first_import, 3),
            "html_bytes": outcome["html_bytes"],
            "csv_bytes": outcome["csv_bytes"],
            "headline": outcome["headline"],
            "period": {"label": YEAR.label, "start": str(YEAR.start), "end": str(YEAR.end)},
            "as_of": str(min(today, YEAR.end)),
            "target_seconds": TARGET_SECONDS,
            "target_met": met,
        },
        args.output,
    )
    print(f"written: {path}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
