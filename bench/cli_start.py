"""How long `scrbot` takes to start, against Python's own floors, in the same run (issue 11 §6).

Median wall time of N runs (default 20) of each command, interleaved round by round so machine noise hits
them all: `python -c pass` (the interpreter alone), `python -c "import sqlalchemy"` (the floor the target
is set against), `scrbot --help`, `scrbot case list` (local mode, one filed case) and
`scrbot deadlines --event decision_made --outcome scr --on 2026-12-22 --json`. Target: each scrbot command
at most 2x the sqlalchemy floor.

    .venv/bin/python bench/cli_start.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result

ROOT = Path(__file__).resolve().parents[1]
SCRBOT = str(Path(sys.executable).with_name("scrbot"))
TARGET_RATIO = 2.0

COMMANDS: dict[str, list[str]] = {
    "python_pass": [sys.executable, "-c", "pass"],
    "python_import_sqlalchemy": [sys.executable, "-c", "import sqlalchemy"],
    "scrbot_help": [SCRBOT, "--help"],
    "scrbot_case_list": [SCRBOT, "case", "list"],
    "scrbot_deadlines_json": [
        SCRBOT,
        "deadlines",
        "--event",
        "decision_made",
        "--outcome",
        "scr",
        "--on",
        "2026-12-22",
        "--json",
    ],
}
FLOOR = "python_import_sqlalchemy"


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])} failed: {done.stderr.decode()[-300:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each command (default 20)")
    parser.add_argument("--output", type=Path, help="where to write the JSON (default bench/results/cli_start.json)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRBOT_")}
        env.update(SCRBOT_DATA_DIR=str(work / "var"), SCRBOT_BOARD_CONFIG=str(ROOT / "examples" / "board.toml"))
        # One filed case, so `case list` reads a real database (the first run also creates it and the keys).
        run_once([SCRBOT, "refer", "--file", str(ROOT / "examples" / "referral.json")], env, work)
        for argv in COMMANDS.values():  # warm the file cache, as a person's second call would find it
            run_once(argv, env, work)
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(args.runs):
            for name, argv in COMMANDS.items():
                times[name].append(run_once(argv, env, work))

    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians[FLOOR]
    ratios = {name: medians[name] / floor for name in COMMANDS if name.startswith("scrbot")}
    print(f"median of {args.runs} runs each (wall time, seconds):")
    for name, value in medians.items():
        ratio = f"  ratio to sqlalchemy floor {value / floor:.2f}x" if name in ratios else ""
        print(f"  {name:<26} {value:.3f}{ratio}")
    met = all(r <= TARGET_RATIO for r in ratios.values())
    print(f"target: every scrbot command <= {TARGET_RATIO}x the floor: {'met' if met else 'not met'}")
    path = write_result(
        "cli_start",
        {
            "runs": args.runs,
            "median_seconds": {k: round(v, 4) for k, v in medians.items()},
            "ratio_to_sqlalchemy_floor": {k: round(v, 2) for k, v in ratios.items()},
            "ratio_to_python_pass": {k: round(medians[k] / medians["python_pass"], 2) for k in ratios},
            "target_ratio": TARGET_RATIO,
            "target_met": met,
        },
        args.output,
    )
    print(f"written: {path}")
    print(json.dumps({"ratio_to_sqlalchemy_floor": {k: round(v, 2) for k, v in ratios.items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
