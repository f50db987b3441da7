"""Key rings: the keys of each board, from a key file (mode 0600) or the SCRBOT_KEYS environment variable.

A ring holds several data keys (one active, older ones kept until `scrbot keys rotate` has re-encrypted
everything), a separate key for blind indexes and one for the audit chain (DESIGN.md §5).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from errors import BadInput, Unavailable

KEY_BYTES = 32  # AES-256


class KeyError_(Unavailable, LookupError):
    """A key that is not in the ring (named with a trailing underscore: KeyError is a builtin)."""


class KeyFileError(BadInput):
    pass


def new_key_id() -> str:
    return "k" + secrets.token_hex(4)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise KeyFileError(f"{what} is not valid base64") from exc
    if len(data) != KEY_BYTES:
        raise KeyFileError(f"{what} must be {KEY_BYTES} bytes, not {len(data)}")
    return data


@dataclass
class BoardKeys:
    active: str
    data_keys: dict[str, bytes]
    index_key: bytes
    audit_key: bytes

    @classmethod
    def generate(cls) -> BoardKeys:
        key_id = new_key_id()
        return cls(
            active=key_id,
            data_keys={key_id: secrets.token_bytes(KEY_BYTES)},
            index_key=secrets.token_bytes(KEY_BYTES),
            audit_key=secrets.token_bytes(KEY_BYTES),
        )

    def data_key(self, key_id: str) -> bytes:
        try:
            return self.data_keys[key_id]
        except KeyError:
            raise KeyError_(f"data key {key_id} is not in the key ring") from None

    def add_data_key(self) -> str:
        key_id = new_key_id()
        while key_id in self.data_keys:
            key_id = new_key_id()
        self.data_keys[key_id] = secrets.token_bytes(KEY_BYTES)
        self.active = key_id
        return key_id

    def to_json(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "data_keys": {k: _b64(v) for k, v in self.data_keys.items()},
            "index_key": _b64(self.index_key),
            "audit_key": _b64(self.audit_key),
        }

    @classmethod
    def from_json(cls, board: str, data: Mapping[str, Any]) -> BoardKeys:
        try:
            keys = {k: _unb64(v, f"board {board} data key {k}") for k, v in data["data_keys"].items()}
            active = data["active"]
            if active not in keys:
                raise KeyFileError(f"board {board}: active key {active} is not among its data keys")
            return cls(
                active=active,
                data_keys=keys,
                index_key=_unb64(data["index_key"], f"board {board} index key"),
                audit_key=_unb64(data["audit_key"], f"board {board} audit key"),
            )
        except KeyError as exc:
            raise KeyFileError(f"board {board}: key entry is missing {exc.args[0]!r}") from None


@dataclass
class KeyRing:
    """All boards' keys. `source` is the key file, or None when the keys came from the environment."""

    boards: dict[str, BoardKeys] = field(default_factory=dict)
    source: Path | None = None
    _loaded_mtime: int = field(default=0, repr=False)

    def board(self, board_id: str) -> BoardKeys:
        try:
            return self.boards[board_id]
        except KeyError:
            raise KeyError_(f"no keys for board {board_id}") from None

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "boards": {b: k.to_json() for b, k in self.boards.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: Path | None = None) -> KeyRing:
        if data.get("version") != 1 or not isinstance(data.get("boards"), dict):
            raise KeyFileError('key ring must be {"version": 1, "boards": {...}}')
        return cls({b: BoardKeys.from_json(b, v) for b, v in data["boards"].items()}, source)

    # --- file handling -------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyFileError(f"key file {path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise KeyFileError(f"key file {path} is not valid JSON: {exc.msg}") from None
        ring = cls.from_json(data, source=path)
        ring._loaded_mtime = path.stat().st_mtime_ns
        return ring

    @classmethod
    def from_environment(cls, text: str) -> KeyRing:
        try:
            return cls.from_json(json.loads(text))
        except json.JSONDecodeError as exc:
            raise KeyFileError(f"SCRBOT_KEYS is not valid JSON: {exc.msg}") from None

    @classmethod
    def load_or_create(cls, path: Path, board_id: str) -> KeyRing:
        """Local mode: create the key file (0600) with fresh keys on first run."""
        ring = cls.load(path) if path.exists() else cls({}, source=path)
        if board_id not in ring.boards:
            ring.boards[board_id] = BoardKeys.generate()
            ring.save()
        return ring

    def save(self) -> None:
        """Write the key file atomically with mode 0600: a crash leaves the old file or the new, never half."""
        if self.source is None:
            raise KeyFileError("the keys came from SCRBOT_KEYS; rotation needs a key file (set SCRBOT_KEY_FILE)")
        path = self.source
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.to_json(), handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
            self._loaded_mtime = path.stat().st_mtime_ns
        finally:
            if tmp.exists():
                tmp.unlink()

    def reload(self) -> None:
        """Pick up keys another process added (e.g. after `scrbot keys rotate`)."""
        if self.source is not None and self.source.exists():
            fresh = KeyRing.load(self.source)
            self.boards = fresh.boards
            self._loaded_mtime = fresh._loaded_mtime

    def refresh_if_changed(self) -> None:
        """Reload when another process has rewritten the key file (a stat call: cheap enough per write),
        so that every process seals under the new active key as soon as a rotation starts."""
        if self.source is None:
            return
        try:
            mtime = self.source.stat().st_mtime_ns
        except FileNotFoundError:
            return
        if mtime != self._loaded_mtime:
            self.reload()
