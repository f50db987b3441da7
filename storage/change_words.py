"""Words a person gives with a change for the message it calls for to carry (the reasons for not publishing the
full report and the improvements information, 004 §10.5): handed to the drafting listener on the transaction's
own session while the change is recorded, never stored beside the case, never logged. The drafted message is what
keeps them (sealed in the outbox, for its approver and its recipients)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy.orm import Session

from cases.events import CaseEvent

_KEY = "scrbot.change_words"


@contextmanager
def giving_words(session: Session, event: CaseEvent, words: Mapping[str, str]) -> Iterator[None]:
    """While `event` is recorded in this session: the template fields its drafts fill from what a person said."""
    given: dict[str, dict[str, str]] = session.info.setdefault(_KEY, {})
    given[event.value] = dict(words)
    try:
        yield
    finally:
        given.pop(event.value, None)


def words_given(session: Session, event: CaseEvent) -> dict[str, str]:
    """What a person said with `event` in this session (nothing when it was recorded without words)."""
    given: dict[str, dict[str, str]] = session.info.get(_KEY, {})
    return dict(given.get(event.value, {}))
