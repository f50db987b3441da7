"""`.env.example` and the README document every setting, with its default, from the settings model."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings
from bot.settings_doc import default_text, env_example
from bot.settings_files import env_name

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_is_the_settings_model() -> None:
    assert (ROOT / ".env.example").read_text() == env_example(), (
        "regenerate: .venv/bin/python -m bot.settings_doc > .env.example"
    )


def test_env_example_shows_every_setting_with_its_default() -> None:
    shown = dict(re.findall(r"^#(SCRBOT_[A-Z_]+)=(.*)$", (ROOT / ".env.example").read_text(), flags=re.M))
    expected = {env_name(name): default_text(field.default) for name, field in Settings.model_fields.items()}
    assert shown == expected


def test_the_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [env_name(name) for name in Settings.model_fields if env_name(name) not in readme]
    assert missing == []
