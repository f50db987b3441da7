"""Blind index: finds a second referral for the same child without storing the name or date of birth.

HMAC-SHA256 under a key separate from the data keys (DESIGN.md §5) over the normalised name and date of
birth. Normalisation folds case and accents, drops punctuation, and sorts the name's words, so "Ann-Marie
O'Neil" and "o'neil, ann marie" match.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date

_NON_LETTERS = re.compile(r"[^a-z ]+")


def normalise_name(*parts: str) -> str:
    text = " ".join(parts)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("-", " ").replace("'", "").replace("\u2019", "")
    text = _NON_LETTERS.sub(" ", text)
    return " ".join(sorted(text.split()))


def child_index(key: bytes, *, last_name: str, forenames: str, date_of_birth: date | None) -> str | None:
    """The index value, or None when there is not enough to match on (no date of birth)."""
    name = normalise_name(forenames, last_name)
    if not name or date_of_birth is None:
        return None
    message = f"child/v1/{name}/{date_of_birth.isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
