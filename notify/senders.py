"""Senders the dispatcher uses: email through a Mailbox backend, chat through a ChatSender (Slack)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from mail.base import Mailbox
from notify.dispatch import SendError
from notify.outbox import OutboxItem
from storage.outbox_attachments import Attachment


def message_id_for(item_id: str, mail_from: str) -> str:
    """Deterministic: a message resent after a crash carries the same Message-ID, so it can be recognised."""
    domain = mail_from.rsplit("@", 1)[-1] or "scrbot.invalid"
    return f"<outbox-{item_id}@{domain}>"


def build_email(item: OutboxItem, *, mail_from: str, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(item.recipients)
    message["Subject"] = item.subject
    message["Message-ID"] = message_id_for(item.id, mail_from)
    message["Date"] = formatdate(item.created_at.timestamp(), localtime=False)
    # RFC 3834: tells auto-responders (out-of-office) not to answer a notification.
    message["Auto-Submitted"] = "auto-generated"
    if item.case_ref:
        message["X-SCRBot-Case"] = item.case_ref
    message.set_content(item.text)
    if item.html:
        message.add_alternative(item.html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


class EmailSender:
    def __init__(
        self, mailbox: Mailbox, *, mail_from: str, attachments: Callable[[str], Sequence[Attachment]] | None = None
    ) -> None:
        self.mailbox = mailbox
        self.mail_from = mail_from
        self.attachments = attachments  # a message's files, by outbox id (storage/outbox_attachments.py)

    def send(self, item: OutboxItem) -> str:
        if not item.recipients:
            raise SendError("no recipients")
        files = self.attachments(item.id) if self.attachments is not None else ()
        return self.mailbox.send(build_email(item, mail_from=self.mail_from, attachments=files))

    def find_sent(self, item: OutboxItem) -> str | None:
        """Whether the mailbox has sent this message already (its Message-ID is the outbox row's)."""
        return self.mailbox.find_sent(message_id_for(item.id, self.mail_from))


class ChatSender(Protocol):
    """Posts a message to a Slack channel or a user's DM (the Slack implementation lives in bot/)."""

    def post(self, target: str, text: str, *, about: str = "") -> str:
        """Post `text` to a channel or user id; returns the message timestamp or id. `about`: the outbox item
        the message is about (an approval request's draft), for buttons that act on it."""
        ...


class ChatMessageSender:
    """Outbox items on the "slack" channel, one post per recipient (channel or user id)."""

    def __init__(self, chat: ChatSender) -> None:
        self.chat = chat

    def send(self, item: OutboxItem) -> str:
        if not item.recipients:
            raise SendError("no recipients")
        ids = [self.chat.post(target, item.text.strip(), about=item.about_id) for target in item.recipients]
        return ",".join(ids)
