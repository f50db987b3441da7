"""Finding a case's own personal data in free text: the names of the child and family (with the variants
people write), their dates of birth, address lines and postcodes.

`find(text, facts)` is pure and returns where each hit is and what kind it is, never the text: the caller
holds the text and decides what to show (usually only the kind and the line). It is used before a message
goes to an address outside the secure domains (004 §3.6), to warn an approver that free text names the
child, and it is meant to grow into the anonymisation check of review reports (DESIGN.md §2), so it knows
nothing about messages.

What counts as a hit, and why:

- a name: the full name, the surname (each part of a double-barrelled one too), each forename, an initial or
  two before the surname ("Z. Marchbanks-Tovey", "ZQ Marchbanks-Tovey"); any case, with or without accents,
  with hyphens, dashes or spaces between the parts of a surname, and with a possessive or plural ending
  ("Smith's", "the Smiths'"). A single word on its own must start with a capital letter in the text, so a
  forename that is also a word ("May", "Will") is not found in "we may" or "it will";
- a date of birth: day-first numeric dates (09/03/2024, 9.3.24, 9-3-2024), ISO (2024-03-09), and dates in
  words with or without an ordinal ("9 March 2024", "9th of March 2024", "March 9th, 2024", "9 Mar 24");
  month-first numeric dates (US) are not read, as an English board does not write them;
- an address: each line before the town, with or without its house number ("17 Imaginary Crescent",
  "Imaginary Crescent"); the town alone is not personal data and is not a hit;
- a postcode: with or without the space, any case;
- a school or setting the business unit recorded for the case (a nursery, a school, a GP surgery): the phrase,
  any case.

Each hit also says whose data it is and which part ("sibling's forename", "child's date of birth", "family
surname" for a surname several of them share), so that a person can be told what to look for without being
shown it. The anonymisation check of review reports (cases/review/anonymisation.py) runs this over every part
of a document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cases.referral import Referral


class Kind(StrEnum):
    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    ADDRESS = "address"
    POSTCODE = "postcode"
    SCHOOL = "school_or_setting"


@dataclass(frozen=True)
class Hit:
    """Where personal data is in a text: `text[start:end]`. Holds no part of the text."""

    kind: Kind
    start: int
    end: int
    # Whose data and which part, in words that hold none of it: "sibling's forename", "postcode".
    label: str = ""


@dataclass(frozen=True)
class PersonName:
    forenames: tuple[str, ...]
    surname: str
    # Who this is to the case ("child", "mother", "sibling", "child's alias"): only for describing hits.
    role: str = ""

    @classmethod
    def parse(cls, full: str, role: str = "") -> PersonName | None:
        """A name written as one string ("Philippa Marchbanks-Tovey"): the last word is the surname."""
        words = full.split()
        if not words:
            return None
        return cls(tuple(words[:-1]), words[-1], role)


@dataclass(frozen=True)
class CaseFacts:
    """The personal data a case holds that free text must be checked for."""

    names: tuple[PersonName, ...] = ()
    dates_of_birth: tuple[date, ...] = ()
    addresses: tuple[str, ...] = ()
    # Schools, nurseries and other settings the business unit recorded for the case.
    settings: tuple[str, ...] = ()
    # Whose each date of birth is ("child", "mother"...), in the same order; may be shorter (then "a").
    date_roles: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"CaseFacts(<{len(self.names)} names, {len(self.dates_of_birth)} dates, {len(self.addresses)} addresses, "
            f"{len(self.settings)} settings>)"
        )

    @classmethod
    def from_referral(cls, referral: Referral) -> CaseFacts:
        child = referral.child
        names = [PersonName(tuple(child.forenames.split()), child.last_name, "child")]
        written = [
            (child.also_known_as, "child's alias"),
            (referral.mother.name, "mother"),
            (referral.father.name, "father"),
            *((s.name, "sibling") for s in referral.siblings),
        ]
        names += [n for n in (PersonName.parse(w, role) for w, role in written) if n is not None]
        born = [(child.date_of_birth, "child"), (referral.mother.date_of_birth, "mother")]
        born += [(referral.father.date_of_birth, "father"), *((s.date_of_birth, "sibling") for s in referral.siblings)]
        dated = dict.fromkeys((d, role) for d, role in born if d is not None)
        first: dict[date, str] = {}
        for d, role in dated:
            first.setdefault(d, role)
        addresses = [child.home_address, referral.mother.address, referral.father.address]
        return cls(
            names=tuple(dict.fromkeys(names)),
            dates_of_birth=tuple(first),
            addresses=tuple(dict.fromkeys(a for a in addresses if a.strip())),
            date_roles=tuple(first.values()),
        )

    def with_recorded(self, *, names: Iterable[str] = (), settings: Iterable[str] = ()) -> CaseFacts:
        """These facts and what the business unit recorded for the review: other names (relatives, aliases)
        and the child's school or setting."""
        extra = [n for n in (PersonName.parse(w, "relative") for w in names) if n is not None]
        return CaseFacts(
            names=tuple(dict.fromkeys([*self.names, *extra])),
            dates_of_birth=self.dates_of_birth,
            addresses=self.addresses,
            settings=tuple(dict.fromkeys([*self.settings, *(s for s in settings if s.strip())])),
            date_roles=self.date_roles,
        )

    @cached_property
    def _patterns(self) -> list[_Pattern]:
        patterns: list[_Pattern] = []
        surnames: dict[str, set[str]] = {}
        for name in self.names:
            surnames.setdefault(_folded(name.surname), set()).add(name.role)
        for name in self.names:
            shared = len(surnames.get(_folded(name.surname), ())) > 1
            patterns += _name_patterns(name, shared_surname=shared)
        for index, born in enumerate(self.dates_of_birth):
            role = self.date_roles[index] if index < len(self.date_roles) else ""
            patterns += _date_patterns(born, _whose(role, "date of birth"))
        for address in self.addresses:
            patterns += _address_patterns(address)
        for setting in self.settings:
            words = _words(setting)
            if words:
                regex = re.compile(_BEFORE + _phrase(words) + _POSSESSIVE + _AFTER)
                patterns.append(_Pattern(Kind.SCHOOL, regex, label="school or setting"))
        return patterns


