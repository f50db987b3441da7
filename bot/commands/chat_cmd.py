"""`scrbot chat`: the guided referral conversation in the terminal (same engine and flow as Slack).

Each answer is saved as it is given: stop at any time (Ctrl-D, Ctrl-C or closing the terminal) and run
`scrbot chat` again to carry on where you stopped.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import AppContext


def register(sub: Any) -> None:
    p = sub.add_parser("chat", help="file a referral through the guided conversation in the terminal")
    p.set_defaults(handler=run)


def _show(messages: list[Any]) -> None:
    from bot.terminal.render import render

    for message in messages:
        text = render(message)
        if text:
            print(text)
            print()
    sys.stdout.flush()


def enable_line_editing() -> bool:
    """Arrow keys, history and Ctrl-A/E while typing an answer: importing readline switches them on for
    input(). Not on every platform (Windows has no readline), so optional."""
    try:
        import readline  # noqa: F401
    except ImportError:
        return False
    return True


def run(ctx: AppContext, args: argparse.Namespace) -> int:
    from bot.context import cli_actor
    from intake.conversation.messages import Command, Input

    enable_line_editing()
    conversations = ctx.referrals("terminal")
    actor = cli_actor()
    clock = ctx.now_clock
    print(f"SCR Bot: referral to {ctx.store.board.name}")
    print()
    turn = conversations.handle(actor, Input(command=Command.START), now=clock.now())
    _show(turn.outbound)
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            print("Stopped. Your answers are saved: run `scrbot chat` again to carry on.")
            return 0
        turn = conversations.handle(actor, Input(text=line), now=clock.now())
        if not turn.had_draft:  # cancelled (or finished) in another window meanwhile
            _show(turn.outbound)
            return 0
        _show(turn.outbound)
        if turn.receipt is not None:
            return 0
        if not conversations.has_draft(actor):  # cancelled
            return 0
