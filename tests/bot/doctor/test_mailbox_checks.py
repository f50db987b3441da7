"""The mailbox checks against the local fakes (real exchangelib against fake EWS, real msal and httpx against
fake Graph), made to fail in each way: wrong credentials, no access to the mailbox, no such mailbox, an
untrusted certificate, a server that is not there, a missing permission, an access policy that leaves the
mailbox out, an expired certificate. Nothing is ever sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from tests.bot.doctor.conftest import Doctor
from tests.support.fake_ews import FakeEwsState, fake_ews
from tests.support.fake_graph import FakeGraph, fake_graph, make_app_certificate

MAILBOX = "scr@testshire.gov.uk"


@pytest.fixture
def ews(env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEwsState]:
    from exchangelib import close_connections

    with fake_ews(tls_directory=env) as (endpoint, state):
        for name, value in {
            "MAIL_BACKEND": "ews",
            "MAIL_AUTHSERV_ID": "mx.testshire.gov.uk",
            "EWS_ENDPOINT": endpoint,
            "EWS_USERNAME": state.username,
            "EWS_PASSWORD": state.password,
            "EWS_MAILBOX": MAILBOX,
            "EWS_AUTH_TYPE": "basic",
            "EWS_MAX_WAIT_SECONDS": "0",
            "EWS_CA_BUNDLE": str(env / "ca.pem"),
        }.items():
            monkeypatch.setenv(f"SCRBOT_{name}", value)
        yield state
    close_connections()  # exchangelib keeps a connection pool per server and account


def test_a_good_ews_mailbox(ews: FakeEwsState, doctor: Doctor) -> None:
    code, checks = doctor()
    assert code == 0, checks
    assert checks["mailbox"][0] == "ok" and f"opened {MAILBOX}" in checks["mailbox"][1]
    assert "will be created on first use" in checks["mailbox"][1]
    assert checks["mailbox send"][0] == "skip" and "Send As" in checks["mailbox send"][1]
    assert ews.sent == [] and "CreateItem" not in ews.operations


@pytest.mark.parametrize(
    ("break_it", "says"),
    [
        (lambda s, m: setattr(s, "password", "changed"), "refused the credentials"),
        (lambda s, m: setattr(s, "folder_error", "ErrorAccessDenied"), "grant it Full Access"),
        (lambda s, m: setattr(s, "folder_error", "ErrorNonExistentMailbox"), "no such mailbox (SCRBOT_EWS_MAILBOX)"),
        (lambda s, m: m.delenv("SCRBOT_EWS_CA_BUNDLE"), "set SCRBOT_EWS_CA_BUNDLE"),
        (lambda s, m: m.setenv("SCRBOT_EWS_ENDPOINT", "https://127.0.0.1:9/EWS/Exchange.asmx"), "cannot be reached"),
    ],
    ids=["wrong-password", "no-full-access", "no-such-mailbox", "internal-ca-not-trusted", "unreachable"],
)
def test_an_ews_mailbox_that_fails(
    ews: FakeEwsState, doctor: Doctor, monkeypatch: pytest.MonkeyPatch, break_it: object, says: str
) -> None:
    break_it(ews, monkeypatch)  # type: ignore[operator]
    code, checks = doctor()
    assert code == 1
    status, detail = checks["mailbox"]
    assert status == "fail" and says in detail, detail
    assert checks["mailbox send"] == ("skip", "needs mailbox first")


def test_quick_leaves_the_mailbox_alone(ews: FakeEwsState, doctor: Doctor) -> None:
    code, checks = doctor("--quick")
    assert code == 0 and checks["mailbox"][0] == "skip" and ews.operations == []


@pytest.fixture
def graph(env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    with fake_graph(env, mailbox=MAILBOX) as fake:
        for name, value in {
            "MAIL_BACKEND": "graph",
            "MAIL_AUTHSERV_ID": "mx.testshire.gov.uk",
            "GRAPH_TENANT_ID": fake.state.tenant,
            "GRAPH_CLIENT_ID": fake.state.client_id,
            "GRAPH_CLIENT_SECRET": fake.state.client_secret,
            "GRAPH_MAILBOX": MAILBOX,
            "GRAPH_AUTHORITY": fake.base,
            "GRAPH_BASE_URL": fake.graph_base,
            "GRAPH_CA_BUNDLE": str(fake.ca_file),
        }.items():
            monkeypatch.setenv(f"SCRBOT_{name}", value)
        yield fake


GRAPH_CHECKS = ("mailbox sign-in", "mailbox permissions", "mailbox", "mailbox send")


def test_a_good_graph_mailbox(graph: FakeGraph, doctor: Doctor) -> None:
    code, checks = doctor()
    assert code == 0, checks
    assert [checks[name][0] for name in GRAPH_CHECKS] == ["ok", "ok", "ok", "ok"]
    assert "with a client secret" in checks["mailbox sign-in"][1]
    assert (
        checks["mailbox send"][1]
        == f"Mail.Send granted and the access policy lets the app into {MAILBOX} (nothing sent)"
    )
    assert graph.state.sent == []


def test_graph_with_a_certificate(graph: FakeGraph, doctor: Doctor, env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pem, certificate = make_app_certificate(env)
    graph.state.certificate = certificate
    monkeypatch.delenv("SCRBOT_GRAPH_CLIENT_SECRET")
    monkeypatch.setenv("SCRBOT_GRAPH_CLIENT_CERTIFICATE", str(pem))
    code, checks = doctor()
    assert code == 0, checks
    assert "with a certificate" in checks["mailbox sign-in"][1]


@pytest.mark.parametrize(("days", "status", "says"), [(10, "warn", "expires in 10 day(s)"), (-1, "fail", "expired on")])
def test_a_graph_certificate_near_or_past_its_end(
    graph: FakeGraph,
    doctor: Doctor,
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: FixedClock,
    days: int,
    status: str,
    says: str,
) -> None:
    pem, certificate = make_app_certificate(env, days=days, now=clock.now())
    graph.state.certificate = certificate
    monkeypatch.delenv("SCRBOT_GRAPH_CLIENT_SECRET")
    monkeypatch.setenv("SCRBOT_GRAPH_CLIENT_CERTIFICATE", str(pem))
    _code, checks = doctor()
    assert checks["mailbox sign-in"][0] == status and says in checks["mailbox sign-in"][1]


@pytest.mark.parametrize(
    ("break_it", "check", "says"),
    [
        (lambda g, m: m.setenv("SCRBOT_GRAPH_CLIENT_SECRET", "wrong"), "mailbox sign-in", "invalid_client"),
        (
            lambda g, m: setattr(g.state, "roles", ["Mail.ReadWrite"]),
            "mailbox permissions",
            "lacks the application permission(s) Mail.Send",
        ),
        (lambda g, m: setattr(g.state, "roles", []), "mailbox permissions", "Mail.ReadWrite, Mail.Send"),
        (lambda g, m: setattr(g.state, "access_policy_denies", True), "mailbox", "application access policy"),
        (lambda g, m: m.setenv("SCRBOT_GRAPH_MAILBOX", "nobody@testshire.gov.uk"), "mailbox", "no mailbox nobody@"),
        (lambda g, m: m.delenv("SCRBOT_GRAPH_CA_BUNDLE"), "mailbox sign-in", "Graph sign-in failed"),
    ],
    ids=["wrong-secret", "no-mail-send", "no-permissions", "access-policy", "no-such-mailbox", "untrusted"],
)
def test_a_graph_mailbox_that_fails(
    graph: FakeGraph, doctor: Doctor, monkeypatch: pytest.MonkeyPatch, break_it: object, check: str, says: str
) -> None:
    break_it(graph, monkeypatch)  # type: ignore[operator]
    code, checks = doctor()
    assert code == 1
    status, detail = checks[check]
    assert status == "fail" and says in detail, detail
    assert checks["mailbox send"][0] in {"fail", "skip"}
