"""Block Kit for cases: the channel notice (reference only), the case modal (personal data, authorised users
only), the meeting and decision modals."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.slack.text import escape
from cases.calendar import WorkingCalendar
from cases.case import Case
from cases.events import Outcome
from cases.status import Rag, rag

Blocks = list[dict[str, Any]]

OPEN_CASE = "bu_open_case"
RECORD_MEETING = "bu_record_meeting"
RECORD_DECISION = "bu_record_decision"
MEETING_MODAL = "bu_meeting_modal"
DECISION_MODAL = "bu_decision_modal"

RAG_EMOJI = {
    Rag.RED: ":red_circle:",
    Rag.AMBER: ":large_orange_circle:",
    Rag.GREEN: ":large_green_circle:",
    Rag.DONE: ":white_check_mark:",
}

OUTCOME_LABELS = {
    Outcome.SCR: "Serious Case Review",
    Outcome.MULTI_AGENCY_REVIEW: "Multi-agency review",
    Outcome.SINGLE_AGENCY_REVIEW: "Single agency review",
    Outcome.REFERRED_OTHER_BOARD: "Referred to another board",
    Outcome.NO_REVIEW: "No review",
    Outcome.OTHER: "Other",
}


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2990] + ("…" if len(text) > 2990 else "")}}


def case_buttons(reference: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": f"case:{reference}",
        "elements": [
            {"type": "button", "action_id": OPEN_CASE, "text": _plain("Open case"), "value": reference},
            {"type": "button", "action_id": RECORD_MEETING, "text": _plain("Sub-group meeting"), "value": reference},
            {"type": "button", "action_id": RECORD_DECISION, "text": _plain("Record decision"), "value": reference},
        ],
    }


def _d(value: date | None) -> str:
    return value.strftime("%-d %b %Y") if value else "not known"


def case_modal(case: Case, *, today: date, calendar: WorkingCalendar, amber: int) -> dict[str, Any]:
    blocks: Blocks = [_section(f"*{case.reference}* · {case.status.value.replace('_', ' ')}")]
    r = case.referral
    if r is None:
        blocks.append(_section("Personal data of this case has been purged after its retention period."))
    else:
        child = r.child.model_copy(update={k: escape(v) for k, v in r.child.model_dump().items() if type(v) is str})
        referrer = r.referrer
        age = f"born {_d(child.date_of_birth)}" if child.date_of_birth else f"age {child.age}"
        blocks += [
            _section(
                f"*Child:* {child.forenames} {child.last_name} ({age}, {child.gender.value.replace('_', ' ')})"
                + (f"\n*Address:* {child.home_address}" if child.home_address else "")
            ),
            _section(f"*Case outline:*\n{escape(r.case_outline)}"),
            _section(
                f"*Referred by:* {escape(referrer.name)}, {escape(referrer.role)}, {escape(referrer.agency)} "
                f"({escape(referrer.email)})\n"
                f"*Referral date:* {_d(r.referral_date)} · *Incident:* {_d(r.incident_date)} · "
                f"*LA aware:* {_d(r.la_aware_date)}\n"
                f"*Reasons:* "
                + "; ".join(
                    f"{x.kind.value.replace('_', ' ')}" + (f" ({escape(x.detail)})" if x.detail else "")
                    for x in r.reasons
                )
            ),
        ]
    if case.decision is not None:
        d = case.decision
        blocks.append(
            _section(
                f"*Decision:* {OUTCOME_LABELS[d.outcome]} on {_d(d.decided_on)}"
                + (f"\n*Rationale:* {escape(d.rationale)}" if d.rationale else "")
            )
        )
    lines = []
    for deadline in case.open_deadlines()[:20]:
        c = deadline.computed
        status = rag(deadline, today, calendar, amber_working_days=amber)
        who = f" ({c.agency})" if c.agency else ""
        lines.append(f"{RAG_EMOJI[status]} {c.rule}{who}: act by {_d(c.act_by)} ({c.source})")
    if lines:
        blocks.append(_section("*Open deadlines*\n" + "\n".join(lines)))
    waiting = case.agencies_not_confirmed()
    blocks.append(_section("*Agencies still to confirm records secured:* " + (", ".join(waiting) or "none")))
    records = [f"{c.agency_id}: {c.records_text}" for c in case.confirmations if c.records.answered]
    if records:
        blocks.append(_section("*Records:* " + "; ".join(records)))
    return {
        "type": "modal",
        "title": _plain("Case " + case.reference, 24),
        "close": _plain("Close"),
        "blocks": blocks[:100],
    }


def meeting_modal(reference: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": MEETING_MODAL,
        "private_metadata": reference,
        "title": _plain("Sub-group meeting", 24),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": [
            _section(f"Date the SCR sub-group meets about *{reference}* (004 §3.9)."),
            {
                "type": "input",
                "block_id": "on",
                "label": _plain("Meeting date"),
                "element": {"type": "datepicker", "action_id": "value"},
            },
        ],
    }


def decision_modal(reference: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": DECISION_MODAL,
        "private_metadata": reference,
        "title": _plain("Record decision", 24),
        "submit": _plain("Record"),
        "close": _plain("Cancel"),
        "blocks": [
            _section(
                f"The board's decision on *{reference}* (004 Appendix 1 §5). The bot records it; it never makes it."
            ),
            {
                "type": "input",
                "block_id": "outcome",
                "label": _plain("Outcome"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": [{"text": _plain(label), "value": o.value} for o, label in OUTCOME_LABELS.items()],
                },
            },
            {
                "type": "input",
                "block_id": "on",
                "label": _plain("Date of the decision"),
                "element": {"type": "datepicker", "action_id": "value"},
            },
            {
                "type": "input",
                "block_id": "by",
                "label": _plain("Decided by"),
                "optional": True,
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
            {
                "type": "input",
                "block_id": "rationale",
                "label": _plain("Rationale"),
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "detail",
                "label": _plain("Detail (other / which board)"),
                "optional": True,
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
        ],
    }


def submitted(values: dict[str, Any], block: str) -> str:
    """A value from a submitted modal's state (date picker, select or text input)."""
    element = (values.get(block) or {}).get("value") or {}
    if "selected_date" in element:
        return str(element.get("selected_date") or "")
    if "selected_option" in element:
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")
