"""The new text of a reply: what the sender wrote, without the quoted history, forwarded messages, the
signature or the disclaimer under it. Only the new text counts as an answer: quoted history contains our
own request, with its "Records secured: yes / no" line.

Handles "> " quoting, Outlook's "-----Original Message-----" and "From: / Sent: / To: / Subject:" blocks,
Gmail's and Apple Mail's "On <date>, <name> wrote:" (also split over two lines), forwarded-message
markers, "-- " signature lines, sign-offs ("Kind regards,") and mobile footers. Answers written inline
under a quoted question ("> Records secured: yes / no" then "Yes") are joined to the question's label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CUT_LINE = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\s+message|ursprüngliche\s+nachricht|message\s+d'origine|forwarded\s+message)\s*-{2,}
      | _{8,}
      | begin\s+forwarded\s+message:?
      | -{5,}\s*forwarded\s+by\b.*
      | sent\s+from\s+(?:my\s+)?(?:iphone|ipad|android|samsung|mobile|outlook\s+for\s+(?:ios|android)
                                 |mail\s+for\s+windows).*
      | get\s+outlook\s+for\s+(?:ios|android).*
      | (?:this|the\s+information\s+in\s+this)\s+(?:e-?mail|message)\s+(?:and\s+any\s+(?:files|attachments?)\s+)?
        (?:is|are|may\s+be)\s+(?:confidential|private|intended).*
      | -{2}\s?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_WROTE = re.compile(r"^\s*(?:on\b.{0,200}\bwrote|le\b.{0,200}\ba\s+écrit|am\b.{0,200}\bschrieb)\s*:\s*$", re.IGNORECASE)
_ON_START = re.compile(r"^\s*on\s+\S", re.IGNORECASE)
_WROTE_END = re.compile(r"\bwrote\s*:\s*$", re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\s*\*?\s*(?:from|von|de)\s*:\s*\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\*?\s*(?:sent|date|to|subject|cc|gesendet|envoyé)\s*:\s*\*?", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^\s*(?:(?:kind|best|warm|many|with\s+kind|warmest)\s+(?:regards|wishes|thanks)|regards|thanks|"
    r"thank\s+you|many\s+thanks|cheers|sincerely|yours\s+(?:sincerely|faithfully)|best|all\s+the\s+best|kr)"
    r"\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_BANNER = re.compile(
    r"^\s*(?:\[?external\]?|caution|warning|notice)\b.{0,80}\b(?:external|outside|originated)\b.*$", re.IGNORECASE
)
_QUOTED = re.compile(r"^\s*>")
# Labels of our own request's reply lines: an inline answer under one of these is joined to it.
_QUESTION = re.compile(
    r"^\s*(?:>\s*)+(?P<label>(?:known\s+to\s+(?:the\s+)?agency|records\s+secured|date\s+secured|secured\s+by|"
    r"dates\s+of\s+involvement|involvement))\b[^:]*:?.*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReplyText:
    new: str  # what the sender wrote
    quoted: bool  # there was quoted history or a forwarded message under it
    forwarded: bool  # the sender forwarded a message rather than answering


def _is_outlook_header(lines: list[str], index: int) -> bool:
    if not _HEADER_FROM.match(lines[index]):
        return False
    following = [ln for ln in lines[index + 1 : index + 6] if ln.strip()]
    return any(_HEADER_NEXT.match(ln) for ln in following[:4])


def _answers_inline(lines: list[str], start: int) -> bool:
    """After an attribution line: is there new text between or after quoted lines (an inline reply)?"""
    seen_quote = False
    for line in lines[start + 1 : start + 400]:
        if _QUOTED.match(line):
            seen_quote = True
        elif line.strip():
            if _CUT_LINE.match(line) or _SIGN_OFF.match(line):
                return False
            if seen_quote:
                return True
    return False


def split_reply(text: str) -> ReplyText:
    lines = text.split("\n")
    kept: list[str] = []
    quoted = False
    forwarded = False
    pending_label = ""
    for index, line in enumerate(lines):
        stripped = line.strip()
        lowered = stripped.lower()
        if _WROTE.match(line) and _answers_inline(lines, index):
            quoted = True
            continue
        if _CUT_LINE.match(line) or _WROTE.match(line):
            if "forward" in lowered:
                forwarded = True
            quoted = quoted or not (lowered.startswith(("sent from", "get outlook", "this ")) or lowered == "--")
            break
        if _ON_START.match(line) and index + 1 < len(lines) and _WROTE_END.search(lines[index + 1]):
            quoted = True
            break
        if _is_outlook_header(lines, index):
            quoted = True
            break
        if _SIGN_OFF.match(line):
            break
        if _QUOTED.match(line):
            quoted = True
            question = _QUESTION.match(line)
            pending_label = question.group("label") if question else ""
            continue
        if _BANNER.match(line) and not kept:
            continue
        if pending_label and stripped:
            kept.append(f"{pending_label}: {stripped}")
            pending_label = ""
            continue
        pending_label = "" if stripped else pending_label
        kept.append(line.rstrip())
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return ReplyText(new="\n".join(kept), quoted=quoted, forwarded=forwarded)
