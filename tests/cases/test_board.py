"""The board config: agencies, secure domains, members and their roles."""

from __future__ import annotations

import pytest

from cases.actor import Role
from cases.board import BoardConfig, BoardConfigError
from tests.factories import BOARD_TOML, make_board


@pytest.mark.parametrize(
    ("address", "secure"),
    [
        ("someone@nhs.net", True),
        ("SOMEONE@NHS.NET", True),
        ("a@ofsted.cjsm.net", True),
        ("a@northshire.pnn.police.uk", True),
        ("a@education.gov.uk", True),
        ("a@fakenhs.net", False),  # a suffix is not a domain
        ("a@nhs.net.example.org", False),
        ("a@gmail.com", False),
        ("a@hackney.gcsx.gov.uk", False),  # GCSX closed in 2019
    ],
)
def test_secure_domains(address: str, secure: bool) -> None:
    assert make_board().is_secure_address(address) is secure


def test_agency_lookup_by_registered_address() -> None:
    board = make_board()
    agency = board.agency_for_address("Named.Nurse.Testshire@nhs.net")
    assert agency is not None and agency.id == "health"
    assert board.agency_for_address("colleague@nhs.net") is None


def test_slack_actor_roles() -> None:
    board = make_board()
    assert board.slack_actor("UCHAIR0001").has(Role.CHAIR)
    stranger = board.slack_actor("UNOBODY01")
    assert stranger.roles == frozenset({Role.REFERRER}) and not stranger.is_staff


def test_statutory_recipients_default_to_004_5_3() -> None:
    recipients = make_board().statutory_recipients
    sanctuary_buildings = "Level 1, Sanctuary Buildings, Great Smith Street, London SW1P 3BT"
    assert {key: (r.name, r.email, r.postal_address) for key, r in recipients.items()} == {
        "ofsted": (
            "Applications, Regulatory and Contact Team, Ofsted",
            "scr.sin@ofsted.cjsm.net",  # its secure (CJSM) address
            "Piccadilly Gate, Store Street, Manchester M1 2WD",  # the seed prints "M12 WD"
        ),
        "dfe": (
            "Serious Incident Briefing Team, Department for Education",
            "mailbox.cpod@education.gov.uk",
            sanctuary_buildings,
        ),
        "national_panel": (
            "National Panel Secretariat, c/o Department for Education",
            "mailbox.scrpanel@education.gov.uk",
            sanctuary_buildings,
        ),
        # Working Together 2023 (the wt2023 pack): documented defaults a board overrides role by role.
        "cspr_panel": (
            "Child Safeguarding Practice Review Panel, c/o Department for Education",
            "mailbox.cspreviewpanel@education.gov.uk",
            "Sanctuary Buildings, Great Smith Street, London SW1P 3BT",
        ),
        "secretary_of_state": (
            "The Secretary of State for Education, c/o Department for Education",
            "mailbox.cpod@education.gov.uk",
            "Sanctuary Buildings, Great Smith Street, London SW1P 3BT",
        ),
        # No default for the review's own people (003 §5.7): the test board gives them.
        "reviewer": ("Testshire lead reviewer", "testshire.lead.reviewer@cjsm.net", ""),
        "review_panel": ("Testshire review panel", "testshire.review.panel@nhs.net", ""),
    }


def test_a_board_names_one_recipient_and_keeps_the_other_defaults() -> None:
    board = BoardConfig.from_toml(
        BOARD_TOML + '\n[statutory_recipients.safeguarding_partners]\nname = "Partners"\nemail = "partners@nhs.net"\n'
    )
    assert board.statutory_recipients["safeguarding_partners"].email == "partners@nhs.net"
    assert board.statutory_recipients["ofsted"].email == "scr.sin@ofsted.cjsm.net"


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ('\n[[agencies]]\nid = "police"\nname = "Again"\naddresses = ["x@nhs.net"]\n', "agency ids appear twice"),
        (
            '\n[[agencies]]\nid = "dup"\nname = "Dup"\naddresses = ["reviews@testshire.pnn.police.uk"]\n',
            "is registered to both",
        ),
        ('\n[[agencies]]\nid = "bad"\nname = "Bad"\naddresses = ["not an address"]\n', "is not an email address"),
        ("\nsurprise = 1\n", "Extra inputs are not permitted"),
        ("\n[figures]\nreporting_year_start_month = 13\n", "less than or equal to 12"),
        ('\n[figures]\nhourly_rate = "-5"\n', "greater than 0"),
        ('\n[figures]\nhourly_rate = "45.505"\n', "decimal places"),
        ("\n[figures]\nextension_reasons = []\n", "at least 1 item"),
        ('\n[figures]\nextension_reasons = ["  "]\n', "name at least one reason"),
        ("\n[figures]\nsurprise = 1\n", "Extra inputs are not permitted"),
    ],
)
def test_config_errors_are_clear(extra: str, says: str) -> None:
    with pytest.raises(BoardConfigError, match=says):
        BoardConfig.from_toml(BOARD_TOML + extra)


def test_the_boards_figures_settings() -> None:
    board = BoardConfig.from_toml(
        BOARD_TOML + '\n[figures]\nreporting_year_start_month = 9\nhourly_rate = "45.50"\n'
        'extension_reasons = ["Agency  delay", "agency delay", "Court timetable"]\n'
    )
    assert board.figures.reporting_year_start_month == 9
    assert str(board.figures.hourly_rate) == "45.50"
    assert board.figures.extension_reasons == ("agency delay", "court timetable")  # tidied, once each
    assert board.figures.reason("Court_Timetable") == "court timetable"
    assert board.figures.reason("the weather") is None
    default = BoardConfig.from_toml(BOARD_TOML).figures
    assert (default.reporting_year_start_month, default.hourly_rate) == (4, None)
    assert default.extension_reasons[-1] == "other"
