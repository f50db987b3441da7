"""How long `scrbot` takes to start, against Python's own floors, in the same run (issue 11 §6).

Median wall time of N runs (default 20) of each command, interleaved round by round so machine noise hits
them all: `python -c pass` (the interpreter alone), `python -c "import sqlalchemy"` (the floor the target
is set against), `scrbot --help`, `scrbot case list` (local mode, one filed case) and
`scrbot deadlines --event decision_made --outcome scr --on 2026-12-22 --json`. Target: each scrbot command
at most 2x the sqlalchemy floor. Each command's median wall time and median CPU time (user + system, which a
busy shared machine disturbs less) are printed with their ratios to the floor measured in the same run.

The project's modules are compiled to bytecode first, as `pip install` does for a deployment (the floor's
libraries in site-packages already are): otherwise, with PYTHONDONTWRITEBYTECODE set, an editable checkout
recompiles every module of ours on every run. `--source DIR` times the scrbot of another checkout of the
repository (e.g. `git archive main | tar -x -C /tmp/main`), for a before/after in the same conditions.

    .venv/bin/python bench/cli_start.py [--runs 20] [--source DIR]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
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


PACKAGES = ("bot", "cases", "errors", "intake", "mail", "notify", "reports", "storage")


def compile_project(root: Path) -> None:
    """Bytecode for every module of ours, as an installed package has it."""
    for package in PACKAGES:
        if (root / package).is_dir():
            compileall.compile_dir(root / package, quiet=1)


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])} failed: {done.stderr.decode()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def commands_of(source: Path | None) -> dict[str, list[str]]:
    """COMMANDS, with `scrbot` taken from another checkout when `source` is given."""
    if source is None:
        return COMMANDS
    entry = [
        sys.executable,
        "-c",
        f"import sys; sys.path.insert(0, {str(source)!r}); from bot.cli import main; "
        "sys.argv[0] = 'scrbot'; raise SystemExit(main())",
    ]
    return {name: entry + argv[1:] if argv[0] == SCRBOT else argv for name, argv in COMMANDS.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each command (default 20)")
    parser.add_argument("--output", type=Path, help="where to write the JSON (default bench/results/cli_start.json)")
    parser.add_argument("--source", type=Path, help="time the scrbot of this checkout instead (a before/after)")
    args = parser.parse_args()
    source = args.source.resolve() if args.source else None
    commands = commands_of(source)
    compile_project(source or ROOT)

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRBOT_")}
        env.update(SCRBOT_DATA_DIR=str(work / "var"), SCRBOT_BOARD_CONFIG=str(ROOT / "examples" / "board.toml"))
        # One filed case, so `case list` reads a real database (the first run also creates it and the keys).
        refer = [*commands["scrbot_help"][:-1], "refer", "--file", str(ROOT / "examples" / "referral.json")]
        run_once(refer, env, work)
        for argv in commands.values():  # warm the file cache, as a person's second call would find it
            run_once(argv, env, work)
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                wall, used = run_once(argv, env, work)
                times[name].append(wall)
                cpu[name].append(used)

    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    floor, cpu_floor = medians[FLOOR], cpu_medians[FLOOR]
    ratios = {name: medians[name] / floor for name in commands if name.startswith("scrbot")}
    cpu_ratios = {name: cpu_medians[name] / cpu_floor for name in ratios}
    print(f"median of {args.runs} runs each (seconds){f'; scrbot from {source}' if source else ''}:")
    print(f"  {'':<26} {'wall':>6} {'cpu':>6}   ratio to the sqlalchemy floor (wall, cpu)")
    for name, value in medians.items():
        ratio = f"   {ratios[name]:.2f}x  {cpu_ratios[name]:.2f}x" if name in ratios else ""
        print(f"  {name:<26} {value:6.3f} {cpu_medians[name]:6.3f}{ratio}")
    met = all(r <= TARGET_RATIO for r in ratios.values())
    print(f"target: every scrbot command <= {TARGET_RATIO}x the floor (wall): {'met' if met else 'not met'}")
    path = write_result(
        "cli_start",
        {
            "runs": args.runs,
            "source": str(source) if source else "this checkout",
            "bytecode_compiled": True,
            "median_seconds": {k: round(v, 4) for k, v in medians.items()},
            "median_cpu_seconds": {k: round(v, 4) for k, v in cpu_medians.items()},
            "ratio_to_sqlalchemy_floor": {k: round(v, 2) for k, v in ratios.items()},
            "cpu_ratio_to_sqlalchemy_floor": {k: round(v, 2) for k, v in cpu_ratios.items()},
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
