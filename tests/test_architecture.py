"""DESIGN.md §4's package rules: the pure domain imports nothing of ours; adapters stay at the edges."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"errors", "cases", "storage", "intake", "notify", "mail", "bot", "templates", "reports"}
# `errors` is the one error family (errors/__init__.py): every package may raise its kinds.
ALLOWED = {
    "errors": set(),
    "cases": {"errors"},
    "storage": {"errors", "cases"},
    "mail": {"errors"},
    "intake": {"errors", "cases", "storage", "mail"},
    "notify": {"errors", "cases", "storage", "mail", "templates"},
    # The board's figures drawn and written (HTML, SVG charts, CSV): rendering only, from the pure figures.
    "reports": {"errors", "cases"},
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
    "matplotlib": {"reports"},  # heavy: imported only when a report is drawn
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


# --- only storage/ touches tables (DESIGN.md §4) ---------------------------------------------------------

# Everything of ours that is not storage/ (bench/ too: a benchmark asks the repositories like any feature).
NOT_STORAGE = sorted((OURS - {"storage"}) | {"bench"})


def modules_imported(path: Path) -> set[str]:
    """Every module a file imports, by full dotted name (`from storage import tables` counts as storage.tables)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("package", NOT_STORAGE)
def test_only_storage_touches_tables(package: str) -> None:
    for path in modules(package):
        tables = sorted(m for m in modules_imported(path) if m == "storage.tables" or m.startswith("storage.tables."))
        assert not tables, f"{path.relative_to(ROOT)} imports {tables}: ask a repository in storage/ instead"


# --- rules are data: no rule id written in code ------------------------------------------------------------

# The packs are where rule ids live; migrations are the schema's history (a column may share a rule's name).
RULE_ID_HOMES = (ROOT / "cases" / "packs", ROOT / "storage" / "migrations")


def bundled_rule_ids() -> set[str]:
    from cases.packs import bundled_pack, bundled_pack_names

    return {rule.id for name in bundled_pack_names() for rule in bundled_pack(name).rules}


def rule_ids_written_in(path: Path, rule_ids: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in rule_ids
    ]


def test_no_rule_id_is_a_string_literal_outside_the_packs() -> None:
    """Behaviour that depends on a rule (the decision meets chair_decision, an agency's answer meets
    records_secured, a notification discharges a rule) is declared in the pack (`met_by`, `[[notifications]]`)."""
    rule_ids = bundled_rule_ids()
    assert "records_secured" in rule_ids and "chair_decision" in rule_ids  # the scan looks for real ids
    found = [
        hit
        for package in sorted(OURS | {"bench"})
        for path in modules(package)
        if not any(path.is_relative_to(home) for home in RULE_ID_HOMES)
        for hit in rule_ids_written_in(path, rule_ids)
    ]
    assert not found, "rule ids written in code (declare the behaviour in the pack):\n" + "\n".join(found)


# --- no import cycles between our modules ----------------------------------------------------------------


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def test_no_import_cycles() -> None:
    """e.g. bot/context.py and bot/mail_service.py: a cycle (even under TYPE_CHECKING) means two modules are one."""
    paths = {module_name(p): p for package in sorted(OURS) for p in modules(package) if "migrations" not in p.parts}
    graph = {name: {m for m in modules_imported(path) if m in paths and m != name} for name, path in paths.items()}
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert not cycles, f"import cycles: {cycles}"


# --- one module, one concept --------------------------------------------------------------------------------

SIZED = ("cases", "storage", "intake", "notify", "mail", "bot", "reports")


@pytest.mark.parametrize("package", SIZED)
def test_no_module_is_over_450_lines(package: str) -> None:
    for path in modules(package):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 450, f"{path.relative_to(ROOT)} has {lines} lines: split it by concept"
