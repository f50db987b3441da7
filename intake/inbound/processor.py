"""Inbound mail, exactly once: store, then act, then move.

1. The raw message is stored (encrypted, with a keyed hash of its Message-ID and body) and committed.
   A message seen before - delivered twice, or fetched again after a crash - finds its row.
2. In one transaction the row is locked while still `received`, the message is classified and acted on
   (an agency's confirmation recorded, a referral filed, notices queued), and the row's outcome written.
   Either all of it commits or none of it does.
3. Only then is the message moved out of the mailbox's inbox. A crash before the move leaves it in the
   inbox; the next poll finds its row finished and just moves it.

Anything not understood or not trusted is quarantined with its reason; anything trusted but unclear is
marked `needs_person`. Both are visible to the business unit (a Slack notice without personal data, and
`scrbot mail quarantine list`), and a person can release them.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from cases.actor import Actor, PermissionDenied, Role
from cases.board import BoardConfig, domain_of
from cases.calendar import local_date
from cases.case import Involvement
from errors import Conflict
from intake.inbound.answers import AgencyAnswer, read_answer
from intake.inbound.authentication import untrusted_reason
from intake.inbound.auto_reply import auto_reply_reason, reads_like_out_of_office
from intake.inbound.docx_form import FormError, PasswordNeeded, WrongPassword
from intake.inbound.limits import LimitExceeded, Limits, not_fetched_stand_in, too_large_to_fetch
from intake.inbound.parse import ParsedMessage, identity, parse_message
from intake.inbound.references import find_case_reference
from intake.inbound.referral_mail import build_referral, extract, looks_like_referral
from intake.inbound.reply_text import ReplyText, split_reply
from mail.base import PROCESSED, QUARANTINE, Mailbox, MailboxError
from storage.case_store import CaseNotFound, InvalidTransition
from storage.inbound import DONE, InboundRef, InboundStatus, InboundStore, InboundSummary
from storage.store import Store
from storage.tables import CaseRow

log = logging.getLogger("scrbot.mail")

# The store is unreachable or busy: the message is left as it is and retried on the next poll. Any other
# failure quarantines the message (with the error's type as the reason) so that one bad message never
# blocks the ones behind it.
STORE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)

# Files referrals that arrive by email from a trusted sender; a person's own actor when they release one.
_CASE_ID = select(CaseRow.id).where(
    CaseRow.board_id == bindparam("case_board"), CaseRow.reference == bindparam("case_ref")
)

# A message whose processing stopped the process this many times is quarantined instead (a poison message:
# e.g. a document that exhausts memory while it is parsed).
MAX_ATTEMPTS = 3

REFERRAL_ACTOR = Actor("mail:referral", frozenset({Role.REFERRER}))
INTAKE_ACTOR = Actor("system:mail-intake", frozenset())


class IntakeNotices(Protocol):
    """Tells the business unit about messages a person must look at (implemented over the outbox)."""

    def tell_business_unit(self, s: Session, *, messages: Sequence[InboundSummary], now: datetime) -> None: ...


class NoNotices:
    def tell_business_unit(self, s: Session, *, messages: Sequence[InboundSummary], now: datetime) -> None:
        return None


class IntakeError(Conflict):
    """A person's request about a stored message cannot be done (wrong state, unclear answer)."""


@dataclass(frozen=True)
class IngestOutcome:
    inbound_id: str
    status: InboundStatus
    kind: str
    reason: str
    case_ref: str = ""
    agency_id: str = ""
    duplicate: bool = False

    @property
    def folder(self) -> str:
        return QUARANTINE if self.status is InboundStatus.QUARANTINED else PROCESSED


@dataclass
class PollReport:
    seen: int = 0
    outcomes: list[IngestOutcome] = field(default_factory=list)
    fetch_errors: int = 0
    stopped: str = ""  # why the poll stopped early, if it did

    def counts(self) -> dict[str, int]:
        return dict(Counter(o.status.value for o in self.outcomes))


@dataclass
class _Decision:
    status: InboundStatus
    kind: str
    reason: str
    case_id: str | None = None
    case_ref: str = ""
    agency_id: str = ""
    detail: dict[str, Any] | None = None


def _quarantine(kind: str, reason: str, **extra: Any) -> _Decision:
    return _Decision(InboundStatus.QUARANTINED, kind, reason, **extra)


