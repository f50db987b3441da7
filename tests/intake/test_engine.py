"""The conversation engine with the referral flow: pure, so driven directly."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from cases.referral import parse_referral
from intake.conversation.engine import Conversation, Mode, State, new_state
from intake.conversation.messages import Cancelled, Command, Input, Notice, Outbound, Prompt, Submit, Summary
from intake.referral_flow import REFERRAL_FLOW
from tests.factories import CASE_OUTLINE, CHILD_FORENAMES, CHILD_LAST_NAME

TODAY = date(2026, 11, 22)
ENGINE = Conversation(REFERRAL_FLOW)

REPLIES: dict[str, str] = {
    "referrer.name": "Dr Ottoline Testwhistle",
    "referrer.role": "Named Doctor",
    "referrer.agency": "Northshire Hospitals NHS Trust",
    "referrer.email": "ottoline.testwhistle@nhs.net",
    "referrer.phone": "skip",
    "designated_professional_consulted": "yes",
    "referral_date": "20/11/2026",
    "incident_date": "16/11/2026",
    "la_aware_date": "skip",
    "case_outline": CASE_OUTLINE,
    "child.last_name": CHILD_LAST_NAME,
    "child.forenames": CHILD_FORENAMES,
    "child.also_known_as": "skip",
    "child.date_of_birth": "9/3/2024",
    "child.age": "2",
    "child.gender": "female",
    "child.ethnicity": "skip",
    "child.disability": "skip",
    "child.home_address": "skip",
    "mother.name": "skip",
    "mother.date_of_birth": "skip",
    "mother.address": "skip",
    "father.name": "skip",
    "father.date_of_birth": "skip",
    "father.address": "skip",
    "siblings.0?": "no",
    "learning_disability": "no",
    "police_involved": "unknown",
    "coroner_involved": "no",
    "reasons": "1",
    "reasons.fits_scr_criteria": "1",
    "reasons.other": "Synthetic other reason",
    "considerations.media_interest": "no",
    "considerations.criminal_proceedings": "no",
    "considerations.linked_complex_abuse": "no",
    "considerations.other": "skip",
    "criteria.abuse_or_neglect": "yes",
    "criteria.child_died": "yes",
    "criteria.died_in_custody": "no",
    "criteria.seriously_harmed": "yes",
    "incident.in_area": "yes",
    "incident.looked_after": "no",
    "criteria.concerns_about_working_together": "unknown",
    "criteria.harm": "skip",
    "criteria.indicators": "skip",
}


def step(state: State, inp: Input) -> tuple[State, list[Outbound]]:
    # Every state must survive being stored as JSON and read back (a draft across a restart).
    state = State.from_json(json.loads(json.dumps(state.to_json())))
    return ENGINE.handle(state, inp, today=TODAY)


def prompt_of(out: list[Outbound]) -> Prompt:
    return next(o for o in out if isinstance(o, Prompt))


def run_to(until: str | None = None, replies: dict[str, str] | None = None) -> tuple[State, list[Outbound]]:
    replies = {**REPLIES, **(replies or {})}
    state, out = step(new_state(REFERRAL_FLOW), Input(command=Command.START))
    for _ in range(200):
        if any(isinstance(o, Summary) for o in out) and not any(isinstance(o, Prompt) for o in out):
            return state, out
        p = prompt_of(out)
        if p.key == until:
            return state, out
        assert p.problem is None, (p.key, p.problem)
        state, out = step(state, Input(text=replies[p.key]))
    raise AssertionError("the conversation did not end")


def test_complete_conversation_gives_data_the_model_accepts() -> None:
    state, out = run_to()
    assert state.mode is Mode.SUMMARY
    state, out = step(state, Input(command=Command.SUBMIT, key="summary"))
    submitted = next(o for o in out if isinstance(o, Submit))
    referral = parse_referral(submitted.data, today=TODAY)
    assert referral.child.forenames == CHILD_FORENAMES
    assert referral.child.age is None  # date of birth given: the age question never applied
    assert [r.detail for r in referral.reasons] == ["004 §4.4(i)"]
    assert referral.criteria.died_in_custody.value == "no"
    assert state.mode is Mode.SUBMITTED


@pytest.mark.parametrize(
    ("key", "reply", "reason"),
    [
        ("referral_date", "31/02/2026", "not a real date"),
        ("referral_date", "30/11/2026", "in the future"),
        ("incident_date", "21/11/2026", "after the referral date"),
        ("child.date_of_birth", "1/1/2000", "a child is under 18"),
        ("child.date_of_birth", "01/12/2026", "in the future"),
        ("referrer.email", "not-an-email", "is not an email address"),
        ("child.gender", "purple", "not one of the options"),
        ("criteria.abuse_or_neglect", "perhaps", "yes, no, or not known"),
        ("case_outline", "   ", "please give an answer"),
    ],
)
def test_invalid_reply_asks_the_same_question_with_the_reason(key: str, reply: str, reason: str) -> None:
    state, _ = run_to(key)
    state, out = step(state, Input(text=reply))
    p = prompt_of(out)
    assert p.key == key
    assert p.problem is not None and reason in p.problem
    assert key not in state.answers


def test_unknown_date_of_birth_asks_the_age_instead() -> None:
    state, out = run_to("child.date_of_birth")
    state, out = step(state, Input(command=Command.SKIP))
    assert prompt_of(out).key == "child.age"
    state, out = step(state, Input(text="18"))
    assert "less than or equal to 17" in (prompt_of(out).problem or "")


def test_siblings_repeat_until_no() -> None:
    state, out = run_to("siblings.0?")
    for reply in ["yes", "Sib One", "1/1/2020", "yes", "Sib Two", "skip", "no"]:
        state, out = step(state, Input(text=reply))
    assert prompt_of(out).key == "learning_disability"
    state, out = run_to(
        replies={"siblings.0?": "yes", "siblings.0.name": "A", "siblings.0.date_of_birth": "skip", "siblings.1?": "no"}
    )
    assert any(i.label == "Sibling's name (sibling 1)" for _, items in out[-1].sections for i in items)  # type: ignore[union-attr]


def test_each_chosen_reason_asks_its_own_detail() -> None:
    state, out = run_to("reasons")
    state, out = step(state, Input(value=["fits_scr_criteria", "other"], key="reasons"))
    assert prompt_of(out).key == "reasons.fits_scr_criteria"
    state, out = step(state, Input(text="1"))
    assert prompt_of(out).key == "reasons.other"
    state, out = step(state, Input(command=Command.SKIP))
    assert "cannot be skipped" in (prompt_of(out).problem or "")


def test_back_returns_with_the_answer_kept_and_keep_moves_on() -> None:
    state, out = run_to("referrer.agency")
    state, out = step(state, Input(command=Command.BACK))
    p = prompt_of(out)
    assert (p.key, p.current) == ("referrer.role", "Named Doctor")
    state, out = step(state, Input(text=""))  # Enter keeps the answer shown
    assert prompt_of(out).key == "referrer.agency"


def test_edit_from_summary_returns_to_summary_and_opens_new_branches() -> None:
    state, out = run_to()
    state, out = step(state, Input(command=Command.EDIT, key="child.date_of_birth"))
    assert prompt_of(out).current == "9 Mar 2024"
    state, out = step(state, Input(command=Command.SKIP))
    assert prompt_of(out).key == "child.age"  # the branch the edit opened
    state, out = step(state, Input(text="2"))
    assert isinstance(out[-1], Summary) and state.mode is Mode.SUMMARY
    state, out = step(state, Input(text="edit 1"))
    assert prompt_of(out).key == "referrer.name"


def test_submit_with_a_cross_field_problem_goes_back_to_the_question() -> None:
    state, _ = run_to()
    # Change the referral date to before the incident: only the whole-form check can see it.
    state, out = step(state, Input(command=Command.EDIT, key="referral_date"))
    state, out = step(state, Input(text="10/11/2026"))
    state, out = step(state, Input(command=Command.SUBMIT, key="summary"))
    p = prompt_of(out)
    assert p.key == "incident_date" and "after the referral date" in (p.problem or "")


def test_cancel_asks_first_then_deletes_the_answers() -> None:
    state, _ = run_to("child.gender")
    state, out = step(state, Input(text="cancel"))
    state, out = step(state, Input(text="no"))
    assert prompt_of(out).key == "child.gender"
    state, out = step(state, Input(command=Command.CANCEL))
    state, out = step(state, Input(text="yes"))
    assert isinstance(out[0], Cancelled) and state.answers == {} and state.mode is Mode.CANCELLED


def test_stale_input_changes_nothing() -> None:
    state, _ = run_to("child.gender")
    before = state.to_json()
    state, out = step(state, Input(value="no", key="designated_professional_consulted"))
    assert isinstance(out[0], Notice) and "out of date" in out[0].text
    assert state.to_json() == before


def test_start_again_resumes_where_it_was() -> None:
    state, _ = run_to("child.gender")
    state, out = step(state, Input(command=Command.START))
    assert "Welcome back" in out[0].text  # type: ignore[union-attr]
    assert prompt_of(out).key == "child.gender"


def test_summary_shows_the_classification_and_the_reminder() -> None:
    _, out = run_to()
    summary = out[-1]
    assert isinstance(summary, Summary)
    notes = " ".join(summary.notes)
    assert "004 §4.4(i)" in notes and "appears met" in notes and "the board decides" in notes
    assert "004 §4.4(ii)" in notes
    assert "not a replacement for a safeguarding referral" in summary.reminder


def test_prefilled_answers_are_offered_not_assumed() -> None:
    state = new_state(REFERRAL_FLOW, {"referrer.name": "Prefilled Person"})
    state, out = step(state, Input(command=Command.START))
    assert prompt_of(out).current == "Prefilled Person"


def _answers(state: State) -> dict[str, Any]:
    return dict(state.answers)


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("designated_professional_consulted", "1", "yes"),  # the options as the terminal numbers them
        ("learning_disability", "2", "no"),
        ("police_involved", "3", "unknown"),
        ("considerations.media_interest", "2", "no"),
    ],
)
def test_numbered_options_are_answers(key: str, typed: str, stored: str) -> None:
    state, out = run_to(key)
    assert [c.value for c in prompt_of(out).choices][int(typed) - 1] == stored
    state, out = step(state, Input(text=typed))
    assert prompt_of(out).key != key and prompt_of(out).problem is None
    assert _answers(state)[key] == stored


@pytest.mark.parametrize("typed", ["submit", "Submit.", "SUBMIT", "submit referral", "send"])
def test_submit_is_typed_from_the_summary(typed: str) -> None:
    state, out = run_to()
    state, out = step(state, Input(text=typed))
    assert any(isinstance(o, Submit) for o in out)
