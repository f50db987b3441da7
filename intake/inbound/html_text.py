"""HTML mail to plain text with the standard library's tokenizer. Nothing is rendered or fetched: scripts,
styles and images are dropped, links keep only their text.

Quoted history is marked the way plain-text mail marks it, so the same reply-stripping applies: text inside
<blockquote> is prefixed "> ", and the containers Outlook, Gmail and Thunderbird put around quoted history
become an "-----Original Message-----" line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "tr",
        "li",
        "ul",
        "ol",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "dd",
        "dt",
        "dl",
    }
)
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"})
_CELL = frozenset({"td", "th"})
_QUOTE_MARKERS = ("gmail_quote", "divrplyfwdmsg", "moz-cite-prefix", "appendonsend", "yahoo_quoted", "stopspelling")
ORIGINAL = "-----Original Message-----"
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")


class _TextExtractor(HTMLParser):
    def __init__(self, max_chars: int) -> None:
        super().__init__(convert_charrefs=True)
        self.max_chars = max_chars
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.quote_depth = 0
        self.size = 0
        self.full = False

    def _flush(self) -> None:
        line = _SPACES.sub(" ", "".join(self.current)).strip()
        self.current = []
        if self.quote_depth:
            line = "> " * self.quote_depth + line if line else ">" * self.quote_depth
        self.lines.append(line)
        self.size += len(line) + 1
        if self.size > self.max_chars:
            self.full = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.full:
            return
        if tag in _SKIP:
            self.skip_depth += 1
            return
        markers = " ".join(v or "" for k, v in attrs if k in {"class", "id"}).lower()
        if any(m in markers for m in _QUOTE_MARKERS):
            self._flush()
            self.lines.append(ORIGINAL)
        if tag == "blockquote":
            self._flush()
            self.quote_depth += 1
        elif tag in _BLOCK:
            self._flush()
        elif tag in _CELL:
            self.current.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.full:
            return
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "blockquote":
            self._flush()
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skip_depth or self.full:
            return
        self.current.append(data.replace("\n", " ").replace("\r", " "))


def html_to_text(html: str, *, max_chars: int = 200_000) -> str:
    parser = _TextExtractor(max_chars)
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # the tokenizer's own complaints about broken markup
        pass
    parser._flush()
    lines: list[str] = []
    for line in parser.lines:
        if line or (lines and lines[-1]):  # collapse runs of blank lines
            lines.append(line)
    return "\n".join(lines).strip()
