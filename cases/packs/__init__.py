"""Bundled rules packs, read from this package's own data files (read-only, like an import)."""

from __future__ import annotations

from importlib import resources

from cases.rules import RulesPack, RulesPackError

DEFAULT_PACK = "hackney-2017"


def bundled_pack_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in resources.files(__package__).iterdir()
        if entry.name.endswith(".toml")
    )


def bundled_pack(name: str) -> RulesPack:
    if name not in bundled_pack_names():
        raise RulesPackError(f"unknown rules pack {name!r}; bundled packs: {', '.join(bundled_pack_names())}")
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return RulesPack.from_toml(text, origin=f"rules pack {name}")
