"""One process serving many boards (issue 15 §1): every board's jobs in one pass, and one board's mailbox that
cannot be reached never stops another board's poll or sweep."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.clock import FixedClock
from bot.context import AppContext
from bot.deployment import Deployment
from bot.mailboxes import MailSettingsError
from bot.settings import Settings
from storage.crypto import DecryptionError
from storage.keyring import KeyError_
from storage.tables import CaseRow
from tests.bot.test_boards import board_toml, write_boards
from tests.factories import SENSITIVE_STRINGS, STAFF, make_referral
from tests.support.fake_ews import FakeEwsState, fake_ews
from tests.support.intake import AUTHSERV_ID, agency_reply


def dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def ews() -> Iterator[tuple[str, FakeEwsState]]:
    with fake_ews() as server:
        yield server


def mail_section(address: str, endpoint: str) -> str:
    return f'[mail]\nmailbox = "{address}"\news_endpoint = "{endpoint}"\n'


@pytest.fixture
def deployment(tmp_path: Path, ews: tuple[str, FakeEwsState], clock: FixedClock) -> Iterator[Deployment]:
    endpoint, state = ews
    dead = f"http://127.0.0.1:{dead_port()}/EWS/Exchange.asmx"
    # "aston" sorts first: its failure comes before "burley"'s jobs in the one pass.
    folder = write_boards(
        tmp_path / "boards",
        aston=board_toml("aston", mail_section("scr@aston.gov.uk", dead)),
        burley=board_toml("burley", mail_section("scr@burley.gov.uk", endpoint)),
    )
    settings = Settings(
        data_dir=tmp_path / "var",
        board_dir=folder,
        mail_backend="ews",
        ews_endpoint=endpoint,
        ews_username=state.username,
        ews_password=state.password,
        ews_mailbox="scr@testshire.gov.uk",
        ews_auth_type="basic",
        ews_max_wait_seconds=0,
        mail_authserv_id=AUTHSERV_ID,
    )
    origin = AppContext(settings=settings, clock=clock)
    made = Deployment.of(origin)
    try:
        yield made
    finally:
        made.close()
        origin.close()


def test_one_pass_runs_every_boards_jobs_and_a_dead_mailbox_stops_only_its_own(
    deployment: Deployment, ews: tuple[str, FakeEwsState], clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    _, state = ews
    assert [ctx.board.id for ctx in deployment] == ["aston", "burley"]
    for ctx in deployment:
        ctx.store.cases.file_referral(make_referral(), actor=STAFF, now=clock.now())
    aston, burley = deployment.contexts["aston"], deployment.contexts["burley"]
    reference = burley.store.cases.list_cases(today=clock.now().date())[0].reference
    state.deliver(agency_reply(reference, "reviews@testshire.pnn.police.uk", "Records secured.", "<r1@police.uk>"))

    with caplog.at_level(logging.INFO):
        results = deployment.jobs.run_all(clock.now())

    kinds = {name.split("/", 1)[1] for name in results if "/" in name}
    boards_jobs = {f"{board}/{kind}" for board in ("aston", "burley") for kind in kinds}
    assert boards_jobs | {"reminders"} == set(results)  # the reminder sweep: one pass over both boards
    assert all(results.values()), results  # every job of both boards ran to its end, burley's poll included
    assert "board aston: mailbox not polled this time" in caplog.text  # the dead port
    assert "board burley: mailbox not polled" not in caplog.text
    assert burley.inbound.list() and not aston.inbound.list()  # burley's reply recorded, in burley only
    for secret in SENSITIVE_STRINGS:
        assert secret not in caplog.text


def test_each_board_has_its_own_keys_from_the_one_key_file(deployment: Deployment, clock: FixedClock) -> None:
    aston, burley = deployment.contexts["aston"], deployment.contexts["burley"]
    aston.store  # noqa: B018 - opening each store creates its board's keys
    burley.store  # noqa: B018
    assert aston.ring.board("aston").data_keys.keys().isdisjoint(burley.ring.board("burley").data_keys.keys())
    assert aston.settings.resolved_key_file == burley.settings.resolved_key_file
    assert aston.engine is burley.engine  # one database, one engine


def test_a_case_moved_to_another_board_of_the_deployment_does_not_read_there(
    deployment: Deployment, clock: FixedClock
) -> None:
    """Board B has keys of its own from the one key file: a row of A's put under B's id opens with neither."""
    aston, burley = deployment.contexts["aston"], deployment.contexts["burley"]
    filed = aston.store.cases.file_referral(make_referral(), actor=STAFF, now=clock.now())
    burley.store  # noqa: B018 - burley's keys exist
    with aston.store.sessions.begin() as s:
        s.execute(update(CaseRow).where(CaseRow.id == filed.case_id).values(board_id="burley"))
    with pytest.raises((DecryptionError, KeyError_)):
        burley.store.cases.get_case(filed.reference, actor=STAFF, now=clock.now())


def test_boards_of_one_deployment_each_name_their_own_mailbox(
    tmp_path: Path, ews: tuple[str, FakeEwsState], clock: FixedClock
) -> None:
    """Falling back to the deployment's one mailbox would let each board read the others' mail."""
    endpoint, state = ews
    folder = write_boards(
        tmp_path / "boards",
        aston=board_toml("aston", mail_section("scr@aston.gov.uk", endpoint)),
        burley=board_toml("burley"),
    )
    settings = Settings(
        data_dir=tmp_path / "var",
        board_dir=folder,
        mail_backend="ews",
        ews_endpoint=endpoint,
        ews_username=state.username,
        ews_mailbox="scr@testshire.gov.uk",
        mail_authserv_id=AUTHSERV_ID,
    )
    assert AppContext(settings=settings, clock=clock, board_id="aston").mailbox is not None
    with pytest.raises(MailSettingsError, match=r"board burley: .* each names its own mailbox \(\[mail\] mailbox"):
        _ = AppContext(settings=settings, clock=clock, board_id="burley").mailbox
