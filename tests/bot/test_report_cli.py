"""`scrbot report` and `scrbot case cost` as people use them: files written, JSON for scripts, one-line errors
(exit 2) for a wrong year, an empty period a page that says so, an internal copy marked as one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from tests.factories import BOARD_TOML, CHILD_LAST_NAME, SENSITIVE_STRINGS, at, referral_data

RATE = '\n[figures]\nhourly_rate = "40"\nextension_reasons = ["Agency delay", "Court timetable", "Other"]\n'


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "board.toml").write_text(BOARD_TOML.replace("[[agencies]]", RATE + "\n[[agencies]]", 1))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    for name in ("SCRBOT_DATABASE_URL", "SCRBOT_KEYS", "SCRBOT_KEY_FILE", "SCRBOT_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(clock: FixedClock, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), clock=clock)
    out, err = capsys.readouterr()
    return code, out, err


def a_review(workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> str:
    (workdir / "referral.json").write_text(
        json.dumps(referral_data(referral_date="2026-11-20", incident_date="2026-11-16", la_aware_date="2026-11-17"))
    )
    _, out, _ = run(clock, capsys, "refer", "--file", str(workdir / "referral.json"), "--json")
    reference = str(json.loads(out)["reference"])
    clock.set(at(date(2026, 12, 1)))
    assert run(clock, capsys, "decide", reference, "--outcome", "scr", "--on", "2026-12-01")[0] == 0
    return reference


def test_costs_recorded_and_reported(workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    reference = a_review(workdir, clock, capsys)
    code, out, _ = run(
        clock,
        capsys,
        "case",
        "cost",
        reference,
        "--kind",
        "reviewer_fees",
        "--amount",
        "£1,250.50",
        "--on",
        "1/12/2026",
    )
    assert (code, out) == (0, f"{reference}: reviewer fees £1,250.50 on 01/12/2026.\n")
    code, out, _ = run(clock, capsys, "case", "cost", reference, "--kind", "panel_hours", "--hours", "7.5", "--json")
    assert code == 0
    assert json.loads(out) == {
        "reference": reference,
        "kind": "panel_hours",
        "on": "2026-12-01",
        "amount": "300.00",
        "hours": "7.5",
    }
    code, _, err = run(
        clock,
        capsys,
        "case",
        "cost",
        reference,
        "--kind",
        "other",
        "--amount",
        "9",
        "--note",
        f"{CHILD_LAST_NAME} visit",
    )
    assert code == 2 and err.count("\n") == 1 and "personal data" in err and CHILD_LAST_NAME not in err
    code, _, err = run(clock, capsys, "case", "cost", reference, "--kind", "other", "--amount", "lots")
    assert (code, err) == (2, "scrbot: 'lots' is not a number; write it like 1250.50\n")

    clock.set(at(date(2026, 12, 2)))
    code, _, err = run(
        clock,
        capsys,
        "case",
        "event",
        reference,
        "review_extended",
        "--on",
        "2/12/2026",
        "--new-date",
        "1/9/2027",
        "--reason",
        "the weather",
    )
    assert code == 2 and "agency delay, court timetable, other" in err
    code, _, _ = run(
        clock,
        capsys,
        "case",
        "event",
        reference,
        "review_extended",
        "--on",
        "2/12/2026",
        "--new-date",
        "1/9/2027",
        "--reason",
        "Court timetable",
    )
    assert code == 0

    code, out, _ = run(clock, capsys, "report", "--year", "2026-27", "--no-suppress", "--json", "--output", "out")
    assert code == 0
    written = json.loads(out)
    assert written["headline"]["total_cost"] == "1550.50"
    assert written["suppressed"] is False and written["empty"] is False
    csv_text = Path(written["csv"]).read_text()
    assert f"costs,{reference},Reviewer fees,1250.50" in csv_text
    assert f"costs,{reference},Panel hours,300.00" in csv_text
    assert "extensions,Court timetable,Extensions,1" in csv_text
    html = Path(written["html"]).read_text()
    assert Path(written["html"]).name == "testshire-figures-2026-27-internal.html"
    assert html.count("INTERNAL COPY") == 1 and "position: fixed" in html  # repeated on every printed page
    for text in SENSITIVE_STRINGS:
        assert text not in html and text not in csv_text


def test_the_published_page_is_self_contained(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    a_review(workdir, clock, capsys)
    code, out, _ = run(clock, capsys, "report", "--from", "1/4/2026", "--to", "31/3/2027")
    assert code == 0
    html_path = workdir / "var" / "reports" / "testshire-figures-2026-04-01-to-2027-03-31.html"
    assert str(html_path) in out and "Internal copy" not in out
    html = html_path.read_text()
    assert "INTERNAL COPY" not in html and "fewer than 5" in html
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)", html, re.IGNORECASE)
    # Every address in the page is an XML namespace, never something to fetch.
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # charts inline side by side: no two clip paths or patterns share an id
    charts = re.findall(r"<svg [^>]*>", html)
    assert charts and all('role="img"' in c and "aria-labelledby" in c for c in charts)
    assert html.count("<svg ") == html.count("<desc ") == html.count("<title id=")
    assert html.count("<table>") >= len(charts) - 1  # the two monthly charts share their table
    for text in SENSITIVE_STRINGS:
        assert text not in html


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--year", "2026"), "scrbot: '2026' is not a reporting year; write it like 2026-27\n"),
        (("--year", "next year"), "scrbot: 'next year' is not a reporting year; write it like 2026-27\n"),
        (("--year", "2026-28"), "scrbot: '2026-28': a reporting year runs into the next year, like 2026-27\n"),
        (("--year", "2026-27", "--from", "1/4/2026"), "scrbot: give either --year or --from and --to, not both\n"),
        (("--from", "1/4/2026"), "scrbot: --from and --to go together: give both\n"),
        (
            ("--from", "1/4/2026", "--to", "1/3/2026"),
            "scrbot: the period ends (2026-03-01) before it starts (2026-04-01)\n",
        ),
    ],
)
def test_a_wrong_period_is_one_line_and_writes_nothing(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], says: str
) -> None:
    code, out, err = run(clock, capsys, "report", *argv)
    assert (code, out, err) == (2, "", says)
    assert not (workdir / "var" / "reports").exists()


def test_a_period_with_no_cases_is_a_page_saying_so(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(clock, capsys, "report", "--year", "2024-25", "--json")
    assert code == 0
    written = json.loads(out)
    assert written["empty"] is True
    html = Path(written["html"]).read_text()
    assert 'id="no-cases"' in html and "No cases in this period" in html and "<svg" not in html
    rows = Path(written["csv"]).read_text().splitlines()
    assert rows[:4] == [
        "section,item,measure,value",
        "period,2024-25,start,2024-04-01",
        "period,2024-25,end,2025-03-31",
        "period,2024-25,small numbers,suppressed",
    ]
    assert all(row.endswith((",0", ",0.00")) for row in rows[4:])  # every figure there, every one nought


def test_without_a_period_the_current_reporting_year(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    clock.set(at(date(2027, 3, 31)))
    code, out, _ = run(clock, capsys, "report", "--json")
    assert code == 0 and json.loads(out)["period"] == {"label": "2026-27", "start": "2026-04-01", "end": "2027-03-31"}
    clock.set(at(date(2027, 4, 1)))
    code, out, _ = run(clock, capsys, "report", "--json")
    assert json.loads(out)["period"]["label"] == "2027-28"


def test_the_cli_starts_without_the_drawing_libraries() -> None:
    """matplotlib (and numpy under it) are imported by `scrbot report` alone, never when the CLI starts."""
    probe = "import sys, bot.cli; print(sorted(m for m in ('matplotlib', 'numpy', 'reports') if m in sys.modules))"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, check=True)
    assert done.stdout.strip() == "[]"
