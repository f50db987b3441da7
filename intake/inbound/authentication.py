"""Authentication-Results (RFC 8601) stamped by the board's own mail server: did DMARC, or failing that an
aligned DKIM signature, pass for the From domain?

Only headers carrying the board's own authserv-id count, and only the topmost of them: the board's server
adds its header above everything the sender wrote, so a lower one with the same id can be forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_RESULT = re.compile(r"\b(?P<method>dmarc|dkim|spf)\s*=\s*(?P<result>[a-z]+)(?P<props>[^;]*)", re.IGNORECASE)
_HEADER_D = re.compile(r"\bheader\.(?:d|i)\s*=\s*@?(?P<domain>[A-Za-z0-9.\-]+)", re.IGNORECASE)
_HEADER_FROM = re.compile(r"\bheader\.from\s*=\s*(?P<domain>[A-Za-z0-9.\-]+)", re.IGNORECASE)


class AuthVerdict(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password. The board's server says DMARC (or aligned DKIM) passed
    FAIL = "fail"  # it says they did not
    ABSENT = "absent"  # no header from the board's server (or no authserv-id configured)


@dataclass(frozen=True)
class AuthCheck:
    verdict: AuthVerdict
    reason: str  # without personal data: "dmarc=fail", "no DMARC or aligned DKIM pass"


def _strip_comments(value: str) -> str:
    out: list[str] = []
    depth = 0
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def _aligned(domain: str, from_domain: str) -> bool:
    domain, from_domain = domain.lower().strip("."), from_domain.lower().strip(".")
    return domain == from_domain or from_domain.endswith("." + domain) or domain.endswith("." + from_domain)


def check_authentication(headers: list[str], *, authserv_id: str, from_domain: str) -> AuthCheck:
    if not authserv_id:
        return AuthCheck(AuthVerdict.ABSENT, "no authserv-id configured")
    ours = None
    for header in headers:
        value = _strip_comments(" ".join(header.split()))
        if value.split(";", 1)[0].strip().split(" ")[0].lower() == authserv_id.lower():
            ours = value
            break
    if ours is None:
        return AuthCheck(AuthVerdict.ABSENT, "no Authentication-Results from the board's mail server")
    dkim_aligned_pass = False
    dmarc: str | None = None
    for clause in ours.split(";")[1:]:
        match = _RESULT.search(clause)
        if not match:
            continue
        method, result, props = match.group("method").lower(), match.group("result").lower(), match.group("props")
        if method == "dmarc":
            header_from = _HEADER_FROM.search(props)
            if header_from and not _aligned(header_from.group("domain"), from_domain):
                continue  # a result about some other domain
            dmarc = result if dmarc in (None, "pass") else dmarc
        elif method == "dkim" and result == "pass":
            signer = _HEADER_D.search(props)
            if signer and _aligned(signer.group("domain"), from_domain):
                dkim_aligned_pass = True
    if dmarc is not None:
        if dmarc == "pass":
            return AuthCheck(AuthVerdict.PASS, "dmarc=pass")
        return AuthCheck(AuthVerdict.FAIL, f"dmarc={dmarc[:20]}")
    if dkim_aligned_pass:
        return AuthCheck(AuthVerdict.PASS, "dkim=pass (aligned)")
    return AuthCheck(AuthVerdict.FAIL, "no DMARC or aligned DKIM pass")
