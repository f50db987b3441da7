"""An error line names the field and what is wrong, never a personal field's value (issue 10, item 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.clock import FixedClock
from tests.bot.test_cli import run, workdir, write_referral
from tests.factories import CHILD_LAST_NAME, referral_data

__all__ = ["workdir"]


def test_an_over_long_rationale_is_one_line_naming_the_field_without_its_text(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    run(clock, capsys, "refer", "--file", write_referral(workdir))
    rationale = f"{CHILD_LAST_NAME} " * 2_000  # over 20,000 characters, naming the child
    code, _, err = run(clock, capsys, "decide", "SCR-2026-0001", "--outcome", "scr", "--rationale", rationale)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("scrbot: Rationale (rationale): ") and "20000 characters" in err
    assert CHILD_LAST_NAME not in err and "input_value" not in err


def test_a_referral_file_with_bad_values_names_fields_not_values(
    workdir: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = referral_data()
    data["referrer"] = {**data["referrer"], "email": "not an address", "phone": "call me"}
    data["child"] = {**data["child"], "date_of_birth": "2030-01-01", "last_name": "Name\u202eHidden"}
    (workdir / "bad.json").write_text(json.dumps(data))
    code, _, err = run(clock, capsys, "refer", "--file", "bad.json")
    assert code == 2
    for field in ("referrer.email", "referrer.phone", "child.last_name"):
        assert field in err
    for value in ("not an address", "call me", "2030-01-01", "Hidden"):
        assert value not in err