def _needs_person(kind: str, reason: str, **extra: Any) -> _Decision:
    return _Decision(InboundStatus.NEEDS_PERSON, kind, reason, **extra)


def _processed(kind: str, reason: str, **extra: Any) -> _Decision:
    return _Decision(InboundStatus.PROCESSED, kind, reason, **extra)


class MailIntake:
    def __init__(
        self,
        store: Store,
        inbound: InboundStore,
        *,
        mailbox: Mailbox | None = None,
        notices: IntakeNotices | None = None,
        limits: Limits | None = None,
        authserv_id: str = "",
        source: str = "maildir",
    ) -> None:
        self.store = store
        self.inbound = inbound
        self.mailbox = mailbox
        self.notices: IntakeNotices = notices or NoNotices()
        self.limits = limits or Limits()
        # Safe by default: with no authserv-id nothing is trusted (intake/inbound/authentication.py).
        self.authserv_id = authserv_id
        self.source = source
        # Tests hook in here to crash the process between the steps.
        self.checkpoint: Callable[[str], None] = lambda _step: None

    @property
    def board(self) -> BoardConfig:
        return self.store.board

    # --- the mailbox ---------------------------------------------------------------------------------

    def poll_mailbox(self, now: datetime, *, limit: int = 500) -> PollReport:
        """One pass over the configured mailbox's inbox: every new message ingested, then moved."""
        if self.mailbox is None:
            raise IntakeError("no mailbox is configured")
        report = PollReport()
        try:
            keys = self.mailbox.list_new()
        except MailboxError as exc:
            report.stopped = f"listing the inbox failed: {exc}"
            log.warning("mailbox poll: %s", report.stopped)
            return report
        for key in keys[:limit]:
            report.seen += 1
            try:
                size = self.mailbox.size(key)
                too_large = too_large_to_fetch(size, self.limits)
                raw = not_fetched_stand_in(self.source, key, size or 0) if too_large else self.mailbox.fetch_raw(key)
            except MailboxError as exc:
                report.fetch_errors += 1
                log.warning("mailbox poll: fetching a message failed (%s)", type(exc).__name__)
                continue
            self.checkpoint("fetched")
            try:
                outcome = self.ingest(raw, now=now, source=self.source, size=size if too_large else None)
            except STORE_UNAVAILABLE as exc:
                # The database is unavailable: stop; the message stays in the inbox for the next poll.
                report.stopped = f"database error ({type(exc).__name__})"
                log.error("mailbox poll stopped: %s", report.stopped)
                return report
            report.outcomes.append(outcome)
            self.checkpoint("ingested")
            try:
                self.mailbox.move(key, outcome.folder)
            except MailboxError as exc:
                # Its outcome is committed: the next poll finds the row finished and moves it then.
                log.warning("mailbox poll: moving a message failed (%s)", type(exc).__name__)
            self.checkpoint("moved")
        self.tell_business_unit(now)
        if report.outcomes:
            log.info("mailbox poll: %s", ", ".join(f"{k} {v}" for k, v in sorted(report.counts().items())))
        return report

    def tell_business_unit(self, now: datetime) -> int:
        """One notice for everything a person must look at that the business unit has not been told about
        (after each poll: a busy inbox gives the channel one message, not hundreds)."""
        told = 0
        while True:
            with self.store.sessions.begin() as s:
                pending = self.inbound.take_pending_notices(s)
                if not pending:
                    return told
                self.notices.tell_business_unit(s, messages=pending, now=now)
                told += len(pending)

    # --- one message ---------------------------------------------------------------------------------

    def ingest(self, raw: bytes, *, now: datetime, source: str = "cli", size: int | None = None) -> IngestOutcome:
        """Store, then act on one message. The same message again changes nothing. `size`: the size the
        mailbox gave for a message too large to fetch (`raw` is then its stand-in)."""
        size = max(len(raw), size or 0)
        truncated = size > self.limits.max_message_bytes
        message_id, rest = identity(raw)
        key = self.inbound.dedupe_key(message_id, rest)
        stored = self.inbound.store(
            raw[: self.limits.truncated_head_bytes] if truncated else raw,
            dedupe_key=key,
            message_id=message_id,
            now=now,
            source=source,
            size=size,
            truncated=truncated,
        )
        self.checkpoint("stored")
        # Stored by a run that stopped before finishing it (or crashed while acting on it):
        retrying = not stored.new and stored.status is InboundStatus.RECEIVED
        if retrying and self.inbound.retry(stored.id, now) > MAX_ATTEMPTS:
            return self._give_up(stored.id, now)
        if stored.status in DONE:
            summary = stored.summary or self.inbound.summary(stored.id)
            return IngestOutcome(
                stored.id,
                summary.status,
                summary.kind,
                summary.reason,
                summary.case_ref,
                summary.agency_id,
                duplicate=True,
            )
        return self._act(stored.id, now)

    def _act(self, row_id: str, now: datetime) -> IngestOutcome:
        try:
            with self.store.sessions.begin() as s:
                row = self.inbound.claim(s, row_id)
                if row is None:  # finished meanwhile by another process
                    return self._outcome_of(row_id, duplicate=True)
                decision = self._decide(s, row, now)
                self._finish(s, row, decision, now, actor=INTAKE_ACTOR)
                self.checkpoint("acted")
                outcome = IngestOutcome(row_id, decision.status, decision.kind, row.reason, row.case_ref, row.agency_id)
            return outcome
        except STORE_UNAVAILABLE:
            raise  # retried on the next poll, nothing lost
        except Exception as exc:  # noqa: BLE001 - any other failure quarantines the message, never loses it
            log.error("inbound message %s could not be processed (%s)", row_id, type(exc).__name__)
            with self.store.sessions.begin() as s:
                row = self.inbound.claim(s, row_id)
                if row is not None:
                    failed = _quarantine("error", f"could not be processed ({type(exc).__name__})")
                    self._finish(s, row, failed, now, actor=INTAKE_ACTOR)
        return self._outcome_of(row_id)

    def _give_up(self, row_id: str, now: datetime) -> IngestOutcome:
        """A message that keeps stopping the process while it is acted on is not tried again."""
        log.error("inbound message %s stopped the intake %d times: quarantined", row_id, MAX_ATTEMPTS)
        with self.store.sessions.begin() as s:
            row = self.inbound.claim(s, row_id)
            if row is not None:
                reason = f"processing it stopped the bot {MAX_ATTEMPTS} times; not tried again"
                self._finish(s, row, _quarantine("error", reason), now, actor=INTAKE_ACTOR)
        return self._outcome_of(row_id)

    def _outcome_of(self, row_id: str, *, duplicate: bool = False) -> IngestOutcome:
        summary = self.inbound.summary(row_id)
        return IngestOutcome(
            row_id, summary.status, summary.kind, summary.reason, summary.case_ref, summary.agency_id, duplicate
        )

    def _finish(self, s: Session, row: InboundRef, decision: _Decision, now: datetime, *, actor: Actor) -> None:
        self.inbound.finish(
            s,
            row,
            status=decision.status,
            kind=decision.kind,
            reason=decision.reason,
            now=now,
            actor=actor,
            case_id=decision.case_id,
            case_ref=decision.case_ref,
            agency_id=decision.agency_id,
            detail=decision.detail,
            handled_by=actor.id if actor.is_staff else "",
            # A person releasing a message has seen it; anything the bot could not settle is told about.
            tell=not actor.is_staff and decision.status in {InboundStatus.QUARANTINED, InboundStatus.NEEDS_PERSON},
        )

    # --- deciding ------------------------------------------------------------------------------------

    def _parse(self, row: InboundRef) -> ParsedMessage | _Decision:
        if row.truncated:
            return _quarantine(
                "too_large",
                f"larger than the {self.limits.max_message_bytes // 1_048_576} MiB limit "
                "(only its headers are stored; the whole message stays in the mailbox's quarantine folder)",
            )
        try:
            return parse_message(self.inbound.raw_of(row), self.limits)
        except LimitExceeded as exc:
            return _quarantine("hostile", str(exc))
        except (ValueError, LookupError, TypeError, IndexError, AttributeError) as exc:
            return _quarantine("unreadable", f"could not be parsed ({type(exc).__name__})")

    def _decide(self, s: Session, row: InboundRef, now: datetime) -> _Decision:
        parsed = self._parse(row)
        if isinstance(parsed, _Decision):
            return parsed
        if parsed.content_type == "multipart/report" or parsed.sender.split("@", 1)[0] in {
            "mailer-daemon",
            "postmaster",
        }:
            return _quarantine("delivery_report", "a delivery failure report: a request may not have arrived")
        automatic = auto_reply_reason(parsed)
        if automatic:
            return _processed("auto_reply", f"an automatic reply ({automatic}): never counted as an answer")
        if parsed.from_count != 1:
            return _quarantine("unknown", "the message does not have exactly one From address")
        trust = self._authenticate(parsed)
        if trust is not None:
            return trust
        reply = split_reply(parsed.text)
        found = find_case_reference(s, self.board.id, parsed, reply)
        if found.conflict:
            return _quarantine("agency_reply", found.conflict)
        agency = self.board.agency_for_address(parsed.sender)
        if not found.reference and looks_like_referral(parsed):
            return self._referral(s, row, parsed, now, password="", person=None)
        if found.reference:
            if agency is None:
                reason = "the sender is not a registered address of any agency"
                domain = domain_of(parsed.sender)
                # A hint for a colleague at the agency's own domain (not one many bodies share, e.g. nhs.net).
                same_domain = [
                    a.id
                    for a in self.board.agencies
                    if domain not in self.board.secure_domains and any(domain_of(x) == domain for x in a.addresses)
                ]
                if same_domain:
                    reason += f" (same domain as agency {same_domain[0]})"
                return _quarantine("agency_reply", reason, case_ref=found.reference)
            return self._agency_reply(s, parsed, reply, found.reference, agency.id, now, actor=None)
        if agency is not None:
            return _quarantine(
                "agency_reply", "from a registered agency address, but names no case", agency_id=agency.id
            )
        return _quarantine("unknown", "neither an agency's reply nor a referral")

    def _authenticate(self, parsed: ParsedMessage) -> _Decision | None:
        why = untrusted_reason(
            parsed.authentication_results, authserv_id=self.authserv_id, from_domain=domain_of(parsed.sender)
        )
        return None if why is None else _quarantine("untrusted", why)

    def _sent_on(self, parsed: ParsedMessage, now: datetime) -> datetime:
        """The email's own date, unless it is implausible (in the future, or long before it arrived)."""
        if parsed.date is not None and now - timedelta(days=60) <= parsed.date <= now + timedelta(hours=12):
            return min(parsed.date, now)
        return now

    # --- an agency's reply ---------------------------------------------------------------------------

    def _agency_reply(
        self,
        s: Session,
        parsed: ParsedMessage,
        reply: ReplyText,
        reference: str,
        agency_id: str,
        now: datetime,
        *,
        actor: Actor | None,
    ) -> _Decision:
        where = {"case_ref": reference, "agency_id": agency_id}
        case_id = s.execute(_CASE_ID, {"case_board": self.board.id, "case_ref": reference}).scalar_one_or_none()
        if case_id is None:
            return _quarantine("agency_reply", f"names case {reference}, which does not exist", agency_id=agency_id)
        where["case_id"] = case_id
        sent_on = local_date(self._sent_on(parsed, now))
        answer = read_answer(reply.new, sent_on=sent_on, sender_name=parsed.sender_name)
        detail = {"answer": _answer_json(answer), "new_text": reply.new[:5000]}
        if not reply.new.strip():
            why = "a forwarded message without an answer of the sender's own" if reply.forwarded else "no new text"
            return _needs_person("agency_reply", why, detail=detail, **where)
        if reads_like_out_of_office(reply.new):
            if not answer.clear:
                return _processed("auto_reply", "reads like an out-of-office reply: not an answer", **where)
            return _needs_person("agency_reply", "reads like an out-of-office reply but also like an answer", **where)
        if not answer.clear:
            return _needs_person("agency_reply", "; ".join(answer.unclear), detail=detail, **where)
        return self._record(s, parsed, answer, reference, agency_id, now, actor=actor, detail=detail, where=where)

    def _record(
        self,
        s: Session,
        parsed: ParsedMessage,
        answer: AgencyAnswer,
        reference: str,
        agency_id: str,
        now: datetime,
        *,
        actor: Actor | None,
        detail: dict[str, Any],
        where: dict[str, Any],
    ) -> _Decision:
        by = actor or Actor(f"mail:{agency_id}", frozenset())
        involvement = answer.involvement if answer.involvement is not None else None
        try:
            with s.begin_nested():
                self.store.cases.confirm_agency(
                    reference,
                    agency_id,
                    actor=by,
                    now=now,
                    involvement=involvement,
                    involvement_detail=answer.involvement_detail,
                    records_secured=True if answer.records_secured else None,
                    secured_on=answer.secured_on if answer.records_secured else None,
                    secured_by=answer.secured_by,
                    evidence=parsed.message_id or "inbound email without a Message-ID",
                    session=s,
                )
        except LookupError:
            return _quarantine("agency_reply", f"agency {agency_id} is not asked about case {reference}", **where)
        except (PermissionDenied, InvalidTransition) as exc:
            return _quarantine("agency_reply", f"could not be recorded ({type(exc).__name__})", **where)
        said: list[str] = []
        if answer.records_secured:
            said.append(
                "no records held"
                if answer.no_records
                else f"records secured on {answer.secured_on}"
                + ("" if answer.secured_on_stated else " (the email's date)")
            )
        elif answer.records_secured is False:
            said.append("records not yet secured")
        if involvement is not None and involvement is not Involvement.UNKNOWN:
            said.append(f"involvement {involvement.value}")
        return _processed("agency_reply", "recorded: " + ", ".join(said), detail=detail, **where)

    # --- a referral ----------------------------------------------------------------------------------

    def _referral(
        self,
        s: Session,
        row: InboundRef,
        parsed: ParsedMessage,
        now: datetime,
        *,
        password: str,
        person: Actor | None,
    ) -> _Decision:
        try:
            extraction = extract(parsed, password=password, limits=self.limits)
        except PasswordNeeded:
            return _needs_person(
                "referral",
                "a password-protected referral form: a business unit member must give the password "
                f"(scrbot mail unlock {row.id})",
                detail={"password_needed": True},
            )
        except WrongPassword:
            raise
        except LimitExceeded as exc:
            return _quarantine("referral", f"referral attachment refused: {exc}")
        except FormError as exc:
            return _quarantine("referral", f"looks like a referral but could not be read: {exc}")
        today = local_date(now)
        received_on = local_date(self._sent_on(parsed, now))
        result = build_referral(extraction, message=parsed, board=self.board, received_on=received_on, today=today)
        detail: dict[str, Any] = {"source": extraction.source, "data": result.data}
        if result.referral is None:
            detail["gaps"] = [str(p) for p in result.problems]
            labels = result.gap_labels()
            return _needs_person(
                "referral",
                f"an emailed referral with {len(labels)} gap(s) to fill before it can be filed: " + "; ".join(labels),
                detail=detail,
            )
        secure = self.board.is_secure_address(parsed.sender) or self.board.agency_for_address(parsed.sender)
        if person is None and not secure:
            return _needs_person(
                "referral",
                "an emailed referral from an address outside the secure domains: a person checks it with the "
                f"referrer before it is filed (scrbot mail release {row.id})",
                detail=detail,
            )
        filed = self.store.cases.file_referral(result.referral, actor=person or REFERRAL_ACTOR, now=now, session=s)
        return _processed(
            "referral",
            f"referral filed as {filed.reference}"
            + (
                " (possible duplicate of " + ", ".join(filed.possible_duplicates) + ")"
                if filed.possible_duplicates
                else ""
            ),
            case_id=filed.case_id,
            case_ref=filed.reference,
            detail={"source": extraction.source},
        )

    # --- a person's decisions ------------------------------------------------------------------------

    def _open_for_person(self, s: Session, row_id: str) -> InboundRef:
        row = self.inbound.row(s, row_id, lock=True)
        if row.status not in {InboundStatus.QUARANTINED.value, InboundStatus.NEEDS_PERSON.value}:
            raise IntakeError(f"message {row_id} is {row.status}; only quarantined or needs_person messages wait")
        return row

    def unlock(self, row_id: str, password: str, *, actor: Actor, now: datetime) -> IngestOutcome:
        """Open a password-protected referral form with the password a business unit member gives. The
        password is used once, in memory, and never stored or logged."""
        if not actor.is_staff:
            raise PermissionDenied("only the business unit can unlock an emailed referral")
        try:
            with self.store.sessions.begin() as s:
                row = self._open_for_person(s, row_id)
                if row.kind != "referral":
                    raise IntakeError(f"message {row_id} is not a referral")
                parsed = parse_message(self.inbound.raw_of(row), self.limits)
                decision = self._referral(s, row, parsed, now, password=password, person=actor)
                if decision.status is InboundStatus.PROCESSED:
                    decision.status = InboundStatus.RELEASED
                self._finish(s, row, decision, now, actor=actor)
        except WrongPassword:
            with self.store.sessions.begin() as s:
                self.store.audit.append(
                    s, at=now, actor=actor.id, action="mail.unlock_failed", case_ref="", detail={"message": row_id}
                )
            raise
        return self._outcome_of(row_id)

    def release(
        self,
        row_id: str,
        *,
        actor: Actor,
        now: datetime,
        as_agency: str | None = None,
        dismiss: bool = False,
        note: str = "",
    ) -> IngestOutcome:
        """A person has looked at a message. A referral is filed (if it is complete); with `as_agency`, a
        reply is recorded as that agency's answer; with `dismiss` (or for anything else) the message is only
        marked dealt with."""
        if not actor.is_staff:
            raise PermissionDenied("only the business unit can release a quarantined message")
        with self.store.sessions.begin() as s:
            row = self._open_for_person(s, row_id)
            parsed = parse_message(self.inbound.raw_of(row), self.limits) if not row.truncated else None
            decision: _Decision
            if dismiss:
                decision = _Decision(InboundStatus.RELEASED, row.kind, f"dismissed by a person ({row.reason})"[:500])
            elif as_agency:
                self.board.agency(as_agency)  # KeyError names an unknown agency
                if parsed is None:
                    raise IntakeError("the message was too large to read; record the answer by hand")
                decision = self._release_as_agency(s, row, parsed, as_agency, actor, now)
            elif (
                row.kind == "referral" and parsed is not None and not self.inbound.detail_of(row).get("password_needed")
            ):
                decision = self._referral(s, row, parsed, now, password="", person=actor)
                if decision.status is not InboundStatus.PROCESSED:
                    raise IntakeError(f"the referral cannot be filed yet: {decision.reason}")
            else:
                decision = _Decision(InboundStatus.RELEASED, row.kind, f"released by a person ({row.reason})"[:500])
            if decision.status is InboundStatus.PROCESSED:
                decision.status = InboundStatus.RELEASED
            if note:
                decision.detail = {**(decision.detail or self.inbound.detail_of(row)), "release_note": note[:2000]}
            self._finish(s, row, decision, now, actor=actor)
        return self._outcome_of(row_id)

    def _release_as_agency(
        self, s: Session, row: InboundRef, parsed: ParsedMessage, agency_id: str, actor: Actor, now: datetime
    ) -> _Decision:
        reply = split_reply(parsed.text)
        reference = row.case_ref or find_case_reference(s, self.board.id, parsed, reply).reference
        if not reference:
            raise IntakeError("the message names no case; record the answer with scrbot case confirm")
        answer = read_answer(reply.new, sent_on=local_date(self._sent_on(parsed, now)), sender_name=parsed.sender_name)
        if not answer.clear:
            raise IntakeError(
                "the reply is unclear (" + "; ".join(answer.unclear) + "); record it with scrbot case confirm"
            )
        try:
            case_id, _status, _filed_by = self.store.cases.status_of(reference, session=s)
        except CaseNotFound:
            raise IntakeError(f"no case {reference}") from None
        where = {"case_ref": reference, "agency_id": agency_id, "case_id": case_id}
        detail = {"answer": _answer_json(answer), "new_text": reply.new[:5000]}
        decision = self._record(s, parsed, answer, reference, agency_id, now, actor=actor, detail=detail, where=where)
        if decision.status is not InboundStatus.PROCESSED:
            raise IntakeError(decision.reason)
        return decision


def _answer_json(answer: AgencyAnswer) -> dict[str, Any]:
    return {
        "records_secured": answer.records_secured,
        "no_records": answer.no_records,
        "secured_on": answer.secured_on.isoformat() if answer.secured_on else None,
        "secured_on_stated": answer.secured_on_stated,
        "secured_by": answer.secured_by,
        "involvement": answer.involvement.value if answer.involvement else None,
        "involvement_detail": answer.involvement_detail,
        "unclear": list(answer.unclear),
    }
