"""Why a report could not be read: one line each, naming the problem, never the content."""

from __future__ import annotations

from errors import BadInput


class DocumentError(BadInput):
    """The file is not a report we can read."""


class WrongFileType(DocumentError):
    pass


class PasswordProtected(DocumentError):
    pass
