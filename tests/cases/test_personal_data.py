"""The personal data matcher: the case's names with their variants, dates of birth, address lines and
postcodes are found; near misses are not; a hit says where and what kind, never the text."""

from __future__ import annotations

from datetime import date

import pytest

from cases.personal_data import CaseFacts, Hit, Kind, PersonName, describe, find, identifies
from tests.factories import make_referral

FACTS = CaseFacts.from_referral(make_referral())  # Zephyrine Quillon Marchbanks-Tovey, born 2024-03-09, ...


def kinds(text: str, facts: CaseFacts = FACTS) -> list[tuple[Kind, str]]:
    return [(h.kind, text[h.start : h.end]) for h in find(text, facts)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # names, as people write them
        ("Zephyrine Quillon Marchbanks-Tovey was seen", "Zephyrine Quillon Marchbanks-Tovey"),
        ("ZEPHYRINE MARCHBANKS-TOVEY", "ZEPHYRINE"),
        ("zéphyrine quillon marchbanks-tovey", "zéphyrine quillon marchbanks-tovey"),
        ("Zéphyrine attended", "Zéphyrine"),
        ("Marchbanks–Tovey family", "Marchbanks–Tovey"),
        ("the Marchbanks Tovey family", "Marchbanks Tovey"),
        ("Marchbanks-Tovey's mother", "Marchbanks-Tovey's"),
        ("the Marchbanks-Toveys' home", "Marchbanks-Toveys'"),
        ("Z. Marchbanks-Tovey", "Z. Marchbanks-Tovey"),
        ("ZQ Marchbanks-Tovey", "ZQ Marchbanks-Tovey"),
        ("Z.Q. Marchbanks-Tovey", "Z.Q. Marchbanks-Tovey"),
        ("seen by Mrs Tovey", "Tovey"),
        ("Quillon's school", "Quillon's"),
        ("her mother Philippa", "Philippa"),
        ("her brother Ambrose", "Ambrose"),
        # dates of birth
        ("born 09/03/2024", "09/03/2024"),
        ("born 9/3/24", "9/3/24"),
        ("born 9.3.2024", "9.3.2024"),
        ("born 2024-03-09", "2024-03-09"),
        ("born 9 March 2024", "9 March 2024"),
        ("born 9th March 2024", "9th March 2024"),
        ("born 9th of March 2024", "9th of March 2024"),
        ("born March 9th, 2024", "March 9th, 2024"),
        ("born 9 Mar 24", "9 Mar 24"),
        ("mother born 1 July 1998", "1 July 1998"),
        # addresses and postcodes
        ("lives at 17 Imaginary Crescent", "17 Imaginary Crescent"),
        ("moved away from Imaginary Crescent", "Imaginary Crescent"),
        ("17, imaginary  crescent", "17, imaginary  crescent"),
        ("postcode ZZ1 9QQ", "ZZ1 9QQ"),
        ("postcode zz19qq", "zz19qq"),
    ],
)
def test_found(text: str, found: str) -> None:
    hits = kinds(text)
    assert hits and hits[0][1] == found


@pytest.mark.parametrize(
    "text",
    [
        "Zephyr was the wind",  # a prefix of a name
        "Marchbanksia",  # a longer word
        "Quillonesque",
        "born 10 March 2024",  # the day next to it
        "born 9 March 2023",  # another year
        "born 2024-03-19",
        "born 19/03/2024",
        "born 09/03/2025",
        "born 03/09/2024",  # month first: not how an English board writes the date
        "born 9/3-2024",  # mixed separators are not a date
        "ZZ1 9QR",  # the postcode next door
        "AZZ1 9QQ9",  # inside a longer code
        "Imaginary Close",  # another street
        "Nowhereton",  # the town alone is not personal data
        "SCR-2026-0001: records secured on 20 November 2026",
        "",
    ],
)
def test_near_misses_are_not_found(text: str) -> None:
    assert find(text, FACTS) == []


