"""A flow is data: ordered steps, each with a prompt, the field it fills, its kind (which says how a reply is
read), whether it may be skipped, and when it applies. Repeatable groups ask "add another?" between items.

Keys: a plain step's key is its `id` (by default its field, e.g. "child.date_of_birth"); a step inside a
repeat has key "siblings.0.name"; the question before item n is "siblings.n?". Conditions refer to keys.
Fields are dotted paths into the finished data; "reasons[kind=other].detail" is the `detail` of the item of
the `reasons` list whose `kind` is "other".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from cases.problems import FieldProblem


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    NUMBER = "number"
    CHOICE = "choice"  # one of `choices`
    MULTI = "multi"  # any of `choices` (as list items or as yes-flags, see Step.multi_as)
    ANSWER = "answer"  # yes / no / not known
    CONFIRM = "confirm"  # yes / no (e.g. "add another sibling?")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


YES_NO_UNKNOWN = (Choice("yes", "Yes"), Choice("no", "No"), Choice("unknown", "Not known"))
YES_NO = (Choice("yes", "Yes"), Choice("no", "No"))


@dataclass(frozen=True)
class When:
    """A condition on the answers so far: `key` is a step key."""

    key: str
    op: Literal["is", "is_not", "has", "answered", "unanswered"]
    value: str = ""

    def holds(self, answers: Mapping[str, Any]) -> bool:
        current = answers.get(self.key)
        if self.op == "answered":
            return current is not None
        if self.op == "unanswered":
            return current is None
        if self.op == "is":
            return bool(current == self.value)
        if self.op == "is_not":
            return bool(current != self.value)
        return isinstance(current, list) and self.value in current


@dataclass(frozen=True)
class Step:
    field: str
    prompt: str
    kind: Kind
    section: str
    id: str = ""  # defaults to `field`; needed when two steps fill the same field
    label: str = ""  # shown in summaries; defaults to the model's title for the field
    optional: bool = False
    skip_label: str = "Skip"
    choices: tuple[Choice, ...] = ()
    help: str = ""
    when: tuple[When, ...] = ()
    # For MULTI: "items" makes [{item_key: value}, ...] at `field`; "flags" sets field.<value> = "yes".
    multi_as: Literal["items", "flags"] = "items"
    item_key: str = "kind"

    @property
    def key(self) -> str:
        return self.id or self.field

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return all(w.holds(answers) for w in self.when)


@dataclass(frozen=True)
class Repeat:
    """A repeatable group, e.g. siblings: ask `ask_first`, then the item's steps, then `ask_more`, ..."""

    field: str
    section: str
    item_name: str
    ask_first: str
    ask_more: str
    steps: tuple[Step, ...]
    max_items: int = 30
    when: tuple[When, ...] = ()

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return all(w.holds(answers) for w in self.when)


@dataclass(frozen=True)
class Instance:
    """One question as it stands in this conversation: a step, in a repeat item or not."""

    key: str
    step: Step
    path: str  # where the answer goes in the finished data (selectors unresolved)
    repeat: Repeat | None = None
    item: int | None = None

    @property
    def is_more_question(self) -> bool:
        return self.key.endswith("?")


# Checks a flow runs on the data (pure): `check` on the partial data after each answer (the engine keeps the
# problems that belong to the question just answered), `validate` on the finished data before it is submitted.
Check = Callable[[dict[str, Any], date], list[FieldProblem]]
Extras = Callable[[dict[str, Any]], list[str]]


@dataclass(frozen=True)
class Flow:
    id: str
    version: int
    title: str
    intro: str
    nodes: tuple[Step | Repeat, ...]
    check: Check
    validate: Check
    summary_notes: Extras = field(default=lambda data: [])
    finish_note: str = ""

    def walk(self, answers: Mapping[str, Any]) -> Iterator[Instance]:
        """Every question that applies given the answers so far, in order."""
        for node in self.nodes:
            if isinstance(node, Step):
                if node.applies(answers):
                    yield Instance(node.key, node, node.field)
                continue
            if not node.applies(answers):
                continue
            for n in range(node.max_items):
                more = Step(
                    field=f"{node.field}.{n}?",
                    prompt=node.ask_first if n == 0 else node.ask_more,
                    kind=Kind.CONFIRM,
                    section=node.section,
                    label=f"Any {node.item_name}s" if n == 0 else f"Another {node.item_name}",
                    choices=YES_NO,
                )
                yield Instance(more.key, more, more.field, node, n)
                if answers.get(more.key) != "yes":
                    break
                for step in node.steps:
                    if step.applies(answers):
                        path = f"{node.field}.{n}.{step.field}"
                        yield Instance(f"{node.field}.{n}.{step.key}", step, path, node, n)

    def instance(self, key: str, answers: Mapping[str, Any]) -> Instance | None:
        return next((i for i in self.walk(answers) if i.key == key), None)
