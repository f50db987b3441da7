"""The report page: one self-contained HTML document (Jinja2, autoescaped; inline CSS and SVG; no script, no
link, no font or image fetched) with each figure's chart, its text alternative and its table, and the CSV of
the same tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cases.figures.compute import BoardFigures
from cases.figures.stats import distribution
from reports import charts
from reports.charts import Bar
from reports.tables import Cell, Labels, Table, all_tables, headline

_ENV = Environment(
    loader=PackageLoader("reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# A headline count as people read it (1,815); "fewer than 5" as it is.
_ENV.filters["thousands"] = lambda value: f"{int(value):,}" if str(value).isdigit() else value

# What each figure means and where it comes from, shown above its chart.
EXPLAINED = {
    "months": "Cases by the date their referral was received. A review (a decision to hold one) is open from the "
    "decision until it is completed (its completion deadline marked met); it counts in every month it was open "
    "on any day, and at the month's end if still open then. Source: the cases' events and deadlines.",
    "decisions": "Decisions dated in the period, by outcome (004 Appendix 1 §5). Source: the recorded decisions.",
    "stages": "Calendar days from referral to decision, from decision to completion, and from completion to "
    "publication, for each stage that ended in the period: the box is the middle half, the line the median, the "
    "diamond the mean, the whiskers the shortest and longest. A stage under way at the period's end, or whose "
    "dates are missing, counts as open.",
    "duties": "Every statutory deadline due in the period (cancelled, not applicable and minimum periods left "
    "out): met on or before its due date, met late (days late from its due date), or open. Source: the stored "
    "deadlines, with their rule and the paragraph it comes from.",
    "agencies": "The agencies' own duties, as the rules pack groups them (`[figures] agency_duties`), per agency: "
    "due in the period, on time, late or open.",
    "extensions": "Extensions of a review's completion date recorded in the period, by the reason given from the "
    "board's list (003 §4.1).",
    "costs": "Costs recorded against each review and dated in the period: reviewer fees, panel and author hours at "
    "the board's hourly rate, and other costs.",
}


# Up to this many reviews the costs chart has a bar per review; beyond, the spread of their costs.
REVIEWS_DRAWN_ONE_BY_ONE = 30


@dataclass(frozen=True)
class Section:
    key: str
    table: Table
    chart: Markup | None
    explained: str


def _bars(cells: Sequence[Cell]) -> list[Bar]:
    return [Bar(0.0, True, c.secondary) if c.hidden else Bar(c.number or 0.0) for c in cells]


def _describe(table: Table, name_column: int, value_column: int, rows: slice = slice(None)) -> str:
    parts = [f"{row[name_column].text}: {row[value_column].text}" for row in table.rows[rows]]
    return f"{table.title}. " + "; ".join(parts) + ". The table below gives every figure."


def _chart(table: Table) -> Markup | None:
    key = table.key.replace(".", "-")
    if table.key == "months":
        body = list(table.rows[:-1])
        if not body:
            return None
        labels = [r[0].text for r in body]
        return Markup(  # noqa: S704 - matplotlib's SVG, built by us, escaped by ElementTree
            charts.bar_chart(
                key,
                "Referrals received, by month",
                _describe(table, 0, 1, slice(0, -1)),
                labels,
                _bars([r[1] for r in body]),
                axis_label="referrals",
            )
            + charts.bar_chart(
                key + "-open",
                "Reviews open during each month",
                _describe(table, 0, 2, slice(0, -1)),
                labels,
                _bars([r[2] for r in body]),
                axis_label="reviews",
            )
        )
    if table.key in ("decisions", "extensions"):
        body = [r for r in table.rows if r[0].text not in ("Total", "Reviews extended")]
        title = "Decisions by outcome" if table.key == "decisions" else "Extensions by reason"
        description = f"{title}. " + "; ".join(f"{r[0].text}: {r[1].text}" for r in body) + "."
        return Markup(  # noqa: S704 - as above
            charts.bar_chart(
                key,
                title,
                description,
                [r[0].text for r in body],
                _bars([r[1] for r in body]),
                horizontal=True,
                axis_label=table.columns[1].lower(),
            )
        )
    if table.key == "stages":
        return None  # drawn from the figures themselves (page_sections), not from rounded cells
    if table.key == "duties" or table.key.startswith("agencies."):
        body = [r for r in table.rows if r[0].text != "All duties"]
        if not body:
            return None
        offset = 2 if table.key == "duties" else 1
        series = [
            ("On time", charts.GREEN, _bars([r[offset + 1] for r in body])),
            ("Late", charts.RED, _bars([r[offset + 2] for r in body])),
            ("Open, overdue", charts.ORANGE, _bars([r[offset + 3] for r in body])),
            ("Open, not yet due", charts.GREY, _bars([r[offset + 4] for r in body])),
        ]
        description = (
            f"{table.title}. "
            + "; ".join(
                f"{r[0].text}: {r[offset + 1].text} on time, {r[offset + 2].text} late, "
                f"{r[offset + 3].text} open and overdue, {r[offset + 4].text} open and not yet due"
                for r in body
            )
            + ". The table below gives every figure."
        )
        return Markup(  # noqa: S704 - as above
            charts.stacked_chart(
                key,
                table.title.split(":")[0] if table.key == "duties" else table.title,
                description,
                [r[0].text for r in body],
                series,
                axis_label="duties",
            )
        )
    if table.key == "costs":
        body = list(table.rows[:-2])
        if not body:
            return None
        colours = [charts.BLUE, charts.GREEN, charts.ORANGE, charts.GREY]
        series = [
            (name, colour, [Bar(c.number or 0.0) for c in (r[i + 1] for r in body)])
            for i, (name, colour) in enumerate(zip(table.columns[1:-1], colours, strict=True))
        ]
        if len(body) > REVIEWS_DRAWN_ONE_BY_ONE:
            return Markup(_costs_spread(body, table.columns))  # noqa: S704 - as above
        description = "Costs per review. " + "; ".join(f"{r[0].text}: {r[-1].text}" for r in body) + "."
        return Markup(  # noqa: S704 - as above
            charts.stacked_chart(
                key, "Costs per review (£)", description, [r[0].text for r in body], series, axis_label="pounds"
            )
        )
    return None


def _costs_spread(body: Sequence[tuple[Cell, ...]], columns: Sequence[str]) -> str:
    """Many reviews: how their costs spread (a box per kind of cost, and the total), not a bar each."""
    spreads = []
    for index, name in enumerate(columns[1:], start=1):
        spread = distribution([c.number for c in (r[index] for r in body) if c.number])
        if spread is not None:
            spreads.append((name, spread))
    description = (
        "Cost per review in pounds, over "
        + f"{len(body):,} reviews. "
        + "; ".join(
            f"{name}: median £{d.median:,.2f}, from £{d.minimum:,.2f} to £{d.maximum:,.2f}" for name, d in spreads
        )
    )
    return charts.box_chart("costs", "Cost per review (£)", description + ".", spreads, axis_label="pounds")


def page_sections(figures: BoardFigures, labels: Labels, *, suppress: bool) -> list[Section]:
    sections = []
    for table in all_tables(figures, labels, suppress=suppress):
        chart = _chart(table)
        if table.key == "stages":
            shown = [
                (s.label, s.days)
                for s, row in zip(figures.stages, table.rows, strict=True)
                if s.days is not None and row[2].number is not None
            ]
            if shown:
                description = (
                    "Stage durations in days. "
                    + "; ".join(
                        f"{label}: {d.n} stages, median {row[4].text}, from {row[2].text} to {row[6].text}"
                        for (label, d), row in zip(
                            shown, [r for r in table.rows if r[2].number is not None], strict=True
                        )
                    )
                    + "."
                )
                chart = Markup(charts.box_chart("stages", "Stage durations (days)", description, shown))  # noqa: S704
        sections.append(Section(table.key, table, chart, EXPLAINED[table.key.split(".")[0]]))
    return sections


def render_html(
    figures: BoardFigures, labels: Labels, *, board_name: str, pack: str, suppress: bool, made_at: datetime
) -> str:
    return _ENV.get_template("report.html.j2").render(
        figures=figures,
        period=figures.period,
        board_name=board_name,
        pack=pack,
        suppress=suppress,
        made_at=made_at,
        headline=headline(figures, suppress=suppress),
        sections=[] if figures.empty else page_sections(figures, labels, suppress=suppress),
    )


def render_csv(figures: BoardFigures, labels: Labels, *, suppress: bool) -> str:
    """One row per figure: section, item (the table's first column), measure (its column), value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "measure", "value"])
    p = figures.period
    writer.writerow(["period", p.label, "start", p.start.isoformat()])
    writer.writerow(["period", p.label, "end", p.end.isoformat()])
    writer.writerow(["period", p.label, "small numbers", "suppressed" if suppress else "not suppressed"])
    for table in all_tables(figures, labels, suppress=suppress):
        for row in table.rows:
            for measure, cell in zip(table.columns[1:], row[1:], strict=True):
                if table.key == "duties" and measure == "Duty":
                    continue
                if cell.csv != "":
                    writer.writerow([table.key, row[0].csv, measure, cell.csv])
    return out.getvalue()
