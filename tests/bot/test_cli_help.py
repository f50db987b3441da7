"""Every command and every option of `scrbot` says what it is for (`--help` is the manual at hand)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from bot.cli import build_parser, main


def _walk(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, str | None]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield f"{path} {name}", helps.get(name)
                yield from _walk(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help


ENTRIES = list(_walk(build_parser(), "scrbot"))


def test_the_walk_sees_the_whole_tree() -> None:
    names = [name for name, _ in ENTRIES]
    assert "scrbot case close reference" in names and "scrbot notify list --json" in names
    assert len(names) > 100


@pytest.mark.parametrize(("name", "text"), ENTRIES, ids=[name for name, _ in ENTRIES])
def test_every_command_and_option_has_help(name: str, text: str | None) -> None:
    assert text and text != argparse.SUPPRESS and text.strip(), f"{name} has no help text"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("scrbot 0.")