def test_a_forename_that_is_a_word_counts_only_as_a_name() -> None:
    facts = CaseFacts(names=(PersonName(("May",), "Grace"),))
    assert find("we may meet again; grace period", facts) == []
    assert kinds("May was there; Mrs Grace said", facts) == [(Kind.NAME, "May"), (Kind.NAME, "Grace")]
    assert kinds("may grace attended", facts) == [(Kind.NAME, "may grace")]  # a full name, any case


def test_hits_do_not_overlap_and_keep_the_longest() -> None:
    text = "Zephyrine Quillon Marchbanks-Tovey (born 9 March 2024) of 17 Imaginary Crescent, ZZ1 9QQ"
    assert [h.kind for h in find(text, FACTS)] == [Kind.NAME, Kind.DATE_OF_BIRTH, Kind.ADDRESS, Kind.POSTCODE]


def test_a_hit_holds_positions_only_and_describe_names_kinds_and_lines() -> None:
    text = "Dear colleague,\nre the child Zephyrine,\nborn 2024-03-09."
    hits = find(text, FACTS)
    assert hits == [
        Hit(Kind.NAME, 29, 38, "child's forename"),
        Hit(Kind.DATE_OF_BIRTH, 45, 55, "child's date of birth"),
    ]
    for hit in hits:
        assert "Zephyrine" not in repr(hit) and "2024" not in repr(hit)
    assert describe(hits, text) == "name (line 2), date of birth (line 3)"
    assert "Zephyrine" not in repr(FACTS) and "Imaginary" not in repr(FACTS)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Zephyrine Quillon Marchbanks-Tovey", "child's full name"),
        ("Z. Marchbanks-Tovey", "child's initial and surname"),
        ("Marchbanks-Tovey's", "family surname"),  # the child's, her mother's and her brother's
        ("Ambrose", "sibling's forename"),
        ("Philippa", "mother's forename"),
        ("2 January 2021", "sibling's date of birth"),
        ("1st July 1998", "mother's date of birth"),
        ("Imaginary Crescent", "address line"),
        ("ZZ1 9QQ", "postcode"),
    ],
)
def test_a_hit_says_whose_data_and_which_part(text: str, label: str) -> None:
    assert [h.label for h in find(text, FACTS)] == [label]


def test_recorded_settings_and_relatives_are_found_too() -> None:
    facts = FACTS.with_recorded(names=["Barnaby Quince"], settings=["Little Acorns Nursery"])
    text = "She attended little acorns nursery; Barnaby Quince's flat"
    assert [(h.kind, h.label) for h in find(text, facts)] == [
        (Kind.SCHOOL, "school or setting"),
        (Kind.NAME, "relative's full name"),
    ]
    assert find("an acorn fell", facts) == []


def test_facts_from_a_referral_include_the_family() -> None:
    assert {n.surname for n in FACTS.names} == {"Marchbanks-Tovey"}
    assert date(2024, 3, 9) in FACTS.dates_of_birth and date(1998, 7, 1) in FACTS.dates_of_birth
    assert FACTS.addresses == ("17 Imaginary Crescent, Nowhereton, ZZ1 9QQ",)


@pytest.mark.parametrize(
    ("text", "about_the_case"),
    [
        ("Zephyrine Quillon Marchbanks-Tovey", True),  # a full name
        ("re Z. Marchbanks-Tovey", True),  # initial and surname
        ("Zephyrine, born 9 March 2024", True),  # two kinds
        ("Marchbanks-Tovey of ZZ1 9QQ", True),
        ("Zephyrine", False),  # one forename alone may be anyone's
        ("Mrs Tovey said", False),
        ("Dear Philippa, thank you", False),
        ("Records secured: yes", False),
    ],
)
def test_identifies_needs_more_than_one_word_in_common(text: str, about_the_case: bool) -> None:
    assert identifies(text, FACTS) is about_the_case
