"""DESIGN.md §4's package rules: the pure domain imports nothing of ours; adapters stay at the edges."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"errors", "cases", "storage", "intake", "notify", "mail", "bot", "templates"}
# `errors` is the one error family (errors/__init__.py): every package may raise its kinds.
ALLOWED = {
    "errors": set(),
    "cases": {"errors"},
    "storage": {"errors", "cases"},
    "mail": {"errors"},
    "intake": {"errors", "cases", "storage", "mail"},
    "notify": {"errors", "cases", "storage", "mail", "templates"},
    "bot": OURS,
}
# Libraries only the edges may use (DESIGN.md §4: the core never imports slack_bolt or exchangelib).
EDGE_ONLY = {
    "slack_bolt": {"bot"},
    "slack_sdk": {"bot"},
    "exchangelib": {"mail"},
    "msal": {"mail", "bot"},  # Graph mail, and the Teams bot's own sign-in
    "microsoft_agents": {"bot"},
    "microsoft_teams": {"bot"},
    "aiohttp": {"bot"},
}
# The pure domain does no I/O and reads no clock.
IMPURE_FOR_CASES = {"sqlalchemy", "httpx", "socket", "os", "subprocess", "time", "requests", "email"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    for path in modules(package):
        used = imports_of(path) & OURS - {package}
        assert used <= ALLOWED[package], f"{path.relative_to(ROOT)} imports {sorted(used - ALLOWED[package])}"


@pytest.mark.parametrize("library", sorted(EDGE_ONLY))
def test_edge_libraries_stay_at_the_edges(library: str) -> None:
    for package in ALLOWED:
        if package in EDGE_ONLY[library]:
            continue
        for path in modules(package):
            assert library not in imports_of(path), f"{path.relative_to(ROOT)} imports {library}"


def test_the_domain_is_pure() -> None:
    for path in modules("cases"):
        impure = imports_of(path) & IMPURE_FOR_CASES
        assert not impure, f"{path.relative_to(ROOT)} imports {sorted(impure)}"
        source = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "date.today(", "time.time(", "open("):
            assert call not in source, f"{path.relative_to(ROOT)} calls {call}"
