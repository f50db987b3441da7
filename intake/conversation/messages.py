"""What goes into the engine (a reply, a picked value, or a command) and what comes out (prompts, notices,
the summary, and the finished data to file). Channels translate these to and from Slack or the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from intake.conversation.flow import Choice, Kind


class Command(StrEnum):
    START = "start"  # begin, or carry on with the draft there is
    BACK = "back"
    SKIP = "skip"
    KEEP = "keep"  # keep the current answer and move on
    CANCEL = "cancel"
    SUBMIT = "submit"
    EDIT = "edit"  # from the summary: change the answer of `Input.key`
    SUMMARY = "summary"
    HELP = "help"


@dataclass(frozen=True)
class Input:
    """Exactly one of text (typed), value (picked from buttons/selects/date pickers) or command.

    `key` is the question a button or picker belonged to ("summary" for the summary's buttons); an input whose
    key is not the current question is stale (an old message) and changes nothing."""

    text: str | None = None
    value: Any = None
    command: Command | None = None
    key: str | None = None


@dataclass(frozen=True)
class Prompt:
    key: str
    text: str
    kind: Kind
    section: str
    label: str
    number: int
    total: int
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    skip_label: str = "Skip"
    help: str = ""
    current: str | None = None  # the answer already given, as shown to people
    current_value: Any = None
    problem: str | None = None  # why the last reply was not accepted
    can_go_back: bool = True


@dataclass(frozen=True)
class Notice:
    text: str


@dataclass(frozen=True)
class SummaryItem:
    number: int
    key: str
    label: str
    display: str


@dataclass(frozen=True)
class Summary:
    title: str
    sections: tuple[tuple[str, tuple[SummaryItem, ...]], ...]
    notes: tuple[str, ...] = ()
    reminder: str = ""


@dataclass(frozen=True)
class ConfirmCancel:
    text: str


@dataclass(frozen=True)
class Cancelled:
    text: str


@dataclass(frozen=True)
class Submit:
    """The finished, validated data: the caller files it and sends the receipt."""

    data: dict[str, Any] = field(default_factory=dict)


Outbound = Prompt | Notice | Summary | ConfirmCancel | Cancelled | Submit
