"""`scrbot teams package`: a zip Teams accepts: manifest.json at the root, of the current schema, naming
the bot's app id and the endpoint's domain, and the two icons at the sizes Teams requires."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.cli import main

APP_ID = "5c0a2b1e-7d3f-4e6a-9b8c-0d1e2f3a4b5c"


def test_package_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("SCRBOT_TEAMS_PUBLIC_URL", "https://scrbot.testshire.gov.uk")
    output = tmp_path / "teams.zip"
    assert main(["teams", "package", "--output", str(output)]) == 0
    with zipfile.ZipFile(output) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png")))
    assert manifest["manifestVersion"] == "1.22" and manifest["$schema"].endswith("v1.22/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["bots"][0]["scopes"] == ["personal", "team"]
    assert manifest["validDomains"] == ["scrbot.testshire.gov.uk"]
    assert (color.format, color.size) == ("PNG", (192, 192))
    assert (outline.format, outline.size, outline.mode) == ("PNG", (32, 32), "RGBA")
    # The outline icon is white on transparent, as Teams requires.
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert {p[:3] for p in pixels if p[3]} == {(255, 255, 255)} and any(p[3] == 0 for p in pixels)


def test_package_needs_an_https_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("SCRBOT_TEAMS_PUBLIC_URL", "http://scrbot.testshire.gov.uk")
    assert main(["teams", "package", "--output", str(tmp_path / "t.zip")]) == 2
    assert "SCRBOT_TEAMS_PUBLIC_URL" in capsys.readouterr().err
