"""The report page opened in a real browser: Playwright driving Debian's chromium (Playwright cannot fetch a
browser of its own here, so it is pointed at the installed one; `.ci/run` installs it). The page loads with no
console error and no request beyond itself, every chart has a size, it prints to A4, and a screenshot is
written to bench/results/report.png for the README. Without a browser these tests skip, saying why."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cases.figures.compute import board_figures
from cases.packs import bundled_pack
from reports.write import Written, write_report
from tests.factories import SENSITIVE_STRINGS, make_board
from tests.support.figure_year import AFTER_THE_YEAR, YEAR, synthetic_histories

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "bench" / "results" / "report.png"


def chromium() -> str | None:
    """SCRBOT_TEST_CHROMIUM names the browser (set to "none": as if there were none); else Debian's."""
    named = os.environ.get("SCRBOT_TEST_CHROMIUM")
    candidates = (named,) if named else (shutil.which("chromium"), "/usr/bin/chromium")
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium()
    if executable is None:
        pytest.skip("no chromium to open the report in: `apt-get install chromium` (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        pytest.skip("Playwright is not installed: `make install` installs the dev dependencies")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


def a_report(tmp_path: Path, *, suppress: bool) -> Written:
    board = make_board()
    pack = bundled_pack(board.rules_pack)
    figures = board_figures(
        synthetic_histories(400),
        YEAR,
        declared=pack.figures,
        rule_order=[r.id for r in pack.rules],
        extension_reasons=board.figures.extension_reasons,
        today=AFTER_THE_YEAR,
    )
    made_at = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)
    return write_report(figures, board=board, pack=pack, output=tmp_path, suppress=suppress, made_at=made_at)


def open_page(browser: Any, html: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(html.as_uri(), wait_until="load")
    return page, requests, errors


def test_the_page_loads_alone_and_every_chart_is_drawn(browser: Any, tmp_path: Path) -> None:
    written = a_report(tmp_path, suppress=True)
    page, requests, errors = open_page(browser, written.html)
    assert errors == []
    assert requests == [written.html.as_uri()]  # nothing fetched: no font, image, style or script
    charts = page.locator("svg.chart")
    assert charts.count() == written.html.read_text().count('class="chart"') >= 8
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        # The text alternative a screen reader announces: the chart's own title and description.
        assert charts.nth(index).get_attribute("role") == "img"
        labelled = charts.nth(index).get_attribute("aria-labelledby").split()
        assert all(page.locator(f"[id='{i}']").count() == 1 for i in labelled)
    assert page.locator("table").count() >= charts.count() - 1
    text = page.inner_text("body")
    assert "fewer than 5" in text and "INTERNAL COPY" not in text
    assert not any(s in text for s in SENSITIVE_STRINGS)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    page.close()


def test_it_prints_on_a4_and_the_internal_copy_says_so_on_every_page(browser: Any, tmp_path: Path) -> None:
    written = a_report(tmp_path, suppress=False)
    page, requests, errors = open_page(browser, written.html)
    assert errors == [] and requests == [written.html.as_uri()]
    assert page.is_visible(".internal")
    page.emulate_media(media="print")
    assert page.eval_on_selector(".internal", "e => getComputedStyle(e).position") == "fixed"  # on each page
    pdf = page.pdf(format="A4", print_background=True)
    pages = pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") + pdf.count(b"/Type /Page>")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000 and pages != 1
    page.close()
