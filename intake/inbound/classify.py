"""What an inbound message is, decided with no transaction open: parsed, its sender checked, matched to a case,
its answer read or its referral form read (intake/inbound/processor.py records the result in a short write
transaction afterwards).

Parsing hostile mail can take a while (HTML, MIME, Word files); done here, it never holds the database's write
lock, so the CLI and Slack carry on meanwhile. The only database work is two short reads through `Lookups`
(which case our own request was about; whether a named case exists).

The result is a `Verdict` to record as it is (quarantined, needs a person, an automatic reply), or an action
for the write transaction: an agency's answer to record, or a referral to file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from cases.board import BoardConfig, domain_of
from cases.calendar import local_date
from cases.referral import Referral
from intake.inbound.agency_report_mail import AgencyReportMail, AuthorNomination, nomination_in, report_in
from intake.inbound.answers import AgencyAnswer, read_answer
from intake.inbound.authentication import untrusted_reason
from intake.inbound.auto_reply import auto_reply_reason, reads_like_out_of_office
from intake.inbound.docx_form import FormError, PasswordNeeded, WrongPassword
from intake.inbound.limits import LimitExceeded, Limits
from intake.inbound.parse import ParsedMessage, parse_message
from intake.inbound.references import find_case_reference
from intake.inbound.referral_mail import Extraction, build_referral, extract, looks_like_referral
from intake.inbound.reply_text import ReplyText, split_reply
from storage.inbound import OPEN_FOR_PERSON, InboundStatus

# A reason is one line in `mail quarantine list`, the business unit's notice and the CLI's answer: what
# does not fit is in the message's detail (`scrbot mail quarantine show ID`).
REASON_LIMIT = 300
_MORE = " ... (more: scrbot mail quarantine show)"


def bounded_reason(text: str, limit: int = REASON_LIMIT) -> str:
    """One line of at most `limit` characters, cut at a word, saying where the rest is."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - len(_MORE)]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ;,:") + _MORE


def listed(items: Sequence[str], *, room: int) -> str:
    """Items joined with "; " within `room` characters where they fit, then how many more there are."""
    text = ""
    for count in range(1, len(items) + 1):
        rest = len(items) - count
        candidate = "; ".join(items[:count]) + (f"; and {rest} more" if rest else "")
        if len(candidate) > room and text:
            break
        text = candidate
    return text


@dataclass
class Verdict:
    """What to record about a message: its status, kind and reason (no personal data, one bounded line), and
    where it belongs."""

    status: InboundStatus
    kind: str
    reason: str
    case_id: str | None = None
    case_ref: str = ""
    agency_id: str = ""
    detail: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.reason = bounded_reason(self.reason)

    def settlement(self, *, seen_by_person: bool = False) -> dict[str, Any]:
        """What recording it writes to its row (storage/inbound_settle.py `settle_values`, storage/inbound.py
        `finish`), the same for one message, a batch, or a person's release. Anything the intake could not
        settle is told about, unless a person acting on it has seen it."""
        return {
            "status": self.status,
            "kind": self.kind,
            "reason": self.reason,
            "case_id": self.case_id,
            "case_ref": self.case_ref,
            "agency_id": self.agency_id,
            "detail": self.detail,
            "tell": not seen_by_person and self.status in OPEN_FOR_PERSON,
        }


def quarantine(kind: str, reason: str, **extra: Any) -> Verdict:
    return Verdict(InboundStatus.QUARANTINED, kind, reason, **extra)


def needs_person(kind: str, reason: str, **extra: Any) -> Verdict:
    return Verdict(InboundStatus.NEEDS_PERSON, kind, reason, **extra)


def processed(kind: str, reason: str, **extra: Any) -> Verdict:
    return Verdict(InboundStatus.PROCESSED, kind, reason, **extra)


@dataclass(frozen=True)
class AgencyReply:
    """A trusted agency's clear answer about a case, to record."""

    reference: str
    agency_id: str
    case_id: str
    answer: AgencyAnswer
    evidence: str  # the reply's Message-ID
    detail: dict[str, Any]

    def __repr__(self) -> str:  # the detail holds the reply's text
        return f"AgencyReply(reference={self.reference!r}, agency_id={self.agency_id!r})"


@dataclass(frozen=True)
class ReferralToFile:
    """A complete emailed referral that may be filed (from a trusted address, or released by a person)."""

    referral: Referral
    source: str  # "attachment" or "body"
    detail: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"ReferralToFile(source={self.source!r})"


Reading = Verdict | AgencyReply | ReferralToFile | AgencyReportMail | AuthorNomination


class Lookups(Protocol):
    """The questions classification asks the database (each a short read of its own)."""

    def threads(self, outbox_ids: Sequence[str]) -> Mapping[str, str]:
        """Which case each of our own sent messages was about: outbox id -> case reference."""
        ...

    def case_id_of(self, reference: str) -> str | None: ...

    def request_sent_at(self, case_id: str, agency_id: str) -> datetime | None:
        """When our request to secure records went to the agency about the case (None: not sent)."""
        ...


