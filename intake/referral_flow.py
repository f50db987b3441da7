"""The referral conversation: every section of the "Case for Consideration" (004 Appendix 1) plus the fields
DESIGN.md §2 adds for the clocks, validated by the same model as `scrbot refer --file` (cases/referral.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from cases.answers import Answer
from cases.criteria import Category, CriteriaAnswers, classify
from cases.problems import FieldProblem, InvalidInput, label_for
from cases.referral import Gender, ReasonKind, Referral, parse_referral
from intake.conversation.flow import YES_NO_UNKNOWN, Choice, Flow, Kind, Repeat, Step, When

SAFEGUARDING_REMINDER = (
    "This referral is not a replacement for a safeguarding referral to children's social care (004 §3.3). "
    "If any child may be at risk now, refer to children's social care as well."
)

INTRO = (
    "This is the *Case for Consideration* for the board's Serious Case Review sub-group (004 Appendix 1). "
    "I will ask one thing at a time; your answers are saved as you go, so you can stop and come back. "
    "Type *back*, *skip*, *cancel* or *help* at any time. " + SAFEGUARDING_REMINDER
)

_ABOUT = "About you"
_DATES = "Dates"
_OUTLINE = "1. Case outline"
_CHILD = "2. Child's details"
_FAMILY = "2. Family"
_AGENCIES = "Involvement and needs"
_REASONS = "3. Reasons for requesting a review"
_CONSIDER = "4. Particular considerations"
_CRITERIA = "Criteria (004 §4)"


def _label(path: str) -> str:
    return label_for(Referral, [p for p in path.split(".") if not p.endswith("]")])


def _step(field: str, prompt: str, kind: Kind, section: str, **kw: Any) -> Step:
    kw.setdefault("label", _label(field))
    if kind is Kind.ANSWER:
        kw.setdefault("choices", YES_NO_UNKNOWN)
    return Step(field=field, prompt=prompt, kind=kind, section=section, **kw)


def _criteria_choices(*categories: Category) -> tuple[Choice, ...]:
    return tuple(
        Choice(r.clause, f"{r.clause}: {r.text}")
        for r in classify(CriteriaAnswers()).results
        if r.category in categories
    )


def _flag_choices(names: list[str]) -> tuple[Choice, ...]:
    return tuple(Choice(n, CriteriaAnswers.model_fields[n].title or n) for n in names)


_HARM_TYPES = [
    "life_threatening_injury",
    "seriously_harmed_by_sexual_abuse",
    "parent_murdered_homicide_review",
    "killed_by_parent_with_mental_illness",
    "seriously_harmed_by_violent_assault",
]
_INDICATORS = [
    "harm_not_recognised_shared_or_acted_on",
    "institutional_setting",
    "looked_after",
    "recently_moved_to_uk",
    "harm_during_absence",
    "concerns_not_taken_seriously",
    "procedural_failings_beyond_case",
    "child_protection_plan",
    "implications_for_range_of_agencies",
    "protocols_may_need_change",
    "national_implications",
]

_REASON_CHOICES = (
    Choice(ReasonKind.FITS_SCR_CRITERIA.value, "Fits Serious Case Review criteria"),
    Choice(ReasonKind.LEARNING_MULTI_AGENCY.value, "Learning from multi-agency work (good or poor practice)"),
    Choice(ReasonKind.BELOW_THRESHOLD_LEARNING.value, "Below the SCR threshold but an opportunity for learning"),
    Choice(ReasonKind.OTHER.value, "Other"),
)

_GENDERS = (
    Choice(Gender.FEMALE.value, "Female"),
    Choice(Gender.MALE.value, "Male"),
    Choice(Gender.OTHER.value, "Other"),
    Choice(Gender.NOT_KNOWN.value, "Not known"),
)


def _parent(who: str, title: str) -> tuple[Step, ...]:
    return (
        _step(
            f"{who}.name",
            f"{title}'s name",
            Kind.TEXT,
            _FAMILY,
            optional=True,
            skip_label="Not known",
            label=f"{title}'s name",
        ),
        _step(
            f"{who}.date_of_birth",
            f"{title}'s date of birth",
            Kind.DATE,
            _FAMILY,
            optional=True,
            skip_label="Not known",
            label=f"{title}'s date of birth",
        ),
        _step(
            f"{who}.address",
            f"{title}'s address (if different from the child's, or not known)",
            Kind.LONG_TEXT,
            _FAMILY,
            optional=True,
            skip_label="Not known",
            label=f"{title}'s address",
        ),
    )


NODES: tuple[Step | Repeat, ...] = (
    _step("referrer.name", "What is your name?", Kind.TEXT, _ABOUT),
    _step("referrer.role", "What is your role? (e.g. Named Nurse for Safeguarding Children)", Kind.TEXT, _ABOUT),
    _step("referrer.agency", "Which agency or organisation do you work for?", Kind.TEXT, _ABOUT),
    _step("referrer.email", "Your work email address?", Kind.TEXT, _ABOUT),
    _step("referrer.phone", "A phone number the business unit can reach you on?", Kind.TEXT, _ABOUT, optional=True),
    _step(
        "designated_professional_consulted",
        "Have you discussed this case with your designated professional for safeguarding, or your agency's "
        "representative on the board? (004 §3.3)",
        Kind.ANSWER,
        _ABOUT,
    ),
    _step("referral_date", "Date of this referral? (*today* works)", Kind.DATE, _DATES),
    _step("incident_date", "Date of the incident?", Kind.DATE, _DATES),
    _step(
        "la_aware_date",
        "When did the local authority become aware of the incident?",
        Kind.DATE,
        _DATES,
        optional=True,
        skip_label="Not known yet",
        help="This starts the 5 working days for notifying Ofsted (004 §2.3).",
    ),
    _step(
        "case_outline",
        "Case outline: describe any critical incident, and the child's status (e.g. subject of a child "
        "protection plan, looked after, disability).",
        Kind.LONG_TEXT,
        _OUTLINE,
    ),
    _step("child.last_name", "Child's last name(s)?", Kind.TEXT, _CHILD),
    _step("child.forenames", "Child's forename(s)?", Kind.TEXT, _CHILD),
    _step(
        "child.also_known_as",
        "Is the child also known by another name?",
        Kind.TEXT,
        _CHILD,
        optional=True,
        skip_label="No other name",
    ),
    _step("child.date_of_birth", "Child's date of birth?", Kind.DATE, _CHILD, optional=True, skip_label="Not known"),
    _step(
        "child.age",
        "The date of birth is not known: how old is the child (in years)?",
        Kind.NUMBER,
        _CHILD,
        when=(When("child.date_of_birth", "unanswered"),),
    ),
    _step("child.gender", "Child's gender?", Kind.CHOICE, _CHILD, choices=_GENDERS),
    _step("child.ethnicity", "Child's ethnicity?", Kind.TEXT, _CHILD, optional=True, skip_label="Not known"),
    _step(
        "child.disability",
        "Does the child have a disability? If so, briefly what.",
        Kind.TEXT,
        _CHILD,
        optional=True,
        skip_label="None known",
    ),
    _step("child.home_address", "Child's home address?", Kind.LONG_TEXT, _CHILD, optional=True, skip_label="Not known"),
    *_parent("mother", "Mother"),
    *_parent("father", "Father"),
    Repeat(
        field="siblings",
        section=_FAMILY,
        item_name="sibling",
        ask_first="Does the child have any siblings?",
        ask_more="Add another sibling?",
        steps=(
            Step("name", "Sibling's name?", Kind.TEXT, _FAMILY, label="Sibling's name"),
            Step(
                "date_of_birth",
                "Sibling's date of birth?",
                Kind.DATE,
                _FAMILY,
                optional=True,
                skip_label="Not known",
                label="Sibling's date of birth",
            ),
        ),
    ),
    _step(
        "learning_disability",
        "Did the child have a learning disability (or, under 5, a cognitive or developmental delay)? "
        "(LeDeR, 004 §2.10)",
        Kind.ANSWER,
        _AGENCIES,
    ),
    _step("police_involved", "Are the police involved?", Kind.ANSWER, _AGENCIES),
    _step("coroner_involved", "Is the coroner involved?", Kind.ANSWER, _AGENCIES),
    _step(
        "reasons",
        "Reasons for requesting a review: choose all that apply.",
        Kind.MULTI,
        _REASONS,
        choices=_REASON_CHOICES,
        multi_as="items",
        item_key="kind",
    ),
    _step(
        "reasons[kind=fits_scr_criteria].detail",
        "Which Serious Case Review criterion does it fit? (Working Together, chapter 4; 004 §4)",
        Kind.CHOICE,
        _REASONS,
        id="reasons.fits_scr_criteria",
        label="Criterion it fits",
        choices=(
            *_criteria_choices(Category.MANDATORY, Category.ALWAYS, Category.SHOULD_CONSIDER),
            Choice("not sure which criterion", "Not sure which"),
        ),
        when=(When("reasons", "has", ReasonKind.FITS_SCR_CRITERIA.value),),
    ),
    _step(
        "reasons[kind=learning_multi_agency].detail",
        "What could be learned from the multi-agency work? Say whether it is good or poor practice.",
        Kind.LONG_TEXT,
        _REASONS,
        id="reasons.learning_multi_agency",
        label="Learning (good or poor practice)",
        optional=True,
        when=(When("reasons", "has", ReasonKind.LEARNING_MULTI_AGENCY.value),),
    ),
    _step(
        "reasons[kind=below_threshold_learning].detail",
        "Briefly, what learning could a review below the SCR threshold provide?",
        Kind.LONG_TEXT,
        _REASONS,
        id="reasons.below_threshold_learning",
        label="Learning below the threshold",
        optional=True,
        when=(When("reasons", "has", ReasonKind.BELOW_THRESHOLD_LEARNING.value),),
    ),
    _step(
        "reasons[kind=other].detail",
        "Other reason: please specify.",
        Kind.LONG_TEXT,
        _REASONS,
        id="reasons.other",
        label="Other reason",
        when=(When("reasons", "has", ReasonKind.OTHER.value),),
    ),
    _step("considerations.media_interest", "Is there media interest?", Kind.ANSWER, _CONSIDER),
    _step("considerations.criminal_proceedings", "Are there criminal proceedings?", Kind.ANSWER, _CONSIDER),
    _step("considerations.linked_complex_abuse", "Is the case linked to a complex abuse case?", Kind.ANSWER, _CONSIDER),
    _step(
        "considerations.other",
        "Any other particular considerations?",
        Kind.LONG_TEXT,
        _CONSIDER,
        optional=True,
        skip_label="None",
    ),
    _step("criteria.abuse_or_neglect", "Is abuse or neglect of the child known or suspected?", Kind.ANSWER, _CRITERIA),
    _step("criteria.child_died", "Has the child died (including suspected suicide)?", Kind.ANSWER, _CRITERIA),
    _step(
        "criteria.died_in_custody",
        "Did the child die in custody, on remand, in a YOI, secure training centre or secure children's home, "
        "detained under the Mental Health Act, or under a deprivation of liberty order? (004 §4.5)",
        Kind.ANSWER,
        _CRITERIA,
        label="Died in custody or detention",
        when=(When("criteria.child_died", "is", "yes"),),
    ),
    _step(
        "criteria.seriously_harmed",
        "Has the child been seriously harmed? (004 §4.3: e.g. potentially life-threatening injury, serious or "
        "likely long-term impairment of health or development)",
        Kind.ANSWER,
        _CRITERIA,
        label="Seriously harmed",
        when=(When("criteria.child_died", "is_not", "yes"),),
    ),
    # Children Act 2004 s.16C, 004 §2.2: whether the incident is notifiable (cases/triage.py).
    _step(
        "incident.in_area",
        "Did the child die or suffer the serious harm in this local authority's area? (Children Act 2004 s.16C)",
        Kind.ANSWER,
        _CRITERIA,
        label="Died or harmed in the area",
    ),
    _step(
        "incident.outside_england",
        "Is the child normally resident in this area, and did the death or serious harm happen outside England? "
        "(s.16C(1)(b))",
        Kind.ANSWER,
        _CRITERIA,
        label="Resident here, harmed outside England",
        when=(When("incident.in_area", "is_not", "yes"),),
    ),
    _step(
        "incident.looked_after",
        "Was the child looked after by a local authority? (a looked-after child's death is notified whether or "
        "not abuse or neglect is suspected, s.16C(2))",
        Kind.ANSWER,
        _CRITERIA,
        label="Looked after",
    ),
    _step(
        "criteria.concerns_about_working_together",
        "Is there cause for concern about how agencies worked together to safeguard the child?",
        Kind.ANSWER,
        _CRITERIA,
        label="Concerns about agencies working together",
    ),
    _step(
        "criteria",
        "Do any of these apply? Choose all that do (004 §4.6); skip if none or not known.",
        Kind.MULTI,
        _CRITERIA,
        id="criteria.harm",
        label="Circumstances (004 §4.6)",
        optional=True,
        skip_label="None / not known",
        choices=_flag_choices(_HARM_TYPES),
        multi_as="flags",
    ),
    _step(
        "criteria",
        "Could a review yield useful lessons? Choose any that apply (004 §4.6 questions); skip if none or not known.",
        Kind.MULTI,
        _CRITERIA,
        id="criteria.indicators",
        label="Learning indicators (004 §4.6)",
        optional=True,
        skip_label="None / not known",
        choices=_flag_choices(_INDICATORS),
        multi_as="flags",
    ),
)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def check(data: dict[str, Any], today: date) -> list[FieldProblem]:
    """The model's problems with the answers so far: questions not reached yet are filled with neutral
    placeholders, whose own problems the engine ignores (it keeps only those of the question answered)."""
    skeleton: dict[str, Any] = {
        "referrer": {"name": "-", "role": "-", "agency": "-", "email": "placeholder@example.org"},
        "referral_date": today.isoformat(),
        "case_outline": "-",
        "child": {"last_name": "-", "forenames": "-"},
        "reasons": [{"kind": ReasonKind.FITS_SCR_CRITERIA.value}],
    }
    probe = _merge(skeleton, data)
    probe.setdefault("incident_date", probe["referral_date"])
    if not probe["reasons"]:
        probe["reasons"] = skeleton["reasons"]
    return validate(probe, today)


def validate(data: dict[str, Any], today: date) -> list[FieldProblem]:
    try:
        parse_referral(data, today=today)
    except InvalidInput as exc:
        return exc.problems
    except ValidationError:  # pragma: no cover - parse_referral converts these
        return [FieldProblem("", "Referral", "is not valid")]
    return []


_STATUS_WORDS = {Answer.YES: "appears met", Answer.NO: "not met", Answer.UNKNOWN: "not known yet"}


def classification_notes(data: dict[str, Any]) -> list[str]:
    """The criteria pre-classification, as information with its clauses (004 §4.2-4.6); never the decision."""
    try:
        answers = CriteriaAnswers.model_validate(data.get("criteria", {}))
    except ValidationError:
        return []
    result = classify(answers)
    lines = [f"Criteria pre-classification (information only; the board decides): {result.summary}."]
    for r in result.results:
        if r.category is Category.LEARNING_INDICATOR and r.status is not Answer.YES:
            continue
        lines.append(f"{r.clause} {r.text}: {_STATUS_WORDS[r.status]}")
    return lines


REFERRAL_FLOW = Flow(
    id="referral",
    version=1,
    title="Case for Consideration",
    intro=INTRO,
    nodes=NODES,
    check=check,
    validate=validate,
    summary_notes=classification_notes,
    finish_note=SAFEGUARDING_REMINDER,
)
