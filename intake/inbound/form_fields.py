"""The "Case for Consideration" form (004 Appendix 1, plus the fields DESIGN.md §2 adds) as labels people
type or Word tables hold, mapped to the referral's fields.

Both an emailed body laid out like the form and the Word form itself come down to rows of cells; a cell
holding a known label is followed by its value ("Child's Last Name/s:", "Smith"), or carries it after a
colon. Values are normalised (UK dates, yes/no, ticked boxes) and handed to `cases.referral.parse_referral`,
the same validation the conversation uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from cases.dates import parse_date_value

# "section": a heading the referral does not read (the sub-group's own decisions, 004 Appendix 1 §5): it ends
# the field before it, and its own lines (tick boxes, notes) are kept apart, never in the referral.
Kind = Literal["text", "long", "date", "int", "answer", "gender", "email", "list", "reasons", "section"]


@dataclass(frozen=True)
class FormField:
    path: str
    kind: Kind
    labels: tuple[str, ...]


FIELDS: tuple[FormField, ...] = (
    FormField("case_outline", "long", ("case outline", "outline of the case", "case summary")),
    FormField("child.last_name", "text", ("child's last name", "child's surname", "childs last name", "surname")),
    FormField("child.forenames", "text", ("child's forename", "child's forenames", "child's first name", "forename")),
    FormField("child.also_known_as", "text", ("also known as", "aka", "child also known as")),
    FormField("child.date_of_birth", "date", ("child's date of birth", "child's dob", "date of birth", "dob")),
    FormField("child.age", "int", ("age", "child's age")),
    FormField("child.gender", "gender", ("gender", "sex", "child's gender")),
    FormField("child.ethnicity", "text", ("ethnicity", "child's ethnicity")),
    FormField("child.disability", "text", ("disability", "child's disability")),
    FormField("child.home_address", "long", ("child's home address", "home address", "child's address")),
    FormField("mother.name", "text", ("mother's name",)),
    FormField("mother.date_of_birth", "date", ("mother's dob", "mother's date of birth")),
    FormField("mother.address", "long", ("mother's address",)),
    FormField("father.name", "text", ("father's name",)),
    FormField("father.date_of_birth", "date", ("father's dob", "father's date of birth")),
    FormField("father.address", "long", ("father's address",)),
    FormField("siblings.names", "list", ("sibling's name", "siblings' names", "sibling's names", "siblings")),
    FormField(
        "siblings.dobs", "list", ("sibling's dob", "siblings' dobs", "sibling's dobs", "sibling's date of birth")
    ),
    FormField(
        "reasons",
        "reasons",
        ("reasons for requesting a review", "reasons for requesting a review/referral", "reason for referral"),
    ),
    FormField("considerations.other", "long", ("particular considerations",)),
    # 004 Appendix 1 §4 asks three questions in its heading; forms answer them on their own lines.
    FormField("considerations.media_interest", "answer", ("media interest", "is there media interest", "media")),
    FormField(
        "considerations.criminal_proceedings",
        "answer",
        ("criminal proceedings", "are there criminal proceedings", "any criminal proceedings"),
    ),
    FormField(
        "considerations.linked_complex_abuse",
        "answer",
        (
            "complex abuse",
            "linked to a complex abuse case",
            "is the case linked to a complex abuse case",
            "linked to complex abuse",
        ),
    ),
    FormField(
        "sections.subgroup_decisions",
        "section",
        ("decisions of the sub group", "decisions of the sub-group", "decisions of the subgroup", "actions needed"),
    ),
    FormField("sections.childs_details", "section", ("child's details",)),
    FormField("referrer.name", "text", ("referrer's name", "referrer name", "name of referrer", "referred by")),
    FormField("referrer.role", "text", ("referrer's role", "referrer role", "role of referrer", "job title")),
    FormField("referrer.agency", "text", ("referrer's agency", "referrer agency", "referrer's organisation")),
    FormField("referrer.email", "email", ("referrer's email", "referrer email", "referrer's email address")),
    FormField("referrer.phone", "text", ("referrer's phone", "referrer phone", "referrer's telephone")),
    FormField("referral_date", "date", ("referral date", "date of referral")),
    FormField("incident_date", "date", ("incident date", "date of incident", "date of the incident")),
    FormField(
        "la_aware_date",
        "date",
        ("date the local authority became aware", "date local authority became aware", "la aware date"),
    ),
    FormField(
        "designated_professional_consulted",
        "answer",
        ("designated safeguarding professional consulted", "designated professional consulted"),
    ),
    FormField("learning_disability", "answer", ("learning disability",)),
    FormField("police_involved", "answer", ("police involved", "police involvement")),
    FormField("coroner_involved", "answer", ("coroner involved", "coroner involvement")),
    FormField("criteria.child_died", "answer", ("has the child died", "child died")),
    FormField("criteria.abuse_or_neglect", "answer", ("abuse or neglect known or suspected", "abuse or neglect")),
    FormField("criteria.seriously_harmed", "answer", ("child seriously harmed", "seriously harmed")),
    # Children Act 2004 s.16C (triage, cases/triage.py): "not known" is allowed, as for every answer.
    FormField(
        "incident.in_area",
        "answer",
        ("died or harmed in the area", "harmed in the local authority's area", "in the local authority's area"),
    ),
    FormField(
        "incident.outside_england",
        "answer",
        ("resident here, harmed outside england", "harmed outside england", "outside england"),
    ),
    FormField("incident.looked_after", "answer", ("looked after child", "child looked after", "looked after")),
)

_BY_LABEL: dict[str, FormField] = {label: f for f in FIELDS for label in f.labels}
_BY_PATH: dict[str, FormField] = {f.path: f for f in FIELDS}

_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}[.)]?|[a-z][.)])\s+")
_INSTRUCTION = re.compile(
    r"^\s*(?:include\s+any\s+critical\s+incident|\[?please\s+specify|tick\s+all\s+appropriate|empty\s+space\s+for|"
    r"click\s+(?:or\s+tap\s+)?here\s+to\s+enter|\[?if\s+dob\s+not\s+known|\[?highlight\s+if)",
    re.IGNORECASE,
)
_TICKED = re.compile(r"^\s*(?:☒|☑|✓|✔|\[\s*[xX✓✔]\s*\]|\(\s*[xX]\s*\)|[xX]\s+(?=\S))\s*")
_UNTICKED = re.compile(r"^\s*(?:☐|□|\[\s*\]|\(\s*\))\s*")
_CELL_SPLIT = re.compile(r"\t+|\s{3,}|\s+\|\s+")
# A numbered heading in capitals ("3. REASONS FOR ...", "5) DECISIONS"): it starts something new, even when
# its words are not a label we know.
_NUMBERED_HEADING = re.compile(r"^\s*\d{1,2}[A-Za-z]?\s*[.)]\s+[A-Z][A-Z'’ /&,()-]{3,}(?::|$)")
# What people write for "nothing to say" in a text field.
_EMPTY = frozenset({"none", "n/a", "na", "n.a.", "not applicable", "nil", "-", "--", "nothing", "no one"})


def normalise_label(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = _BRACKETS.sub(" ", text)
    text = _NUMBERING.sub("", text)
    text = text.replace("/s", "").replace("(s)", "").replace("*", " ").replace("childs ", "child's ")
    text = re.sub(r"[:\-–.?]+\s*$", "", " ".join(text.split()))
    return text.strip()


def field_for_label(text: str) -> FormField | None:
    """The field a cell's text labels, if it is a label (the text before any colon, or a question before
    its question mark: "Is there media interest? No")."""
    head = text.split(":", 1)[0]
    if len(head) > 80:
        return None
    found = _BY_LABEL.get(normalise_label(head))
    if found is None and "/" in head:
        found = _BY_LABEL.get(normalise_label(head.split("/", 1)[0]))
    if found is None and "?" in head:
        found = _BY_LABEL.get(normalise_label(head.split("?", 1)[0]))
    return found


def _inline_value(cell: str) -> str:
    """The value written in the same cell as its label: after the colon, or after the question mark."""
    head = cell.split(":", 1)[0]
    if "?" in head and _BY_LABEL.get(normalise_label(head.split("?", 1)[0])) is not None:
        return cell.split("?", 1)[1]
    return cell.split(":", 1)[1] if ":" in cell else ""


def field_for_path(path: str) -> FormField | None:
    return _BY_PATH.get(path)


def clean_value(value: str) -> str:
    lines = [ln for ln in value.split("\n") if ln.strip() and not _INSTRUCTION.match(ln)]
    return "\n".join(ln.rstrip() for ln in lines).strip()


def _continues(last: FormField | None) -> FormField | None:
    """Where a line that is not a label goes: on with the previous long field or list; after one of section
    4's questions, into its free text ("Other considerations")."""
    if last is None:
        return None
    if last.kind in {"long", "reasons", "list"}:
        return last
    if last.kind == "answer" and last.path.startswith("considerations."):
        return _BY_PATH["considerations.other"]
    return None


