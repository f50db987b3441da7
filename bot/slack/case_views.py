"""Block Kit for cases: the channel notice (reference only), the case modal (personal data, authorised users
only), the meeting and decision modals."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    StaticSelectElement,
)

from bot.slack.blocks import actions, button, modal, option, plain, section
from bot.slack.text import escape
from cases.calendar import WorkingCalendar
from cases.case import Case
from cases.events import Outcome
from cases.status import Rag, rag

OPEN_CASE = "bu_open_case"
RECORD_MEETING = "bu_record_meeting"
RECORD_DECISION = "bu_record_decision"
RECORD_SUBMISSION = "bu_record_submission"  # bot/slack/submissions.py
MEETING_MODAL = "bu_meeting_modal"
DECISION_MODAL = "bu_decision_modal"
RECORD_COST = "bu_record_cost"  # bot/slack/cost_modal.py
COST_MODAL = "bu_cost_modal"

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


def _outcome_label(outcome: Outcome, review_name: str) -> str:
    if outcome is Outcome.SCR and review_name:
        return review_name[:1].upper() + review_name[1:]
    return OUTCOME_LABELS[outcome]


def _case_actions(reference: str) -> ActionsBlock:
    return actions(
        f"case:{reference}",
        [
            button(OPEN_CASE, "Open case", reference),
            button(RECORD_MEETING, "Sub-group meeting", reference),
            button(RECORD_DECISION, "Record decision", reference),
            # Made on the national online form (the wt2023 pack): bot/slack/submissions.py.
            button(RECORD_SUBMISSION, "Portal submission", reference),
            button(RECORD_COST, "Record cost", reference),
        ],
    )


def case_buttons(reference: str) -> dict[str, Any]:
    block: dict[str, Any] = _case_actions(reference).to_dict()
    return block


def _d(value: date | None) -> str:
    return value.strftime("%-d %b %Y") if value else "not known"


def case_modal(
    case: Case, *, today: date, calendar: WorkingCalendar, amber: int, review_name: str = ""
) -> dict[str, Any]:
    """`review_name`: what the case's rules pack calls a review (a wt2023 case: a local child safeguarding
    practice review, not a serious case review)."""
    blocks: list[Block] = [
        section(
            f"*{case.reference}* · {case.status.value.replace('_', ' ')} · rules {case.rules_pack} "
            f"(version {case.rules_pack_version})"
        )
    ]
    r = case.referral
    if r is None:
        blocks.append(section("Personal data of this case has been purged after its retention period."))
    else:
        child = r.child.model_copy(update={k: escape(v) for k, v in r.child.model_dump().items() if type(v) is str})
        referrer = r.referrer
        age = f"born {_d(child.date_of_birth)}" if child.date_of_birth else f"age {child.age}"
        blocks += [
            section(
                f"*Child:* {child.forenames} {child.last_name} ({age}, {child.gender.value.replace('_', ' ')})"
                + (f"\n*Address:* {child.home_address}" if child.home_address else "")
            ),
            section(f"*Case outline:*\n{escape(r.case_outline)}"),
            section(
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
            section(
                f"*Decision:* {_outcome_label(d.outcome, review_name)} on {_d(d.decided_on)}"
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
        blocks.append(section("*Open deadlines*\n" + "\n".join(lines)))
    waiting = case.agencies_not_confirmed()
    blocks.append(section("*Agencies still to confirm records secured:* " + (", ".join(waiting) or "none")))
    records = [f"{c.agency_id}: {c.records_text}" for c in case.confirmations if c.records.answered]
    if records:
        blocks.append(section("*Records:* " + "; ".join(records)))
    return modal(title="Case " + case.reference, blocks=blocks)


def _input(block_id: str, label: str, element: Any, *, optional: bool = False) -> InputBlock:
    return InputBlock(
        block_id=block_id, label=plain(label, InputBlock.label_max_length), element=element, optional=optional
    )


def meeting_modal(reference: str) -> dict[str, Any]:
    return modal(
        title="Sub-group meeting",
        submit="Save",
        close="Cancel",
        callback_id=MEETING_MODAL,
        private_metadata=reference,
        blocks=[
            section(f"Date the SCR sub-group meets about *{reference}* (004 §3.9)."),
            _input("on", "Meeting date", DatePickerElement(action_id="value")),
        ],
    )


def decision_modal(reference: str) -> dict[str, Any]:
    outcomes = StaticSelectElement(
        action_id="value", options=[option(o.value, label) for o, label in OUTCOME_LABELS.items()]
    )
    return modal(
        title="Record decision",
        submit="Record",
        close="Cancel",
        callback_id=DECISION_MODAL,
        private_metadata=reference,
        blocks=[
            section(
                f"The board's decision on *{reference}* (004 Appendix 1 §5). The bot records it; it never makes it."
            ),
            _input("outcome", "Outcome", outcomes),
            _input("on", "Date of the decision", DatePickerElement(action_id="value")),
            _input("by", "Decided by", PlainTextInputElement(action_id="value"), optional=True),
            _input("rationale", "Rationale", PlainTextInputElement(action_id="value", multiline=True)),
            _input("detail", "Detail (other / which board)", PlainTextInputElement(action_id="value"), optional=True),
        ],
    )


def submitted(values: dict[str, Any], block: str) -> str:
    """A value from a submitted modal's state (date picker, select or text input)."""
    element = (values.get(block) or {}).get("value") or {}
    if "selected_date" in element:
        return str(element.get("selected_date") or "")
    if "selected_option" in element:
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")