def sent_on(parsed: ParsedMessage, now: datetime) -> datetime:
    """The email's own date, unless it is implausible (in the future, or long before it arrived)."""
    if parsed.date is not None and now - timedelta(days=60) <= parsed.date <= now + timedelta(hours=12):
        return min(parsed.date, now)
    return now


def answer_json(answer: AgencyAnswer) -> dict[str, Any]:
    return {
        "records": _records_said(answer),
        "no_records": answer.no_records,
        "secured_on": answer.secured_on.isoformat() if answer.secured_on else None,
        "secured_on_stated": answer.secured_on_stated,
        "secured_by": answer.secured_by,
        "involvement": answer.involvement.value if answer.involvement else None,
        "involvement_detail": answer.involvement_detail,
        "unclear": list(answer.unclear),
    }


def _records_said(answer: AgencyAnswer) -> str | None:
    if answer.records_secured is None:
        return None
    if not answer.records_secured:
        return "not_yet"
    return "no_records_held" if answer.no_records else "secured"


@dataclass
class Classifier:
    board: BoardConfig
    lookups: Lookups
    limits: Limits = field(default_factory=Limits)
    authserv_id: str = ""
    # The parsers, replaceable so that tests can watch when they run (never in a write transaction).
    parse: Callable[[bytes, Limits], ParsedMessage] = parse_message
    read_form: Callable[..., Extraction] = extract

    def read(self, raw: bytes, *, truncated: bool) -> ParsedMessage | Verdict:
        if truncated:
            return quarantine(
                "too_large",
                f"larger than the {self.limits.max_message_bytes // 1_048_576} MiB limit "
                "(only its headers are stored; the whole message stays in the mailbox's quarantine folder)",
            )
        try:
            return self.parse(raw, self.limits)
        except LimitExceeded as exc:
            return quarantine("hostile", str(exc))
        except (ValueError, LookupError, TypeError, IndexError, AttributeError) as exc:
            return quarantine("unreadable", f"could not be parsed ({type(exc).__name__})")

    def classify(self, row_id: str, raw: bytes, *, truncated: bool, now: datetime) -> Reading:
        parsed = self.read(raw, truncated=truncated)
        if isinstance(parsed, Verdict):
            return parsed
        if parsed.content_type == "multipart/report" or parsed.sender.split("@", 1)[0] in {
            "mailer-daemon",
            "postmaster",
        }:
            return quarantine("delivery_report", "a delivery failure report: a request may not have arrived")
        automatic = auto_reply_reason(parsed)
        if automatic:
            return processed("auto_reply", f"an automatic reply ({automatic}): never counted as an answer")
        if parsed.from_count != 1:
            return quarantine("unknown", "the message does not have exactly one From address")
        distrust = self._authenticate(parsed)
        if distrust is not None:
            return distrust
        reply = split_reply(parsed.text)
        found = find_case_reference(parsed, reply, self.lookups.threads)
        if found.conflict:
            return quarantine("agency_reply", found.conflict)
        agency = self.board.agency_for_address(parsed.sender)
        if not found.reference and looks_like_referral(parsed):
            return self.referral(row_id, parsed, now, password="", by_person=False)
        if found.reference:
            if agency is None:
                return quarantine("agency_reply", self._stranger(parsed), case_ref=found.reference)
            review = self._review_mail(parsed, reply, found.reference, agency.id)
            return review or self.agency_reply(parsed, reply, found.reference, agency.id, now)
        if agency is not None:
            return quarantine(
                "agency_reply", "from a registered agency address, but names no case", agency_id=agency.id
            )
        return quarantine("unknown", "neither an agency's reply nor a referral")

    def _review_mail(
        self, parsed: ParsedMessage, reply: ReplyText, reference: str, agency_id: str
    ) -> Verdict | AgencyReportMail | AuthorNomination | None:
        """The agency's report author or report itself (intake/inbound/agency_report_mail.py), if that is what
        the message is; None for an answer about records."""
        case_id = self.lookups.case_id_of(reference)
        if case_id is None:
            return None
        found: AgencyReportMail | AuthorNomination | str | None
        found = nomination_in(parsed, reply.new, reference=reference, agency_id=agency_id, case_id=case_id)
        found = found or report_in(
            parsed, reference=reference, agency_id=agency_id, case_id=case_id, limits=self.limits
        )
        if isinstance(found, str):
            return quarantine("agency_report", found, case_ref=reference, agency_id=agency_id, case_id=case_id)
        return found

    def _stranger(self, parsed: ParsedMessage) -> str:
        reason = "the sender is not a registered address of any agency"
        domain = domain_of(parsed.sender)
        # A hint for a colleague at the agency's own domain (not one many bodies share, e.g. nhs.net).
        same_domain = [
            a.id
            for a in self.board.agencies
            if domain not in self.board.secure_domains and any(domain_of(x) == domain for x in a.addresses)
        ]
        return reason + (f" (same domain as agency {same_domain[0]})" if same_domain else "")

    def _authenticate(self, parsed: ParsedMessage) -> Verdict | None:
        why = untrusted_reason(
            parsed.authentication_results, authserv_id=self.authserv_id, from_domain=domain_of(parsed.sender)
        )
        return None if why is None else quarantine("untrusted", why)

    # --- an agency's reply ---------------------------------------------------------------------------

    def agency_reply(
        self, parsed: ParsedMessage, reply: ReplyText, reference: str, agency_id: str, now: datetime
    ) -> Verdict | AgencyReply:
        where: dict[str, Any] = {"case_ref": reference, "agency_id": agency_id}
        case_id = self.lookups.case_id_of(reference)
        if case_id is None:
            return quarantine("agency_reply", f"names case {reference}, which does not exist", agency_id=agency_id)
        where["case_id"] = case_id
        answer = read_answer(reply.new, sent_on=local_date(sent_on(parsed, now)), sender_name=parsed.sender_name)
        detail = {"answer": answer_json(answer), "new_text": reply.new[:5000]}
        if not reply.new.strip():
            why = "a forwarded message without an answer of the sender's own" if reply.forwarded else "no new text"
            return needs_person("agency_reply", why, detail=detail, **where)
        if reads_like_out_of_office(reply.new):
            if not answer.clear:
                return processed("auto_reply", "reads like an out-of-office reply: not an answer", **where)
            return needs_person("agency_reply", "reads like an out-of-office reply but also like an answer", **where)
        if not answer.clear:
            return needs_person("agency_reply", "; ".join(answer.unclear), detail=detail, **where)
        early = self._secured_before_request(answer, case_id, agency_id)
        if early:
            return needs_person("agency_reply", early, detail=detail, **where)
        evidence = parsed.message_id or "inbound email without a Message-ID"
        return AgencyReply(reference, agency_id, case_id, answer, evidence, detail)

    def _secured_before_request(self, answer: AgencyAnswer, case_id: str, agency_id: str) -> str:
        """Records said to be secured before our request went out: a mistyped date, an answer about another
        request, or records secured for another reason. Recorded as it is, the date would meet the deadline
        before it started (004 §5.6); a person checks it with the agency."""
        if not answer.records_secured or answer.no_records or not answer.secured_on_stated:
            return ""
        if answer.secured_on is None:
            return ""
        sent = self.lookups.request_sent_at(case_id, agency_id)
        if sent is None or answer.secured_on >= local_date(sent):
            return ""
        return (
            f"says its records were secured on {answer.secured_on.isoformat()}, before our request went out on "
            f"{local_date(sent).isoformat()}: check the date with the agency, then record the answer (scrbot mail "
            "quarantine release --as-agency, or scrbot case confirm)"
        )

    # --- a referral ----------------------------------------------------------------------------------

    def referral(
        self,
        row_id: str,
        parsed: ParsedMessage,
        now: datetime,
        *,
        password: str,
        by_person: bool,
        fill: Mapping[str, str] | None = None,
    ) -> Verdict | ReferralToFile:
        """Read the form (with `fill`: values a person gives for its gaps). WrongPassword (a person's unlock)
        propagates to the caller."""
        try:
            extraction = self.read_form(parsed, password=password, limits=self.limits)
        except PasswordNeeded:
            return needs_person(
                "referral",
                "a password-protected referral form: a business unit member must give the password "
                f"(scrbot mail unlock {row_id})",
                detail={"password_needed": True},
            )
        except WrongPassword:
            raise  # a FormError too: the person is told, and nothing changes
        except LimitExceeded as exc:
            return quarantine("referral", f"referral attachment refused: {exc}")
        except FormError as exc:
            return quarantine("referral", f"looks like a referral but could not be read: {exc}")
        if fill:
            extraction = replace(extraction, values={**extraction.values, **fill})
        return self.referral_from(row_id, parsed, extraction, now, by_person=by_person)

    def referral_from(
        self, row_id: str, parsed: ParsedMessage, extraction: Extraction, now: datetime, *, by_person: bool
    ) -> Verdict | ReferralToFile:
        """A form already read (now, or when a person unlocked it: its values are kept encrypted with the
        message, so filing it later needs no password)."""
        received_on = local_date(sent_on(parsed, now))
        result = build_referral(
            extraction, message=parsed, board=self.board, received_on=received_on, today=local_date(now)
        )
        detail: dict[str, Any] = {"source": extraction.source, "data": result.data, "values": extraction.values}
        if extraction.was_encrypted:
            detail["unlocked"] = True
        if result.referral is None:
            detail["gaps"] = [str(p) for p in result.problems]
            labels = result.gap_labels()
            lead = f"an emailed referral with {len(labels)} gap(s) to fill before it can be filed: "
            return needs_person("referral", lead + listed(labels, room=REASON_LIMIT - len(lead)), detail=detail)
        secure = self.board.is_secure_address(parsed.sender) or self.board.agency_for_address(parsed.sender)
        if not by_person and not secure:
            return needs_person(
                "referral",
                "an emailed referral from an address outside the secure domains: a person checks it with the "
                f"referrer before it is filed (scrbot mail quarantine release {row_id})",
                detail=detail,
            )
        return ReferralToFile(result.referral, extraction.source, detail={"source": extraction.source})
