"""`handle(flow, state, input, today) -> (state, outbound)`: pure; no I/O, no clock (DESIGN.md §4).

The state is plain JSON (answers by question key, where we are, what was skipped, the way back), so a draft
can be sealed, stored, and resumed after a restart exactly where it stopped.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from intake.conversation.assemble import assemble, origin_of
from intake.conversation.flow import Flow, Instance, Kind, Step
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
from intake.conversation.parsing import (
    NotUnderstood,
    match_choice,
    match_choices,
    parse_answer,
    parse_date,
    parse_whole_number,
)


class Mode(StrEnum):
    ASKING = "asking"
    SUMMARY = "summary"
    CONFIRM_CANCEL = "confirm_cancel"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"


@dataclass
class State:
    flow: str
    version: int
    mode: Mode = Mode.ASKING
    cursor: str = ""  # key of the question being asked ("" before the start)
    answers: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    editing: bool = False  # back to the summary once the edited answer (and anything it opened) is given
    resume_mode: Mode = Mode.ASKING  # where "no, don't cancel" returns to

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        state = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        state.mode = Mode(state.mode)
        state.resume_mode = Mode(state.resume_mode)
        return state

    @property
    def finished(self) -> bool:
        return self.mode in (Mode.SUBMITTED, Mode.CANCELLED)


def new_state(flow: Flow, prefill: dict[str, Any] | None = None) -> State:
    """A fresh conversation; `prefill` answers are offered as current answers (e.g. the referrer's name from
    their Slack profile) and still asked, so the user can keep or change them."""
    return State(flow=flow.id, version=flow.version, answers=dict(prefill or {}))


# Typed words that act as commands (whole reply only), and what they mean in each mode.
_TYPED = {
    "back": Command.BACK,
    "skip": Command.SKIP,
    "keep": Command.KEEP,
    "cancel": Command.CANCEL,
    "stop": Command.CANCEL,
    "submit": Command.SUBMIT,
    "submit referral": Command.SUBMIT,
    "send": Command.SUBMIT,
    "summary": Command.SUMMARY,
    "help": Command.HELP,
    "?": Command.HELP,
}

HELP = (
    "Reply to each question in your own words. You can also type: *back* (previous question), *skip* "
    "(questions that can be skipped), *keep* (keep the answer shown), *summary* (see everything so far), "
    "*cancel* (delete this referral). Your answers are saved as you go: you can stop and come back later."
)


def display(step: Step, value: Any) -> str:
    """An answer as people read it."""
    if value is None:
        return "-"
    labels = {c.value: c.label for c in step.choices}
    if step.kind is Kind.DATE:
        return date.fromisoformat(value).strftime("%-d %b %Y")
    if step.kind is Kind.MULTI:
        return ", ".join(labels.get(v, v) for v in value) or "None"
    if step.kind in (Kind.CHOICE, Kind.ANSWER, Kind.CONFIRM):
        return labels.get(value, str(value))
    return str(value)


def _read(step: Step, inp: Input, today: date) -> Any:
    """The value a reply gives for this step, or NotUnderstood with the reason."""
    choices = [(c.value, c.label) for c in step.choices]
    values = {c.value for c in step.choices}
    if inp.value is not None:
        if step.kind is Kind.MULTI:
            picked = [str(v) for v in (inp.value if isinstance(inp.value, list) else [inp.value])]
            unknown = [v for v in picked if v not in values]
            if unknown:
                raise NotUnderstood(f"{', '.join(unknown)} is not one of the options")
            return picked
        if step.kind is Kind.DATE:
            try:
                return date.fromisoformat(str(inp.value)).isoformat()
            except ValueError:
                raise NotUnderstood(f"'{inp.value}' is not a date") from None
        if values and str(inp.value) not in values:
            raise NotUnderstood(f"'{inp.value}' is not one of the options")
        return str(inp.value)
    text = (inp.text or "").strip()
    if step.kind is Kind.DATE:
        return parse_date(text, today=today).isoformat()
    if step.kind is Kind.NUMBER:
        return parse_whole_number(text)
    if step.kind in (Kind.ANSWER, Kind.CONFIRM) and text.isdigit() and choices:
        return match_choice(text, choices)  # the terminal numbers the options: "2" is the second
    if step.kind is Kind.ANSWER:
        return parse_answer(text).value
    if step.kind is Kind.CONFIRM:
        answer = parse_answer(text).value
        if answer not in values:
            raise NotUnderstood("reply yes or no")
        return answer
    if step.kind is Kind.CHOICE:
        return match_choice(text, choices)
    if step.kind is Kind.MULTI:
        return match_choices(text, choices)
    return text


class Conversation:
    """The engine for one flow."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow

    # --- what the user sees --------------------------------------------------------------------------

    def _instances(self, state: State) -> list[Instance]:
        return list(self.flow.walk(state.answers))

    def prompt(self, state: State, problem: str | None = None) -> Prompt:
        instances = self._instances(state)
        index = next(i for i, inst in enumerate(instances) if inst.key == state.cursor)
        inst = instances[index]
        step = inst.step
        value = state.answers.get(inst.key)
        label = step.label
        if inst.repeat is not None and inst.item is not None and not inst.is_more_question:
            label = f"{label} ({inst.repeat.item_name} {inst.item + 1})"
        return Prompt(
            key=inst.key,
            text=step.prompt,
            kind=step.kind,
            section=step.section,
            label=label,
            number=index + 1,
            total=len(instances),
            choices=step.choices,
            optional=step.optional,
            skip_label=step.skip_label,
            help=step.help,
            current=display(step, value) if value is not None else None,
            current_value=value,
            problem=problem,
            can_go_back=bool(state.history),
        )

    def summary(self, state: State) -> Summary:
        data, _ = assemble(self.flow, state.answers)
        sections: list[tuple[str, list[SummaryItem]]] = []
        number = 0
        for inst in self._instances(state):
            if inst.is_more_question and inst.item != 0:
                continue
            number += 1
            label = inst.step.label
            if inst.repeat is not None and not inst.is_more_question and inst.item is not None:
                label = f"{label} ({inst.repeat.item_name} {inst.item + 1})"
            value = state.answers.get(inst.key)
            shown = display(inst.step, value) if value is not None else "Not given"
            item = SummaryItem(number, inst.key, label, shown)
            if not sections or sections[-1][0] != inst.step.section:
                sections.append((inst.step.section, []))
            sections[-1][1].append(item)
        return Summary(
            title=f"{self.flow.title}: check your answers",
            sections=tuple((name, tuple(items)) for name, items in sections),
            notes=tuple(self.flow.summary_notes(data)),
            reminder=self.flow.finish_note,
        )

    def current(self, state: State, problem: str | None = None) -> list[Outbound]:
        """What to show for where the conversation is now."""
        if state.mode is Mode.SUMMARY:
            out: list[Outbound] = [Notice(problem)] if problem else []
            return [*out, self.summary(state)]
        if state.mode is Mode.CONFIRM_CANCEL:
            return [ConfirmCancel("Cancel this referral? Everything you have entered will be deleted. (yes / no)")]
        if state.finished:
            return [Notice("This referral is finished. Start a new one whenever you need to.")]
        return [self.prompt(state, problem)]

    # --- moving about ----------------------------------------------------------------------------------

    def _pending(self, state: State) -> Instance | None:
        for inst in self._instances(state):
            if inst.key not in state.answers and inst.key not in state.skipped:
                return inst
        return None

    def _advance(self, state: State) -> list[Outbound]:
        instances = self._instances(state)
        keys = [i.key for i in instances]
        if state.cursor and (not state.history or state.history[-1] != state.cursor):
            state.history.append(state.cursor)
        if state.editing:
            pending = self._pending(state)
            if pending is None:
                return self._to_summary(state)
            state.cursor = pending.key
            return [self.prompt(state)]
        position = keys.index(state.cursor) + 1 if state.cursor in keys else 0
        if position >= len(keys):
            return self._to_summary(state)
        state.cursor = keys[position]
        return [self.prompt(state)]

    def _to_summary(self, state: State) -> list[Outbound]:
        state.mode = Mode.SUMMARY
        state.editing = False
        return [self.summary(state)]

    def _go_to(self, state: State, key: str, problem: str | None = None) -> list[Outbound]:
        state.mode = Mode.ASKING
        state.editing = True
        state.cursor = key
        return [self.prompt(state, problem)]

    # --- the one entry point ---------------------------------------------------------------------------

    def handle(self, state: State, inp: Input, *, today: date) -> tuple[State, list[Outbound]]:
        s = copy.deepcopy(state)
        out = self._handle(s, inp, today)
        return s, out

    def _handle(self, s: State, inp: Input, today: date) -> list[Outbound]:
        command = inp.command
        if command is None and inp.text is not None and inp.value is None:
            command = _TYPED.get(" ".join(inp.text.lower().split()).rstrip(".!"))
        if s.finished:
            return self.current(s)
        if command is Command.START:
            if not s.cursor:
                first = self._instances(s)[0]
                s.cursor = first.key
                return [Notice(self.flow.intro), self.prompt(s)]
            return [
                Notice(
                    "Welcome back: your unfinished referral is saved. Carry on below, or type *cancel* to delete it."
                ),
                *self.current(s),
            ]
        if command is Command.HELP:
            return [Notice(HELP), *self.current(s)]
        if s.mode is Mode.CONFIRM_CANCEL:
            return self._confirm_cancel(s, inp, command)
        if command is Command.CANCEL:
            s.resume_mode = s.mode
            s.mode = Mode.CONFIRM_CANCEL
            return self.current(s)
        expected = s.cursor if s.mode is Mode.ASKING else "summary"
        editing_from_summary = s.mode is Mode.SUMMARY and command is Command.EDIT
        if inp.key is not None and inp.key != expected and not editing_from_summary:
            return [Notice("That message is out of date; here is where your referral is now."), *self.current(s)]
        if s.mode is Mode.SUMMARY:
            return self._in_summary(s, inp, command, today)
        return self._asking(s, inp, command, today)

    def _confirm_cancel(self, s: State, inp: Input, command: Command | None) -> list[Outbound]:
        said = str(inp.value) if inp.value is not None else (inp.text or "")
        try:
            yes = command is Command.CANCEL or parse_answer(said).value == "yes"
        except NotUnderstood:
            return [Notice("Please reply yes (delete the referral) or no (keep going)."), *self.current(s)]
        if yes:
            s.mode = Mode.CANCELLED
            s.answers = {}
            return [Cancelled("Referral cancelled; nothing was sent and your answers are deleted.")]
        s.mode = s.resume_mode
        return [Notice("Carrying on."), *self.current(s)]

    def _in_summary(self, s: State, inp: Input, command: Command | None, today: date) -> list[Outbound]:
        if command is Command.SUBMIT:
            data, origins = assemble(self.flow, s.answers)
            problems = self.flow.validate(data, today)
            if problems:
                first = problems[0]
                key = origin_of(first.field, origins)
                reason = f"{first.label}: {first.message}"
                if key is None:
                    return [Notice(f"This cannot be submitted yet: {reason}"), self.summary(s)]
                return self._go_to(s, key, reason)
            s.mode = Mode.SUBMITTED
            return [Submit(data)]
        if command is Command.EDIT or (inp.text or "").lower().startswith("edit"):
            key = inp.key if command is Command.EDIT else self._key_by_number(s, (inp.text or "")[4:])
            if key is None or self.flow.instance(key, s.answers) is None:
                return [Notice("Which answer? Type *edit* and its number, e.g. edit 7."), self.summary(s)]
            return self._go_to(s, key)
        if command is Command.BACK:
            s.mode = Mode.ASKING
            s.cursor = self._instances(s)[-1].key
            return [self.prompt(s)]
        return [
            Notice("Type *submit* to send the referral, *edit* and a number to change an answer, or *cancel*."),
            self.summary(s),
        ]

    def _key_by_number(self, s: State, text: str) -> str | None:
        text = text.strip()
        if not text.isdigit():
            return None
        for _, items in self.summary(s).sections:
            for item in items:
                if item.number == int(text):
                    return item.key
        return None

    def _asking(self, s: State, inp: Input, command: Command | None, today: date) -> list[Outbound]:
        inst = self.flow.instance(s.cursor, s.answers)
        if inst is None:  # an earlier answer changed and this question no longer applies
            return self._advance(s)
        step = inst.step
        if command is Command.SUMMARY:
            pending = self._pending(s)
            if pending is not None and pending.key != s.cursor:
                return [
                    Notice("Some questions are still to come; the summary shows what you have so far."),
                    self.summary(s),
                    self.prompt(s),
                ]
            return [self.summary(s), self.prompt(s)]
        if command is Command.BACK:
            while s.history:
                previous = s.history.pop()
                if self.flow.instance(previous, s.answers) is not None:
                    s.cursor = previous
                    return [self.prompt(s)]
            return [Notice("This is the first question."), self.prompt(s)]
        if command is Command.SKIP or (command is None and step.kind is Kind.MULTI and inp.value == []):
            if not step.optional:
                return [self.prompt(s, "this question needs an answer; it cannot be skipped")]
            s.answers.pop(inst.key, None)
            if inst.key not in s.skipped:
                s.skipped.append(inst.key)
            return self._advance(s)
        empty_reply = command is None and inp.value is None and not (inp.text or "").strip()
        if command is Command.KEEP or empty_reply:
            if inst.key in s.answers or (inst.key in s.skipped and step.optional):
                return self._advance(s)
            hint = " (or skip it)" if step.optional else ""
            return [self.prompt(s, f"please give an answer{hint}")]
        if command is not None:
            return [Notice(f"*{command.value}* does not apply here."), self.prompt(s)]
        try:
            value = _read(step, inp, today)
        except NotUnderstood as exc:
            return [self.prompt(s, str(exc))]
        before = s.answers.get(inst.key)
        s.answers[inst.key] = value
        data, origins = assemble(self.flow, s.answers)
        mine = [p for p in self.flow.check(data, today) if origin_of(p.field, origins) == inst.key]
        if mine:
            reason = "; ".join(p.message for p in mine)
            if before is None:
                s.answers.pop(inst.key)
            else:
                s.answers[inst.key] = before
            return [self.prompt(s, reason)]
        if inst.key in s.skipped:
            s.skipped.remove(inst.key)
        return self._advance(s)
