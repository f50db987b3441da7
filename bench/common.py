"""Shared benchmark plumbing: results as JSON under bench/results/, machine facts, timing, and the main loop of
the benchmarks that seed a database per size (every size on every backend, each on a scratch database)."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from storage.db import make_engine, upgrade

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def write_result(name: str, figures: dict[str, Any], output: Path | None = None) -> Path:
    path = output or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"benchmark": name, "machine": machine(), **figures}, indent=2) + "\n")
    return path


def postgres_url() -> str | None:
    """The PostgreSQL server the benchmarks make their scratch databases on, if any."""
    return os.environ.get("SCRBOT_BENCH_POSTGRES_URL") or os.environ.get("SCRBOT_TEST_POSTGRES_URL")


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory(prefix="scrbot-bench-") as tmp:
        engine = make_engine(f"sqlite+pysqlite:///{tmp}/bench.db")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(admin_url: str) -> Iterator[Engine]:
    name = f"scrbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_database(admin, name)
        admin.dispose()


def drop_database(admin: Engine, name: str) -> None:
    """Drop the scratch database once our own connections are gone. Not WITH (FORCE): that would also
    terminate an autovacuum worker busy on the freshly loaded tables, which only a superuser may do; a plain
    DROP stops autovacuum itself and waits for nothing else."""
    for attempt in range(30):
        try:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except OperationalError:  # "is being accessed by other users": a worker process still closing
            time.sleep(1 + attempt)
    raise SystemExit(f"could not drop the scratch database {name}: drop it by hand")


def each_size(
    backends: Sequence[str],
    sizes: Sequence[int],
    run: Callable[[str, int, Engine], dict[str, Any]],
    *,
    seeding: str = "cases",
    done: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """`run(backend, size, engine)` for every size on every backend, each on a fresh scratch database (a
    temporary SQLite file; a database made and dropped on the PostgreSQL server of `postgres_url`, skipped
    when none is set); the figures by backend, in size order. `done(backend, figures)` after each size (to
    print it, or write what is done so far should a later size be stopped)."""
    pg_url = postgres_url()
    results: dict[str, list[dict[str, Any]]] = {}
    for backend in backends:
        if backend == "postgresql" and not pg_url:
            print("postgresql: skipped (set SCRBOT_BENCH_POSTGRES_URL or SCRBOT_TEST_POSTGRES_URL)")
            continue
        results[backend] = []
        for size in sizes:
            print(f"{backend}: seeding {size:,} {seeding} ...", flush=True)
            context = sqlite_engine() if backend == "sqlite" else postgres_engine(str(pg_url))
            with context as engine:
                figures = run(backend, size, engine)
            results[backend].append(figures)
            if done is not None:
                done(backend, figures)
    return results
