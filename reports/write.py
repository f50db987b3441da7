"""Writing a report: the HTML page and the CSV beside it, named after the board and the period."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cases.board import BoardConfig
from cases.figures.compute import BoardFigures
from cases.rules import RulesPack
from reports.page import render_csv, render_html
from reports.tables import Labels, headline


@dataclass(frozen=True)
class Written:
    html: Path
    csv: Path
    headline: dict[str, str]


def labels_for(board: BoardConfig, pack: RulesPack) -> Labels:
    return Labels(
        rules={r.id: f"{r.who}: {r.action} ({r.source})" for r in pack.rules},
        agencies={a.id: a.name for a in board.agencies},
    )


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def write_report(
    figures: BoardFigures,
    *,
    board: BoardConfig,
    pack: RulesPack,
    output: Path,
    suppress: bool,
    made_at: datetime,
) -> Written:
    """Write `<board>-figures-<period>.html` and `.csv` into `output` (created if needed); an internal copy's
    names say so."""
    output.mkdir(parents=True, exist_ok=True)
    labels = labels_for(board, pack)
    period = figures.period
    name = f"{board.id}-figures-{_safe(period.label) if ' ' not in period.label else f'{period.start}-to-{period.end}'}"
    if not suppress:
        name += "-internal"
    html_path, csv_path = output / f"{name}.html", output / f"{name}.csv"
    html = render_html(figures, labels, board_name=board.name, pack=pack.id, suppress=suppress, made_at=made_at)
    _write(html_path, html)
    _write(csv_path, render_csv(figures, labels, suppress=suppress))
    return Written(html_path, csv_path, headline(figures, suppress=suppress))


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a half-written report is never left under the final name."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