def find(text: str, facts: CaseFacts) -> list[Hit]:
    """Every place `text` holds the case's personal data, in order, none overlapping another."""
    folded, where = _fold(text)
    found: list[Hit] = []
    for pattern in facts._patterns:
        for match in pattern.regex.finditer(folded):
            start, end = where[match.start()], where[match.end() - 1] + 1
            if pattern.capitalised and not text[start].isupper():
                continue
            found.append(Hit(pattern.kind, start, end, pattern.label))
    found.sort(key=lambda h: (h.start, -(h.end - h.start)))
    hits: list[Hit] = []
    for hit in found:
        if hits and hit.start < hits[-1].end:
            continue  # inside (or overlapping) a longer hit already taken
        hits.append(hit)
    return hits


def identifies(text: str, facts: CaseFacts) -> bool:
    """Whether `text` is about this case's child or family, not merely sharing a word with them: a name of more
    than one word (a full name, an initial and surname), or two different kinds of their personal data (a
    forename and a date of birth, a surname and an address)."""
    hits = find(text, facts)
    if any(h.kind is Kind.NAME and len(text[h.start : h.end].split()) > 1 for h in hits):
        return True
    return len({h.kind for h in hits}) >= 2


def describe(hits: Sequence[Hit], text: str) -> str:
    """The kinds found and the line each is first on ("name (line 3), date of birth (line 7)"): what a person
    needs to find them, without repeating them."""
    first: dict[Kind, int] = {}
    for hit in hits:
        first.setdefault(hit.kind, text.count("\n", 0, hit.start) + 1)
    return ", ".join(f"{kind.value.replace('_', ' ')} (line {line})" for kind, line in first.items())


# --- building the patterns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    kind: Kind
    regex: re.Pattern[str]
    capitalised: bool = False  # a single word: it must start with a capital in the text
    label: str = ""


def _whose(role: str, part: str) -> str:
    return f"{role}'s {part}" if role else part


