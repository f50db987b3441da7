"""Words a person writes for a review step that leave the board (an action, the reasons for not publishing):
never empty, and never holding the case's own personal data."""

from __future__ import annotations

from cases.personal_data import CaseFacts, find
from errors import BadInput


def checked_words(text: str, facts: CaseFacts | None, *, field: str, empty: str, named: str) -> str:
    """`text` with its whitespace folded; refused (naming `field`) when empty, with the message `empty`, or
    when it holds the case's personal data, with `named` (its `{kinds}` says which kinds, never the words)."""
    text = " ".join(text.split())
    if not text:
        raise BadInput(empty, field=field)
    hits = find(text, facts) if facts is not None else []
    if hits:
        kinds = ", ".join(sorted({h.label or h.kind.value.replace("_", " ") for h in hits}))
        raise BadInput(named.format(kinds=kinds), field=field)
    return text
