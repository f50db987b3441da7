"""Only a notifiable incident gets the serious incident notification draft (Children Act 2004 s.16C, 004
§2.2); "not known" keeps the duty open, drafts nothing and tells the business unit to confirm; a
non-notifiable referral has neither the duty nor the draft."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot import wiring
from cases.case import DeadlineState
from notify.outbox import OutboxStatus
from tests.factories import REFERRER, STAFF, at, make_referral
from tests.notify.conftest import NotifyEnv

D = date


def file(env: NotifyEnv, **answers: Any) -> str:
    referral = make_referral(D(2026, 12, 14), referral_date="2026-12-14", la_aware_date="2026-12-11", **answers)
    return env.store.cases.file_referral(referral, actor=REFERRER, now=at(D(2026, 12, 14))).reference


def incident_duty(env: NotifyEnv, reference: str) -> DeadlineState | None:
    case = env.store.cases.get_case(reference, actor=STAFF, now=at(D(2026, 12, 14), 12))
    found = [d.state for d in case.deadlines if d.computed.rule == "ofsted_incident_notification"]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("answers", "duty", "drafted", "says"),
    [
        ({}, DeadlineState.OPEN, True, "s.16C(1)(a)"),  # harmed in the area, abuse suspected
        ({"incident.in_area": "no", "incident.outside_england": "yes"}, DeadlineState.OPEN, True, "s.16C(1)(b)"),
        (
            {"criteria.abuse_or_neglect": "no", "criteria.child_died": "yes", "incident.looked_after": "yes"},
            DeadlineState.OPEN,
            True,
            "s.16C(2)",
        ),
        ({"criteria.abuse_or_neglect": "unknown"}, DeadlineState.OPEN, False, "the business unit confirms"),
        ({"criteria.abuse_or_neglect": "no"}, None, False, "Not a notifiable incident"),
    ],
    ids=["seriously_harmed", "outside_england", "looked_after", "not_known", "not_notifiable"],
)
def test_the_triage_decides_the_duty_and_the_draft(
    env: NotifyEnv, answers: dict[str, Any], duty: DeadlineState | None, drafted: bool, says: str
) -> None:
    wiring.case_notices(env.store, env.outbox)  # the channel notice, as the service wires it
    reference = file(env, **answers)
    assert incident_duty(env, reference) is duty
    drafts = [m for m in env.outbox.list(statuses=[OutboxStatus.DRAFT]) if m.kind == "serious_incident_notification"]
    assert len(drafts) == (1 if drafted else 0)
    env.dispatch(at(D(2026, 12, 14), 12))
    [notice] = [text for _, text in env.chat.posts if reference in text and "New referral" in text]
    assert says in notice
