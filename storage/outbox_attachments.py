"""Files an outbound message carries, sealed at rest like its body (storage/outbox.py): the checked version of
the report with the publication copies (004 §10.5). The sender opens them only when it builds the email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import FieldCipher, open_text, seal_text
from storage.tables import OutboxAttachmentRow

_TABLE = "outbox_attachments"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    media_type: str

    def __repr__(self) -> str:  # the name and the document may hold personal data
        return f"Attachment({self.media_type}, {len(self.content)} bytes)"


class OutboxAttachments:
    def __init__(self, sessions: sessionmaker[Session], cipher: FieldCipher, board_id: str) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.board_id = board_id

    def attach(self, s: Session, outbox_id: str, attachment: Attachment, *, source: str, now: datetime) -> None:
        """Add a file to a message, in the caller's transaction (replacing one from the same source)."""
        for old in s.scalars(
            select(OutboxAttachmentRow).where(
                OutboxAttachmentRow.outbox_id == outbox_id, OutboxAttachmentRow.source.startswith(source.split(":")[0])
            )
        ):
            s.delete(old)
        row = OutboxAttachmentRow(
            board_id=self.board_id,
            outbox_id=outbox_id,
            source=source,
            media_type=attachment.media_type,
            size=len(attachment.content),
            created_at=now,
        )
        s.add(row)
        s.flush()
        row.filename_enc = seal_text(
            self.cipher, attachment.filename, table=_TABLE, column="filename_enc", row_id=row.id
        )
        row.content_enc = self.cipher.seal(attachment.content, table=_TABLE, column="content_enc", row_id=row.id)

    def sources(self, s: Session, outbox_id: str) -> list[str]:
        """What a message carries, without opening anything."""
        query = select(OutboxAttachmentRow.source).where(OutboxAttachmentRow.outbox_id == outbox_id)
        return list(s.scalars(query.order_by(OutboxAttachmentRow.created_at, OutboxAttachmentRow.id)))

    def of(self, outbox_id: str) -> list[Attachment]:
        """A message's files, opened: for the email sender only."""
        with self.sessions() as s:
            rows = s.scalars(
                select(OutboxAttachmentRow)
                .where(OutboxAttachmentRow.outbox_id == outbox_id, OutboxAttachmentRow.content_enc.is_not(None))
                .order_by(OutboxAttachmentRow.created_at, OutboxAttachmentRow.id)
            ).all()
            return [
                Attachment(
                    open_text(self.cipher, r.filename_enc, table=_TABLE, column="filename_enc", row_id=r.id)
                    if r.filename_enc is not None
                    else "attachment",
                    self.cipher.open(r.content_enc, table=_TABLE, column="content_enc", row_id=r.id),
                    r.media_type,
                )
                for r in rows
                if r.content_enc is not None
            ]
