"""Conversation steps of one person are worked on in the order Slack delivered them."""

from __future__ import annotations

import threading
from typing import Any

from bot.slack.services import SlackServices


def services() -> SlackServices:
    fields: dict[str, Any] = dict.fromkeys(("store", "referrals", "drafts", "deliveries", "access", "clock"))
    return SlackServices(**fields)


def test_steps_run_in_ticket_order_whatever_order_their_threads_start() -> None:
    s = services()
    tickets = [s.take_ticket("U1") for _ in range(8)]
    assert tickets == list(range(8))
    order: list[int] = []
    in_turn: list[bool] = []

    def step(ticket: int) -> None:
        with s.turn("U1", ticket, wait=5) as in_order:
            order.append(ticket)
            in_turn.append(in_order)

    workers = [threading.Thread(target=step, args=(t,)) for t in reversed(tickets)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=10)
    assert [w.is_alive() for w in workers] == [False] * 8
    assert order == tickets
    assert in_turn == [True] * 8  # each had its turn when the one before it finished, none timed out
    assert s.late_turns == 0


def test_a_step_waits_while_the_persons_earlier_step_runs() -> None:
    s = services()
    first, second = s.take_ticket("U1"), s.take_ticket("U1")
    first_running, second_ran = threading.Event(), threading.Event()
    finish_first = threading.Event()

    def run_first() -> None:
        with s.turn("U1", first, wait=5):
            first_running.set()
            finish_first.wait(timeout=10)

    def run_second() -> None:
        with s.turn("U1", second, wait=5) as in_order:
            assert in_order
            second_ran.set()

    a = threading.Thread(target=run_first)
    a.start()
    assert first_running.wait(timeout=5)
    b = threading.Thread(target=run_second)
    b.start()
    # The second step may not start while the first is still inside its turn.
    assert not second_ran.wait(timeout=0.2)
    finish_first.set()
    assert second_ran.wait(timeout=5)
    a.join(timeout=5)
    b.join(timeout=5)
    assert not a.is_alive() and not b.is_alive()
    assert s.late_turns == 0


def test_other_people_are_not_held_up() -> None:
    s = services()
    assert s.take_ticket("U1") == 0  # a step of U1's that has not run yet
    ticket = s.take_ticket("U2")
    assert ticket == 0  # each person has a line of their own
    with s.turn("U2", ticket, wait=5) as in_order:
        assert in_order  # U2's first step goes ahead at once, not after U1's wait
    assert s.late_turns == 0


def test_a_step_that_never_runs_holds_the_line_only_briefly() -> None:
    s = services()
    s.take_ticket("U1")  # its work never runs
    second = s.take_ticket("U1")
    with s.turn("U1", second, wait=0.05) as in_order:
        assert not in_order  # it waited for the step that never ran, then went ahead
    assert s.late_turns == 1  # and that is counted (and logged), not silent
    with s.turn("U1", s.take_ticket("U1"), wait=5) as in_order:
        assert in_order  # and the line moves on: the next step does not wait again
    assert s.late_turns == 1


def test_a_step_from_no_acknowledged_request_joins_the_back_of_the_line() -> None:
    s = services()
    assert s.take_ticket("U1") == 0
    with s.turn("U1", 0, wait=5) as in_order:
        assert in_order
    with s.turn("U1", None, wait=5) as in_order:
        assert in_order  # given ticket 1, which is next
    assert s.take_ticket("U1") == 2
    assert s.late_turns == 0
