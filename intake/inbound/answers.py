"""What an agency's reply says: records secured (yes / no / holds none; date; by whom) and whether the
child and family are known to it (004 §3.7, §5.6).

Read from the new text only (see reply_text). Two ways of answering are understood: the reply lines our
request asks for ("Records secured: yes", "Date secured: 03/12/2026", "Secured by: ...", "Known to agency:
no"), and free sentences ("yes, all records secured on 3rd Dec by J. Smith", "The family is not known to
our service"). Anything contradictory, conditional or vague is not guessed at: the answer lists why a
person must look (in words without personal data), and nothing is recorded from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from cases.case import Involvement
from cases.dates import find_dates


@dataclass(frozen=True)
class AgencyAnswer:
    records_secured: bool | None = None  # True: secured (or none held); False: not yet; None: not said
    no_records: bool = False  # "we hold no records": nothing to secure
    secured_on: date | None = None
    secured_on_stated: bool = False  # False: taken from the email's date
    secured_by: str = ""
    involvement: Involvement | None = None
    involvement_detail: str = ""
    unclear: tuple[str, ...] = ()  # why a person must look; never personal data

    @property
    def says_something(self) -> bool:
        return self.records_secured is not None or self.involvement is not None

    @property
    def clear(self) -> bool:
        return not self.unclear and self.says_something

    def __repr__(self) -> str:  # secured_by and the detail are personal data
        return (
            f"AgencyAnswer(records_secured={self.records_secured}, involvement={self.involvement}, "
            f"unclear={self.unclear})"
        )


# --- the reply lines our request asks for -------------------------------------------------------------

_FIELD = re.compile(
    r"""^\s*(?:[*\-•>]\s*)*(?P<label>
        date\s+(?:records?\s+)?secured|date\s+of\s+securing|secured\s+on|when\s+secured
      | secured\s+by|by\s+whom|name\s+and\s+role|who\s+secured(?:\s+them)?
      | dates?\s+of\s+(?:involvement|contact)|involvement\s+dates|period\s+of\s+involvement
      | (?:have\s+)?(?:your\s+|the\s+|all\s+)?records?\s+(?:been\s+)?secured
      | known\s+to\s+(?:the\s+|your\s+|our\s+)?(?:agency|service|organisation|organization|us|trust)
      | (?:child\s+(?:and|&)\s+)?family\s+known|child\s+known|known|involvement|involved
    )\s*\??\s*(?:\([^)]{0,60}\))?\s*[:=\-–]\s*(?P<value>.*\S)\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

_YES = re.compile(
    r"^\s*(?:yes|y|yep|yeah|confirmed|done|complete[d]?|true|correct|secured|all\s+secured|affirmative)\b",
    re.IGNORECASE,
)
_NO = re.compile(r"^\s*(?:no|n|nope|not\s+yet|not|false|pending|in\s+progress|outstanding)\b", re.IGNORECASE)
_NA = re.compile(r"^\s*(?:n/?a|not\s+applicable|none\s+held|no\s+records?(?:\s+held)?|nothing\s+to\s+secure)\b", re.I)

# --- free sentences ------------------------------------------------------------------------------------

