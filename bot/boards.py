"""Which boards this deployment serves: one board file (SCRBOT_BOARD_CONFIG, ./board.toml or the example), or
a folder of them (SCRBOT_BOARD_DIR, one `*.toml` per board), and which of them a command works on (`--board`).

Walls between boards start here: ids are unique, and no two boards share a Slack workspace, a Teams tenant
or a mailbox, so no request or message can be taken for another board's (README "Many boards").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import find_board_config, load_board
from cases.board import BoardConfig, BoardConfigError
from errors import BadInput


@dataclass(frozen=True)
class BoardEntry:
    path: Path
    config: BoardConfig

    @property
    def id(self) -> str:
        return self.config.id


class NoBoardChosen(BadInput):
    """Several boards are configured and the command did not say which."""


def configured_boards(
    board_config: Path | None, board_dir: Path | None, *, address_cache: Path | None = None
) -> dict[str, BoardEntry]:
    """Every configured board by id, in file name order. `address_cache`: bot/config.py load_board."""
    if board_dir is None:
        path = find_board_config(board_config)
        entry = BoardEntry(path, load_board(path, address_cache))
        return {entry.id: entry}
    files = sorted(p for p in board_dir.glob("*.toml") if p.is_file())
    if not files:
        raise BoardConfigError(f"board folder {board_dir} holds no board files (*.toml) (SCRBOT_BOARD_DIR)")
    boards: dict[str, BoardEntry] = {}
    for path in files:
        entry = BoardEntry(path, load_board(path, address_cache))
        if entry.id in boards:
            raise BoardConfigError(
                f"{boards[entry.id].path.name} and {path.name} both say [board] id = {entry.id!r}; each board "
                "needs its own id",
                field="board.id",
            )
        boards[entry.id] = entry
    _check_walls(list(boards.values()))
    return boards


# What no two boards may share: a request or a message is taken to be the board's that owns it.
_SHARED: dict[str, Callable[[BoardConfig], str]] = {
    "[slack] team_id": lambda b: b.slack.team_id,
    "[slack] business_unit_channel": lambda b: b.slack.business_unit_channel,
    "[teams] tenant_id": lambda b: b.teams.tenant_id.lower(),
    "[mail] mailbox": lambda b: b.mail.mailbox,
}


def _check_walls(entries: list[BoardEntry]) -> None:
    for what, value_of in _SHARED.items():
        refuse_shared(what, ((entry.id, value_of(entry.config)) for entry in entries))


def refuse_shared(
    what: str, owned: Iterable[tuple[str, str]], refusal: Callable[..., BadInput] = BoardConfigError
) -> None:
    """The one check that no two boards share `what` (a Slack workspace, a Teams tenant, a mailbox): `owned`
    is each board's (id, value), a value "" being none. The first value two boards have is refused with
    `refusal` (default BoardConfigError), naming both boards, the key and the value."""
    owners: dict[str, str] = {}
    for board_id, value in owned:
        if not value:
            continue
        if value in owners:
            raise refusal(
                f"boards {owners[value]} and {board_id} have the same {what} ({value}); each board needs its own",
                field=what,
            )
        owners[value] = board_id


def choose_board(boards: Mapping[str, BoardEntry], board_id: str | None) -> BoardEntry:
    """The board a command works on: the one named, or the only one configured."""
    ids = ", ".join(sorted(boards))
    if board_id is None:
        if len(boards) == 1:
            return next(iter(boards.values()))
        raise NoBoardChosen(
            f"{len(boards)} boards are configured: say which with --board (one of {ids})", field="--board"
        )
    if board_id not in boards:
        raise NoBoardChosen(f"no board {board_id!r} is configured (--board is one of {ids})", field="--board")
    return boards[board_id]
