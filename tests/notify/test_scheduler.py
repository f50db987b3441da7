"""The periodic job registry and the APScheduler 3 ticker that runs it inside `scrbot run`."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from notify.scheduler import JobRegistry, Ticker

NOW = datetime(2026, 12, 24, 9, 5, tzinfo=UTC)


def test_jobs_are_registered_once_by_name() -> None:
    registry = JobRegistry()
    registry.add("reminders", timedelta(minutes=1), lambda now: None)
    with pytest.raises(ValueError, match="registered already"):
        registry.add("reminders", timedelta(minutes=1), lambda now: None)
    with pytest.raises(ValueError, match="positive"):
        registry.add("broken", timedelta(0), lambda now: None)


def test_run_all_gives_each_job_the_clock_and_survives_a_failing_one(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[tuple[str, datetime]] = []
    registry = JobRegistry()
    registry.add("first", timedelta(minutes=1), lambda now: seen.append(("first", now)))

    def broken(now: datetime) -> None:
        raise RuntimeError("Zephyrine")  # an error text that must not reach the log

    registry.add("broken", timedelta(minutes=1), broken)
    registry.add("last", timedelta(minutes=1), lambda now: seen.append(("last", now)))
    assert registry.run_all(NOW) == {"first": True, "broken": False, "last": True}
    assert seen == [("first", NOW), ("last", NOW)]
    assert "periodic job broken failed: RuntimeError" in caplog.text
    assert "Zephyrine" not in caplog.text


def test_the_ticker_runs_every_job_at_start_and_then_on_its_interval() -> None:
    clock = FixedClock(NOW)
    calls: list[datetime] = []
    lock = threading.Lock()

    def job(now: datetime) -> None:
        with lock:
            calls.append(now)

    registry = JobRegistry()
    registry.add("quick", timedelta(seconds=0.05), job)
    registry.add("hourly", timedelta(hours=1), lambda now: None)
    ticker = Ticker(registry, clock.now)
    ticker.start(run_now=True)
    try:
        assert ticker.wait_for("quick", 3, timeout=10)
        assert ticker.wait_for("hourly", 1, timeout=10)  # ran at start, not an hour later
        [hourly] = [j for j in ticker.scheduler.get_jobs() if j.id == "hourly"]
        # Set explicitly: APScheduler's default of 1 s silently drops a tick that starts late.
        assert hourly.misfire_grace_time == 3600 and hourly.coalesce is True and hourly.max_instances == 1
    finally:
        ticker.shutdown()
    with lock:
        assert len(calls) >= 3 and set(calls) == {NOW}  # the time comes from the injected clock


def test_a_long_interval_gets_a_grace_time_as_long_as_the_interval() -> None:
    registry = JobRegistry()
    job = registry.add("hourly", timedelta(hours=1), lambda now: None)
    assert job.misfire_grace_seconds == 3600
    job = registry.add("custom", timedelta(hours=1), lambda now: None, misfire_grace=timedelta(minutes=5))
    assert job.misfire_grace_seconds == 300
