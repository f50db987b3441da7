"""What a person did outside the bot, recorded (cases/outside.py): a notification made on the national online
form or sent by hand meets the rule the pack says it discharges; the Panel's response is recorded with its
date. Every refusal names its field or reason. No database."""

from __future__ import annotations

from datetime import date

import pytest

from cases.apply import apply, needs
from cases.case import DeadlineState
from cases.changes import AuditNote
from cases.commands import RecordPanelResponse, RecordSubmission
from cases.events import CaseEvent, CaseStatus, PanelResponse
from cases.packs import bundled_pack
from cases.snapshot import rule_part
from cases.timeline import DeadlineKey, EventRecord
from errors import BadInput, Conflict, NotFound, Refused
from tests.cases.test_apply import BOARD, ENGLAND, HACKNEY, NOW, RECEIVED, TODAY, case
from tests.factories import REFERRER, STAFF

WT2023 = bundled_pack("wt2023")
EVENTS = {CaseEvent.REFERRAL_RECEIVED: EventRecord(RECEIVED), CaseEvent.INCIDENT_AWARE: EventRecord(RECEIVED)}


def test_the_portal_submission_meets_panel_notification_on_its_date() -> None:
    submitted_on = date(2026, 11, 26)
    changes = apply(
        case(events=EVENTS, pack=WT2023),
        RecordSubmission("", submitted_on, "SIN-2026-04217"),
        actor=STAFF,
        board=BOARD,
        calendar=ENGLAND,
        now=NOW,
    )
    [mark] = changes.marked
    assert (mark.key, mark.state, mark.met_on) == (DeadlineKey("panel_notification"), DeadlineState.MET, submitted_on)
    assert changes.audit == AuditNote(
        "notification.recorded",
        {
            "template": "serious_incident_notification_form",
            "via": "portal",
            "rule": "panel_notification",
            "on": submitted_on,
            "reference": "SIN-2026-04217",
        },
    )
    # Only that rule's deadline is needed from the store.
    bare = case(events=EVENTS, pack=WT2023).with_part(rule_part("x", None))
    assert needs(bare, RecordSubmission("", submitted_on, "X")) == ()


def test_the_rapid_review_sent_by_hand_meets_rapid_review() -> None:
    command = RecordSubmission("rapid_review_to_panel", TODAY)
    changes = apply(case(events=EVENTS, pack=WT2023), command, actor=STAFF, board=BOARD, calendar=ENGLAND, now=NOW)
    assert [m.key.rule for m in changes.marked] == ["rapid_review"]


@pytest.mark.parametrize(
    ("command", "pack", "status", "actor", "kind", "says"),
    [
        (RecordSubmission("", TODAY, ""), WT2023, CaseStatus.REFERRED, STAFF, BadInput, "portal reference"),
        (RecordSubmission("", TODAY, "a b;c"), WT2023, CaseStatus.REFERRED, STAFF, BadInput, "letters, digits"),
        (RecordSubmission("", date(2026, 12, 11), "X1"), WT2023, CaseStatus.REFERRED, STAFF, BadInput, "future"),
        (RecordSubmission("nothing", TODAY, "X1"), WT2023, CaseStatus.REFERRED, STAFF, NotFound, "no notification"),
        (RecordSubmission("", TODAY, "X1"), HACKNEY, CaseStatus.REFERRED, STAFF, NotFound, "it has: none"),
        (RecordSubmission("", TODAY, "X1"), WT2023, CaseStatus.CLOSED, STAFF, Conflict, "closed"),
        (RecordSubmission("", TODAY, "X1"), WT2023, CaseStatus.REFERRED, REFERRER, Refused, ""),
        (RecordPanelResponse(PanelResponse.AGREES, TODAY), WT2023, CaseStatus.REFERRED, REFERRER, Refused, ""),
    ],
    ids=["no_reference", "bad_reference", "future", "unknown_form", "pack_has_none", "closed", "referrer", "panel"],
)
def test_refusals(
    command: RecordSubmission | RecordPanelResponse,
    pack: object,
    status: CaseStatus,
    actor: object,
    kind: type[Exception],
    says: str,
) -> None:
    snapshot = case(events=EVENTS, pack=pack, status=status)  # type: ignore[arg-type]
    with pytest.raises(kind, match=says or None):
        apply(snapshot, command, actor=actor, board=BOARD, calendar=ENGLAND, now=NOW)  # type: ignore[arg-type]


def test_the_panels_response_is_recorded_with_its_date() -> None:
    command = RecordPanelResponse(PanelResponse.ASKS_QUESTIONS, TODAY)
    changes = apply(case(events=EVENTS, pack=WT2023), command, actor=STAFF, board=BOARD, calendar=ENGLAND, now=NOW)
    assert changes.events == ((CaseEvent.PANEL_RESPONDED, EventRecord(TODAY)),)
    assert changes.audit == AuditNote("panel.responded", {"response": "asks_questions", "on": TODAY})
    assert not changes.touches_deadlines
