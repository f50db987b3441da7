"""An agency's report step by step (cases/review/agency_report.py): what each step allows, refuses, audits and
does to the agency's deadline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from cases.commands import GiveDue, MeetBy
from cases.review.agency_report import (
    AgencyReport,
    Outcome,
    Step,
    accept,
    brief,
    nominate,
    receive,
    request,
    return_report,
    sign_off,
)
from cases.rules import MetBy
from errors import BadInput, Conflict

ON = date(2027, 1, 4)
DUE = date(2027, 2, 1)
AUTHOR = "Author Synthetic"
FRESH = AgencyReport("police")
NOMINATED = replace(FRESH, step=Step.NOMINATED, author=AUTHOR, no_involvement_declared=True)
REQUESTED = replace(NOMINATED, step=Step.REQUESTED, requested_on=ON, due=DUE)
RECEIVED = replace(REQUESTED, step=Step.RECEIVED, version=1, received_on=ON)
SIGNED = replace(RECEIVED, step=Step.SIGNED_OFF, signed_off_by="Director Synthetic", signed_off_on=ON)
ACCEPTED = replace(SIGNED, step=Step.ACCEPTED, accepted_on=ON)
RETURNED = replace(RECEIVED, step=Step.RETURNED, due=date(2027, 3, 1), returns=1)

Step_ = Callable[[AgencyReport], Outcome]
STEPS: dict[str, Step_] = {
    "nominate": lambda r: nominate(r, author=AUTHOR, no_involvement=True, on=ON),
    "brief": lambda r: brief(r, on=ON),
    "request": lambda r: request(r, due=DUE, on=ON),
    "receive": lambda r: receive(r, on=ON),
    "sign_off": lambda r: sign_off(r, by="Director Synthetic", on=ON),
    "accept": lambda r: accept(r, on=ON),
    "return": lambda r: return_report(r, reasons="no chronology", new_due=date(2027, 3, 1), on=ON),
}


@pytest.mark.parametrize(
    ("before", "step", "after"),
    [
        (FRESH, "nominate", Step.NOMINATED),
        (REQUESTED, "nominate", Step.REQUESTED),  # a new author keeps the report where it is
        (FRESH, "request", Step.REQUESTED),  # the request may go before the agency names its author
        (NOMINATED, "request", Step.REQUESTED),
        (FRESH, "receive", Step.RECEIVED),
        (REQUESTED, "receive", Step.RECEIVED),
        (RETURNED, "receive", Step.RECEIVED),
        (RECEIVED, "sign_off", Step.SIGNED_OFF),
        (SIGNED, "accept", Step.ACCEPTED),
        (RECEIVED, "return", Step.RETURNED),
        (SIGNED, "return", Step.RETURNED),
        (NOMINATED, "brief", Step.NOMINATED),
    ],
)
def test_the_steps_an_agency_report_takes(before: AgencyReport, step: str, after: Step) -> None:
    outcome = STEPS[step](before)
    assert outcome.report.step is after
    assert outcome.audit.detail["agency"] == "police" and outcome.audit.detail["step"] == after.value


@pytest.mark.parametrize(
    ("before", "step", "error", "line"),
    [
        (
            RECEIVED,
            "accept",
            Conflict,
            "police's version 1 is not signed off: return it (004 §7.6-7.7), do not accept it",
        ),
        (REQUESTED, "accept", Conflict, "police has no signed-off version to accept (it is requested)"),
        (RETURNED, "accept", Conflict, "police has no signed-off version to accept (it is returned)"),
        (REQUESTED, "sign_off", Conflict, "police has no version awaiting sign-off (it is requested)"),
        (REQUESTED, "return", Conflict, "police has no version to return (it is requested)"),
        (FRESH, "brief", Conflict, "police has not named its author yet: record the nomination first"),
        *((ACCEPTED, step, Conflict, None) for step in ("nominate", "request", "receive", "sign_off", "return")),
    ],
)
def test_what_each_step_refuses(before: AgencyReport, step: str, error: type[Exception], line: str | None) -> None:
    with pytest.raises(error) as raised:
        STEPS[step](before)
    if line is not None:
        assert str(raised.value) == line


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: nominate(FRESH, author="  ", no_involvement=True, on=ON), "author"),
        (lambda: nominate(FRESH, author=AUTHOR, no_involvement=False, on=ON), "no_involvement"),
        (lambda: request(FRESH, due=ON, on=ON), "due"),
        (lambda: sign_off(RECEIVED, by=" ", on=ON), "by"),
        (lambda: return_report(RECEIVED, reasons=" ", new_due=DUE, on=ON), "reasons"),
        (lambda: return_report(RECEIVED, reasons="late", new_due=ON, on=ON), "due"),
    ],
)
def test_bad_input_names_its_field(call: Callable[[], Outcome], field: str) -> None:
    with pytest.raises(BadInput) as raised:
        call()
    assert raised.value.field == field


def test_a_new_version_needs_its_own_sign_off() -> None:
    again = receive(replace(SIGNED, step=Step.RETURNED), on=ON).report
    assert (again.version, again.signed_off_by, again.signed_off_on) == (2, "", None)


def test_deadline_effects_and_audit_never_name_anyone() -> None:
    requested = STEPS["request"](NOMINATED)
    assert requested.deadlines == GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, DUE, "police")
    returned = STEPS["return"](SIGNED)
    assert returned.deadlines == GiveDue(MetBy.AGENCY_REPORT_ACCEPTED, date(2027, 3, 1), "police")
    assert returned.audit.detail["signed_off"] is True and returned.report.returns == 1
    assert STEPS["accept"](SIGNED).deadlines == MeetBy(MetBy.AGENCY_REPORT_ACCEPTED, ON, "police")
    for step, before in (("nominate", FRESH), ("sign_off", RECEIVED), ("return", RECEIVED), ("brief", NOMINATED)):
        outcome = STEPS[step](before)
        text = repr(outcome.audit) + repr(outcome.report)
        assert "Synthetic" not in text and "chronology" not in text
        assert STEPS[step](before).deadlines is None or step == "return"


def test_what_the_business_unit_waits_for() -> None:
    assert [r.outstanding for r in (FRESH, NOMINATED, REQUESTED, RECEIVED, SIGNED, RETURNED, ACCEPTED)] == [
        "the agency to name its author",
        "the request to be sent",
        "the report, due 2027-02-01",
        "sign-off of version 1",
        "quality assurance of version 1",
        "a new version, due 2027-03-01",
        "nothing",
    ]
