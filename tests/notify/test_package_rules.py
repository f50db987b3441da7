"""notify imports only cases, storage and mail of ours (HELPERS.md); never slack_bolt or exchangelib."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

OURS = {"cases", "storage", "intake", "notify", "mail", "bot", "templates"}
ALLOWED = {"cases", "storage", "mail", "notify"}
NOTIFY = Path(__file__).resolve().parents[2] / "notify"


@pytest.mark.parametrize("path", sorted(NOTIFY.glob("*.py")), ids=lambda p: p.name)
def test_notify_imports_only_what_it_may(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not (imported & OURS) - ALLOWED
    assert not imported & {"slack_bolt", "slack_sdk", "exchangelib"}
