"""Out-of-office and other automatic replies: never an answer, whatever they quote (RFC 3834)."""

from __future__ import annotations

import re

from intake.inbound.parse import ParsedMessage

_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)*(?:automatic\s+reply|auto(?:matic)?[\s\-]?(?:reply|response)|autoreply|"
    r"out\s+of\s+(?:the\s+)?office|ooo\b|on\s+leave|away\s+from\s+(?:the\s+)?office|abwesenheitsnotiz|"
    r"réponse\s+automatique|respuesta\s+automática)",
    re.IGNORECASE,
)
_BODY = re.compile(
    r"\b(?:i\s+am|i'm|i\s+will\s+be)\s+(?:currently\s+)?(?:out\s+of\s+(?:the\s+)?office|on\s+(?:annual\s+)?leave|"
    r"away\s+from\s+(?:the\s+|my\s+)?(?:office|desk)|not\s+in\s+the\s+office|working\s+part[\s-]time)|"
    r"\b(?:limited|no)\s+access\s+to\s+(?:my\s+)?e-?mail\b|\bthis\s+is\s+an\s+automated\s+(?:reply|response)\b|"
    r"\bwill\s+(?:respond|reply)\s+(?:to\s+your\s+(?:e-?mail|message)\s+)?(?:on|when|upon)\s+my\s+return\b",
    re.IGNORECASE,
)


def auto_reply_reason(message: ParsedMessage) -> str:
    """Why this is an automatic reply ("" if it is not one), in words without personal data."""
    if message.auto_submitted and message.auto_submitted != "no":
        return f"Auto-Submitted: {message.auto_submitted.split(';')[0][:30]}"
    if message.autoreply_headers:
        return f"{message.autoreply_headers[0]} header"
    if message.precedence in {"auto_reply", "bulk", "junk", "list"}:
        return f"Precedence: {message.precedence}"
    if _SUBJECT.match(message.subject):
        return "subject says it is an automatic reply"
    return ""


def reads_like_out_of_office(text: str) -> bool:
    """Body text typical of an out-of-office message (without the headers that say so)."""
    return bool(_BODY.search(text[:5000]))
