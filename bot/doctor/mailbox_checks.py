"""The board's mailbox (EWS or Graph): signs in, reaches the mailbox and its folders, may send, all
without sending anything. None blocks `scrbot run`: unread mail waits in the mailbox and unsent mail in the
outbox (the missing authserv-id, which would let forgeries through, is core's "mail trust" check)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from bot.doctor.base import Check, Finding, fail, ok, register_provider, skip, warn
from mail.base import PROCESSED, QUARANTINE

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.settings import Settings
    from mail.ews import EwsMailbox
    from mail.graph import GraphMailbox

GRAPH_ROLES = ("Mail.ReadWrite", "Mail.Send")
CERTIFICATE_WARN_DAYS = 30


def _folders_text(names: list[str]) -> str:
    ours = [f for f in (PROCESSED, QUARANTINE) if f in {n.lower() for n in names}]
    if len(ours) == 2:
        return "its processed and quarantine folders exist"
    return "the processed and quarantine folders will be created on first use"


def check_ews(ctx: AppContext) -> Finding:
    mailbox: EwsMailbox = ctx.mailbox  # type: ignore[assignment]
    names = mailbox.inbox_folders()
    plain = (
        " (over plain http: the password travels readable; use https)"
        if mailbox.config.endpoint.startswith("http://")
        else ""
    )
    result = warn if plain else ok
    return result(
        f"signed in to {mailbox.config.endpoint}, opened {mailbox.config.mailbox}; {_folders_text(names)}{plain}"
    )


def check_ews_send(ctx: AppContext) -> Finding:
    return skip(
        "EWS cannot tell without sending: grant the service account Send As on the mailbox (or impersonation); "
        "a refused send stays in the outbox as failed (`scrbot notify list --status failed`)"
    )


def check_graph_sign_in(ctx: AppContext) -> Finding:
    from mail.graph import load_certificate

    settings = ctx.settings
    mailbox: GraphMailbox = ctx.mailbox  # type: ignore[assignment]
    how = "client secret"
    note = ""
    if settings.graph_client_certificate:
        certificate = load_certificate(
            str(settings.graph_client_certificate), settings.graph_client_certificate_password.get_secret_value()
        )
        how = f"certificate {certificate.sha256_thumbprint[:16]}..., valid to {certificate.not_after:%Y-%m-%d}"
        left = certificate.not_after - ctx.now_clock.now().astimezone(UTC)
        if left < timedelta(0):
            return fail(f"the certificate expired on {certificate.not_after:%Y-%m-%d}: upload a new one (README)")
        if left < timedelta(days=CERTIFICATE_WARN_DAYS):
            note = f"; it expires in {left.days} day(s): upload a new one"
    mailbox.granted_roles()  # signs in: a refusal raises, with msal's error code
    text = f"signed in to tenant {settings.graph_tenant_id} as app {settings.graph_client_id} with a {how}{note}"
    return (warn if note else ok)(text)


def check_graph_permissions(ctx: AppContext) -> Finding:
    mailbox: GraphMailbox = ctx.mailbox  # type: ignore[assignment]
    granted = mailbox.granted_roles()
    missing = [role for role in GRAPH_ROLES if role not in granted]
    if missing:
        return fail(
            f"the app lacks the application permission(s) {', '.join(missing)}: add them in the app registration "
            "(Microsoft Graph, Application permissions) and grant admin consent (README)"
        )
    broad = sorted(granted - set(GRAPH_ROLES))
    extra = f"; also granted (not needed): {', '.join(broad)}" if broad else ""
    return (warn if broad else ok)(f"application permissions {', '.join(GRAPH_ROLES)} granted{extra}")


def check_graph_mailbox(ctx: AppContext) -> Finding:
    mailbox: GraphMailbox = ctx.mailbox  # type: ignore[assignment]
    try:
        names = mailbox.inbox_folders()
    except Exception as exc:
        text = str(exc)
        if "403" in text or "ErrorAccessDenied" in text:
            return fail(
                f"the app may not open {mailbox.config.mailbox} (HTTP 403): add the mailbox to the application "
                "access policy's group (README, Graph)"
            )
        if "404" in text:
            return fail(f"no mailbox {mailbox.config.mailbox} in the tenant (SCRBOT_GRAPH_MAILBOX)")
        raise
    return ok(f"opened {mailbox.config.mailbox}; {_folders_text(names)}")


def check_graph_send(ctx: AppContext) -> Finding:
    mailbox: GraphMailbox = ctx.mailbox  # type: ignore[assignment]
    if "Mail.Send" not in mailbox.granted_roles():
        return fail("Mail.Send is not granted (see mailbox permissions)")
    return ok(f"Mail.Send granted and the access policy lets the app into {mailbox.config.mailbox} (nothing sent)")


@register_provider
def mailbox_checks(settings: Settings) -> Sequence[Check]:
    return [replace(check, per_board=True) for check in _mailbox_checks(settings)]  # each board's own mailbox


def _mailbox_checks(settings: Settings) -> Sequence[Check]:
    if settings.mail_backend == "ews":
        return [
            Check("mailbox", check_ews, network=True),
            Check("mailbox send", check_ews_send, needs=("mailbox",)),
        ]
    if settings.mail_backend == "graph":
        return [
            Check("mailbox sign-in", check_graph_sign_in, network=True),
            Check("mailbox permissions", check_graph_permissions, network=True, needs=("mailbox sign-in",)),
            Check("mailbox", check_graph_mailbox, network=True, needs=("mailbox sign-in",)),
            Check("mailbox send", check_graph_send, network=True, needs=("mailbox permissions", "mailbox")),
        ]
    return []
