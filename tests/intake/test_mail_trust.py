"""Safe by default: a reply is trusted only on a DMARC (or aligned DKIM) pass stamped under the board's own
authserv-id. Forged replies are fed under every configuration (authserv-id unset, set, local mode) and none is
recorded as the agency's answer; a genuine one is, wherever anything can be trusted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.context import AppContext
from bot.mailboxes import MailSettingsError
from bot.settings import Settings
from bot.settings_errors import load_settings
from errors import BadInput
from intake.inbound.authentication import LOCAL_AUTHSERV_ID
from storage.inbound import InboundStatus
from storage.store import Store
from tests.factories import REFERRER, STAFF, make_referral
from tests.support.intake import agency_reply, authentication_results, make_intake

NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
POLICE = "reviews@testshire.pnn.police.uk"
BODY = "Known to agency: yes\nRecords secured: yes\nDate secured: 03/12/2026\nSecured by: Alex Moore, PPU"

# The three configurations, as the settings that make them (the authserv-id intake is given comes from them).
EWS = {
    "ews_endpoint": "https://127.0.0.1/EWS/Exchange.asmx",
    "ews_username": "u",
    "ews_mailbox": "scr@testshire.gov.uk",
}
CONFIGURATIONS = {
    # EWS/Graph refuse to start like this (below); the intake itself must trust nothing either.
    "unset": Settings.model_construct(mail_backend="ews", mail_authserv_id="", **EWS),
    "set": Settings(mail_backend="ews", mail_authserv_id="mx.testshire.gov.uk", **EWS),
    "local mode": Settings(mail_backend="maildir", mail_authserv_id=""),
}

# Each forgery, given the authserv-id the configuration trusts ("" when none), as the Authentication-Results
# headers on the message, top to bottom.
Forgery = Callable[[str], list[str]]
FORGERIES: dict[str, Forgery] = {
    "dmarc fail under our id": lambda ours: [authentication_results(POLICE, authserv_id=ours or "mx", dmarc="fail")],
    "a foreign authserv-id says pass": lambda ours: [authentication_results(POLICE, authserv_id="mx.attacker.example")],
    "no Authentication-Results at all": lambda ours: [],
    "dkim pass, not aligned with From": lambda ours: [
        f"{ours or 'mx'}; dkim=pass header.d=attacker.example; spf=pass smtp.mailfrom=attacker.example"
    ],
    "spf pass only": lambda ours: [f"{ours or 'mx'}; spf=pass smtp.mailfrom=testshire.pnn.police.uk"],
    "a pass forged below our fail": lambda ours: [
        authentication_results(POLICE, authserv_id=ours or "mx", dmarc="fail"),
        authentication_results(POLICE, authserv_id=ours or "mx"),
    ],
    "our id, unreadable": lambda ours: [f"{ours or 'mx'}; dmarc=pass;; header.from="],
    "local mode's id under a real server": lambda ours: [
        authentication_results(POLICE, authserv_id=LOCAL_AUTHSERV_ID if ours != LOCAL_AUTHSERV_ID else "scrbot.locall")
    ],
    "dmarc pass for another domain": lambda ours: [f"{ours or 'mx'}; dmarc=pass header.from=attacker.example"],
}


def _reply(headers: list[str], message_id: str) -> bytes:
    raw = agency_reply("SCR-2026-0001", POLICE, BODY, message_id, Authentication_Results="")
    stamped = "".join(f"Authentication-Results: {h}\r\n" for h in headers).encode()
    return stamped + raw


def _police_answer(store: Store) -> bool | None:
    case = store.cases.get_case("SCR-2026-0001", actor=STAFF, now=NOW)
    return {c.agency_id: c for c in case.confirmations}["police"].records_secured


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_no_forged_reply_is_trusted_under_any_configuration(configuration: str, forgery: str, store: Store) -> None:
    ours = CONFIGURATIONS[configuration].trusted_authserv_id
    store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store, authserv_id=ours)

    outcome = intake.ingest(_reply(FORGERIES[forgery](ours), "<forged@attacker.example>"), now=NOW)

    assert (outcome.status, outcome.kind) == (InboundStatus.QUARANTINED, "untrusted"), outcome.reason
    assert not _police_answer(store)


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_a_genuine_reply_is_trusted_only_where_an_authserv_id_is_known(configuration: str, store: Store) -> None:
    ours = CONFIGURATIONS[configuration].trusted_authserv_id
    store.cases.file_referral(make_referral(), actor=REFERRER, now=NOW)
    intake = make_intake(store, authserv_id=ours)

    outcome = intake.ingest(_reply([authentication_results(POLICE, authserv_id=ours or "mx")], "<g@pnn>"), now=NOW)

    if ours:
        assert outcome.status is InboundStatus.PROCESSED, outcome.reason
        assert _police_answer(store) is True
    else:
        assert (outcome.status, outcome.kind) == (InboundStatus.QUARANTINED, "untrusted")
        assert "SCRBOT_MAIL_AUTHSERV_ID" in outcome.reason
        assert not _police_answer(store)


def test_local_mode_trusts_its_own_id_and_a_configured_id_replaces_it() -> None:
    assert Settings(mail_backend="maildir").trusted_authserv_id == LOCAL_AUTHSERV_ID
    assert Settings(mail_backend="maildir", mail_authserv_id="mx.board.gov.uk").trusted_authserv_id == "mx.board.gov.uk"
    assert Settings.model_construct(mail_backend="ews", mail_authserv_id="").trusted_authserv_id == ""


@pytest.mark.parametrize(
    "backend",
    [
        {"mail_backend": "ews", "ews_endpoint": "https://127.0.0.1/EWS/Exchange.asmx", "ews_username": "u"},
        {
            "mail_backend": "graph",
            "graph_tenant_id": "testshire.example",
            "graph_client_id": "11111111-2222-4333-8444-555555555555",
            "graph_client_secret": "s",
        },
    ],
)
def test_a_server_mailbox_without_an_authserv_id_refuses_to_start(backend: dict[str, str], tmp_path: Path) -> None:
    mailbox_setting = {"ews": "ews_mailbox", "graph": "graph_mailbox"}[backend["mail_backend"]]
    settings = load_settings(data_dir=tmp_path, **{**backend, mailbox_setting: "scr@testshire.gov.uk"})
    with pytest.raises(MailSettingsError, match="SCRBOT_MAIL_AUTHSERV_ID") as refused:
        _ = AppContext(settings=settings).mailbox
    assert isinstance(refused.value, BadInput)
    assert str(refused.value).startswith(
        f"SCRBOT_MAIL_BACKEND={backend['mail_backend']} needs SCRBOT_MAIL_AUTHSERV_ID ("
    )
