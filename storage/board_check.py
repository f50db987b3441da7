"""The refusal when the data holds a board the config does not name (storage/preflight.py checks every table
at start; a read-only listing checks the table it reads, storage/read_store.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from errors import BadInput


class UnknownBoardData(BadInput):
    """The database holds a board the config does not name."""


def refuse_unknown_boards(
    found: Iterable[str], configured: Collection[str], *, config_path: Path | str = "the board config"
) -> None:
    unknown = sorted(set(found) - set(configured))
    if unknown:
        names = ", ".join(repr(b) for b in unknown)
        ids = ", ".join(repr(b) for b in sorted(configured))
        raise UnknownBoardData(
            f"the database holds the data of board {names}, which {config_path} does not name ([board] id is "
            f"{ids}): if the id was changed, change it back; refusing to start, so that no case is hidden and no "
            "reminder stops",
            field="board.id",
        )
