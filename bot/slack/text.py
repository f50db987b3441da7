"""Slack's message text conventions, both ways.

Incoming: Slack rewrites what people type: `ottoline@nhs.net` arrives as `<mailto:ottoline@nhs.net|ottoline@nhs.net>`,
links and phone numbers likewise, and `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;`. `plain_text` gives back what was
typed. Outgoing: answers echoed in mrkdwn are escaped, so a typed `<!channel>` is shown, not acted on.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"<((?:mailto:|tel:|https?://)[^|>]*)(?:\|([^>]*))?>")


def plain_text(text: str) -> str:
    def unlink(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label:
            return label
        return target.removeprefix("mailto:").removeprefix("tel:")

    text = _LINK.sub(unlink, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """For user-supplied text inside mrkdwn (Slack's three control characters)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