_RECORDS_WORD = r"(?:records?|files?|notes|case\s+files?|documents|documentation|information|systems?|data)"
_SECURE_WORD = r"(?:secured|secure|securing|locked(?:\s+down)?|restricted|preserved|sealed|ring-?fenced|protected)"
_RECORDS_SECURED = re.compile(
    rf"\b{_RECORDS_WORD}\b.{{0,80}}?\b{_SECURE_WORD}\b|\b(?:secur(?:e|ed|ing)|locked(?:\s+down)?|restricted|preserved|sealed)\b"
    rf".{{0,40}}?\b{_RECORDS_WORD}\b|\b(?:all|now|fully|been)\s+secured\b|^\s*secured\b",
    re.IGNORECASE,
)
# "n't" is matched without a word boundary before it: it ends a word ("haven't", "isn't").
_NOT_YET = re.compile(
    r"(?:n't|\b(?:not|never|yet\s+to|unable|cannot|can\s?not|will|shall|going\s+to|intend|plan|in\s+the\s+process|"
    r"being|awaiting|await|pending|once|when|asked|requested|request(?:ing)?|aim|hope|try(?:ing)?|need\s+to|"
    r"needs\s+to|should|would|could|tomorrow|next\s+week|by\s+(?:the\s+)?end\s+of|partially|partly|some\s+of|"
    r"waiting|chase|chasing|arrange|arranging|if|whether))\b",
    re.IGNORECASE,
)
_NO_RECORDS = re.compile(
    r"\b(?:no|hold\s+no|holds\s+no|have\s+no|has\s+no|do\s+not\s+hold\s+any|don't\s+hold\s+any|does\s+not\s+hold\s+any|"
    r"there\s+are\s+no)\s+(?:relevant\s+|such\s+|known\s+)?records?\b|\bnothing\s+to\s+secure\b|\bnil\s+return\b|"
    r"\bno\s+trace\b|\bno\s+match(?:es)?\s+(?:found|on\s+our\s+systems?)\b",
    re.IGNORECASE,
)
_NOT_KNOWN = re.compile(
    r"(?:\b(?:not|never\s+been)|n't\s+been|n't)\s+(?:previously\s+|currently\s+|been\s+)?known\b|\bunknown\s+to\b|"
    r"\bno\s+(?:known\s+|previous\s+|prior\s+|current\s+|recorded\s+)?(?:involvement|contact|history|open\s+case)\b|"
    r"\b(?:has|have|had)\s+(?:had\s+)?no\s+(?:previous\s+|prior\s+)?(?:involvement|contact)\b|"
    r"\bnot\s+(?:open|registered|known)\s+(?:to|with)\b|"
    r"\b(?:has|have|had)\s+not\s+had\s+(?:any\s+)?(?:involvement|contact)\b|\bnil\s+return\b|\bno\s+trace\b",
    re.IGNORECASE,
)
_KNOWN = re.compile(
    r"\b(?:is|are|was|were|been|be)\s+(?:previously\s+|currently\s+|well\s+)?known\s+to\b|"
    r"\b(?:we|our\s+\w+|the\s+\w+)\s+(?:have|has|had)\s+(?:had\s+)?(?:some\s+|previous\s+|prior\s+|ongoing\s+|"
    r"extensive\s+|limited\s+|brief\s+)?(?:involvement|contact)\b|\bopen\s+to\s+(?:us|our|the)\b|"
    r"\b(?:is|are|was|were)\s+registered\s+with\b|\bwe\s+(?:hold|have)\s+records\s+(?:on|for|of|about)\b|"
    r"\bknown\s+to\s+(?:us|our|the)\b",
    re.IGNORECASE,
)
_BY = re.compile(
    r"\bby\s+(?P<who>(?:me|myself|(?:[Dd]r|[Mm]rs|[Mm]r|[Mm]s|[Mm]iss|[Mm]x)\.?\s+[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*)?|"
    r"[A-Z][\w'\-]*\.?(?:\s+[A-Z][\w'\-]*\.?){0,4}|"
    r"(?:our|the)\s+[a-z][\w\s'\-]{2,50}?(?:team|manager|officer|lead|department|service|unit|nurse|admin(?:istrator)?)))"
    r"(?:\s*\((?P<role_text>[^()]{1,80})\)|\s*,\s*(?!on\b|at\b|in\b|and\b)(?P<role_comma>[A-Za-z][\w'\- ]{1,60}?)"
    r"(?=\s*(?:[,.;]|$|\s+on\b)))?",
)
_DATE_FIRST = re.compile(
    r"^\s*(?:on\s+)?(?:\d{1,4}[/.\-]\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3}|today|yesterday)", re.IGNORECASE
)
_YES_NO_PREFIX = re.compile(r"^\s*(?:yes|no|y|n|not\s+known|known)\b[\s,.;:\-]*", re.IGNORECASE)
_SHORT_YES = re.compile(r"^\s*(?:yes|yep|yeah|y|ok|okay|done|confirmed|will\s+do|noted)\s*[.!]*\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\b(?:Mr|Ms|Dr|St))(?<!\bMrs)[.!?;]\s+(?=[A-Z0-9])")
_SELF = {"me", "myself"}
_NONE_SECURED = re.compile(r"\bno\s+records?\s+(?:have|has)\s+(?:yet\s+)?been\s+secured\b", re.I)
_NEGATED_SECURED = re.compile(
    r"(?:\b(?:not|never|yet\s+to)|n't)\b[^.]{0,40}\bsecured?\b|\bsecured?\b[^.]{0,20}\bnot\b", re.I
)


@dataclass
class _Reading:
    positive: list[str] = field(default_factory=list)  # sentences saying records are secured
    negative: list[str] = field(default_factory=list)  # sentences saying they are not (yet)
    no_records: bool = False
    known: list[str] = field(default_factory=list)
    not_known: list[str] = field(default_factory=list)
    date_text: str = ""
    by_text: str = ""
    involvement_dates: str = ""
    unclear: list[str] = field(default_factory=list)


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        out.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return out


def _normalise(text: str) -> str:
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("\u00a0", " ")
    )


def _read_field(label: str, value: str, r: _Reading) -> None:
    label = " ".join(label.lower().split())
    if label.startswith(("dates of", "date of involvement", "date of contact", "involvement dates", "period")):
        r.involvement_dates = value
    elif label.startswith(("date", "secured on", "when")):
        r.date_text = value
    elif label.startswith(("secured by", "by whom", "name", "who")):
        r.by_text = value
    elif "record" in label:
        if _NA.match(value):
            r.no_records = True
        elif _YES.match(value):
            r.positive.append(value)
        elif _NO.match(value):
            r.negative.append(value)
        elif _DATE_FIRST.match(value):
            r.positive.append(value)  # "Records secured - 2nd December, by ...": a date means done
        else:
            r.unclear.append("the 'Records secured' line is not yes or no")
    else:  # known / involvement
        detail = _YES_NO_PREFIX.sub("", value).strip()
        if _NO.match(value) or _NOT_KNOWN.search(value) or re.match(r"^\s*none\b", value, re.I):
            r.not_known.append(detail)
        elif _YES.match(value) or _KNOWN.search(value) or re.match(r"^\s*(?:known|open)\b", value, re.I):
            r.known.append(detail)
        else:
            r.unclear.append("the 'Known to agency' line is not yes or no")


