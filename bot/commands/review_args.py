"""The arguments every `scrbot review ...` step shares: the case, optionally the agency and the date, and
`--json`. One place, so the four review command groups say them in the same words."""

from __future__ import annotations

import argparse

from bot.output import uk_date


def review_step_arguments(p: argparse.ArgumentParser, *, agency: bool = True, on: bool = True) -> None:
    p.add_argument("reference", help="the case reference, e.g. SCR-2026-0001")
    if agency:
        p.add_argument("agency", help="the agency id, as in the board config")
    if on:
        p.add_argument("--on", type=uk_date, help="the date it happened (today if left out)")
    p.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of text")
