"""The conversation engine, flow and assembly on a small flow of every kind of question: each reply's whole
output (prompt, numbering, problem, summary) is compared, so a changed word or number shows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cases.problems import FieldProblem
from intake.conversation.assemble import assemble, origin_of
from intake.conversation.engine import HELP, Conversation, Mode, State, display, new_state
from intake.conversation.flow import YES_NO, YES_NO_UNKNOWN, Choice, Flow, Instance, Kind, Repeat, Step, When
from intake.conversation.messages import (
    Cancelled,
    Command,
    ConfirmCancel,
    Input,
    Notice,
    Outbound,
    Prompt,
    Submit,
    Summary,
    SummaryItem,
)

TODAY = date(2026, 11, 22)

NAME = Step("person.name", "What is your name?", Kind.TEXT, "You", label="Name")
BORN = Step(
    "person.born", "Date of birth?", Kind.DATE, "You", label="Born", optional=True, skip_label="Not known", help="h"
)
AGE = Step("person.age", "How old?", Kind.NUMBER, "You", label="Age", when=(When("person.born", "unanswered"),))
COLOUR = Step(
    "colour",
    "Favourite colour?",
    Kind.CHOICE,
    "Likes",
    label="Colour",
    choices=(Choice("r", "Red"), Choice("g", "Green")),
)
PETS = Step(
    "pets",
    "Pets?",
    Kind.MULTI,
    "Likes",
    label="Pets",
    optional=True,
    choices=(Choice("cat", "Cat"), Choice("dog", "Dog")),
)
FLAGS = Step(
    "flags",
    "Which apply?",
    Kind.MULTI,
    "Likes",
    label="Flags",
    optional=True,
    multi_as="flags",
    choices=(Choice("a", "A"), Choice("b", "B")),
)
KNOWN = Step("known", "Known to you?", Kind.ANSWER, "Likes", label="Known", choices=YES_NO_UNKNOWN)
DETAIL = Step("known_detail", "How?", Kind.LONG_TEXT, "Likes", label="How known", when=(When("known", "is", "yes"),))
KID = Step("name", "Child's name?", Kind.TEXT, "Family", label="Child")
KIDS = Repeat("kids", "Family", "child", "Any children?", "Another child?", (KID,), max_items=2)


def _check(data: dict[str, Any], today: date) -> list[FieldProblem]:
    age = data.get("person", {}).get("age")
    if age is not None and age > 17:
        return [FieldProblem("person.age", "Age", "must be 17 or under"), FieldProblem("person", "Person", "too old")]
    born = data.get("person", {}).get("born")
    if born is not None and born > today.isoformat():
        return [FieldProblem("person.born", "Born", "is in the future")]
    return []


def _validate(data: dict[str, Any], today: date) -> list[FieldProblem]:
    if data.get("person", {}).get("name") == "Nobody":
        return [FieldProblem("person.name", "Name", "is not a name"), FieldProblem("colour", "Colour", "x")]
    if data.get("colour") == "g":
        return [FieldProblem("elsewhere", "Elsewhere", "is missing")]
    return []


FLOW = Flow(
    id="tiny",
    version=3,
    title="Tiny form",
    intro="Welcome to the tiny form.",
    nodes=(NAME, BORN, AGE, COLOUR, PETS, FLAGS, KNOWN, DETAIL, KIDS),
    check=_check,
    validate=_validate,
    summary_notes=lambda data: [f"{len(data)} parts"],
    finish_note="Check before you send.",
)
ENGINE = Conversation(FLOW)


def prompt(step: Step, key: str, number: int, total: int, **extra: Any) -> Prompt:
    values: dict[str, Any] = {
        "key": key,
        "text": step.prompt,
        "kind": step.kind,
        "section": step.section,
        "label": step.label,
        "number": number,
        "total": total,
        "choices": step.choices,
        "optional": step.optional,
        "skip_label": step.skip_label,
        "help": step.help,
        "can_go_back": True,
    }
    values.update(extra)
    return Prompt(**values)


def run(*replies: str | Input, state: State | None = None) -> tuple[State, list[Outbound]]:
    s = state or new_state(FLOW)
    out: list[Outbound] = []
    for reply in replies:
        s, out = ENGINE.handle(s, reply if isinstance(reply, Input) else Input(text=reply), today=TODAY)
    return s, out


def start(*replies: str | Input) -> tuple[State, list[Outbound]]:
    return run(Input(command=Command.START), *replies)


# Questions: name, born, age (only while born is unanswered), colour, pets, flags, known, kids.0?
FIRST_TOTAL = 8


def test_start_shows_the_intro_and_the_first_question() -> None:
    s, out = start()
    assert out == [
        Notice("Welcome to the tiny form."),
        prompt(NAME, "person.name", 1, FIRST_TOTAL, can_go_back=False),
    ]
    assert (s.mode, s.cursor, s.answers, s.history) == (Mode.ASKING, "person.name", {}, [])


def test_starting_again_welcomes_back_where_the_draft_stopped() -> None:
    s, _ = start("Ann")
    _, out = run(Input(command=Command.START), state=s)
    assert out == [
        Notice("Welcome back: your unfinished referral is saved. Carry on below, or type *cancel* to delete it."),
        prompt(BORN, "person.born", 2, FIRST_TOTAL),
    ]


# The "add another?" questions the flow makes for the repeat.
ANY_KIDS = Step("kids.0?", "Any children?", Kind.CONFIRM, "Family", label="Any childs", choices=YES_NO)
MORE_KIDS = Step("kids.1?", "Another child?", Kind.CONFIRM, "Family", label="Another child", choices=YES_NO)
TO_KNOWN = ["Ann", "skip", "4", "2", "skip", "skip"]


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        # A skipped date of birth leaves the age question; a given one removes it (one question fewer).
        (["Ann", "skip"], prompt(AGE, "person.age", 3, FIRST_TOTAL)),
        (["Ann", "3/4/2020"], prompt(COLOUR, "colour", 3, FIRST_TOTAL - 1)),
        (["Ann", "skip", "4"], prompt(COLOUR, "colour", 4, FIRST_TOTAL)),
        # Both problems belong to the age: one names it, the other names its enclosing "person" (nearest inside).
        (["Ann", "skip", "18"], prompt(AGE, "person.age", 3, FIRST_TOTAL, problem="must be 17 or under; too old")),
        (
            ["Ann", "skip", "four"],
            prompt(
                AGE, "person.age", 3, FIRST_TOTAL, problem="'four' is not a whole number; type the age in years, e.g. 4"
            ),
        ),
        (["Ann", "1/1/2027"], prompt(BORN, "person.born", 2, FIRST_TOTAL, problem="is in the future")),
        (["Ann", "skip", "4", "2"], prompt(PETS, "pets", 5, FIRST_TOTAL)),
        (["Ann", "skip", "4", "green"], prompt(PETS, "pets", 5, FIRST_TOTAL)),
        (["Ann", "skip", "4", "2", "1, 2"], prompt(FLAGS, "flags", 6, FIRST_TOTAL)),
        (TO_KNOWN, prompt(KNOWN, "known", 7, FIRST_TOTAL)),
        ([*TO_KNOWN, "yes"], prompt(DETAIL, "known_detail", 8, FIRST_TOTAL + 1)),
        ([*TO_KNOWN, "no"], prompt(ANY_KIDS, "kids.0?", 8, FIRST_TOTAL)),
        ([*TO_KNOWN, "no", "yes"], prompt(KID, "kids.0.name", 9, FIRST_TOTAL + 2, label="Child (child 1)")),
        ([*TO_KNOWN, "no", "yes", "Bo"], prompt(MORE_KIDS, "kids.1?", 10, FIRST_TOTAL + 2)),
        (
            [*TO_KNOWN, "no", "yes", "Bo", "yes"],
            prompt(KID, "kids.1.name", 11, FIRST_TOTAL + 3, label="Child (child 2)"),
        ),
        (
            [*TO_KNOWN, "no", "yes", "Bo", "not known"],
            prompt(MORE_KIDS, "kids.1?", 10, FIRST_TOTAL + 2, problem="reply yes or no"),
        ),
        (
            [*TO_KNOWN, "no", "yes", "Bo", "maybe"],
            prompt(
                MORE_KIDS,
                "kids.1?",
                10,
                FIRST_TOTAL + 2,
                problem="'maybe' is not an answer I can read; reply yes, no, or not known",
            ),
        ),
    ],
)
def test_each_reply_gives_the_next_question_exactly(replies: list[str], expected: Prompt) -> None:
    _, out = start(*replies)
    assert out == [expected]


ALL_ANSWERED = ["Ann", "skip", "4", "red", "1, 2", "2", "yes", "Through school", "yes", "Bo", "no"]
ALL_TOTAL = 11  # the 8 first questions, how known, the child's name, another child?


def test_the_summary_lists_every_answer_by_section_with_numbers() -> None:
    s, out = start(*ALL_ANSWERED)
    assert s.mode is Mode.SUMMARY
    assert out == [
        Summary(
            title="Tiny form: check your answers",
            sections=(
                (
                    "You",
                    (
                        SummaryItem(1, "person.name", "Name", "Ann"),
                        SummaryItem(2, "person.born", "Born", "Not given"),
                        SummaryItem(3, "person.age", "Age", "4"),
                    ),
                ),
                (
                    "Likes",
                    (
                        SummaryItem(4, "colour", "Colour", "Red"),
                        SummaryItem(5, "pets", "Pets", "Cat, Dog"),
                        SummaryItem(6, "flags", "Flags", "B"),
                        SummaryItem(7, "known", "Known", "Yes"),
                        SummaryItem(8, "known_detail", "How known", "Through school"),
                    ),
                ),
                (
                    "Family",
                    (
                        SummaryItem(9, "kids.0?", "Any childs", "Yes"),
                        SummaryItem(10, "kids.0.name", "Child (child 1)", "Bo"),
                    ),
                ),
            ),
            notes=("7 parts",),
            reminder="Check before you send.",
        )
    ]


def test_assembled_data_and_where_each_field_came_from() -> None:
    s, _ = start(*ALL_ANSWERED)
    data, origins = assemble(FLOW, s.answers)
    assert data == {
        "person": {"name": "Ann", "age": 4},
        "colour": "r",
        "pets": [{"kind": "cat"}, {"kind": "dog"}],
        "flags": {"b": "yes"},
        "known": "yes",
        "known_detail": "Through school",
        "kids": [{"name": "Bo"}],
    }
    assert origins == {
        "person.name": "person.name",
        "person.born": "person.born",
        "person.age": "person.age",
        "colour": "colour",
        "pets": "pets",
        "pets.0.kind": "pets",
        "pets.1.kind": "pets",
        "flags": "flags",
        "flags.b": "flags",
        "known": "known",
        "known_detail": "known_detail",
        "kids.0.name": "kids.0.name",
    }


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("person.name", "person.name"),  # exact
        ("pets.1.kind.extra", "pets"),  # the nearest enclosing path
        ("kids", "kids.0.name"),  # the first inside it
        ("kids.0", "kids.0.name"),
        ("nowhere", None),
        ("person.nam", None),  # a prefix of a name is not inside it
    ],
)
def test_origin_of_a_problem(field: str, expected: str | None) -> None:
    s, _ = start(*ALL_ANSWERED)
    _, origins = assemble(FLOW, s.answers)
    assert origin_of(field, origins) == expected


def test_submit_sends_the_finished_data() -> None:
    s, out = start(*ALL_ANSWERED, "submit")
    assert s.mode is Mode.SUBMITTED and s.finished
    assert out == [Submit(assemble(FLOW, s.answers)[0])]
    _, out = run("anything", state=s)
    assert out == [Notice("This referral is finished. Start a new one whenever you need to.")]


def test_submit_with_a_problem_goes_back_to_its_question() -> None:
    s, out = start("Nobody", *ALL_ANSWERED[1:], "send")
    assert (s.mode, s.cursor, s.editing) == (Mode.ASKING, "person.name", True)
    assert out == [
        prompt(
            NAME, "person.name", 1, ALL_TOTAL, problem="Name: is not a name", current="Nobody", current_value="Nobody"
        )
    ]
    # Answered again, the summary comes back (not the next question).
    s, out = run("Ann", state=s)
    assert s.mode is Mode.SUMMARY and not s.editing
    assert isinstance(out[0], Summary)


def test_submit_with_a_problem_no_question_owns_stays_on_the_summary() -> None:
    s, out = start(*ALL_ANSWERED[:3], "green", *ALL_ANSWERED[4:], "submit")
    assert s.mode is Mode.SUMMARY
    assert out[0] == Notice("This cannot be submitted yet: Elsewhere: is missing")
    assert isinstance(out[1], Summary) and len(out) == 2


@pytest.mark.parametrize(
    ("reply", "key"),
    [
        ("edit 4", "colour"),
        ("Edit 10", "kids.0.name"),
        (Input(command=Command.EDIT, key="pets"), "pets"),
    ],
)
def test_edit_from_the_summary(reply: str | Input, key: str) -> None:
    s, out = start(*ALL_ANSWERED, reply)
    assert (s.mode, s.cursor, s.editing) == (Mode.ASKING, key, True)
    [shown] = out
    assert isinstance(shown, Prompt) and shown.key == key and shown.problem is None


@pytest.mark.parametrize("reply", ["edit", "edit 99", "edit four", Input(command=Command.EDIT, key="nope")])
def test_edit_of_no_answer_asks_which(reply: str | Input) -> None:
    s, out = start(*ALL_ANSWERED, reply)
    assert s.mode is Mode.SUMMARY
    assert out[0] == Notice("Which answer? Type *edit* and its number, e.g. edit 7.")
    assert isinstance(out[1], Summary) and len(out) == 2


def test_an_edit_that_opens_a_question_asks_it_before_the_summary() -> None:
    s, _ = start(*ALL_ANSWERED[:6], "no", *ALL_ANSWERED[8:])
    assert "known_detail" not in s.answers and s.mode is Mode.SUMMARY
    s, out = run("edit 7", "yes", state=s)
    assert out == [prompt(DETAIL, "known_detail", 8, ALL_TOTAL)]
    s, out = run("By name", state=s)
    assert s.mode is Mode.SUMMARY and isinstance(out[0], Summary)


def test_other_replies_in_the_summary_say_what_to_type() -> None:
    s, out = start(*ALL_ANSWERED, "hello")
    assert out[0] == Notice("Type *submit* to send the referral, *edit* and a number to change an answer, or *cancel*.")
    assert isinstance(out[1], Summary) and s.mode is Mode.SUMMARY


def test_back_from_the_summary_asks_the_last_question() -> None:
    s, out = start(*ALL_ANSWERED, "back")
    assert (s.mode, s.cursor) == (Mode.ASKING, "kids.1?")
    assert out == [prompt(MORE_KIDS, "kids.1?", ALL_TOTAL, ALL_TOTAL, current="No", current_value="no")]


def test_back_goes_to_the_previous_question_and_stops_at_the_first() -> None:
    s, out = start("Ann", "back")
    assert out == [prompt(NAME, "person.name", 1, FIRST_TOTAL, current="Ann", current_value="Ann", can_go_back=False)]
    s, out = run("back", state=s)
    assert out == [
        Notice("This is the first question."),
        prompt(NAME, "person.name", 1, FIRST_TOTAL, current="Ann", current_value="Ann", can_go_back=False),
    ]


def test_back_skips_a_question_that_no_longer_applies() -> None:
    s, _ = start("Ann", "skip", "4")  # name, born (skipped), age
    s, _ = run("back", "back", "1/2/2020", state=s)  # born given: the age no longer applies
    assert s.cursor == "colour"
    s, out = run("back", state=s)
    assert s.cursor == "person.born"
    assert out == [prompt(BORN, "person.born", 2, 7, current="1 Feb 2020", current_value="2020-02-01")]


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        (
            ["skip"],
            prompt(
                NAME,
                "person.name",
                1,
                8,
                problem="this question needs an answer; it cannot be skipped",
                can_go_back=False,
            ),
        ),
        (["  "], prompt(NAME, "person.name", 1, 8, problem="please give an answer", can_go_back=False)),
        (["keep"], prompt(NAME, "person.name", 1, 8, problem="please give an answer", can_go_back=False)),
        (["Ann", ""], prompt(BORN, "person.born", 2, 8, problem="please give an answer (or skip it)")),
        (["Ann", "skip", "back", "keep"], prompt(AGE, "person.age", 3, 8)),  # skipped and kept skipped
        (["Ann", "back", "keep"], prompt(BORN, "person.born", 2, 8)),  # kept: the answer given stands
    ],
)
def test_skipping_and_keeping(replies: list[str], expected: Prompt) -> None:
    _, out = start(*replies)
    assert out == [expected]


def test_a_multi_choice_picked_as_nothing_is_a_skip() -> None:
    s, out = start(*ALL_ANSWERED[:4], Input(value=[], key="pets"))
    assert s.skipped == ["person.born", "pets"] and "pets" not in s.answers
    assert out == [prompt(FLAGS, "flags", 6, 8)]


def test_a_skipped_question_answered_later_is_no_longer_skipped() -> None:
    s, _ = start("Ann", "skip", "back", "1/2/2020")
    assert s.skipped == [] and s.answers["person.born"] == "2020-02-01"


@pytest.mark.parametrize(
    ("picked", "answer", "problem"),
    [
        (Input(value="g", key="colour"), "g", None),
        (Input(value="x", key="colour"), None, "'x' is not one of the options"),
        (Input(value=["dog"], key="pets"), ["dog"], None),
        (Input(value="cat", key="pets"), ["cat"], None),
        (Input(value=["cat", "eel", "owl"], key="pets"), None, "eel, owl is not one of the options"),
        (Input(value="2020-03-04", key="person.born"), "2020-03-04", None),
        (Input(value="4 March", key="person.born"), None, "'4 March' is not a date"),
        (Input(value="Zed", key="person.name"), "Zed", None),
    ],
)
def test_picked_values(picked: Input, answer: Any, problem: str | None) -> None:
    key = str(picked.key)
    before = {
        "person.name": [],
        "person.born": ["Ann"],
        "colour": ["Ann", "skip", "4"],
        "pets": ["Ann", "skip", "4", "2"],
    }
    s, out = start(*before[key], picked)
    assert s.answers.get(key) == answer
    if problem is not None:
        [shown] = out
        assert isinstance(shown, Prompt) and (shown.key, shown.problem) == (key, problem)
    else:
        assert s.cursor != key


def test_a_stale_button_changes_nothing() -> None:
    s, _ = start("Ann")
    after, out = run(Input(value="r", key="colour"), state=s)
    assert after == s
    assert out == [
        Notice("That message is out of date; here is where your referral is now."),
        prompt(BORN, "person.born", 2, 8),
    ]


def test_a_command_that_does_not_apply_says_so() -> None:
    s, out = start("Ann", "submit")
    assert out == [Notice("*submit* does not apply here."), prompt(BORN, "person.born", 2, 8)]
    assert s.cursor == "person.born"


def test_help_then_the_question_again() -> None:
    _, out = start("Ann", "?")
    assert out == [Notice(HELP), prompt(BORN, "person.born", 2, 8)]
    assert HELP.startswith("Reply to each question in your own words.")


@pytest.mark.parametrize(
    ("replies", "first"),
    [
        (["Ann", "summary"], []),  # everything so far is answered: summary and the question
        (
            ["Ann", "skip", "back", "back", "summary"],
            [Notice("Some questions are still to come; the summary shows what you have so far.")],
        ),
    ],
)
def test_the_summary_while_asking(replies: list[str], first: list[Outbound]) -> None:
    s, out = start(*replies)
    assert out[: len(first)] == first
    summary, question = out[len(first) :]
    assert isinstance(summary, Summary) and isinstance(question, Prompt) and question.key == s.cursor
    assert s.mode is Mode.ASKING


@pytest.mark.parametrize("confirm", ["yes", "cancel", Input(value="yes")])
def test_cancel_asks_then_deletes(confirm: str | Input) -> None:
    s, out = start("Ann", "stop")
    assert s.mode is Mode.CONFIRM_CANCEL
    assert out == [ConfirmCancel("Cancel this referral? Everything you have entered will be deleted. (yes / no)")]
    s, out = run(confirm, state=s)
    assert (s.mode, s.answers) == (Mode.CANCELLED, {})
    assert out == [Cancelled("Referral cancelled; nothing was sent and your answers are deleted.")]


def test_not_cancelling_carries_on_where_it_was() -> None:
    s, _ = start(*ALL_ANSWERED, "cancel")
    s, out = run("perhaps", state=s)
    assert out[0] == Notice("Please reply yes (delete the referral) or no (keep going).")
    assert isinstance(out[1], ConfirmCancel)
    s, out = run("no", state=s)
    assert s.mode is Mode.SUMMARY
    assert out[0] == Notice("Carrying on.") and isinstance(out[1], Summary)


def test_the_state_is_plain_json_and_comes_back_the_same() -> None:
    s, _ = start("Ann", "skip", "cancel")
    data = s.to_json()
    assert data == {
        "flow": "tiny",
        "version": 3,
        "mode": "confirm_cancel",
        "cursor": "person.age",
        "answers": {"person.name": "Ann"},
        "skipped": ["person.born"],
        "history": ["person.name", "person.born"],
        "editing": False,
        "resume_mode": "asking",
    }
    back = State.from_json({**data, "unknown_field": 1})
    assert back == s and back.mode is Mode.CONFIRM_CANCEL and back.resume_mode is Mode.ASKING


def test_a_new_state_holds_the_prefilled_answers_as_current() -> None:
    s = new_state(FLOW, {"person.name": "Ann"})
    assert (s.flow, s.version, s.mode, s.cursor, s.answers) == ("tiny", 3, Mode.ASKING, "", {"person.name": "Ann"})
    _, out = run(Input(command=Command.START), state=s)
    assert out[1] == prompt(NAME, "person.name", 1, 8, current="Ann", current_value="Ann", can_go_back=False)


@pytest.mark.parametrize(
    ("step", "value", "shown"),
    [
        (NAME, None, "-"),
        (NAME, "Ann", "Ann"),
        (AGE, 4, "4"),
        (BORN, "2020-03-04", "4 Mar 2020"),
        (PETS, ["cat", "eel"], "Cat, eel"),
        (PETS, [], "None"),
        (COLOUR, "r", "Red"),
        (COLOUR, "x", "x"),
        (KNOWN, "unknown", "Not known"),
        (ANY_KIDS, "no", "No"),
        (FLAGS, ["a"], "A"),
    ],
)
def test_display(step: Step, value: Any, shown: str) -> None:
    assert display(step, value) == shown


@pytest.mark.parametrize(
    ("op", "value", "answers", "holds"),
    [
        ("is", "yes", {"k": "yes"}, True),
        ("is", "yes", {"k": "no"}, False),
        ("is", "yes", {}, False),
        ("is_not", "yes", {"k": "no"}, True),
        ("is_not", "yes", {"k": "yes"}, False),
        ("is_not", "yes", {}, True),
        ("has", "a", {"k": ["a", "b"]}, True),
        ("has", "a", {"k": ["b"]}, False),
        ("has", "a", {"k": "a"}, False),  # not a list
        ("answered", "", {"k": "x"}, True),
        ("answered", "", {}, False),
        ("unanswered", "", {}, True),
        ("unanswered", "", {"k": ""}, False),
    ],
)
def test_when(op: Any, value: str, answers: dict[str, Any], holds: bool) -> None:
    assert When("k", op, value).holds(answers) is holds


def test_the_walk_of_a_repeat_stops_at_its_most_items() -> None:
    answers = {"kids.0?": "yes", "kids.0.name": "A", "kids.1?": "yes", "kids.1.name": "B"}
    keys = [i.key for i in FLOW.walk(answers)]
    assert keys[-4:] == ["kids.0?", "kids.0.name", "kids.1?", "kids.1.name"]
    [more] = [i for i in FLOW.walk(answers) if i.key == "kids.1?"]
    assert more == Instance("kids.1?", MORE_KIDS, "kids.1?", KIDS, 1)
    [name] = [i for i in FLOW.walk(answers) if i.key == "kids.1.name"]
    assert (name.path, name.item, name.is_more_question) == ("kids.1.name", 1, False)
    assert FLOW.instance("kids.2?", answers) is None
    hidden = Repeat("kids", "Family", "child", "?", "?", (KID,), when=(When("known", "is", "yes"),))
    assert not hidden.applies({}) and hidden.applies({"known": "yes"})
    assert Step("f", "p", Kind.TEXT, "s").key == "f" and Step("f", "p", Kind.TEXT, "s", id="i").key == "i"
