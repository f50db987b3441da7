"""The throwaway PostgreSQL server that lets `make test` run the PostgreSQL tests on any machine.

Each source of binaries found here (the machine's, the pgserver wheel's) starts a real server on its own
loopback port, never the machine's cluster on 5432, as an unprivileged user when the tests run as root,
and leaves nothing behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support import throwaway_postgres as tp
from tests.support.throwaway_postgres import Binaries, NoThrowawayServer, ThrowawayPostgres

SOURCES = {"machine": tp.machine_binaries, "pgserver": tp.pgserver_binaries}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_a_throwaway_server_starts_serves_and_leaves_nothing(source: str) -> None:
    binaries = SOURCES[source]()
    if binaries is None:
        pytest.skip(f"no {source} PostgreSQL binaries here")
    server = ThrowawayPostgres(binaries).start()
    folder = server.folder
    try:
        assert server.port != 5432
        engine = create_engine(server.url)
        with engine.connect() as c:
            listen = c.execute(text("SHOW listen_addresses")).scalar_one()
            port = int(c.execute(text("SHOW port")).scalar_one())
            assert c.execute(text("SHOW fsync")).scalar_one() == "off"
        engine.dispose()
        assert listen == "127.0.0.1"
        assert port == server.port
        # PostgreSQL refuses root: under root the server's files belong to the unprivileged user.
        owner = (server.data / "PG_VERSION").stat().st_uid
        assert owner != 0 if os.geteuid() == 0 else owner == os.geteuid()
    finally:
        server.stop()
    assert not folder.exists()


def test_no_binaries_anywhere_is_a_reason_not_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tp, "DEBIAN_ROOT", tmp_path / "none")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(tp, "pgserver_binaries", lambda: None)
    with pytest.raises(NoThrowawayServer, match="no PostgreSQL binaries"):
        tp.find_binaries()


def test_binaries_that_cannot_initialise_give_the_reason(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("initdb", "pg_ctl", "postgres"):
        tool = bindir / name
        tool.write_text("#!/bin/sh\necho 'initdb: broken on purpose' >&2\nexit 1\n")
        tool.chmod(0o755)
    # Under root the scripts sit in pytest's private folder, out of the unprivileged user's reach: they are
    # copied into the server's own folder first, as a pgserver wheel under /root would be.
    server = ThrowawayPostgres(Binaries(bindir, "a broken install"))
    with pytest.raises(NoThrowawayServer, match="initdb failed: initdb: broken on purpose"):
        server.start()
    assert not server.folder.exists()
