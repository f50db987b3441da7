"""The referral conversation's output as Adaptive Cards: buttons for short choices, a choice set for longer
ones, a date input for dates (typing works too), free text as a plain reply. Each action carries the key of
the question it answers, so a press on an old card is recognised as stale by the engine (as in Slack)."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity
from microsoft_teams.cards import CardElement, SubmitAction

from bot.teams import cards as c
from intake.conversation.flow import Kind
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
)

_COMMANDS = {command.value: command for command in Command}


def start_actions() -> CardElement:
    return c.actions(c.submit("Start a referral", c.START, style="positive"))


def _prompt(p: Prompt) -> list[CardElement]:
    body: list[CardElement] = []
    if p.problem:
        body.append(c.text(f"Not accepted: {p.problem}", bold=True))
    body.append(c.text(p.text, bold=True))
    notes = [f"{p.section} · question {p.number} of {p.total}"]
    if p.help:
        notes.append(p.help)
    if p.current is not None:
        notes.append(f"Current answer: {p.current}")
    body.append(c.text("\n\n".join(notes), subtle=True))
    key = p.key
    if p.kind in (Kind.CHOICE, Kind.ANSWER, Kind.CONFIRM) and len(p.choices) <= 5:
        buttons = [
            c.submit(
                choice.label,
                c.ANSWER,
                style="positive" if choice.value == p.current_value else None,
                k=key,
                v=choice.value,
            )
            for choice in p.choices
        ]
        body.append(c.actions(*buttons))
    elif p.kind in (Kind.CHOICE, Kind.ANSWER, Kind.CONFIRM, Kind.MULTI):
        multi = p.kind is Kind.MULTI
        current = ",".join(p.current_value) if multi and isinstance(p.current_value, list) else p.current_value
        body.append(c.choice_set("v", [(ch.value, ch.label) for ch in p.choices], value=current or None, multi=multi))
        flags: dict[str, Any] = {"m": 1} if multi else {}
        body.append(c.actions(c.submit("Continue", c.INPUT, style="positive", k=key, **flags)))
    elif p.kind is Kind.DATE:
        body.append(c.date_input("v", p.current_value or None))
        body.append(c.actions(c.submit("Continue", c.INPUT, style="positive", k=key)))
        body.append(c.text("Or type the date, e.g. 20/11/2026 or 20 Nov 2026.", subtle=True))
    else:
        body.append(c.text("Reply with a message.", subtle=True))
    nav: list[SubmitAction] = []
    if p.current is not None:
        nav.append(c.submit("Keep answer", c.COMMAND, c=Command.KEEP.value, k=key))
    if p.optional:
        nav.append(c.submit(p.skip_label, c.COMMAND, c=Command.SKIP.value, k=key))
    if p.can_go_back:
        nav.append(c.submit("Back", c.COMMAND, c=Command.BACK.value, k=key))
    nav.append(c.submit("Cancel referral", c.COMMAND, c=Command.CANCEL.value, k=key))
    body.append(c.actions(*nav))
    return body


def _summary(s: Summary) -> list[CardElement]:
    body: list[CardElement] = [c.text(s.title, bold=True, size="Medium")]
    choices: list[tuple[str, str]] = []
    for title, items in s.sections:
        body.append(c.text(title, bold=True))
        body.append(c.facts([(f"{i.number}. {i.label}", c.fit(i.display, 300)) for i in items]))
        choices += [(i.key, f"{i.number}. {i.label}") for i in items]
    if s.notes:
        body.append(c.text("\n\n".join(s.notes)))
    if s.reminder:
        body.append(c.text(s.reminder, subtle=True))
    body.append(c.choice_set("edit", choices))
    body.append(
        c.actions(
            c.submit("Change this answer", c.EDIT, k="summary"),
            c.submit("Submit referral", c.COMMAND, style="positive", c=Command.SUBMIT.value, k="summary"),
            c.submit("Cancel referral", c.COMMAND, style="destructive", c=Command.CANCEL.value, k="summary"),
        )
    )
    return body


def activity_for(message: Outbound, *, offer_start: bool = False) -> Activity | None:
    """One engine message as a Teams message with its card."""
    if isinstance(message, Prompt):
        return c.message(message.text, c.card(_prompt(message)))
    if isinstance(message, Summary):
        return c.message(message.title, c.card(_summary(message)))
    if isinstance(message, ConfirmCancel):
        buttons = c.actions(
            c.submit("Yes, delete it", c.CONFIRM_CANCEL, style="destructive", v="yes"),
            c.submit("No, keep going", c.CONFIRM_CANCEL, v="no"),
        )
        return c.message(message.text, c.card([c.text(message.text), buttons]))
    if isinstance(message, (Notice, Cancelled)):
        body: list[CardElement] = [c.text(message.text)]
        if offer_start:
            body.append(start_actions())
        return c.message(message.text, c.card(body))
    if isinstance(message, Submit):  # the service replaces it with the receipt
        return None
    return None  # pragma: no cover


def input_from_card(data: dict[str, Any]) -> Input | None:
    """The engine input a card action stands for (None: not a conversation action)."""
    kind = data.get("scr")
    key = data.get("k")
    key = str(key) if key is not None else None
    if kind == c.ANSWER:
        return Input(value=data.get("v"), key=key)
    if kind == c.INPUT:
        value = data.get("v")
        if data.get("m"):  # a multi-select gives its choices as "a,b"
            return Input(value=[v for v in str(value or "").split(",") if v], key=key)
        return Input(value=value if value not in (None, "") else None, key=key)
    if kind == c.COMMAND:
        command = _COMMANDS.get(str(data.get("c", "")))
        return Input(command=command, key=key) if command else None
    if kind == c.EDIT:
        return Input(command=Command.EDIT, key=str(data.get("edit") or "") or None)
    if kind == c.CONFIRM_CANCEL:
        return Input(value=str(data.get("v", "")))
    return None
