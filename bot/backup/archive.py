"""The backup archive: one tar file, checked before anything is restored from it.

    manifest.json   format and version, when, which scrbot, the database (backend, schema revision, rows
                    per table), the key sealing parameters, and the SHA-256 of every other member
    database.sqlite or database.pgdump
                    the database as SQLite's online backup or pg_dump's custom format (personal fields
                    inside are sealed with the data keys, as in the live database)
    steps.sqlite    on SQLite, the conversation steps kept at Slack's acknowledgement and not yet worked on
                    (their file of its own, storage/received_steps.py), by SQLite's online backup; absent
                    where there is no such file (PostgreSQL keeps them in the database)
    keys.sealed     the key ring (JSON), sealed with AES-256-GCM under a key derived from the passphrase
                    with scrypt; the associated data binds it to this archive's manifest header and
                    database (and steps) checksums, so a database swapped into the archive will not open
                    with it

The passphrase is never stored anywhere. Without it the archive's personal data cannot be read.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from errors import BadInput

if TYPE_CHECKING:
    import tarfile

FORMAT = "scrbot-backup"
VERSION = 1
MANIFEST = "manifest.json"
KEYS = "keys.sealed"
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
STEPS = "steps.sqlite"
# scrypt: 2**17 x 8 x 128 bytes = 128 MiB and about half a second per attempt (OWASP's minimum is 2**17).
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
MIN_PASSPHRASE = 12
MAX_MEMBER_BYTES = 64 * 1024**3


class ArchiveError(BadInput):
    """The file is not a backup this version can read, or it has been altered, or the passphrase is wrong."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BadInput(f"the passphrase must be at least {MIN_PASSPHRASE} characters", field="passphrase")
    return passphrase


