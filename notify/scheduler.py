"""Periodic jobs and the APScheduler 3 ticker that runs them inside `scrbot run`.

Features register what they need ticking (the reminder sweep, the outbox dispatcher, the calendar file;
mailbox polling; draft expiry) as (name, interval, callable(now)) in a `JobRegistry`. APScheduler only
ticks: every job keeps its state in database rows and claims work atomically, so a tick missed while the
bot was down, or run by two processes at once, loses or doubles nothing (DESIGN.md §4). APScheduler's job
store is in memory and never shared between processes.

`misfire_grace_time` is set explicitly for every job (APScheduler's default of 1 second silently skips a
tick that starts late, for instance while the previous one is still running), with `coalesce` so a backlog
of missed ticks runs once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger("scrbot.scheduler")

JobFunction = Callable[[datetime], object]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval: timedelta
    run: JobFunction
    # How late a tick may start and still run; by default one whole interval.
    misfire_grace: timedelta | None = None

    @property
    def misfire_grace_seconds(self) -> int:
        grace = self.misfire_grace or self.interval
        return max(1, int(grace.total_seconds()))


class JobRegistry:
    """What the service ticks. Names are unique; a second registration under a name is an error."""

    def __init__(self) -> None:
        self._jobs: dict[str, PeriodicJob] = {}

    def add(
        self, name: str, interval: timedelta, run: JobFunction, *, misfire_grace: timedelta | None = None
    ) -> PeriodicJob:
        if name in self._jobs:
            raise ValueError(f"a periodic job named {name!r} is registered already")
        if interval <= timedelta(0):
            raise ValueError(f"job {name}: the interval must be positive")
        job = PeriodicJob(name, interval, run, misfire_grace)
        self._jobs[name] = job
        return job

    def jobs(self) -> list[PeriodicJob]:
        return list(self._jobs.values())

    def get(self, name: str) -> PeriodicJob:
        return self._jobs[name]

    def set_interval(self, name: str, interval: timedelta) -> None:
        """Change how often a registered job runs (e.g. `scrbot run --outbox-every`)."""
        if interval <= timedelta(0):
            raise ValueError(f"job {name}: the interval must be positive")
        self._jobs[name] = replace(self._jobs[name], interval=interval)

    def run_once(self, name: str, now: datetime) -> bool:
        """Run one job now; False if it failed (the failure is logged by type, never by content)."""
        return run_safely(self._jobs[name], now)

    def run_all(self, now: datetime) -> dict[str, bool]:
        return {job.name: run_safely(job, now) for job in self.jobs()}


def run_safely(job: PeriodicJob, now: datetime) -> bool:
    try:
        job.run(now)
    except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others or the scheduler
        # The exception's text may hold data; its type is enough to find it with SCRBOT_DEBUG.
        log.error("periodic job %s failed: %s", job.name, type(exc).__name__)
        return False
    return True


class Ticker:
    """Runs a registry's jobs on APScheduler's background thread pool, reading the time from `clock`."""

    def __init__(self, registry: JobRegistry, clock: Callable[[], datetime], *, max_workers: int = 4) -> None:
        self.registry = registry
        self.clock = clock
        self.scheduler: Any = BackgroundScheduler(
            executors={"default": {"type": "threadpool", "max_workers": max_workers}},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone="UTC",
        )
        self.ticks: dict[str, int] = {}
        self._lock = threading.Lock()
        self.ticked = threading.Condition(self._lock)

    def _tick(self, job: PeriodicJob) -> None:
        run_safely(job, self.clock())
        with self._lock:
            self.ticks[job.name] = self.ticks.get(job.name, 0) + 1
            self.ticked.notify_all()

    def start(self, *, run_now: bool = True) -> None:
        """Start ticking; with `run_now` every job also runs once straight away (catching up after downtime)."""
        for job in self.registry.jobs():
            self.scheduler.add_job(
                self._tick,
                trigger=IntervalTrigger(seconds=job.interval.total_seconds(), timezone="UTC"),
                args=[job],
                id=job.name,
                name=job.name,
                misfire_grace_time=job.misfire_grace_seconds,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
            if run_now:
                # No trigger: APScheduler runs it once, as soon as the scheduler starts.
                self.scheduler.add_job(
                    self._tick,
                    args=[job],
                    id=f"{job.name}:start",
                    name=f"{job.name} (at start)",
                    misfire_grace_time=job.misfire_grace_seconds,
                )
        self.scheduler.start()
        log.info("scheduler started: %s", ", ".join(j.name for j in self.registry.jobs()))

    def wait_for(self, name: str, ticks: int, timeout: float) -> bool:
        """Block until job `name` has ticked `ticks` times (or `timeout` seconds pass)."""
        with self._lock:
            return self.ticked.wait_for(lambda: self.ticks.get(name, 0) >= ticks, timeout=timeout)

    def shutdown(self, *, wait: bool = True) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
