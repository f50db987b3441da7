"""An emailed referral: the Appendix 1 form as an attached .docx (perhaps password-protected), or typed
into the body in the form's layout. The result goes through `parse_referral`, the conversation's own
validation; any gap is listed for the business unit by field label."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cases.board import BoardConfig
from cases.problems import FieldProblem, InvalidInput
from cases.referral import Referral, parse_referral
from intake.inbound.docx_form import FormError, PasswordNeeded, WrongPassword, is_docx_candidate, read_form
from intake.inbound.form_fields import FormValues, looks_like_form, referral_data
from intake.inbound.limits import Limits
from intake.inbound.parse import ParsedMessage

_SUBJECT = re.compile(r"\b(?:case\s+for\s+consideration|scr\s+referral|serious\s+case\s+review\s+referral)\b", re.I)
MIN_FIELDS = 3


@dataclass
class Extraction:
    values: dict[str, str]
    source: str  # "attachment" or "body"
    was_encrypted: bool = False

    def __repr__(self) -> str:
        return f"Extraction(source={self.source!r}, fields={len(self.values)})"


@dataclass
class ReferralResult:
    referral: Referral | None
    data: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)

    def gap_labels(self) -> list[str]:
        return list(
            dict.fromkeys(
                p.label + (" (assumed: the day it arrived)" if p.field in ASSUMED else "") for p in self.problems
            )
        )


# Fields the form must give although the model has a fallback: filled in, each is a gap for a person.
ASSUMED = frozenset({"referral_date"})


def _missing_dates(values: dict[str, str], received_on: date) -> list[FieldProblem]:
    """A form without the referral date or the date the local authority became aware is not filed as it is:
    the referral date is assumed to be the day it arrived (shown as assumed, for a person to confirm), and a
    missing LA-aware date would silently start no Ofsted notification clock (004 §2.3)."""
    gaps = []
    if not values.get("referral_date", "").strip():
        gaps.append(
            FieldProblem(
                "referral_date",
                "Referral date",
                f"not on the form; assumed to be the day it arrived ({received_on.isoformat()}): confirm it",
            )
        )
    if not values.get("la_aware_date", "").strip():
        gaps.append(
            FieldProblem(
                "la_aware_date",
                "Date the local authority became aware",
                "not on the form: it starts the Ofsted notification clock (004 §2.3); the business unit fills it in",
            )
        )
    return gaps


def form_attachments(message: ParsedMessage) -> list[int]:
    return [i for i, a in enumerate(message.attachments) if is_docx_candidate(a.filename, a.content_type, a.data)]


def looks_like_referral(message: ParsedMessage) -> bool:
    """A Word form attached, the subject says so, or the body is laid out like the form."""
    if form_attachments(message):
        return True
    if _SUBJECT.search(message.subject):
        return True
    return looks_like_form(message.text.split("\n")[:400]) >= 4


def extract(message: ParsedMessage, *, password: str = "", limits: Limits | None = None) -> Extraction:
    """The form's values. Raises PasswordNeeded / WrongPassword / FormError / LimitExceeded from the
    attachment; FormError when neither attachment nor body holds a form."""
    limits = limits or Limits()
    first_error: FormError | None = None
    for index in form_attachments(message):
        attachment = message.attachments[index]
        try:
            form = read_form(attachment.data, password=password, limits=limits)
        except (PasswordNeeded, WrongPassword):
            raise
        except FormError as exc:
            first_error = first_error or exc
            continue
        if len(form.values) >= MIN_FIELDS:
            return Extraction(form.values, "attachment", form.was_encrypted)
    body = FormValues()
    for line in message.text.split("\n")[:2000]:
        body.add_text_line(line)
    if body.count() >= MIN_FIELDS:
        return Extraction(dict(body.values), "body")
    if first_error is not None:
        raise first_error
    raise FormError("no referral form found in the attachments or the body")


def build_referral(
    extraction: Extraction, *, message: ParsedMessage, board: BoardConfig, received_on: date, today: date
) -> ReferralResult:
    defaults = {"referral_date": received_on.isoformat()}
    if message.sender:
        defaults["referrer.email"] = message.sender
        agency = board.agency_for_address(message.sender)
        if agency is not None:
            defaults["referrer.agency"] = agency.name
    if message.sender_name:
        defaults["referrer.name"] = message.sender_name
    data = referral_data(extraction.values, reference=received_on, defaults=defaults)
    missing = _missing_dates(extraction.values, received_on)
    try:
        referral = parse_referral(data, today=today)
    except InvalidInput as exc:
        seen = {p.field for p in exc.problems}
        return ReferralResult(None, data, exc.problems + [p for p in missing if p.field not in seen])
    if missing:
        return ReferralResult(None, data, missing)
    return ReferralResult(referral, data)
