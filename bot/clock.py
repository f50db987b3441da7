"""The only place the bot reads the real time. Everything else is given a clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told: tests, simulations, and `SCRBOT_CLOCK`."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment


def parse_moment(text: str) -> datetime:
    """An ISO date or datetime; a bare date means 09:00 UTC that day, a naive time means UTC."""
    text = text.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    if len(text) == 10:
        moment = moment.replace(hour=9)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
