"""A conversation step's changes and the record that it was applied commit together: a second worker applying
the same step (or the same Slack event again) changes nothing; a step that writes nothing records nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.applied_steps import AppliedSteps, StepAlreadyApplied
from storage.store import Store
from tests.support.slack_bot import drafts_for

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def save_draft(store: Store, answer: str) -> None:
    drafts = drafts_for(store)
    with store.sessions.begin() as s:
        drafts.save(s, "U1", "referral", {"answer": answer}, now=NOW, channel="slack")


def draft_answer(store: Store) -> str:
    with store.sessions() as s:
        draft = drafts_for(store).load(s, "U1", "referral", lock=False)
    assert draft is not None
    return str(draft.state["answer"])


def test_a_step_is_recorded_with_its_change_and_not_applied_twice(store: Store) -> None:
    applied = AppliedSteps(store.sessions, store.board.id)
    with applied.fencing("step-1", NOW, also=(("slack", "Ev1"),)) as fence:
        save_draft(store, "first")
    assert fence.recorded and applied.already("step-1") and applied.seen("slack", "Ev1")
    with pytest.raises(StepAlreadyApplied), applied.fencing("step-1", NOW):
        save_draft(store, "again")
    assert draft_answer(store) == "first"  # the second copy was rolled back
    with pytest.raises(StepAlreadyApplied), applied.fencing("step-2", NOW, also=(("slack", "Ev1"),)):
        save_draft(store, "the same event again")
    assert draft_answer(store) == "first"


def test_a_step_that_writes_nothing_records_nothing(store: Store) -> None:
    applied = AppliedSteps(store.sessions, store.board.id)
    with applied.fencing("step-1", NOW) as fence, store.sessions.begin() as s:
        drafts_for(store).load(s, "U1", "referral")
    assert not fence.recorded and not applied.already("step-1")
    save_draft(store, "outside any step")
    assert not applied.already("step-1")
