"""Engine output as terminal text."""

from __future__ import annotations

import textwrap

from intake.conversation.flow import Kind
from intake.conversation.messages import Cancelled, ConfirmCancel, Notice, Outbound, Prompt, Submit, Summary

WIDTH = 100


def _plain(text: str) -> str:
    return text.replace("*", "")


def _wrap(text: str, indent: str = "") -> str:
    return "\n".join(
        textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=indent) if line else ""
        for line in _plain(text).splitlines()
    )


def render_prompt(p: Prompt) -> str:
    lines = [f"[{p.number}/{p.total}] {p.section}", _wrap(p.text)]
    if p.help:
        lines.append(_wrap(p.help, "  "))
    if p.kind in (Kind.CHOICE, Kind.MULTI, Kind.ANSWER, Kind.CONFIRM):
        how = "choose any: numbers separated by commas" if p.kind is Kind.MULTI else "reply with a number or a word"
        lines.append(f"  ({how})")
        lines += [f"  {i}. {c.label}" for i, c in enumerate(p.choices, start=1)]
    if p.kind is Kind.DATE:
        lines.append("  (a date, e.g. 20/11/2026 or 20 Nov 2026)")
    if p.current is not None:
        lines.append(f"  Current answer: {p.current}  (press Enter to keep it)")
    if p.optional:
        lines.append(f'  (or type skip: "{p.skip_label}")')
    if p.problem:
        lines.append(f"  ! Not accepted: {_plain(p.problem)}")
    return "\n".join(lines)


def render_summary(s: Summary) -> str:
    lines = ["", f"== {s.title} =="]
    for section, items in s.sections:
        lines.append(f"-- {section}")
        for item in items:
            lines.append(_wrap(f"{item.number:>3}. {item.label}: {item.display}", ""))
    if s.notes:
        lines.append("")
        lines += [_wrap(n, "  ") for n in s.notes]
    if s.reminder:
        lines += ["", _wrap(s.reminder)]
    lines += ["", "Type submit to send the referral, edit N to change answer N, back, or cancel."]
    return "\n".join(lines)


def render(message: Outbound) -> str:
    if isinstance(message, Prompt):
        return render_prompt(message)
    if isinstance(message, Summary):
        return render_summary(message)
    if isinstance(message, (Notice, ConfirmCancel, Cancelled)):
        return _wrap(message.text)
    if isinstance(message, Submit):
        return "Submitting..."
    return ""  # pragma: no cover
