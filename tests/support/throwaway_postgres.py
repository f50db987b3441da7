"""A throwaway PostgreSQL server for one test session, when SCRBOT_TEST_POSTGRES_URL names none.

So that `make test` runs the PostgreSQL tests on any machine, not only where `.ci/run` has installed and
started a server. The binaries come from, in order:

1. the machine: `/usr/lib/postgresql/<newest>/bin` (Debian, Ubuntu), else `initdb` and `pg_ctl` on PATH;
2. the `pgserver` package (in the dev extra), whose wheel carries a PostgreSQL build: only its binaries
   are used, driven exactly as the machine's are (pgserver's own start-up would add a system user and
   open the permissions of every folder above the data directory when run as root).

The server is initialised into a new temporary folder with a scratch superuser `scrbot_test` trusted on
loopback only, listens on a free port of 127.0.0.1 (never the machine's own cluster on 5432) with its
socket in that folder, runs with fsync off (its data is thrown away), and is stopped and deleted at the
end of the session. PostgreSQL refuses to run as root: when the tests run as root (as CI does) initdb and
the server run as an unprivileged user (`nobody`), and the folder is given to that user.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "scrbot_test"
UNPRIVILEGED_USERS = ("nobody",)
DEBIAN_ROOT = Path("/usr/lib/postgresql")


class NoThrowawayServer(Exception):
    """No throwaway server can be started here; the message says why (it becomes the skip reason)."""


@dataclass(frozen=True)
class Binaries:
    bindir: Path
    source: str  # where they came from, for the session header and the skip reason

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


def machine_binaries() -> Binaries | None:
    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", path.name)) or (0,)

    if DEBIAN_ROOT.is_dir():
        for candidate in sorted(DEBIAN_ROOT.iterdir(), key=version, reverse=True):
            bindir = candidate / "bin"
            if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
                return Binaries(bindir, f"the machine's PostgreSQL ({bindir})")
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Binaries(Path(initdb).parent, f"the machine's PostgreSQL ({Path(initdb).parent})")
    return None


def pgserver_binaries() -> Binaries | None:
    """The binaries inside the pgserver wheel, found without importing the package."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
        return Binaries(bindir, f"the pgserver package ({bindir})")
    return None


def find_binaries() -> Binaries:
    found = machine_binaries() or pgserver_binaries()
    if found is None:
        raise NoThrowawayServer(
            f"no PostgreSQL binaries: none in {DEBIAN_ROOT}/*/bin or on PATH, and the pgserver package "
            "(dev extra) is not installed"
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unprivileged_user() -> pwd.struct_passwd:
    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise NoThrowawayServer(
        "the tests run as root, PostgreSQL refuses to, and there is no unprivileged user "
        f"({', '.join(UNPRIVILEGED_USERS)}) to run it as"
    )


class ThrowawayPostgres:
    """`start()` then `url`; `stop()` removes every trace. Also a context manager."""

    def __init__(self, binaries: Binaries | None = None) -> None:
        self.binaries = binaries or find_binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="scrbot-pg-"))
        self.data = self.folder / "data"
        self.port = 0
        self.started_in = 0.0
        self._owner: pwd.struct_passwd | None = _unprivileged_user() if os.geteuid() == 0 else None
        self._running = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        owner = self._owner
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.folder),
            "LC_ALL": "C",
            "TZ": "UTC",
        }
        return subprocess.run(
            argv,
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            extra_groups=[] if owner else None,
        )

    def _runnable_as_owner(self) -> None:
        """The unprivileged user must be able to run the binaries; a wheel inside a private home folder
        (e.g. /root/...) is copied into the server's folder first."""
        if self._owner is None:
            return
        try:
            if self._run(self.binaries.tool("postgres"), "--version", timeout=30).returncode == 0:
                return
        except PermissionError:
            pass  # a folder above the binaries is closed to the unprivileged user
        install = self.binaries.bindir.parent
        copy = self.folder / "pginstall"
        shutil.copytree(install, copy, symlinks=True)
        self._chown_tree(copy)
        self.binaries = Binaries(copy / "bin", self.binaries.source + ", copied for the unprivileged user")

    def _chown_tree(self, top: Path) -> None:
        owner = self._owner
        assert owner is not None
        os.chown(top, owner.pw_uid, owner.pw_gid)
        for path in top.rglob("*"):
            os.chown(path, owner.pw_uid, owner.pw_gid, follow_symlinks=False)

    def start(self) -> ThrowawayPostgres:
        began = time.perf_counter()
        if self._owner is not None:
            self._chown_tree(self.folder)
        try:
            self._runnable_as_owner()
            init = self._run(
                self.binaries.tool("initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            )
        except OSError as exc:
            self.stop()
            raise NoThrowawayServer(f"initdb could not be run ({exc.strerror})") from None
        if init.returncode != 0:
            self.stop()
            raise NoThrowawayServer(f"initdb failed: {_last_line(init)}")
        for _attempt in range(5):  # a free port can be taken between choosing and binding it
            self.port = free_port()
            options = " ".join(
                [
                    f"-p {self.port}",
                    "-c listen_addresses=127.0.0.1",
                    f"-c unix_socket_directories={self.folder}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=200",
                ]
            )
            started = self._run(
                self.binaries.tool("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            )
            if started.returncode == 0:
                self._running = True
                self.started_in = time.perf_counter() - began
                return self
        log = self.folder / "server.log"
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        self.stop()
        raise NoThrowawayServer(f"the server did not start: {tail[0] if tail else _last_line(started)}")

    def stop(self) -> None:
        if self._running:
            self._run(self.binaries.tool("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
            self._running = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    return lines[-1] if lines else f"exit {result.returncode}"
