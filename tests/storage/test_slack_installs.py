"""The Slack installation store (issue 15 §1): an install lands under the board whose `[slack] team_id` is its
workspace, its tokens sealed with that board's keys; a workspace no board names is refused with nothing kept;
a reinstall replaces the token; a store over one board sees no other board's installation; uninstalls delete
and are audited. And the install flow's state values: each taken back once, never after it expires."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.clock import FixedClock
from cases.board import BoardConfig, SlackSettings
from cases.packs import bundled_pack
from storage.crypto import DecryptionError
from storage.keyring import BoardKeys
from storage.rotation import retire_unused_keys, rotate_data_key
from storage.slack_installs import (
    InstallBoard,
    InstallBoards,
    SlackInstallations,
    UnknownWorkspace,
    WorkspaceInstall,
)
from storage.slack_oauth_states import SlackOAuthStates
from storage.store import Store, open_store
from storage.tables import SlackInstallationRow, SlackOAuthStateRow
from tests.factories import make_board

TEAM_A, TEAM_B, TEAM_UNKNOWN = "T0BOARDA01", "T0BOARDB01", "T0NOBODY01"
TOKEN_A = "xoxb-SYNTHETIC-TOKEN-AAAA"


@pytest.fixture
def board() -> BoardConfig:
    return make_board(slack=SlackSettings(team_id=TEAM_A))


@pytest.fixture
def other(store: Store) -> Store:
    """Board B beside the test board on the same database, with its own keys."""
    board_b = make_board(id="otherton", slack=SlackSettings(team_id=TEAM_B))
    store.ring.boards[board_b.id] = BoardKeys.generate()
    return open_store(store.engine, board_b, store.ring, bundled_pack(board_b.rules_pack))


def over(clock: FixedClock, *stores: Store) -> SlackInstallations:
    boards = InstallBoards(InstallBoard(s.board.id, s.board.slack.team_id, s.cipher, s.audit) for s in stores)
    return SlackInstallations(stores[0].sessions, boards, clock.now)


def installation(team: str, token: str = TOKEN_A, **more: Any) -> WorkspaceInstall:
    values: dict[str, Any] = {
        "app_id": "A0TEST0001",
        "team_id": team,
        "bot_token": token,
        "bot_id": "BBOT000001",
        "bot_user_id": "UBOT000001",
        "bot_scopes": "chat:write,commands",
        "installed_by": "UINSTALL01",
        **more,
    }
    return WorkspaceInstall(**values)


def raw_values(store: Store) -> str:
    """Every stored installation column, as the database holds it."""
    with store.engine.connect() as c:
        rows = c.execute(select(SlackInstallationRow.__table__)).all()
    return "\n".join(repr(tuple(row)) for row in rows)


def audit_actions(store: Store) -> list[tuple[str, dict[str, Any]]]:
    with store.sessions() as s:
        return [(e.action, e.detail) for e in store.audit.entries(s) if e.action.startswith("slack.")]


def test_an_install_lands_under_its_workspace_board_sealed(store: Store, other: Store, clock: FixedClock) -> None:
    installs = over(clock, store, other)
    installs.save(installation(TEAM_A, user_token="xoxp-SYNTHETIC-USER-TOKEN"))
    with store.sessions() as s:
        row = s.scalars(select(SlackInstallationRow)).one()
    assert (row.board_id, row.team_id, row.installed_by, row.installed_at) == (
        store.board.id,
        TEAM_A,
        "UINSTALL01",
        clock.now(),
    )
    assert TOKEN_A not in raw_values(store) and "SYNTHETIC-USER" not in raw_values(store)
    found = installs.find(enterprise_id=None, team_id=TEAM_A)
    assert found is not None and found.bot_token == TOKEN_A and found.user_token == "xoxp-SYNTHETIC-USER-TOKEN"
    assert found.bot_scopes == "chat:write,commands" and found.installed_at == clock.now()
    assert installs.bot_token_of(store.board.id) == TOKEN_A
    assert installs.find(enterprise_id=None, team_id=TEAM_B) is None
    # Audited in the board's own chain, without the token.
    assert audit_actions(store) == [
        ("slack.installed", {"team_id": TEAM_A, "app_id": "A0TEST0001", "bot_scopes": "chat:write,commands"})
    ]
    assert audit_actions(other) == []


def test_an_install_from_a_workspace_no_board_names_is_refused_and_nothing_kept(
    store: Store, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    installs = over(clock, store)
    with pytest.raises(UnknownWorkspace, match=f'team_id = "{TEAM_UNKNOWN}"'):
        installs.save(installation(TEAM_UNKNOWN))
    assert raw_values(store) == ""
    assert audit_actions(store) == []
    assert TEAM_UNKNOWN in caplog.text and TOKEN_A not in caplog.text


def test_a_reinstall_replaces_the_token(store: Store, clock: FixedClock) -> None:
    installs = over(clock, store)
    installs.save(installation(TEAM_A))
    clock.set(clock.now() + timedelta(days=1))
    installs.save(installation(TEAM_A, token="xoxb-SYNTHETIC-TOKEN-BBBB", installed_by="UINSTALL02"))
    with store.sessions() as s:
        rows = s.scalars(select(SlackInstallationRow)).all()
    assert len(rows) == 1 and rows[0].installed_by == "UINSTALL02" and rows[0].installed_at == clock.now()
    assert installs.bot_token_of(store.board.id) == "xoxb-SYNTHETIC-TOKEN-BBBB"
    assert [a for a, _ in audit_actions(store)] == ["slack.installed", "slack.reinstalled"]


def test_a_store_over_one_board_sees_no_other_boards_installation(
    store: Store, other: Store, clock: FixedClock
) -> None:
    over(clock, store, other).save(installation(TEAM_B))
    only_a = over(clock, store)
    assert only_a.find(enterprise_id=None, team_id=TEAM_B) is None
    assert only_a.bot_token_of(other.board.id) is None
    only_a.delete(enterprise_id=None, team_id=TEAM_B, reason="app uninstalled")  # not its to delete
    assert over(clock, other).bot_token_of(other.board.id) == TOKEN_A


def test_a_token_copied_into_another_boards_row_does_not_open(store: Store, other: Store, clock: FixedClock) -> None:
    both = over(clock, store, other)
    both.save(installation(TEAM_A))
    both.save(installation(TEAM_B, token="xoxb-SYNTHETIC-TOKEN-BBBB"))
    with store.sessions.begin() as s:
        a_token = s.scalars(
            select(SlackInstallationRow.bot_token_enc).where(SlackInstallationRow.team_id == TEAM_A)
        ).one()
        s.execute(
            update(SlackInstallationRow).where(SlackInstallationRow.team_id == TEAM_B).values(bot_token_enc=a_token)
        )
    with pytest.raises(DecryptionError):
        both.find(enterprise_id=None, team_id=TEAM_B)


def test_an_uninstall_deletes_the_installation_and_is_audited(store: Store, clock: FixedClock) -> None:
    installs = over(clock, store)
    installs.save(installation(TEAM_A))
    installs.delete(enterprise_id=None, team_id=TEAM_A, reason="app uninstalled")
    assert raw_values(store) == ""
    assert installs.find(enterprise_id=None, team_id=TEAM_A) is None
    assert audit_actions(store)[-1] == (
        "slack.uninstalled",
        {"team_id": TEAM_A, "app_id": "A0TEST0001", "reason": "app uninstalled"},
    )


def test_a_revoked_user_token_leaves_the_bot_installed(store: Store, clock: FixedClock) -> None:
    installs = over(clock, store)
    installs.save(installation(TEAM_A, user_token="xoxp-SYNTHETIC-USER-TOKEN"))
    installs.revoke_user_token(enterprise_id=None, team_id=TEAM_A, user_id="USOMEONE01")  # not the installer's
    found = installs.find(enterprise_id=None, team_id=TEAM_A)
    assert found is not None and found.user_token == "xoxp-SYNTHETIC-USER-TOKEN"
    installs.revoke_user_token(enterprise_id=None, team_id=TEAM_A, user_id="UINSTALL01")
    found = installs.find(enterprise_id=None, team_id=TEAM_A)
    assert found is not None and found.user_token is None and found.bot_token == TOKEN_A
    assert audit_actions(store)[-1][0] == "slack.user_token_revoked"


@pytest.fixture
def states(store: Store, clock: FixedClock) -> Iterator[SlackOAuthStates]:
    yield SlackOAuthStates(store.sessions, clock.now)


def test_a_state_is_taken_back_once(states: SlackOAuthStates) -> None:
    state = states.issue()
    assert states.consume(state)
    assert not states.consume(state)
    assert not states.consume("never-issued") and not states.consume("")


def test_an_expired_state_is_refused_and_swept(states: SlackOAuthStates, clock: FixedClock, store: Store) -> None:
    old = states.issue()
    clock.set(clock.now() + states.lifetime)
    assert not states.consume(old)
    states.issue()
    with store.sessions() as s:
        assert len(s.scalars(select(SlackOAuthStateRow)).all()) == 1  # the expired one swept at the next issue


def test_expiry_is_measured_from_issue(states: SlackOAuthStates, clock: FixedClock) -> None:
    state = states.issue()
    clock.set(clock.now() + states.lifetime - timedelta(seconds=1))
    assert states.consume(state)


def test_key_rotation_reseals_the_tokens(store: Store, clock: FixedClock) -> None:
    installs = over(clock, store)
    installs.save(installation(TEAM_A, user_token="xoxp-SYNTHETIC-USER-TOKEN"))
    old_key = store.ring.board(store.board.id).active
    report = rotate_data_key(store.ring, store.board.id, store.sessions, store.cipher)
    assert report.by_table["slack_installations"] == 2  # the bot and the user token
    assert retire_unused_keys(store.ring, store.board.id, store.sessions, store.cipher) == [old_key]
    assert installs.bot_token_of(store.board.id) == TOKEN_A
