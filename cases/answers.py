"""Three-valued answers: a referrer often does not know yet, and "unknown" must never count as "no"."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @classmethod
    def all_of(cls, answers: Iterable[Answer]) -> Answer:
        """Kleene AND: no if any is no, yes if all are yes, otherwise unknown."""
        values = list(answers)
        if any(a is cls.NO for a in values):
            return cls.NO
        if all(a is cls.YES for a in values):
            return cls.YES
        return cls.UNKNOWN

    @classmethod
    def any_of(cls, answers: Iterable[Answer]) -> Answer:
        """Kleene OR: yes if any is yes, no if all are no, otherwise unknown."""
        values = list(answers)
        if any(a is cls.YES for a in values):
            return cls.YES
        if all(a is cls.NO for a in values):
            return cls.NO
        return cls.UNKNOWN
