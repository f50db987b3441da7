"""Every `scrbot ...` a text tells a person to run exists (issue 9 §5: a quarantine reason once named
`scrbot mail release`, a command that never existed).

The hints are collected from the product's own texts (code, templates, deployment files, the README) and
walked down the real argparse tree: each word that should be a subcommand must be one."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["bot", "cases", "errors", "intake", "mail", "notify", "storage", "templates", "deploy", "examples"]
# Not a path (/var/lib/scrbot volume) nor the system group of `install -g scrbot FILE`.
HINT = re.compile(r"(?<![/\w.-])(?<!-g )(?<!-o )scrbot((?: [a-z][a-z-]*)+)")
# "scrbot" as the program's name in prose, not a command: "this version of scrbot does not know ...".
PROSE = frozenset({"does", "reads"})


def _texts() -> list[tuple[str, str]]:
    files = [ROOT / "README.md"]
    for folder in SOURCES:
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix not in {".pyc", ".png", ".zip"}]
    texts = []
    for path in files:
        try:
            texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    return texts


def hints() -> list[tuple[str, str]]:
    found = {(where, "scrbot" + m.group(1)) for where, text in _texts() for m in HINT.finditer(text)}
    return sorted(found)


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:  # type: ignore[type-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def missing_command(hint: str, parser: argparse.ArgumentParser) -> str | None:
    """The part of `hint` that names no command, or None when it names a real one."""
    words = hint.split()[1:]
    if words[0] in PROSE:
        return None
    path = ["scrbot"]
    for word in words:
        sub = _subcommands(parser)
        if sub is None:
            return None  # a leaf command: what follows is its arguments, or prose
        if word not in sub.choices:
            return None if not sub.required else " ".join([*path, word])
        parser = sub.choices[word]
        path.append(word)
    return None


def test_hints_are_found_in_every_kind_of_text() -> None:
    places = {where.split("/")[0] for where, _hint in hints()}
    assert {"README.md", "bot", "intake"} <= places
    assert len(hints()) > 50


@pytest.mark.parametrize("hint", ["scrbot mail release 12", "scrbot case shows REF", "scrbot unlock ID"])
def test_a_command_that_does_not_exist_is_caught(hint: str) -> None:
    assert missing_command(hint, build_parser()) is not None


def test_every_hint_names_a_real_command() -> None:
    parser = build_parser()
    wrong = [(where, hint) for where, hint in hints() if missing_command(hint, parser)]
    assert wrong == []
