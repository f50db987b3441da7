"""Small-number suppression: counts from 1 to 4 hidden, and a hidden part of a total never worked out from it."""

from __future__ import annotations

import pytest

from cases.figures.suppression import FEWER, NOT_SHOWN, breakdown, count, distribution_shown


@pytest.mark.parametrize(
    ("value", "hidden", "text"),
    [(0, False, "0"), (1, True, FEWER), (4, True, FEWER), (5, False, "5"), (1234, False, "1,234")],
)
def test_a_count(value: int, hidden: bool, text: str) -> None:
    shown = count(value, suppress=True)
    assert (shown.hidden, shown.text) == (hidden, text)
    assert count(value, suppress=False).text == f"{value:,}"


@pytest.mark.parametrize(
    ("values", "hidden"),
    [
        ([10, 3, 7], [False, True, True]),  # one small part: the smallest other part hidden with it
        ([10, 3, 0, 7], [False, True, False, True]),  # a zero is never the partner: nothing to hide
        ([10, 3, 2], [False, True, True]),  # two small parts hide each other
        ([3], [True]),  # nothing to pair with
        ([10, 6, 0], [False, False, False]),
    ],
)
def test_a_breakdown_hides_a_second_part_when_one_is_small(values: list[int], hidden: list[bool]) -> None:
    assert [s.hidden for s in breakdown(values, suppress=True)] == hidden
    # The partner of a small part is not small: it says "not shown", never an untrue "fewer than 5".
    assert [s.text for s in breakdown(values, suppress=True)] == [
        (FEWER if 0 < v < 5 else NOT_SHOWN) if h else f"{v:,}" for v, h in zip(values, hidden, strict=True)
    ]
    assert not any(s.hidden for s in breakdown(values, suppress=False))


def test_a_distribution_over_fewer_than_5_is_not_shown() -> None:
    assert not distribution_shown(4, suppress=True)
    assert distribution_shown(5, suppress=True)
    assert distribution_shown(0, suppress=True)  # nothing to show, nothing to recognise
    assert distribution_shown(2, suppress=False)
