"""Authentication-Results (RFC 8601) stamped by the board's own mail server: did DMARC, or failing that an
aligned DKIM signature, pass for the From domain? The header is read by `authres`; the policy is ours.

Safe by default: a message is trusted only on a pass under the board's own authserv-id. No authserv-id
configured, no header from the board's server, an unreadable one, a fail, SPF alone, or a DKIM signature
for some other domain: not trusted. Only the topmost header with the board's id counts: the board's server
adds its header above everything the sender wrote, so a lower one with the same id can be forged.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import authres
import authres.dmarc

# The authserv-id local mode's Maildir trusts (`scrbot mail deliver`, examples/mail/): a Maildir fed by a
# real mail server must set SCRBOT_MAIL_AUTHSERV_ID to that server's own id instead.
LOCAL_AUTHSERV_ID = "scrbot.local"

_FEATURES = authres.FeatureContext(authres.dmarc)
# The authserv-id of a header authres cannot read (comments before it allowed), to tell "ours but broken"
# from "someone else's".
_LEADING_ID = re.compile(r"^\s*(?:\([^()]*\)\s*)*(?P<id>[^\s;()]+)")


class AuthVerdict(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password. The board's server says DMARC (or aligned DKIM) passed
    FAIL = "fail"  # it says they did not, or its header cannot be read
    ABSENT = "absent"  # no header from the board's server (or no authserv-id configured)


@dataclass(frozen=True)
class AuthCheck:
    verdict: AuthVerdict
    reason: str  # without personal data: "dmarc=fail", "no DMARC or aligned DKIM pass"

    @property
    def trusted(self) -> bool:
        return self.verdict is AuthVerdict.PASS


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 §3.1.1): one domain is the other or a subdomain of it."""
    domain, from_domain = domain.lower().strip(".").lstrip("@"), from_domain.lower().strip(".")
    if "." not in domain or not from_domain:
        return False  # a bare top-level domain aligns with nothing
    return domain == from_domain or from_domain.endswith("." + domain) or domain.endswith("." + from_domain)


def _property(result: Any, kind: str, name: str) -> str:
    for prop in getattr(result, "properties", []) or []:
        if prop.type == kind and prop.name == name and prop.value:
            return str(prop.value)
    return ""


# Longer values are read afresh each time: the memory stays small whatever a hostile message carries.
_REMEMBER_UP_TO = 1000


def _parsed(value: str) -> Any | None:
    """authres's reading of one header value, None if it cannot read it. Remembered: authres builds its
    patterns on every call (about 1 ms a header, a fifth of a message's ingest), and a mail server's stamps
    repeat (one per sending domain and outcome). The result is only read, never changed."""
    return _remembered(value) if len(value) <= _REMEMBER_UP_TO else _read(value)


def _read(value: str) -> Any | None:
    try:
        return _FEATURES.parse_value(value)
    except (authres.AuthResError, ValueError, IndexError):
        return None


_remembered = functools.lru_cache(maxsize=1024)(_read)


def _ours(headers: list[str], authserv_id: str) -> tuple[Any | None, bool]:
    """(the topmost parsed header with our authserv-id, whether one was found at all)."""
    wanted = authserv_id.lower()
    for header in headers:
        value = " ".join(header.split())
        parsed = _parsed(value)
        if parsed is None:
            leading = _LEADING_ID.match(value)
            if leading and leading.group("id").lower() == wanted:
                return None, True  # ours, but unreadable: never a pass
            continue
        if (parsed.authserv_id or "").lower() == wanted:
            return parsed, True
    return None, False


def check_authentication(headers: list[str], *, authserv_id: str, from_domain: str) -> AuthCheck:
    if not authserv_id:
        return AuthCheck(AuthVerdict.ABSENT, "no authserv-id configured (SCRBOT_MAIL_AUTHSERV_ID)")
    ours, found = _ours(headers, authserv_id)
    if not found:
        return AuthCheck(AuthVerdict.ABSENT, "no Authentication-Results from the board's mail server")
    if ours is None:
        return AuthCheck(AuthVerdict.FAIL, "the board's mail server's Authentication-Results cannot be read")
    dkim_aligned_pass = False
    dmarc: str | None = None
    for result in ours.results:
        method = str(getattr(result, "method", "") or "").lower()
        outcome = str(getattr(result, "result", "") or "").lower()
        if method == "dmarc":
            header_from = _property(result, "header", "from")
            if header_from and not _aligned(header_from, from_domain):
                continue  # a result about some other domain
            dmarc = outcome if dmarc in (None, "pass") else dmarc
        elif method == "dkim" and outcome == "pass":
            signer = _property(result, "header", "d") or _property(result, "header", "i").rpartition("@")[2]
            if signer and _aligned(signer, from_domain):
                dkim_aligned_pass = True
    if dmarc is not None:
        if dmarc == "pass":
            return AuthCheck(AuthVerdict.PASS, "dmarc=pass")
        return AuthCheck(AuthVerdict.FAIL, f"dmarc={dmarc[:20]}")
    if dkim_aligned_pass:
        return AuthCheck(AuthVerdict.PASS, "dkim=pass (aligned)")
    return AuthCheck(AuthVerdict.FAIL, "no DMARC or aligned DKIM pass")


def untrusted_reason(headers: list[str], *, authserv_id: str, from_domain: str) -> str | None:
    """Why the sender cannot be trusted (no personal data in it), or None when the board's own mail server
    says DMARC, or an aligned DKIM signature, passed."""
    check = check_authentication(headers, authserv_id=authserv_id, from_domain=from_domain)
    if check.trusted:
        return None
    if check.verdict is AuthVerdict.FAIL:
        return f"sender authentication failed at the board's mail server ({check.reason})"
    if not authserv_id:
        return "no sender can be trusted: SCRBOT_MAIL_AUTHSERV_ID (the board's mail server's authserv-id) is not set"
    return f"not authenticated: {check.reason} ({authserv_id})"
