"""The personal data a case holds, for checking free text against it (cases/personal_data.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cases.personal_data import CaseFacts
from storage.case_codec import Codec
from storage.tables import CaseRow


def case_facts(session: Session, codec: Codec, case_id: str | None) -> CaseFacts | None:
    """The case's names, dates of birth and addresses; None when there is no case or its referral is purged.
    Not audited: the values are only compared with a message's text, never shown."""
    if not case_id:
        return None
    row = session.get(CaseRow, case_id)
    referral = codec.open_referral(row) if row is not None else None
    return CaseFacts.from_referral(referral) if referral is not None else None
