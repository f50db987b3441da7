"""The "Case for Consideration" referral (seed 004 Appendix 1) plus the fields DESIGN.md §2 adds.

Every field here is personal or case-identifying data: it is only ever stored encrypted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from cases.answers import Answer
from cases.contact import email_address, name_text, phone_number, plain_text
from cases.criteria import CriteriaAnswers
from cases.problems import FieldProblem, InvalidInput, problems_from
from cases.triage import IncidentAnswers

# Every text field: no control characters or direction overrides (cases/contact.py); one-line fields not
# even a newline.
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(name_text)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), AfterValidator(plain_text)]


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # A referral printed by accident (a log line, a traceback, a debugger) must not show the child.
    def __repr__(self) -> str:
        return f"{type(self).__name__}(<personal data hidden>)"

    def __str__(self) -> str:
        return self.__repr__()


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    NOT_KNOWN = "not_known"


class Referrer(_Form):
    name: Text = Field(title="Referrer's name", min_length=1)
    role: Text = Field(title="Referrer's role", min_length=1)
    agency: Text = Field(title="Referrer's agency", min_length=1)
    email: Text = Field(title="Referrer's email", min_length=3)
    phone: Text = Field(default="", title="Referrer's phone")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return email_address(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return phone_number(value) if value else value


class Child(_Form):
    last_name: Text = Field(title="Child's last name", min_length=1)
    forenames: Text = Field(title="Child's forename(s)", min_length=1)
    also_known_as: Text = Field(default="", title="Also known as")
    date_of_birth: date | None = Field(default=None, title="Child's date of birth")
    age: int | None = Field(default=None, title="Age (if date of birth not known)", ge=0, le=17)
    gender: Gender = Field(default=Gender.NOT_KNOWN, title="Gender")
    ethnicity: Text = Field(default="", title="Ethnicity")
    disability: Text = Field(default="", title="Disability")
    home_address: LongText = Field(default="", title="Child's home address")


class Parent(_Form):
    name: Text = Field(default="", title="Name")
    date_of_birth: date | None = Field(default=None, title="Date of birth")
    address: LongText = Field(default="", title="Address")


class Sibling(_Form):
    name: Text = Field(title="Sibling's name", min_length=1)
    date_of_birth: date | None = Field(default=None, title="Sibling's date of birth")


class ReasonKind(StrEnum):
    """004 Appendix 1 §3, "Reasons for requesting a review"."""

    FITS_SCR_CRITERIA = "fits_scr_criteria"
    LEARNING_MULTI_AGENCY = "learning_multi_agency"
    BELOW_THRESHOLD_LEARNING = "below_threshold_learning"
    OTHER = "other"


class Reason(_Form):
    kind: ReasonKind = Field(title="Reason for requesting a review")
    # Which criterion (fits_scr_criteria), good or poor practice (learning_multi_agency), or what (other).
    detail: LongText = Field(default="", title="Reason detail")


class ParticularConsiderations(_Form):
    """004 Appendix 1 §4."""

    media_interest: Answer = Field(default=Answer.UNKNOWN, title="Media interest")
    criminal_proceedings: Answer = Field(default=Answer.UNKNOWN, title="Criminal proceedings")
    linked_complex_abuse: Answer = Field(default=Answer.UNKNOWN, title="Linked to a complex abuse case")
    other: LongText = Field(default="", title="Other considerations")


class Referral(_Form):
    referrer: Referrer = Field(title="Referrer")
    referral_date: date = Field(title="Referral date")
    incident_date: date = Field(title="Incident date")
    la_aware_date: date | None = Field(default=None, title="Date the local authority became aware")
    # 004 §3.3: discuss with the designated safeguarding professional before referring.
    designated_professional_consulted: Answer = Field(
        default=Answer.UNKNOWN, title="Designated safeguarding professional consulted"
    )
    case_outline: LongText = Field(title="Case outline")
    child: Child = Field(title="Child's details")
    mother: Parent = Field(default_factory=Parent, title="Mother")
    father: Parent = Field(default_factory=Parent, title="Father")
    siblings: tuple[Sibling, ...] = Field(default=(), title="Siblings", max_length=30)
    # LeDeR (004 §2.10-2.12): a learning disability, or cognitive/developmental delay in an under-5.
    learning_disability: Answer = Field(default=Answer.UNKNOWN, title="Learning disability")
    police_involved: Answer = Field(default=Answer.UNKNOWN, title="Police involved")
    coroner_involved: Answer = Field(default=Answer.UNKNOWN, title="Coroner involved")
    reasons: tuple[Reason, ...] = Field(title="Reasons for requesting a review", min_length=1)
    considerations: ParticularConsiderations = Field(
        default_factory=ParticularConsiderations, title="Particular considerations"
    )
    criteria: CriteriaAnswers = Field(default_factory=CriteriaAnswers, title="Criteria questions")
    # Children Act 2004 s.16C, 004 §2.2: where it happened and whether the child was looked after (triage).
    incident: IncidentAnswers = Field(default_factory=IncidentAnswers, title="Notifiable incident")

    @field_validator("case_outline")
    @classmethod
    def _outline(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "is empty: describe the incident and the child's status (e.g. child protection plan, "
                "looked after, disability)"
            )
        return value


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class _CrossFacts:
    """What the cross-field checks look at, each None when absent or unreadable."""

    referral_date: date | None
    incident_date: date | None
    la_aware_date: date | None
    child_dob: date | None
    child_age: int | None
    mother_dob: date | None
    father_dob: date | None
    sibling_dobs: tuple[date | None, ...]
    other_reasons_without_detail: tuple[int, ...]

    @classmethod
    def of(cls, r: Referral) -> _CrossFacts:
        return cls(
            r.referral_date,
            r.incident_date,
            r.la_aware_date,
            r.child.date_of_birth,
            r.child.age,
            r.mother.date_of_birth,
            r.father.date_of_birth,
            tuple(s.date_of_birth for s in r.siblings),
            tuple(i for i, reason in enumerate(r.reasons) if reason.kind is ReasonKind.OTHER and not reason.detail),
        )

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> _CrossFacts:
        """Lenient: reads whatever is readable from raw input, so every gap is listed at once."""

        def get(*path: str) -> Any:
            value: Any = data
            for part in path:
                value = value.get(part) if isinstance(value, Mapping) else None
            return value

        def as_date(value: Any) -> date | None:
            try:
                return _DATE.validate_python(value) if value not in (None, "") else None
            except ValidationError:
                return None

        age = get("child", "age")
        siblings = get("siblings") if isinstance(get("siblings"), list) else []
        reasons = get("reasons") if isinstance(get("reasons"), list) else []
        return cls(
            as_date(get("referral_date")),
            as_date(get("incident_date")),
            as_date(get("la_aware_date")),
            as_date(get("child", "date_of_birth")),
            age if isinstance(age, int) and not isinstance(age, bool) else None,
            as_date(get("mother", "date_of_birth")),
            as_date(get("father", "date_of_birth")),
            tuple(as_date(s.get("date_of_birth")) if isinstance(s, Mapping) else None for s in siblings),
            tuple(
                i
                for i, reason in enumerate(reasons)
                if isinstance(reason, Mapping) and reason.get("kind") == "other" and not reason.get("detail")
            ),
        )


_DATE: TypeAdapter[date] = TypeAdapter(date)


def cross_field_problems(referral: Referral, *, today: date | None = None) -> list[FieldProblem]:
    """Checks that need more than one field, or today's date (passed in: no clock here)."""
    return _cross_checks(_CrossFacts.of(referral), today)


