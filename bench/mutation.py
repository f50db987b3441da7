"""Mutation testing of the pure core (`make mutate`): runs mutmut, then writes killed / survived / timeout /
total per module and the overall score to bench/results/mutation.json.

    .venv/bin/python bench/mutation.py            # run mutmut (minutes), then summarise
    .venv/bin/python bench/mutation.py --summary  # summarise the last run (mutants/*.meta) only

What is mutated and which tests run are configured in one place, `[tool.mutmut]` in pyproject.toml
(`only_mutate`, `pytest_add_cli_args_test_selection`): the tests are the fast, database-free ones, so no
PostgreSQL is needed. A mutant "killed" made a test fail; "survived" passed every test that reaches its
function (a gap, or an equivalent mutant: see bench/results/mutation-survivors.md); "no tests" was reached by
no selected test; "timeout" ran far longer than the tests do (an endless loop: counted as killed).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "mutation.json"
MUTANTS = ROOT / "mutants"

# mutmut's exit codes for a mutant's test run (mutmut/stats.py).
STATUS_BY_EXIT_CODE = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped"}
TIMEOUTS = {36, 24, -24, 152, 255}


def configured_patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def status_of(exit_code: int | None) -> str:
    if exit_code is None:
        return "not checked"
    if exit_code in TIMEOUTS:
        return "timeout"
    return STATUS_BY_EXIT_CODE.get(exit_code, "suspicious")


def summarise(elapsed: float | None) -> dict[str, object]:
    patterns = configured_patterns()
    modules: dict[str, Counter[str]] = {}
    survivors: dict[str, list[str]] = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        source = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        if not any(fnmatch.fnmatch(source, p) for p in patterns):
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        counts = modules.setdefault(source, Counter())
        for name, code in codes.items():
            status = status_of(code)
            counts[status] += 1
            if status in {"survived", "no tests"}:
                survivors.setdefault(source, []).append(name)
    per_module = {}
    total: Counter[str] = Counter()
    for source, counts in sorted(modules.items()):
        total.update(counts)
        per_module[source] = _figures(counts)
    return {
        "tool": "mutmut",
        "modules_scored": patterns,
        "per_module": per_module,
        "overall": _figures(total),
        "survivors": {k: sorted(v) for k, v in sorted(survivors.items())},
        "seconds": round(elapsed, 1) if elapsed is not None else None,
    }


def _figures(counts: Counter[str]) -> dict[str, object]:
    total = sum(counts.values())
    killed = counts["killed"] + counts["timeout"]
    return {
        "killed": counts["killed"],
        "timeout": counts["timeout"],
        "survived": counts["survived"],
        "no_tests": counts["no tests"],
        "other": total - killed - counts["survived"] - counts["no tests"],
        "total": total,
        "score": round(killed / total, 4) if total else None,
    }


def run_mutmut(children: int) -> float:
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "SCRBOT_TEST_POSTGRES_URL"}  # no database needed
    mutmut = Path(sys.executable).with_name("mutmut")
    subprocess.run([str(mutmut), "run", "--max-children", str(children)], cwd=ROOT, env=env, check=False)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--summary", action="store_true", help="only summarise the last run")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2, help="parallel test processes")
    args = parser.parse_args()
    elapsed = None if args.summary else run_mutmut(args.children)
    result = summarise(elapsed)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    width = max(len(m) for m in result["per_module"]) if result["per_module"] else 10  # type: ignore[arg-type]
    print(f"{'module':<{width}}  killed  timeout  survived  no tests  total  score")
    rows = {**result["per_module"], "overall": result["overall"]}  # type: ignore[dict-item]
    for module, f in rows.items():
        score = f"{f['score']:.1%}" if f["score"] is not None else "-"
        print(
            f"{module:<{width}}  {f['killed']:>6}  {f['timeout']:>7}  {f['survived']:>8}  {f['no_tests']:>8}"
            f"  {f['total']:>5}  {score:>6}"
        )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
