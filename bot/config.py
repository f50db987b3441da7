"""Reads the board config file and the rules pack it names."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cases.board import BoardConfig, BoardConfigError

# The rules pack's models and the templates (jinja2) only when a pack is loaded: a command that reads only
# the board starts without them (bench/cli_start.py).
if TYPE_CHECKING:
    from cases.rules import RulesPack

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_BOARD = REPO_ROOT / "examples" / "board.toml"


def find_board_config(explicit: Path | None) -> Path:
    if explicit is not None:
        if not explicit.exists():
            raise BoardConfigError(f"board config {explicit} does not exist (SCRBOT_BOARD_CONFIG)")
        return explicit
    local = Path("board.toml")
    if local.exists():
        return local
    if EXAMPLE_BOARD.exists():
        return EXAMPLE_BOARD
    raise BoardConfigError("no board config: set SCRBOT_BOARD_CONFIG or create ./board.toml (see examples/board.toml)")


def load_board(path: Path, address_cache: Path | None = None) -> BoardConfig:
    """The board file, validated. With `address_cache` (a folder), the addresses found valid before in this
    very file are not checked again, and those checked now are kept there (bot/board_addresses.py)."""
    if address_cache is None:
        return BoardConfig.from_toml(path.read_text(encoding="utf-8"), origin=str(path))
    from bot.board_addresses import keep, ledger_for

    content = path.read_bytes()
    text = content.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text reads it
    ledger = ledger_for(address_cache, content)
    board = BoardConfig.from_toml(text, origin=str(path), addresses=ledger)
    keep(address_cache, content, ledger)
    return board


def load_pack(name_or_path: str, base_dir: Path | None = None) -> RulesPack:
    """A bundled pack by name, or a board's own edited copy by path (relative to the board config). A pack whose
    notifications name a template the catalogue lacks is refused here, naming the key."""
    from cases.packs import bundled_pack, bundled_pack_names
    from cases.rules import RulesPack, RulesPackError
    from notify.templates import catalogue

    if name_or_path in bundled_pack_names():
        pack = bundled_pack(name_or_path)
        pack.check_templates(catalogue())
        return pack
    path = Path(name_or_path)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        raise RulesPackError(
            f"rules pack {name_or_path!r} is neither a bundled pack ({', '.join(bundled_pack_names())}) nor a file"
        )
    pack = RulesPack.from_toml(path.read_text(encoding="utf-8"), origin=str(path))
    pack.check_templates(catalogue(), origin=str(path))
    return pack
