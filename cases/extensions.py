"""An extension of a review's completion date (003 §4.1): it needs the new date and its reason, one of the
board's list (`[figures] extension_reasons`), so the board's figures can count extensions by reason."""

from __future__ import annotations

from cases.board import BoardConfig
from cases.commands import RecordEvent
from cases.events import CaseEvent
from cases.figures.history import ExtensionRecord
from errors import BadInput


def extension_of(command: RecordEvent, board: BoardConfig) -> ExtensionRecord | None:
    """The extension `command` records (None for any other event), or why it cannot be recorded."""
    if command.event is not CaseEvent.REVIEW_EXTENDED:
        return None
    if command.new_due is None:
        raise BadInput("an extension needs the new completion date (003 §4.1)", field="new_due")
    reason = board.figures.reason(command.reason)
    if reason is None:
        listed = ", ".join(board.figures.extension_reasons)
        raise BadInput(f"an extension needs its reason, one of: {listed} (003 §4.1)", field="reason")
    return ExtensionRecord(command.on, command.new_due, reason)
