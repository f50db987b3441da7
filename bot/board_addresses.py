"""A board file's addresses found valid, kept between commands (issue 11 §6, bench/cli_start.py).

Checking every address of the board file with email-validator (and compiling its patterns) was a noticeable
part of every command's start. The addresses found valid are kept in DATA_DIR/cache, in a file named by the
SHA-256 of the board file's bytes (and of the rules below): a board file changed by one byte has another
hash, so nothing kept for the old text is used for the new one, and all its addresses are checked again.

The file is plain JSON: it holds the board's own addresses (agencies, recipients, members), no personal data
of a case, and it cannot change what an address is: only addresses whose normal form is their own lower case
are kept (cases/contact.py AddressLedger), so the worst a tampered file could do is spare an address the
syntax check at a command other than `scrbot run` and `scrbot doctor`, which check every address afresh
(bot/cli.py). A cache that cannot be read or written is ignored: the addresses are then checked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from cases.contact import AddressLedger

# Change when what makes an address valid changes (cases/contact.py): every file kept so far is then unused.
RULES = b"email-validator syntax, no DNS; normal form lower-cased; v1"


def kept_file(folder: Path, board_file: bytes) -> Path:
    digest = hashlib.sha256(RULES + b"\0" + board_file).hexdigest()
    return folder / f"board-addresses-{digest}.json"


def ledger_for(folder: Path, board_file: bytes) -> AddressLedger:
    """The addresses kept for exactly this board file, or none."""
    try:
        kept = json.loads(kept_file(folder, board_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return AddressLedger()
    addresses = kept.get("addresses") if isinstance(kept, dict) else None
    if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
        return AddressLedger()
    return AddressLedger(known=frozenset(addresses))


def keep(folder: Path, board_file: bytes, ledger: AddressLedger) -> None:
    """Keep the addresses found valid now, if any were checked (best effort: a read-only folder keeps none)."""
    if not ledger.valid or ledger.valid <= ledger.known:
        return
    path = kept_file(folder, board_file)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"addresses": sorted(ledger.valid | ledger.known)}), encoding="utf-8")
        os.replace(partial, path)  # whole or not at all, whoever else writes it at the same time
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