class FormValues:
    """Raw values by field path, gathered from rows of cells and continuation lines."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self._last: FormField | None = None

    def put(self, form_field: FormField, value: str) -> None:
        value = clean_value(value)
        if form_field.kind in {"text", "long", "list", "date", "int", "email"} and value.lower().rstrip(".") in _EMPTY:
            value = ""  # "none", "n/a", "not applicable": nothing to record
        if not value:
            self._last = form_field
            return
        previous = self.values.get(form_field.path)
        self.values[form_field.path] = f"{previous}\n{value}" if previous else value
        self._last = form_field

    def add_row(self, cells: Sequence[str]) -> None:
        """One table row or text line: label cells followed by value cells."""
        index = 0
        cells = [c.strip() for c in cells]
        matched_any = False
        while index < len(cells):
            cell = cells[index]
            form_field = field_for_label(cell) if cell else None
            if form_field is None:
                if not matched_any and _NUMBERED_HEADING.match(cell):
                    self._last = None  # a heading we do not read still ends the field before it
                elif not matched_any and (target := _continues(self._last)) is not None:
                    self.put(target, cell)  # a continuation line of the previous field
                index += 1
                continue
            matched_any = True
            inline = _inline_value(cell)
            if inline.strip() and not _INSTRUCTION.match(inline):
                self.put(form_field, inline)
                index += 1
                continue
            following = cells[index + 1] if index + 1 < len(cells) else ""
            if following and field_for_label(following) is None:
                self.put(form_field, following)
                index += 2
            else:
                self.put(form_field, "")
                index += 1

    def add_text_line(self, line: str) -> None:
        self.add_row([c for c in _CELL_SPLIT.split(line) if c.strip()] or [""])

    def count(self) -> int:
        return len(self.values)


# --- values to the referral's data ---------------------------------------------------------------------


def _answer(value: str) -> str:
    v = value.strip().lower()
    if _TICKED.match(value) or re.match(r"^(?:yes|y|true|x|✓|✔|☒|☑)\b", v):
        return "yes"
    if re.match(r"^(?:no|n|false|none)\b", v):
        return "no"
    return "unknown"


def _gender(value: str) -> str:
    ticked = [m.group(1).lower() for m in re.finditer(r"(?:☒|☑|\[\s*[xX]\s*\])\s*(male|female)", value, re.I)]
    if len(ticked) == 1:
        return ticked[0]
    v = _UNTICKED.sub("", value).strip().lower()
    if re.match(r"^(?:f|female|girl)\b", v):
        return "female"
    if re.match(r"^(?:m|male|boy)\b", v):
        return "male"
    if re.match(r"^(?:other|non-binary)\b", v):
        return "other"
    return "not_known"


def _split_list(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;\n]|\s+and\s+", value) if p.strip()]


def _reasons(value: str) -> list[dict[str, str]]:
    lines = [ln for ln in value.split("\n") if ln.strip()]
    if any(_TICKED.match(ln) or _UNTICKED.match(ln) for ln in lines):
        lines = [_TICKED.sub("", ln) for ln in lines if _TICKED.match(ln)]
    reasons: list[dict[str, str]] = []
    for line in lines:
        text = line.strip()
        lowered = text.lower()
        if "does not reach" in lowered or ("below" in lowered and "threshold" in lowered):
            kind = "below_threshold_learning"
        elif "criteria" in lowered and ("fits" in lowered or "serious case review" in lowered):
            kind = "fits_scr_criteria"
        elif "learning" in lowered and "multi" in lowered:
            kind = "learning_multi_agency"
        else:
            kind = "other"
        detail = text.split(":", 1)[1].strip() if ":" in text and kind != "other" else text if kind == "other" else ""
        reasons.append({"kind": kind, "detail": detail[:2000]})
    return reasons


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    target = data
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def referral_data(values: Mapping[str, str], *, reference: date, defaults: Mapping[str, str]) -> dict[str, Any]:
    """Plain data for `parse_referral` from the raw values; `defaults` fill paths the form left empty (e.g.
    the referrer's email from the sender, the referral date from the day it arrived)."""
    data: dict[str, Any] = {}
    for path, raw in {**defaults, **{k: v for k, v in values.items() if v}}.items():
        form_field = _BY_PATH.get(path)
        if form_field is not None and form_field.kind == "section":
            continue  # not part of the referral
        if form_field is None or path.startswith("siblings."):
            if form_field is None:
                _set(data, path, raw)
            continue
        if form_field.kind == "date":
            parsed = parse_date_value(raw, reference=reference)
            _set(data, path, parsed.isoformat() if parsed else raw[:40])
        elif form_field.kind == "int":
            digits = re.match(r"^\s*(\d{1,3})\b", raw)
            _set(data, path, int(digits.group(1)) if digits else raw[:20])
        elif form_field.kind == "answer":
            _set(data, path, _answer(raw))
        elif form_field.kind == "gender":
            _set(data, path, _gender(raw))
        elif form_field.kind == "reasons":
            _set(data, path, _reasons(raw))
        elif form_field.kind == "email":
            _set(data, path, raw.strip().split()[0] if raw.strip() else "")
        else:
            _set(data, path, " ".join(raw.split()) if form_field.kind == "text" else raw)
    names = _split_list(values.get("siblings.names", ""))
    dobs = _split_list(values.get("siblings.dobs", ""))
    siblings = []
    for index, name in enumerate(names[:30]):
        dob = parse_date_value(dobs[index], reference=reference) if index < len(dobs) else None
        siblings.append({"name": name, "date_of_birth": dob.isoformat() if dob else None})
    if siblings:
        data["siblings"] = siblings
    return data


def looks_like_form(lines: Iterable[str]) -> int:
    """How many distinct form labels appear in these lines (a body with several is a referral form)."""
    seen: set[str] = set()
    for line in lines:
        for cell in _CELL_SPLIT.split(line):
            found = field_for_label(cell) if cell.strip() else None
            if found is not None:
                seen.add(found.path)
    return len(seen)
