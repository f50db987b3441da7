"""What the CLI does with a bug: one line for the person, the traceback in a log file, linked by an id.

The exception's own text is left out of the log as well as the screen: it may quote input (a name typed
into a field), and logs never carry personal data (DESIGN.md §5). Frames, types and line numbers are enough
to find a bug.
"""

from __future__ import annotations

import os
import secrets
import traceback
from datetime import UTC, datetime
from pathlib import Path

LOG_NAME = "internal-errors.log"


def incident_id() -> str:
    return secrets.token_hex(4)


def describe(exc: BaseException) -> str:
    """The traceback with every exception's message removed (types, files, lines and code only)."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    chain: list[BaseException] = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    for link in reversed(chain):
        lines.extend(traceback.format_tb(link.__traceback__))
        lines.append(f"{type(link).__module__}.{type(link).__qualname__}\n")
    return "".join(lines)


def record(exc: BaseException, data_dir: Path, *, command: str, at: datetime | None = None) -> tuple[str, Path]:
    """Append the incident to DATA_DIR/logs/internal-errors.log (0600); return its id and the file."""
    ident = incident_id()
    folder = data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / LOG_NAME
    stamp = (at or datetime.now(UTC)).isoformat(timespec="seconds")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(f"--- {ident} {stamp} command={command}\n{describe(exc)}\n")
    return ident, path
