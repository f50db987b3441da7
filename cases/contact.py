"""Email addresses, phone numbers and names, checked with the libraries kept for them: email-validator (syntax
only: no DNS, no network) and phonenumbers (UK numbers by default). And text that may not hold characters
that hide or reorder what a person sees: NUL and other control characters, and Unicode direction overrides
(a name that displays as "Smith" but sorts and matches as something else).

Every message names what is wrong, never the value: these are personal fields (issue 10, item 12).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_PHONE_REGION = "GB"

# C0 controls except tab and newline (kept in long text), DEL, and the bidirectional embeddings, overrides
# and isolates (U+202A-U+202E, U+2066-U+2069).
_HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_HIDDEN_IN_NAMES = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def email_address(value: str) -> str:
    """The address, normalised and lower-cased; ValueError (without the value) if it is not one."""
    # Imported when an address is first checked: compiling its patterns is a noticeable part of a command's
    # start (bench/cli_start.py), and a board file's addresses found valid before are not checked again.
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not an email address ({_why(str(exc))})") from None
    return str(checked.normalized).lower()


# The key under which a board file's validation context carries its AddressLedger (cases/board.py).
ADDRESSES = "addresses"


@dataclass
class AddressLedger:
    """Addresses of one board file: `known`, found valid before in the very same file (bot/config.py keeps
    them by the file's hash); `valid`, those found valid now. Only an ASCII address whose normal form is its
    own lower case is kept, so a known address stands for exactly what the check gave (never another address)."""

    known: frozenset[str] = frozenset()
    valid: set[str] = field(default_factory=set)


def checked_email(value: str, ledger: AddressLedger | None) -> str:
    """`email_address(value)`, unless the ledger knows the address already (then its lower case, which is
    what the check gave it); an address checked here is recorded in the ledger."""
    if ledger is not None and value in ledger.known and value.isascii():
        return value.lower()
    normal = email_address(value)
    if ledger is not None and value.isascii() and normal == value.lower():
        ledger.valid.add(value)
    return normal


def _why(reason: str) -> str:
    # email-validator's reasons describe the problem ("It must have exactly one @-sign."); keep them short.
    return reason.rstrip(".").replace("The email address is not valid. ", "")[:120] or "not valid"


def phone_number(value: str, *, region: str = DEFAULT_PHONE_REGION) -> str:
    """A phone number written the usual way (UK national format for UK numbers, international otherwise);
    ValueError (without the value) if it cannot be a phone number. Numbers are checked for a possible length
    and form, not against the ranges allocated today (Ofcom's drama numbers, 01632 960xxx, pass)."""
    # Loaded when a number is first read: a board config holds none, so a command that reads only the board
    # starts without phonenumbers' metadata (bench/cli_start.py).
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number (e.g. 020 7946 0000 or +44 20 7946 0000)") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("is not a phone number: too short or too long (e.g. 020 7946 0000)")
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == phonenumbers.country_code_for_region(region)
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(number, style))


def plain_text(value: str) -> str:
    """Free text: refused if it holds control characters or direction overrides."""
    if _HIDDEN.search(value):
        raise ValueError("contains a control character or a hidden direction override; retype it")
    return value


def name_text(value: str) -> str:
    """A name or a one-line value: no control characters (not even a newline) and no direction overrides."""
    if _HIDDEN_IN_NAMES.search(value):
        raise ValueError("contains a control character or a hidden direction override; retype it")
    return value
