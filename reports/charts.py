"""Charts drawn by matplotlib's SVG backend (chosen over pygal and Vega-Lite: README "The board's figures"),
each an inline <svg> with a <title> and <desc> and role="img", so a screen reader has the chart's text
alternative; the table beside it holds every number.

A count hidden by small-number suppression is never drawn at its size: it is a hatched bar reaching 5,
marked "<5", so the chart shows no more than the table does ("fewer than 5"); one hidden only so that a small
one cannot be worked out from the total ("not shown") is not drawn at all.
"""

from __future__ import annotations

import functools
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from cases.figures.stats import Distribution
from cases.figures.suppression import THRESHOLD

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# GOV.UK's palette: high contrast, and told apart without colour too (hatching, labels, the table).
BLUE, GREEN, RED, ORANGE, GREY = "#1d70b8", "#00703c", "#d4351c", "#f47738", "#b1b4b6"
HIDDEN_HATCH = "///"
P = ParamSpec("P")
WIDTH_INCHES = 7.0


@dataclass(frozen=True)
class Bar:
    """One value of a chart: its number, or hidden: small (drawn as "<5"), or hidden with a small one (not drawn:
    its size is what must not be told)."""

    value: float
    hidden: bool = False
    secondary: bool = False


def _style() -> dict[str, Any]:
    return {
        "svg.fonttype": "none",  # text stays text: selectable, searchable, read by the browser's fonts
        "font.family": "sans-serif",
        "font.sans-serif": ["Arial", "Helvetica", "Liberation Sans", "DejaVu Sans"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "svg.image_inline": True,
    }


def _styled(draw: Callable[P, str]) -> Callable[P, str]:
    """Draw under the charts' style: matplotlib reads most settings (fonts, spines) when an element is made,
    not when the figure is saved."""

    @functools.wraps(draw)
    def styled(*args: P.args, **kwargs: P.kwargs) -> str:
        with matplotlib.rc_context(_style()):  # type: ignore[arg-type]  # keys typed as a Literal of every rc name
            return draw(*args, **kwargs)

    return styled


def _figure(rows: int) -> tuple[Figure, Axes]:
    height = max(2.2, 0.9 + 0.32 * rows)
    figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
    return figure, figure.add_subplot()


def _svg(figure: Figure, key: str, title: str, desc: str) -> str:
    """The figure as an <svg> element with its text alternative; deterministic for the same figures."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"scrbot-{key}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    root = ET.fromstring(buffer.getvalue().encode("utf-8"))  # noqa: S314 - matplotlib's own output
    for metadata in root.findall(f"{{{SVG_NS}}}metadata"):
        root.remove(metadata)  # the tool's own RDF: nothing a reader needs
    _own_ids(root, f"c-{key}-")
    title_id, desc_id = f"chart-{key}-title", f"chart-{key}-desc"
    root.set("role", "img")
    root.set("aria-labelledby", f"{title_id} {desc_id}")
    root.set("class", "chart")
    root.set("id", f"chart-{key}")
    desc_element = ET.Element(f"{{{SVG_NS}}}desc", {"id": desc_id})
    desc_element.text = desc
    title_element = ET.Element(f"{{{SVG_NS}}}title", {"id": title_id})
    title_element.text = title
    root.insert(0, desc_element)
    root.insert(0, title_element)
    return ET.tostring(root, encoding="unicode")


_REFERENCE = re.compile(r"url\(#([^)]+)\)")
_HREF = f"{{{XLINK_NS}}}href"


def _own_ids(root: ET.Element, prefix: str) -> None:
    """Every id in the chart prefixed with its key, and every reference to one (url(#...), xlink:href): matplotlib
    numbers its elements figure_1, axes_1, patch_1... in each drawing, and the page holds many drawings."""
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for element in root.iter():
        for name, value in element.attrib.items():
            if name == "id" and value in ids:
                element.set(name, prefix + value)
            elif name == _HREF and value.startswith("#") and value[1:] in ids:
                element.set(name, "#" + prefix + value[1:])
            elif "url(#" in value:
                element.set(
                    name,
                    _REFERENCE.sub(lambda m: f"url(#{prefix}{m.group(1)})" if m.group(1) in ids else m.group(0), value),
                )


def _bars(
    ax: Axes,
    positions: Sequence[float],
    bars: Sequence[Bar],
    *,
    left: Sequence[float] | None = None,
    colour: str = BLUE,
    label: str | None = None,
    horizontal: bool = True,
) -> list[float]:
    """Draw one series; returns where the next stacked series starts."""
    sizes = [0.0 if b.secondary else float(THRESHOLD) if b.hidden else b.value for b in bars]
    start = list(left) if left is not None else [0.0] * len(bars)
    hatches = [HIDDEN_HATCH if b.hidden else "" for b in bars]
    if horizontal:
        drawn = ax.barh(positions, sizes, left=start, color=colour, label=label, edgecolor="white", hatch=hatches)
    else:
        drawn = ax.bar(positions, sizes, bottom=start, color=colour, label=label, edgecolor="white", hatch=hatches)
    labels = ["" if b.secondary else "<5" if b.hidden else (f"{b.value:,.0f}" if b.value else "") for b in bars]
    ax.bar_label(drawn, labels=labels, label_type="center", color="white", fontsize=8, fontweight="bold")
    return [s + z for s, z in zip(start, sizes, strict=True)]


@_styled
def bar_chart(
    key: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    bars: Sequence[Bar],
    *,
    horizontal: bool = False,
    axis_label: str = "",
) -> str:
    figure, ax = _figure(len(labels) if horizontal else 6)
    positions = list(range(len(labels)))
    _bars(ax, positions, bars, horizontal=horizontal)
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel(axis_label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        # Month names under narrow bars: on two lines ("Apr" over "2026") so neighbours never overlap.
        ax.set_xticks(positions, [label.replace(" ", "\n", 1) if len(labels) > 6 else label for label in labels])
        ax.set_ylabel(axis_label)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, loc="left")
    return _svg(figure, key, title, desc)


@_styled
def stacked_chart(
    key: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[Bar]]],
    *,
    axis_label: str = "",
) -> str:
    """Horizontal bars, one per label, stacked from `series` (name, colour, bars)."""
    figure, ax = _figure(len(labels) + 1)
    positions = list(range(len(labels)))
    left = [0.0] * len(labels)
    for name, colour, bars in series:
        left = _bars(ax, positions, bars, left=left, colour=colour, label=name)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlabel(axis_label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, loc="left")
    # The key below the chart, clear of its title, in plain colours (a hatched first bar is not the key).
    figure.legend(
        handles=[Patch(facecolor=colour, label=name) for name, colour, _bars in series],
        loc="outside lower center",
        ncols=len(series),
        frameon=False,
        fontsize=8,
    )
    return _svg(figure, key, title, desc)


@_styled
def box_chart(
    key: str, title: str, desc: str, stages: Sequence[tuple[str, Distribution]], *, axis_label: str = "days"
) -> str:
    """Each distribution as a box (quartiles, median) with whiskers at the shortest and longest: drawn from the
    figures' own statistics (matplotlib's `bxp`), so the chart and the table agree to the day."""
    figure, ax = _figure(len(stages) + 1)
    stats = [
        {
            "label": label,
            "whislo": d.minimum,
            "q1": d.q1,
            "med": d.median,
            "q3": d.q3,
            "whishi": d.maximum,
            "mean": d.mean,
            "fliers": [],
        }
        for label, d in stages
    ]
    ax.bxp(
        stats,
        orientation="horizontal",
        showmeans=True,
        patch_artist=True,
        boxprops={"facecolor": "#d2e2f1", "edgecolor": BLUE},
        medianprops={"color": BLUE, "linewidth": 2},
        meanprops={"marker": "D", "markerfacecolor": ORANGE, "markeredgecolor": ORANGE, "markersize": 5},
    )
    ax.invert_yaxis()
    ax.set_xlabel(axis_label)
    ax.set_title(title, loc="left")
    return _svg(figure, key, title, desc)
