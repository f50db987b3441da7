"""The Teams app package the board's IT uploads (Teams admin centre > Manage apps > Upload, or a team's
Apps > Upload a custom app): manifest.json (schema v1.22) and the two icons Teams requires, a 192x192 colour
icon and a 32x32 white-on-transparent outline, drawn with Pillow, zipped flat as Teams wants them."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from cases.board import BoardConfig
from errors import BadInput

MANIFEST_VERSION = "1.22"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = "#1F4E79"
PACKAGE_VERSION = "1.0.0"


class PackageError(BadInput):
    """The package cannot be built from these settings."""


def _icon(size: int, *, outline: bool) -> bytes:
    """A document with a tick: the referral, checked. Colour: white on the accent; outline: white on clear."""
    background = (0, 0, 0, 0) if outline else (0x1F, 0x4E, 0x79, 255)
    image = Image.new("RGBA", (size, size), background)
    draw = ImageDraw.Draw(image)
    white = (255, 255, 255, 255)
    m = size // 5
    line = max(1, size // 16)
    draw.rounded_rectangle((m, m // 2, size - m, size - m // 2), radius=max(1, size // 12), outline=white, width=line)
    draw.line(
        [(size * 0.34, size * 0.52), (size * 0.46, size * 0.64), (size * 0.68, size * 0.38)], fill=white, width=line
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def manifest(board: BoardConfig, *, app_id: str, public_url: str) -> dict[str, Any]:
    if not app_id:
        raise PackageError("SCRBOT_TEAMS_APP_ID is needed: the package names the bot's app registration")
    parts = urlsplit(public_url)
    if parts.scheme != "https" or not parts.hostname:
        raise PackageError(
            "SCRBOT_TEAMS_PUBLIC_URL must be the https address Teams reaches the bot at, e.g. https://scrbot.board.gov.uk"
        )
    site = f"https://{parts.netloc}"
    short = "SCR Bot"
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": PACKAGE_VERSION,
        "id": app_id,
        "developer": {
            "name": board.name[:32],
            "websiteUrl": site,
            "privacyUrl": f"{site}/privacy",
            "termsOfUseUrl": f"{site}/terms",
        },
        "name": {"short": short, "full": f"{short}: {board.name}"[:100]},
        "description": {
            "short": "Serious case review referrals, notices and approvals"[:80],
            "full": (
                f"{board.name}'s serious case review process in Teams: file a referral (Case for Consideration) "
                "in a personal chat with the bot; the business unit gets channel notices without personal data, "
                "approves statutory notifications, and is reminded before anything is late."
            )[:4000],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": app_id,
                # personal: referrals and the cases card; team: notices and approvals in the business unit's channel.
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "commands": [
                            {"title": "refer", "description": "File a referral (Case for Consideration)"},
                            {"title": "cases", "description": "Open cases, or your own referrals"},
                            {"title": "help", "description": "What the bot does"},
                        ],
                    }
                ],
            }
        ],
        # identity: the user's Entra object id on each message (who may approve); messageTeamMembers: reminders
        # and escalations as personal messages to the business unit's members.
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [parts.hostname],
    }


def build_package(board: BoardConfig, *, app_id: str, public_url: str, output: Path) -> Path:
    content = manifest(board, app_id=app_id, public_url=public_url)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(content, indent=2) + "\n")
        package.writestr("color.png", _icon(192, outline=False))
        package.writestr("outline.png", _icon(32, outline=True))
    return output