def _derive(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"]).derive(passphrase.encode())


def bound_checksums(database_sha256: str, steps_sha256: str | None) -> str:
    """What the sealed keys are bound to: the database's checksum, and the steps file's where there is one
    (an archive without one binds exactly what earlier versions did)."""
    return database_sha256 if steps_sha256 is None else f"{database_sha256}/{STEPS}:{steps_sha256}"


def _associated(manifest: dict[str, Any], database_sha256: str) -> bytes:
    return f"{FORMAT}/{manifest['version']}/{manifest['created_at']}/{database_sha256}".encode()


def seal_keys(ring_json: bytes, passphrase: str, manifest: dict[str, Any], database_sha256: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    manifest["keys"] = {
        "kdf": "scrypt",
        **SCRYPT,
        "salt": base64.b64encode(salt).decode(),
        "cipher": "AES-256-GCM",
        "nonce": base64.b64encode(nonce).decode(),
    }
    key = _derive(passphrase, salt, SCRYPT)
    return AESGCM(key).encrypt(nonce, ring_json, _associated(manifest, database_sha256))


def open_keys(sealed: bytes, passphrase: str, manifest: dict[str, Any], database_sha256: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    spec = manifest.get("keys") or {}
    try:
        params = {"n": int(spec["n"]), "r": int(spec["r"]), "p": int(spec["p"])}
        salt, nonce = base64.b64decode(spec["salt"]), base64.b64decode(spec["nonce"])
    except (KeyError, TypeError, ValueError):
        raise ArchiveError("the archive's key sealing parameters are missing or damaged") from None
    if spec.get("kdf") != "scrypt" or params["n"] > 2**20 or params["r"] > 32 or params["p"] > 16:
        raise ArchiveError("the archive asks for a key derivation this version does not use")
    try:
        return AESGCM(_derive(passphrase, salt, params)).decrypt(nonce, sealed, _associated(manifest, database_sha256))
    except InvalidTag:
        raise ArchiveError("wrong passphrase, or the archive has been altered") from None


def write_archive(path: Path, manifest: dict[str, Any], members: dict[str, Path | bytes]) -> None:
    """Write atomically (a crash leaves no half archive under the final name), owner-only."""
    manifest["files"] = {
        name: (sha256_file(content) if isinstance(content, Path) else hashlib.sha256(content).hexdigest())
        for name, content in members.items()
    }
    import tarfile

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            mtime = _timestamp(manifest)
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode(), mtime)
            for name, content in members.items():
                if isinstance(content, Path):
                    info = tar.gettarinfo(str(content), arcname=name)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    info.mode = 0o600
                    with content.open("rb") as handle:
                        tar.addfile(info, handle)
                else:
                    _add_bytes(tar, name, content, mtime)
            raw.flush()
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


def _timestamp(manifest: dict[str, Any]) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(str(manifest["created_at"])).timestamp())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    import tarfile

    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = mtime
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


@dataclass
class OpenedArchive:
    manifest: dict[str, Any]
    database: Path  # extracted into the working folder given to read_archive
    backend: str
    sealed_keys: bytes
    steps: Path | None = None  # the steps file, where the archive has one

    @property
    def database_sha256(self) -> str:
        """What the sealed keys are bound to (`bound_checksums`)."""
        files = self.manifest["files"]
        return bound_checksums(str(files[DATABASE_MEMBERS[self.backend]]), files.get(STEPS))


def read_archive(path: Path, workdir: Path) -> OpenedArchive:
    """Read and check an archive: format, version, members, checksums. Only the named members are read (no
    path from the archive is ever used), into `workdir`."""
    import tarfile

    try:
        tar = tarfile.open(path, mode="r:gz")  # noqa: SIM115 - closed by the `with tar:` below
    except FileNotFoundError:
        raise
    except (tarfile.TarError, OSError, EOFError):
        raise ArchiveError(f"{path} is not a scrbot backup (not a readable .tar.gz)") from None
    with tar:
        try:
            manifest = json.loads(_member(tar, MANIFEST, 1024 * 1024))
        except ValueError:
            raise ArchiveError(f"{path}: the manifest is not valid JSON") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveError(f"{path} is not a scrbot backup (no {FORMAT} manifest)")
        if manifest.get("version") != VERSION:
            raise ArchiveError(
                f"{path} is backup format version {manifest.get('version')}; this scrbot reads {VERSION}"
            )
        backend = str((manifest.get("database") or {}).get("backend", ""))
        if backend not in DATABASE_MEMBERS:
            raise ArchiveError(f"{path}: unknown database kind {backend!r}")
        files = manifest.get("files") or {}
        database = workdir / DATABASE_MEMBERS[backend]
        _extract(tar, DATABASE_MEMBERS[backend], database)
        if sha256_file(database) != files.get(DATABASE_MEMBERS[backend]):
            raise ArchiveError(f"{path}: the database in the archive does not match its checksum (damaged or altered)")
        sealed = _member(tar, KEYS, 16 * 1024 * 1024)
        if hashlib.sha256(sealed).hexdigest() != files.get(KEYS):
            raise ArchiveError(f"{path}: the sealed keys do not match their checksum (damaged or altered)")
        steps = None
        if STEPS in files:
            steps = workdir / STEPS
            _extract(tar, STEPS, steps)
            if sha256_file(steps) != files[STEPS]:
                raise ArchiveError(f"{path}: the steps file does not match its checksum (damaged or altered)")
    return OpenedArchive(manifest, database, backend, sealed, steps)


def _member(tar: tarfile.TarFile, name: str, limit: int) -> bytes:
    try:
        info = tar.getmember(name)
    except KeyError:
        raise ArchiveError(f"the archive has no {name}") from None
    if not info.isfile() or info.size > limit:
        raise ArchiveError(f"the archive's {name} is not a plain file of a sensible size")
    handle = tar.extractfile(info)
    assert handle is not None
    return handle.read()


def _extract(tar: tarfile.TarFile, name: str, destination: Path) -> None:
    try:
        info = tar.getmember(name)
    except KeyError:
        raise ArchiveError(f"the archive has no {name}") from None
    if not info.isfile() or info.size > MAX_MEMBER_BYTES:
        raise ArchiveError(f"the archive's {name} is not a plain file of a sensible size")
    handle = tar.extractfile(info)
    assert handle is not None
    fd = os.open(destination, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            out.write(block)
