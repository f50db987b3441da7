"""A person's decisions about a message that waits for one: unlock a password-protected referral form, file a
referral once checked, record a reply as an agency's answer, or mark the message dealt with.

Like the bot's own processing, the message is read and parsed with no transaction open; the decision is then
carried out in one short write transaction that first checks the message still waits for a person.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from cases.actor import Actor
from cases.calendar import local_date
from cases.permissions import require_staff
from errors import BadInput, Conflict
from intake.inbound.agency_report_mail import AgencyReportMail, AuthorNomination
from intake.inbound.answers import read_answer
from intake.inbound.classify import (
    AgencyReply,
    Classifier,
    Reading,
    ReferralToFile,
    Verdict,
    answer_json,
    sent_on,
)
from intake.inbound.docx_form import WrongPassword
from intake.inbound.form_fields import field_for_path
from intake.inbound.parse import ParsedMessage
from intake.inbound.references import find_case_reference
from intake.inbound.referral_mail import Extraction
from intake.inbound.reply_text import split_reply
from storage.inbound import InboundRef, InboundStatus, InboundStore
from storage.store import Store

WAITING = (InboundStatus.QUARANTINED.value, InboundStatus.NEEDS_PERSON.value)


class IntakeError(Conflict):
    """A person's request about a stored message cannot be done (wrong state, unclear answer)."""


# Carries out a reading in the write transaction and records the message's outcome: (session, message row,
# reading, person, now).
CarryOut = Callable[[Session, InboundRef, Reading, Actor, datetime], None]


class ManualRelease:
    def __init__(self, store: Store, inbound: InboundStore, classifier: Classifier, carry_out: CarryOut) -> None:
        self.store = store
        self.inbound = inbound
        self.classifier = classifier
        self.carry_out = carry_out

    def _waiting(self, s: Session, row_id: str, *, lock: bool) -> InboundRef:
        row = self.inbound.row(s, row_id, lock=lock)
        if row.status not in WAITING:
            raise IntakeError(f"message {row_id} is {row.status}; only quarantined or needs_person messages wait")
        return row

    def _read(self, row_id: str) -> tuple[InboundRef, ParsedMessage | None]:
        """The message as stored, parsed outside any transaction (None when it was too large to keep)."""
        with self.store.sessions() as s:
            row = self._waiting(s, row_id, lock=False)
        raw = self.inbound.raw_of(row)
        return row, None if row.truncated else self.classifier.parse(raw, self.classifier.limits)

    def _settle(self, row_id: str, reading: Reading, actor: Actor, now: datetime) -> None:
        with self.store.sessions.begin() as s:
            row = self._waiting(s, row_id, lock=True)  # still waiting: nobody settled it meanwhile
            self.carry_out(s, row, reading, actor, now)

    def unlock(self, row_id: str, password: str, *, actor: Actor, now: datetime) -> None:
        """Open a password-protected referral form with the password a business unit member gives. The
        password is used once, in memory, and never stored or logged."""
        require_staff(actor, "unlock an emailed referral")
        row, parsed = self._read(row_id)
        if row.kind != "referral" or parsed is None:
            raise IntakeError(f"message {row_id} is not a referral")
        try:
            reading = self.classifier.referral(row_id, parsed, now, password=password, by_person=True)
        except WrongPassword:
            with self.store.sessions.begin() as s:
                self.store.audit.append(
                    s, at=now, actor=actor.id, action="mail.unlock_failed", case_ref="", detail={"message": row_id}
                )
            raise
        self._settle(row_id, reading, actor, now)

    def release(
        self,
        row_id: str,
        *,
        actor: Actor,
        now: datetime,
        as_agency: str | None,
        dismiss: bool,
        note: str,
        fill: Mapping[str, str] | None = None,
    ) -> None:
        require_staff(actor, "release a quarantined message")
        row, parsed = self._read(row_id)
        reading: Reading
        if dismiss:
            reading = Verdict(InboundStatus.RELEASED, row.kind, f"dismissed by a person ({row.reason})"[:500])
        elif as_agency:
            self.store.board.agency(as_agency)  # UnknownAgency names an agency not in the board config
            if parsed is None:
                raise IntakeError("the message was too large to read; record the answer by hand")
            reading = self._as_agency(row, parsed, as_agency, now)
        elif row.kind == "referral" and parsed is not None:
            reading = self._referral(row, parsed, now, fill or {})
        else:
            reading = Verdict(InboundStatus.RELEASED, row.kind, f"released by a person ({row.reason})"[:500])
        if fill and not isinstance(reading, ReferralToFile):
            raise IntakeError("--set fills the gaps of an emailed referral; this message is not one to file")
        if note:
            reading = _noted(reading, note, self.inbound.detail_of(row))
        self._settle(row_id, reading, actor, now)

    def _referral(
        self, row: InboundRef, parsed: ParsedMessage, now: datetime, fill: Mapping[str, str]
    ) -> ReferralToFile:
        """File the emailed referral a person has checked: from the values read when it arrived or when it was
        unlocked (kept encrypted with the message), with the gaps the person fills."""
        unknown = sorted(path for path in fill if field_for_path(path) is None)
        if unknown:
            raise BadInput(f"no such form field: {', '.join(unknown)}", field="set")
        stored = self.inbound.detail_of(row)
        values = stored.get("values")
        if isinstance(values, dict):
            extraction = Extraction(
                {**{str(k): str(v) for k, v in values.items()}, **fill},
                str(stored.get("source") or "attachment"),
                bool(stored.get("unlocked")),
            )
            reading = self.classifier.referral_from(row.id, parsed, extraction, now, by_person=True)
        elif stored.get("password_needed"):
            raise IntakeError(
                f"the form is password-protected: open it first with scrbot mail unlock {row.id} (or --dismiss)"
            )
        else:  # read before the values were kept with the message: read again
            reading = self.classifier.referral(row.id, parsed, now, password="", by_person=True, fill=fill)
        if isinstance(reading, Verdict):
            raise IntakeError(f"the referral cannot be filed yet: {reading.reason}")
        return reading

    def _as_agency(self, row: InboundRef, parsed: ParsedMessage, agency_id: str, now: datetime) -> AgencyReply:
        reply = split_reply(parsed.text)
        found = find_case_reference(parsed, reply, self.classifier.lookups.threads)
        reference = row.case_ref or found.reference
        if not reference:
            why = found.conflict or "the message names no case"
            raise IntakeError(f"{why}; record the answer with scrbot case confirm for the right case")
        answer = read_answer(reply.new, sent_on=local_date(sent_on(parsed, now)), sender_name=parsed.sender_name)
        if not answer.clear:
            raise IntakeError(
                "the reply is unclear (" + "; ".join(answer.unclear) + "); record it with scrbot case confirm"
            )
        case_id = self.classifier.lookups.case_id_of(reference)
        if case_id is None:
            raise IntakeError(f"no case {reference}")
        detail = {"answer": answer_json(answer), "new_text": reply.new[:5000]}
        evidence = parsed.message_id or "inbound email without a Message-ID"
        return AgencyReply(reference, agency_id, case_id, answer, evidence, detail)


def _noted(reading: Reading, note: str, stored: dict[str, object]) -> Reading:
    """The person's note kept with the message's detail."""
    if isinstance(reading, Verdict):
        reading.detail = {**(reading.detail or stored), "release_note": note[:2000]}
        return reading
    if isinstance(reading, (AgencyReportMail, AuthorNomination)):  # no detail to annotate
        return reading
    return replace(reading, detail={**reading.detail, "release_note": note[:2000]})
