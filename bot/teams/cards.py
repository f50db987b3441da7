"""Adaptive Cards, built with the Teams SDK's typed card models (microsoft-teams-cards), as Slack's Block Kit
is built with slack_sdk's: each card is a model, checked as it is built, then serialised.

Every action carries what it acts on as data (`scr`: what to do, `k`: the question, `id`: an outbox id),
never as text to be parsed back. Text is cut to a bound, so no card is refused for its size.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment
from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    DateInput,
    Fact,
    FactSet,
    SubmitAction,
    TextBlock,
    TextInput,
)

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
VERSION = "1.5"  # what Teams renders on desktop, web and mobile
MAX_TEXT = 2000  # per text block; a Teams message may be ~28 KB in all
MAX_CHOICES = 100

# What an action does (`scr` in its data).
ANSWER = "answer"  # {"k": key, "v": value}
INPUT = "input"  # {"k": key}; the input "v" holds the value (choice set, date, multi)
COMMAND = "cmd"  # {"c": command, "k": key}
EDIT = "edit"  # from the summary; the input "edit" holds the question's key
CONFIRM_CANCEL = "confirm_cancel"  # {"v": "yes" | "no"}
START = "start"
CASES = "cases"
APPROVAL = "approval"  # {"do": preview | approve | edit | reject, "id": outbox id}
SAVE_EDIT = "save_edit"  # from the edit dialog: {"id": outbox id}; inputs "subject", "text"


def fit(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text(value: str, *, bold: bool = False, subtle: bool = False, size: str | None = None) -> TextBlock:
    block = TextBlock(text=fit(value), wrap=True)
    if bold:
        block.weight = "Bolder"
    if subtle:
        block.is_subtle = True
    if size:
        block.size = size  # type: ignore[assignment]
    return block


def submit(title: str, scr: str, *, style: str | None = None, dialog: bool = False, **data: Any) -> SubmitAction:
    payload: dict[str, Any] = {"scr": scr, **data}
    if dialog:  # opens a dialog (task module) shown to the person who pressed, not to the channel
        payload["msteams"] = {"type": "task/fetch"}
    action = SubmitAction(title=fit(title, 60), data=payload)
    if style:
        action.style = style  # type: ignore[assignment]
    return action


def actions(*items: SubmitAction) -> ActionSet:
    return ActionSet(actions=list(items))


def choice_set(
    input_id: str, choices: list[tuple[str, str]], *, value: str | None = None, multi: bool = False
) -> ChoiceSetInput:
    element = ChoiceSetInput(
        id=input_id,
        choices=[Choice(title=fit(label, 150), value=v) for v, label in choices[:MAX_CHOICES]],
        style="compact",
    )
    if multi:
        element.is_multi_select = True
    if value:
        element.value = value
    return element


def date_input(input_id: str, value: str | None = None) -> DateInput:
    element = DateInput(id=input_id)
    if value:
        element.value = value
    return element


def text_input(input_id: str, *, value: str = "", multiline: bool = False, label: str = "") -> TextInput:
    element = TextInput(id=input_id, is_multiline=multiline)
    if value:
        element.value = value
    if label:
        element.label = label
    return element


def facts(pairs: list[tuple[str, str]]) -> FactSet:
    return FactSet(facts=[Fact(title=fit(k, 100), value=fit(v, 500)) for k, v in pairs])


def card(body: list[CardElement]) -> dict[str, Any]:
    model = AdaptiveCard(version=VERSION, body=body)
    content: dict[str, Any] = model.model_dump(exclude_none=True)
    return content


def attachment(content: dict[str, Any]) -> Attachment:
    return Attachment(content_type=CARD_TYPE, content=content)


def message(summary: str, content: dict[str, Any] | None = None) -> Activity:
    """A message activity: the card, with `summary` as its text (notifications and screen readers)."""
    activity = Activity(type=ActivityTypes.message, text=fit(summary, 500))
    if content is not None:
        activity.attachments = [attachment(content)]
        activity.summary = fit(summary, 500)
        activity.text = None
    return activity
