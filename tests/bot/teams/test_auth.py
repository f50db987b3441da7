"""The messaging endpoint takes only what the channel service signed for us: every refused token gets 401
and runs no turn (nothing reaches the connector, no draft is started). Tokens are real JWTs signed by the
fake's throwaway RSA key, checked against its key endpoint; nothing is switched off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.clock import FixedClock
from storage.store import Store
from tests.support.fake_teams import OTHER_TENANT, FakeTeams, SigningKey
from tests.support.teams_bot import TeamsHarness

Token = Callable[[FakeTeams], dict[str, Any]]

REFUSED: dict[str, Token] = {
    "missing": lambda f: {"authorization": ""},
    "not bearer": lambda f: {"authorization": f"Basic {f.token()}"},
    "not a JWT": lambda f: {"authorization": "Bearer not.a.token"},
    "expired": lambda f: {"token": f.token(expires_in=-3600)},
    "signed by another key": lambda f: {"token": f.token(key=SigningKey("scr-test-key-1"))},
    "signed by an unknown key": lambda f: {"token": f.token(key=SigningKey("someone-elses-key"))},
    "for another app": lambda f: {"token": f.token(audience="11111111-2222-4333-8444-555555555555")},
    "from another issuer": lambda f: {"token": f.token(issuer="https://login.example.org")},
    "for another service URL": lambda f: {"token": f.token(service_url="http://127.0.0.1:9/elsewhere")},
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_tokens_get_401_and_run_nothing(case: str, store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        status = bot.post(bot.personal("refer"), **REFUSED[case](fake))
        bot.drain()
    assert status == 401
    assert fake.state.calls == []
    assert not bot.runtime.services.referrals.has_draft(store.board.teams_actor(bot_user()))


def bot_user() -> str:
    from tests.support.teams_bot import REFERRER

    return REFERRER


def test_a_key_not_endorsed_for_teams_is_refused(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    fake.state.endorsements = ("webchat",)
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.personal("refer")) == 401
        bot.drain()
    assert fake.state.calls == []


def test_a_valid_token_is_accepted_and_the_turn_replies_through_the_connector(
    store: Store, clock: FixedClock, fake: FakeTeams
) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.personal("refer")) == 202
        bot.drain()
    [first, *_] = fake.state.posted()
    # The reply went to the activity's own service URL, with a token the fake Entra issued for the bot.
    assert first.path.startswith("/v3/conversations/a:personal-")
    assert first.authorization.removeprefix("Bearer ") in fake.state.entra_tokens
    assert fake.state.token_requests[0]["client_id"] == [fake.state.app_id]


def test_an_activity_from_another_tenant_is_refused(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        assert bot.post(bot.personal("refer", tenant=OTHER_TENANT)) == 403
        bot.drain()
    assert fake.state.calls == []


def test_a_retried_delivery_runs_once(store: Store, clock: FixedClock, fake: FakeTeams) -> None:
    with TeamsHarness(store, clock, fake) as bot:
        activity = bot.personal("refer")
        assert bot.post(activity) == 202
        assert bot.post(activity) == 202  # the channel service thought the first was lost
        bot.drain()
    texts = [c.body.get("summary") or c.body.get("text") for c in fake.state.posted()]
    assert sum("Case for Consideration" in str(t) for t in texts) == 1