def _read_sentence(sentence: str, r: _Reading) -> None:
    if _NO_RECORDS.search(sentence) and not re.search(r"\bno\s+records?\s+(?:have|has)\s+been\b", sentence, re.I):
        r.no_records = True
        r.not_known.append(sentence)
        return
    if _RECORDS_SECURED.search(sentence):
        if _NOT_YET.search(sentence) or _NEGATED_SECURED.search(sentence) or _NONE_SECURED.search(sentence):
            r.negative.append(sentence)
        else:
            r.positive.append(sentence)
    if _NOT_KNOWN.search(sentence):
        r.not_known.append(sentence)
    # "not known to us" also contains "known to us": look for a positive only in what is left.
    if _KNOWN.search(_NOT_KNOWN.sub(" ", sentence)):
        r.known.append(sentence)


def _secured_by(text: str, sender_name: str) -> str:
    match = _BY.search(text)
    if not match:
        return ""
    who = match.group("who").strip()
    if who.endswith(".") and not re.search(r"(?:^|\s)[A-Z]\.$", who):
        who = who[:-1]  # the sentence's full stop, not an initial
    if who.lower() in _SELF:
        who = sender_name
    role = match.group("role_text") or match.group("role_comma") or ""
    if re.match(r"^(?:the\s+)?(?:end|close|monday|tuesday|wednesday|thursday|friday|today|tomorrow)", who, re.I):
        return ""
    return f"{who} ({role.strip()})" if who and role.strip() else who


def read_answer(text: str, *, sent_on: date, sender_name: str = "") -> AgencyAnswer:
    """Interpret the new text of a reply sent on `sent_on` (the email's date, England)."""
    text = _normalise(text)
    r = _Reading()
    free_text: list[str] = []
    for line in text.split("\n"):
        match = _FIELD.match(line)
        if match:
            _read_field(match.group("label"), match.group("value"), r)
        else:
            free_text.append(line)
    for sentence in _sentences("\n".join(free_text)):
        _read_sentence(sentence, r)

    unclear = list(r.unclear)
    if r.positive and r.negative:
        unclear.append("the reply both confirms and denies that records are secured")
    if r.known and r.not_known and not r.no_records:
        unclear.append("the reply says both that the family is known and that it is not")
    records: bool | None = None
    # "No records held" and "records secured" both mean nothing is at risk of loss.
    if (r.no_records or r.positive) and not r.negative:
        records = True
    elif r.negative and not r.positive:
        records = False

    involvement: Involvement | None = None
    if r.not_known and not r.known:
        involvement = Involvement.NOT_KNOWN
    elif r.known and not r.not_known:
        involvement = Involvement.KNOWN
    elif r.no_records:
        involvement = Involvement.NOT_KNOWN

    secured_on: date | None = None
    stated = False
    secured_by = ""
    if records:
        source = r.date_text or " ".join(r.positive)
        dates = find_dates(source, reference=sent_on) if source else []
        if dates:
            secured_on, stated = dates[0].on, True
            if secured_on > sent_on:
                unclear.append("the date given for securing the records is after the email was sent")
            elif secured_on < sent_on - timedelta(days=365):
                unclear.append("the date given for securing the records is over a year before the email")
        else:
            secured_on = sent_on
        secured_by = _secured_by((r.by_text and f"by {r.by_text}") or " ".join(r.positive), sender_name)
        if not secured_by and r.by_text:
            secured_by = r.by_text.strip()[:120]
        if not secured_by and re.search(r"\bI\s+(?:have|'ve)\s+(?:now\s+)?secured\b", " ".join(r.positive)):
            secured_by = sender_name
    detail_parts = [p for p in (r.known if involvement is Involvement.KNOWN else r.not_known) if p]
    if r.involvement_dates:
        detail_parts.append(f"Dates: {r.involvement_dates}")
    if not r.positive and not r.negative and not r.no_records and not r.known and not r.not_known and not unclear:
        if _SHORT_YES.match(text):
            unclear.append("a short reply that does not say what it confirms")
        else:
            unclear.append("the reply does not say whether records are secured or whether the family is known")
    return AgencyAnswer(
        records_secured=records,
        no_records=r.no_records,
        secured_on=secured_on,
        secured_on_stated=stated,
        secured_by=secured_by[:200],
        involvement=involvement,
        involvement_detail=" ".join(detail_parts)[:2000],
        unclear=tuple(dict.fromkeys(unclear)),
    )