_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u0060\u00b4"), "'")
_BEFORE = r"(?<![\w])"
_AFTER = r"(?![\w])"
_POSSESSIVE = r"(?:'s|s'|'|s)?"


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower case without accents, one kind of dash and apostrophe; with each folded character's position
    in the original text."""
    translated = text.translate(_DASHES).translate(_QUOTES)
    if translated.isascii():  # one character for one: a report of 100 pages is folded in milliseconds
        return translated.lower(), list(range(len(translated)))
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(translated):
        if char.isascii():
            out.append(char.lower())
            where.append(index)
            continue
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                out.append(folded)
                where.append(index)
    return "".join(out), where


def _folded(text: str) -> str:
    return _fold(text)[0]


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", _folded(text)) if re.search(r"\w", w)]


def _phrase(words: Iterable[str]) -> str:
    return r"[\s\-]+".join(re.escape(w) for w in words)


def _word(text: str, kind: Kind, *, capitalised: bool, label: str = "") -> _Pattern:
    return _Pattern(kind, re.compile(_BEFORE + _phrase(_words(text)) + _POSSESSIVE + _AFTER), capitalised, label)


def _name_patterns(name: PersonName, *, shared_surname: bool = False) -> list[_Pattern]:
    forenames = [f for f in name.forenames if len(_folded(f).strip(".")) >= 2]
    surname = _words(name.surname)
    patterns: list[_Pattern] = []
    surname_label = "family surname" if shared_surname else _whose(name.role, "surname")
    if surname:
        full = _words(" ".join(forenames)) + surname
        label = _whose(name.role, "full name")
        patterns.append(_Pattern(Kind.NAME, re.compile(_BEFORE + _phrase(full) + _POSSESSIVE + _AFTER), label=label))
        initials = "".join(sorted({_folded(f)[0] for f in forenames if _folded(f)[:1].isalpha()}))
        if initials:
            initial = rf"[{re.escape(initials)}]\.?"
            prefix = rf"{initial}(?:\s*{initial}){{0,2}}\s*"
            regex = re.compile(_BEFORE + prefix + _phrase(surname) + _POSSESSIVE + _AFTER)
            patterns.append(_Pattern(Kind.NAME, regex, label=_whose(name.role, "initial and surname")))
        patterns.append(_word(name.surname, Kind.NAME, capitalised=True, label=surname_label))
        if len(surname) > 1:
            patterns += [
                _word(part, Kind.NAME, capitalised=True, label=surname_label) for part in surname if len(part) >= 3
            ]
    patterns += [_word(f, Kind.NAME, capitalised=True, label=_whose(name.role, "forename")) for f in forenames]
    return patterns


_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def _date_patterns(born: date, label: str = "date of birth") -> list[_Pattern]:
    day, month, year = born.day, born.month, born.year
    d, m, yy = rf"0?{day}", rf"0?{month}", rf"(?:{year}|{year % 100:02d})"
    name = _MONTHS[month - 1]
    month_word = "|".join(sorted({name, name[:3], "sept"} if month == 9 else {name, name[:3]}, key=len, reverse=True))
    month_word = rf"(?:{month_word})\.?"
    ordinal = rf"{day}(?:st|nd|rd|th)?"
    year_words = rf"(?:{year}|'?{year % 100:02d})"
    forms = [
        rf"{d}(?P<sep>[/.\-]){m}(?P=sep){yy}",  # 09/03/2024, 9.3.24, 9-3-2024
        rf"{year}(?P<sep>[/.\-]){m}(?P=sep){d}",  # 2024-03-09
        rf"{ordinal}(?:\s+of)?\s+{month_word},?\s+{year_words}",  # 9 March 2024, 9th of March 2024
        rf"{month_word}\s+{ordinal},?\s+{year_words}",  # March 9th, 2024
    ]
    return [_Pattern(Kind.DATE_OF_BIRTH, re.compile(rf"(?<![\w])(?:{form})(?![\w])"), label=label) for form in forms]


_POSTCODE = re.compile(r"\b([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})\b")
_HOUSE_NUMBER = re.compile(r"^(?:(?:flat|apartment|unit)\s*\d+[a-z]?\s*,?\s*)?\d+[a-z]?(?:\s*-\s*\d+[a-z]?)?\s*,?\s*")
_NUMBER_BEFORE = r"(?:(?:(?:flat|apartment|unit)\s*\d+[a-z]?\s*,?\s*)?\d+[a-z]?\s*,?\s*)?"


def _address_patterns(address: str) -> list[_Pattern]:
    folded = _folded(address)
    patterns = [
        _Pattern(
            Kind.POSTCODE,
            re.compile(rf"(?<![a-z\d]){re.escape(out)}\s*{re.escape(inward)}(?![a-z\d])"),
            label="postcode",
        )
        for out, inward in _POSTCODE.findall(folded)
    ]
    lines = [p.strip() for p in re.split(r"[,;\n]+", _POSTCODE.sub("", folded)) if p.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the town: not personal data on its own
    for line in lines:
        street = _HOUSE_NUMBER.sub("", line).strip()
        words = _words(street)
        if len(words) >= 2 or (words and len(words[0]) >= 6):
            regex = re.compile(_BEFORE + _NUMBER_BEFORE + _phrase(words) + _AFTER)
            patterns.append(_Pattern(Kind.ADDRESS, regex, label="address line"))
    return patterns
