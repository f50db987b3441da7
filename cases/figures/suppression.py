"""Small-number suppression: in a published report a count from 1 to 4 is shown as "fewer than 5", so no
child can be recognised from a small number (the usual rule for official statistics about children). Where
one count of a breakdown is hidden, the next smallest is hidden too, so the hidden one cannot be worked out
from the total: that one is "not shown" (it is 5 or more; saying "fewer than 5" of it would be untrue). Zero is
shown: nothing to recognise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5
FEWER = "fewer than 5"
NOT_SHOWN = "not shown"  # hidden only so that a small part of the same total cannot be worked out


@dataclass(frozen=True)
class Shown:
    """A count as the report shows it: the number, or hidden (`text` is then "fewer than 5")."""

    value: int
    hidden: bool = False
    secondary: bool = False  # hidden with a small part of the same total, not small itself

    @property
    def text(self) -> str:
        return self._hidden_text or f"{self.value:,}"

    @property
    def csv(self) -> str:
        return self._hidden_text or str(self.value)

    @property
    def _hidden_text(self) -> str:
        if not self.hidden:
            return ""
        return NOT_SHOWN if self.secondary else FEWER


def small(value: int) -> bool:
    return 0 < value < THRESHOLD


def count(value: int, *, suppress: bool) -> Shown:
    return Shown(value, suppress and small(value))


def breakdown(values: Sequence[int], *, suppress: bool) -> list[Shown]:
    """The parts of one total: each small part hidden, and if exactly one part is hidden, the smallest other
    non-zero part with it (complementary suppression)."""
    shown = [count(v, suppress=suppress) for v in values]
    hidden = [i for i, s in enumerate(shown) if s.hidden]
    if len(hidden) == 1:
        others = [(v, i) for i, v in enumerate(values) if i not in hidden and v > 0]
        if others:
            _v, partner = min(others)
            shown[partner] = Shown(values[partner], True, secondary=not small(values[partner]))
    return shown


def distribution_shown(n: int, *, suppress: bool) -> bool:
    """Whether a distribution of `n` durations may be shown: not when it rests on fewer than 5 cases (its
    minimum and maximum would be single cases)."""
    return not (suppress and small(n))
