"""One family of errors for the whole project.

Every error we raise on purpose is a `ScrBotError` of one of a few kinds; the CLI and the chat front ends
turn each kind into one clear line (the CLI's exit code in brackets, after sysexits.h where it has one):

- `BadInput` (2): what the person typed or sent cannot be accepted; it names the field.
- `NotFound` (2): no such case, message, agency, file...
- `Refused` (2): the person may not do this (a role, a rule of the process).
- `Conflict` (2): the thing is in a state where this cannot happen (a closed case, a sent message, a
  duplicate).
- `Unavailable` (69): something we depend on cannot be reached or read: a database, a mailbox, Slack,
  a key the data needs.

Anything else that escapes is a bug: exit 70 and "internal error, see log <id>", never shown as the person's
mistake. Each kind also derives from the builtin it refines (ValueError, LookupError, PermissionError), so
code that catches the builtin keeps working.

Messages never carry a personal field's value: name the field, not what was typed into it.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 69  # sysexits.h EX_UNAVAILABLE
EXIT_INTERNAL = 70  # sysexits.h EX_SOFTWARE


class ScrBotError(Exception):
    """The root of every error the project raises on purpose."""

    exit_code = EXIT_BAD_INPUT
    kind = "error"


class BadInput(ScrBotError, ValueError):
    """Input that cannot be accepted. `field` names it (a dotted path or a setting's name) when known."""

    kind = "bad input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(ScrBotError, LookupError):
    kind = "not found"


class Refused(ScrBotError, PermissionError):
    kind = "refused"


class Conflict(ScrBotError):
    kind = "conflict"


class Unavailable(ScrBotError):
    """A database, mailbox, chat service or key that cannot be reached or read now; trying later may work."""

    exit_code = EXIT_UNAVAILABLE
    kind = "unavailable"


__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_UNAVAILABLE",
    "BadInput",
    "Conflict",
    "NotFound",
    "Refused",
    "ScrBotError",
    "Unavailable",
]
