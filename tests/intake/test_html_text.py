"""HTML mail is converted by a linear-time converter (inscriptis over lxml), never the standard library's
HTMLParser, which is quadratic on hostile markup (issue 10, item 1). Asserted as causes, not timings: the
timings are in bench/hostile_mail.py."""

from __future__ import annotations

import ast
import html.parser
from email.message import EmailMessage
from pathlib import Path

import pytest
from lxml.html import HtmlElement

from intake.inbound import html_text
from intake.inbound.html_text import MAX_HTML_CHARS, html_to_text
from intake.inbound.parse import parse_message

INTAKE = Path(__file__).resolve().parents[2] / "intake"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_in_intake_imports_the_stdlib_html_parser() -> None:
    offenders = {
        str(path.relative_to(INTAKE.parent)): sorted(n for n in _imports(path) if n.startswith("html.parser"))
        for path in INTAKE.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_converter_is_inscriptis_over_an_lxml_tree() -> None:
    from inscriptis import Inscriptis

    assert html_text.Inscriptis is Inscriptis
    tree = html_text._tree("<p>Records secured</p>")
    assert isinstance(tree, HtmlElement)  # libxml2 built it, not a Python tokenizer


def test_an_html_only_mail_is_read_without_the_stdlib_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the stdlib HTMLParser was used")

    monkeypatch.setattr(html.parser.HTMLParser, "feed", refuse)
    monkeypatch.setattr(html.parser.HTMLParser, "goahead", refuse)
    message = EmailMessage()
    message["From"] = "reviews@testshire.pnn.police.uk"
    message["Subject"] = "RE: [SCR-2026-0001]"
    message.set_content("<p>Records secured: yes</p>" + "<a " * 34_000, subtype="html")
    parsed = parse_message(bytes(message))
    assert parsed.html_only and parsed.text.startswith("Records secured: yes")


def test_the_input_is_cut_to_its_bound_before_it_is_parsed() -> None:
    html = "<p>Records secured: yes</p><p>" + "a" * MAX_HTML_CHARS + "</p><p>PAST THE BOUND</p>"
    text = html_to_text(html, max_chars=10 * MAX_HTML_CHARS)
    assert text.startswith("Records secured: yes") and "PAST THE BOUND" not in text


def test_the_output_is_cut_to_its_bound() -> None:
    text = html_to_text("".join(f"<p>line {i}</p>" for i in range(10_000)), max_chars=1_000)
    assert len(text) <= 1_100 and text.startswith("line 0")


@pytest.mark.parametrize(
    "hostile",
    ["<a " * 34_000, "<div>" * 50_000 + "x", "<blockquote>" * 5_000 + "x", "<!--" * 20_000, "<" * 100_000],
)
def test_hostile_markup_gives_text_or_nothing_never_an_error(hostile: str) -> None:
    assert isinstance(html_to_text(hostile), str)


@pytest.mark.parametrize(
    ("markup", "shown"),
    [
        ("<blockquote>a\x01b</blockquote>", "> a b"),
        ("<p>a\x00b</p>", "a b"),
        ("<p class='gmail_quote'>\ud800x</p>", "x"),
    ],
)
def test_control_characters_are_not_text(markup: str, shown: str) -> None:
    assert html_to_text(markup).splitlines()[-1] == shown
