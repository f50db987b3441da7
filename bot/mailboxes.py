"""The board's mailbox backend, from the process settings and the board's own `[mail]` (bot/context.py).

The backend and its credentials are the deployment's; which mailbox (and, for EWS, which Exchange server) is
the board's, when its config says so. Where one deployment serves many boards, each board's Maildir folders
are its own (DATA_DIR/mail/<board id>/...), so that no board reads another's mail.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from errors import BadInput

if TYPE_CHECKING:
    from bot.settings import Settings
    from cases.board import BoardConfig
    from mail.base import Mailbox


class MailSettingsError(BadInput):
    """The configured mail backend lacks a setting it needs."""


def board_folder(path: Path, board_id: str, *, shared: bool) -> Path:
    """A per-board path beside the single-board one: DATA_DIR/mail/inbox -> DATA_DIR/mail/<board id>/inbox."""
    return path.parent / board_id / path.name if shared else path


def open_mailbox(settings: Settings, board: BoardConfig, *, shared: bool = False) -> Mailbox:
    """The configured backend for this board (local mode: a Maildir under DATA_DIR/mail); only its own module
    is imported. `shared`: the deployment serves more than one board."""
    s = settings
    if shared and s.mail_backend != "maildir" and not board.mail.mailbox:
        # Falling back to the deployment's one mailbox would let each board read the others' mail.
        raise MailSettingsError(
            f"board {board.id}: where one deployment serves many boards, each names its own mailbox "
            f"([mail] mailbox in its board file) for SCRBOT_MAIL_BACKEND={s.mail_backend}",
            field="mail.mailbox",
        )
    if s.mail_backend == "ews":
        from mail.ews import EwsConfig, EwsMailbox

        endpoint = board.mail.ews_endpoint or s.ews_endpoint
        mailbox = board.mail.mailbox or s.ews_mailbox
        _require(
            "ews",
            EWS_ENDPOINT=endpoint,
            EWS_USERNAME=s.ews_username,
            EWS_MAILBOX=mailbox,
            MAIL_AUTHSERV_ID=s.mail_authserv_id,
        )
        return EwsMailbox(
            EwsConfig(
                endpoint=endpoint,
                username=s.ews_username,
                password=s.ews_password.get_secret_value(),
                mailbox=mailbox,
                auth_type=s.ews_auth_type,
                version=s.ews_version,
                max_wait_seconds=s.ews_max_wait_seconds,
                ca_bundle=str(s.ews_ca_bundle or ""),
            )
        )
    if s.mail_backend == "graph":
        from mail.graph import GraphConfig, GraphMailbox

        mailbox = board.mail.mailbox or s.graph_mailbox
        _require(
            "graph",
            GRAPH_TENANT_ID=s.graph_tenant_id,
            GRAPH_CLIENT_ID=s.graph_client_id,
            GRAPH_MAILBOX=mailbox,
            MAIL_AUTHSERV_ID=s.mail_authserv_id,
        )
        return GraphMailbox(
            GraphConfig(
                tenant_id=s.graph_tenant_id,
                client_id=s.graph_client_id,
                client_secret=s.graph_client_secret.get_secret_value(),
                client_certificate=str(s.graph_client_certificate or ""),
                client_certificate_password=s.graph_client_certificate_password.get_secret_value(),
                mailbox=mailbox,
                authority_base=s.graph_authority,
                graph_base=s.graph_base_url,
                ca_bundle=str(s.graph_ca_bundle or ""),
            )
        )
    from mail.maildir import MaildirMailbox

    return MaildirMailbox(
        board_folder(s.maildir_inbox, board.id, shared=shared),
        board_folder(s.mail_outbox_dir, board.id, shared=shared),
    )


def _require(backend: str, **values: str) -> None:
    missing = [f"SCRBOT_{name}" for name, value in values.items() if not value]
    if missing:
        why = (
            " (the authserv-id the board's mail server writes in Authentication-Results: without it no reply "
            "could be trusted)"
            if "SCRBOT_MAIL_AUTHSERV_ID" in missing
            else ""
        )
        raise MailSettingsError(f"SCRBOT_MAIL_BACKEND={backend} needs {', '.join(missing)}{why}")
