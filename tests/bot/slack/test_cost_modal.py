"""Recording a review's cost from Slack: the case's "Record cost" button, the modal, refusals shown in the
modal itself, the cost recorded through the case rules and audited; strangers refused politely, audited."""

from __future__ import annotations

import json
from datetime import date

from bot.clock import FixedClock
from bot.slack import case_views as views
from cases.costs import CostKind
from cases.figures.period import reporting_year
from storage.store import Store
from tests.bot.slack.conftest import BU_CHANNEL, BU_USER, STRANGER_USER
from tests.factories import CHILD_LAST_NAME, REFERRER, SENSITIVE_STRINGS, make_referral
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import SlackBot


def _values(kind: str | None, amount: str, on: str | None, note: str = "") -> dict[str, object]:
    return {
        "kind": {"value": {"type": "static_select", "selected_option": {"value": kind} if kind else None}},
        "amount": {"value": {"type": "plain_text_input", "value": amount}},
        "on": {"value": {"type": "datepicker", "selected_date": on}},
        "note": {"value": {"type": "plain_text_input", "value": note or None}},
    }


def test_a_cost_recorded_from_the_modal(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.action(BU_USER, views.RECORD_COST, value=reference, channel=BU_CHANNEL))
        modal = fake.wait_count("views.open", 1)[0].params["view"]
        assert (modal["callback_id"], modal["private_metadata"]) == (views.COST_MODAL, reference)
        assert "no hourly rate set" in json.dumps(modal)

        def submit(values: dict[str, object]) -> dict[str, str]:
            status, body = r.post(r.view_submission(BU_USER, views.COST_MODAL, values, private_metadata=reference))
            assert status == 200
            return dict(json.loads(body)["errors"]) if body else {}

        assert submit(_values(None, "10", None)) == {
            "kind": "Choose what the cost is for.",
            "on": "Choose the date the cost was incurred.",
        }
        assert "not a number" in submit(_values("reviewer_fees", "lots", "2026-11-20"))["amount"]
        assert "no hourly rate" in submit(_values("panel_hours", "3", "2026-11-20"))["amount"]
        assert "in the future" in submit(_values("other", "3", "2026-12-01"))["on"]
        named = submit(_values("other", "30", "2026-11-20", note=f"taxi for the {CHILD_LAST_NAME} family"))
        assert "personal data" in named["note"] and CHILD_LAST_NAME not in named["note"]
        assert submit(_values("reviewer_fees", "1,250.50", "2026-11-20", note="invoice 17")) == {}
    figures = store.figures(reporting_year("2026-27"), today=date(2026, 11, 22))
    [cost] = figures.costs
    assert (cost.reference, cost.pence[CostKind.REVIEWER_FEES], figures.total_cost_pence) == (
        reference,
        125_050,
        125_050,
    )
    with store.sessions() as s:
        recorded = [e for e in store.audit.entries(s, case_ref=reference) if e.action == "cost.recorded"]
    assert [(e.actor, e.detail["amount_pence"]) for e in recorded] == [(f"slack:{BU_USER}", 125_050)]
    for call in fake.calls():
        assert not any(s in call.text for s in SENSITIVE_STRINGS)


def test_a_stranger_is_refused_and_the_refusal_audited(store: Store, clock: FixedClock, fake: FakeSlack) -> None:
    reference = store.cases.file_referral(make_referral(), actor=REFERRER, now=clock.now()).reference
    with SlackBot(store, clock, fake) as bot:
        r = bot.requests
        r.post(r.action(STRANGER_USER, views.RECORD_COST, value=reference, channel=BU_CHANNEL))
        refusal = fake.wait_count("chat.postEphemeral", 1)[0]
        status, body = r.post(
            r.view_submission(
                STRANGER_USER, views.COST_MODAL, _values("other", "5", "2026-11-20"), private_metadata=reference
            )
        )
    assert "only members of the board's business unit" in refusal.params["text"]
    assert status == 200 and "only members" in json.loads(body)["errors"]["kind"]
    assert fake.calls("views.open") == []
    assert store.figures(reporting_year("2026-27"), today=date(2026, 11, 22)).costs == ()
    with store.sessions() as s:
        refused = [e.detail for e in store.audit.entries(s, case_ref=reference) if e.action == "access.refused"]
    assert refused == [{"attempted": "slack.record_cost"}, {"attempted": "slack.record_cost"}]
