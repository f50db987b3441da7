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
    order: list[int] = []

    def step(ticket: int) -> None:
        with s.turn("U1", ticket):
            order.append(ticket)

    workers = [threading.Thread(target=step, args=(t,)) for t in reversed(tickets)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=10)
    assert order == tickets


def test_other_people_are_not_held_up() -> None:
    s = services()
    s.take_ticket("U1")  # a step of U1's that has not run yet
    with s.turn("U2", s.take_ticket("U2"), wait=5):
        pass  # U2's first step goes ahead at once


def test_a_step_that_never_runs_holds_the_line_only_briefly() -> None:
    s = services()
    s.take_ticket("U1")  # its work never runs
    second = s.take_ticket("U1")
    with s.turn("U1", second, wait=0.05):
        pass
    with s.turn("U1", s.take_ticket("U1"), wait=5):
        pass  # and the line moves on