def cross_field_problems_in_data(data: Mapping[str, Any], *, today: date | None = None) -> list[FieldProblem]:
    """The same checks on raw or partial data (an emailed form, a half-finished conversation)."""
    return _cross_checks(_CrossFacts.from_data(data), today)


def _cross_checks(f: _CrossFacts, today: date | None) -> list[FieldProblem]:
    # A date of birth is personal data: its problems say what is wrong with it, never the date itself
    # (they reach CLI error lines and emailed-referral reasons as well as the referrer's own conversation).
    problems: list[FieldProblem] = []

    def add(field: str, label: str, message: str) -> None:
        problems.append(FieldProblem(field, label, message))

    if today is not None and f.referral_date is not None and f.referral_date > today:
        add("referral_date", "Referral date", f"{f.referral_date} is in the future (today is {today})")
    if f.incident_date is not None and f.referral_date is not None and f.incident_date > f.referral_date:
        add(
            "incident_date",
            "Incident date",
            f"{f.incident_date} is after the referral date {f.referral_date}; an incident is referred after it happens",
        )
    if f.la_aware_date is not None:
        if f.incident_date is not None and f.la_aware_date < f.incident_date:
            add(
                "la_aware_date",
                "Date the local authority became aware",
                f"{f.la_aware_date} is before the incident date {f.incident_date}",
            )
        if today is not None and f.la_aware_date > today:
            add("la_aware_date", "Date the local authority became aware", f"{f.la_aware_date} is in the future")

    dob = f.child_dob
    if dob is None and f.child_age is None:
        add("child.date_of_birth", "Child's date of birth", "give the date of birth, or the age if it is not known")
    if dob is not None:
        if today is not None and dob > today:
            add("child.date_of_birth", "Child's date of birth", f"is in the future (today is {today})")
        elif f.incident_date is not None and dob > f.incident_date:
            add("child.date_of_birth", "Child's date of birth", f"is after the incident date {f.incident_date}")
        elif f.incident_date is not None:
            age_at_incident = age_on(dob, f.incident_date)
            if age_at_incident > 17:
                add(
                    "child.date_of_birth",
                    "Child's date of birth",
                    f"gives an age of {age_at_incident} on the incident date; a child is under 18",
                )
            accepted = {age_at_incident} | ({age_on(dob, f.referral_date)} if f.referral_date else set())
            if f.child_age is not None and f.child_age not in accepted:
                add(
                    "child.age",
                    "Age",
                    f"does not match the date of birth (the child was {age_at_incident} on the incident date)",
                )

    if f.referral_date is not None:
        for field, label, born in (
            ("mother.date_of_birth", "Mother's date of birth", f.mother_dob),
            ("father.date_of_birth", "Father's date of birth", f.father_dob),
        ):
            if born is not None and born > f.referral_date:
                add(field, label, f"is after the referral date {f.referral_date}")
        for index, born in enumerate(f.sibling_dobs):
            if born is not None and born > f.referral_date:
                add(
                    f"siblings.{index}.date_of_birth",
                    "Sibling's date of birth",
                    f"is after the referral date {f.referral_date}",
                )

    for index in f.other_reasons_without_detail:
        add(f"reasons.{index}.detail", "Reason detail", "'Other' needs a short description")
    return problems


def parse_referral(data: Mapping[str, Any], *, today: date | None = None) -> Referral:
    """Validate a referral from plain data (JSON, a conversation, an emailed form); all problems at once."""
    try:
        referral = Referral.model_validate(data)
    except ValidationError as exc:
        field_problems = problems_from(exc, Referral)
        seen = {p.field for p in field_problems}
        extra = [p for p in cross_field_problems_in_data(data, today=today) if p.field not in seen]
        raise InvalidInput(field_problems + extra) from None
    problems = cross_field_problems(referral, today=today)
    if problems:
        raise InvalidInput(problems)
    return referral
