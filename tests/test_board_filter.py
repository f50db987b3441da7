"""Architecture (issue 15 §1): no repository query in storage/ lacks the board filter.

Every function in storage/ that builds a `select`, `update` or `delete` over a board-scoped table (a mapped
class with a `board_id` column) must name `board_id`, or a key only ever taken from a row already read under
its board: a case's id (`case_id`: cases are looked up by board and reference first). Anything else is a
cross-board query and must be in ALLOWED below, with the reason. Read per function, from the source: a
statement built over several lines (`query = select(...)`, `query = query.where(...)`) is one function's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from storage.tables import Base

ROOT = Path(__file__).resolve().parents[1]
STATEMENTS = {"select", "update", "delete"}
SCOPED_BY = ("board_id", "case_id")

# Deliberate queries without the board filter: (module, function) -> why.
ALLOWED: dict[tuple[str, str], str] = {
    # A message's attachments, by the id of the outbox item they belong to; the item itself is read under
    # its board (storage/outbox.py) before its attachments are asked for.
    ("storage/outbox_attachments.py", "sources"): "by an outbox id read under its board",
    ("storage/outbox_attachments.py", "of"): "by an outbox id read under its board",
    # An uninstalled workspace's installation, by the id of the row just read through `_row`, which only
    # returns rows of the boards the installation store serves.
    ("storage/slack_installs.py", "delete"): "by the id of a row read under its boards",
    # Each accepted report's distribution state, by the outbox ids `_messages` has just read under the board.
    ("storage/review_distribution.py", "states"): "by outbox ids read under the board",
}
# Not repositories: the schema's history (storage/migrations/) works on every board's rows at once.
SKIPPED_FOLDERS = {"migrations"}


def board_scoped_tables() -> set[str]:
    return {m.class_.__name__ for m in Base.registry.mappers if "board_id" in m.class_.__table__.c}


def _name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def unfiltered_queries(source: str, scoped: set[str]) -> list[tuple[str, int, str]]:
    """(function, line, tables) for each statement over a board-scoped table in a function naming no scope."""
    found = []
    tree = ast.parse(source)
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        text = ast.unparse(fn)
        if any(key in text for key in SCOPED_BY):
            continue
        for call in ast.walk(fn):
            if isinstance(call, ast.Call) and _name(call) in STATEMENTS:
                tables = sorted(
                    {n.id for arg in call.args for n in ast.walk(arg) if isinstance(n, ast.Name) and n.id in scoped}
                )
                if tables:
                    found.append((fn.name, call.lineno, ", ".join(tables)))
    return found


def storage_modules() -> list[Path]:
    return sorted(
        p for p in (ROOT / "storage").rglob("*.py") if not SKIPPED_FOLDERS.intersection(p.relative_to(ROOT).parts)
    )


@pytest.mark.parametrize("path", storage_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_query_names_the_board(path: Path) -> None:
    module = str(path.relative_to(ROOT))
    missing = [
        f"{module}:{line} {fn}() queries {tables} without board_id"
        for fn, line, tables in unfiltered_queries(path.read_text(encoding="utf-8"), board_scoped_tables())
        if (module, fn) not in ALLOWED
    ]
    assert not missing, "\n".join(missing)


def test_the_allow_list_names_only_functions_that_need_it() -> None:
    """An entry whose query gained the filter (or went) is taken out, so the list stays the true exceptions."""
    scoped = board_scoped_tables()
    needed = {
        (str(p.relative_to(ROOT)), fn)
        for p in storage_modules()
        for fn, _, _ in unfiltered_queries(p.read_text(), scoped)
    }
    assert set(ALLOWED) <= needed


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("def f(s):\n    return s.scalars(select(CaseRow).where(CaseRow.reference == 'x'))", [("f", 2, "CaseRow")]),
        ("def f(s, b):\n    return s.scalars(select(CaseRow).where(CaseRow.board_id == b))", []),
        ("def f(s, c):\n    s.execute(delete(DeadlineRow).where(DeadlineRow.case_id == c))", []),
        ("def f(s):\n    s.execute(update(OutboxRow).values(status='sent'))", [("f", 2, "OutboxRow")]),
        ("def f(s):\n    return s.scalars(select(KeyLessRow))", []),  # not board-scoped
    ],
)
def test_the_check_itself(source: str, found: list[tuple[str, int, str]]) -> None:
    assert unfiltered_queries(source, {"CaseRow", "DeadlineRow", "OutboxRow"}) == found
