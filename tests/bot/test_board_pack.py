"""A board's own copy of a rules pack is checked when the service loads it: a notification naming a template
the catalogue does not have, or a `met_by` the rules do not know, is refused with one line naming the key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.config import load_pack
from cases.packs import bundled_pack_names
from errors import EXIT_BAD_INPUT
from tests.factories import BOARD_TOML, at

HACKNEY = Path(__file__).resolve().parents[2] / "cases" / "packs" / "hackney-2017.toml"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('template = "extension_notice"', 'template = "extension_letter"'), "notifications.4.template"),
        (('met_by = "decision_recorded"', 'met_by = "decision_pondered"'), "met_by"),
        (('discharges = "publication_copies"', 'discharges = "publication_copy"'), "notifications.5.discharges"),
        # A recipient role the bot does not know.
        (
            ('to = ["ofsted"]\ndischarges = "ofsted_incident', 'to = ["ofstead"]\ndischarges = "ofsted_incident'),
            "notifications.0.to.0",
        ),
        # A notification made on the portal must say which rule recording it meets.
        (('serves = "imr_submitted"', 'serves = "imr_submitted"\nvia = "portal"'), "notifications.3"),
    ],
)
def test_a_board_pack_naming_something_unknown_is_refused_naming_the_key(
    change: tuple[str, str],
    named: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pack = HACKNEY.read_text(encoding="utf-8").replace('id = "hackney-2017"', 'id = "testshire-own"')
    assert change[0] in pack
    (tmp_path / "pack.toml").write_text(pack.replace(*change), encoding="utf-8")
    board = BOARD_TOML.replace('rules_pack = "hackney-2017"', 'rules_pack = "pack.toml"')
    (tmp_path / "board.toml").write_text(board, encoding="utf-8")
    monkeypatch.setenv("SCRBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCRBOT_BOARD_CONFIG", str(tmp_path / "board.toml"))
    code = main(["case", "list"], clock=FixedClock(at(date(2026, 11, 23))))
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and named in err, err
    assert len(err.strip().splitlines()) == 1


def test_the_bundled_packs_load_with_their_templates() -> None:
    for name in bundled_pack_names():
        assert load_pack(name).id == name
