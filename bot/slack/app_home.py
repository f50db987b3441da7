"""The App Home: for the business unit, this year's compliance picture in a few lines (cases/figures/summary.py),
open cases with their next deadline (`act_by`), red/amber/green status and the agencies still to confirm, and
for a case under review which agency is at which step, the report's check, publication and the action plan
(bot/review_summary.py); for everyone else, their own referrals. No personal data either way."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock, Block
from slack_sdk.models.views import View

from bot.chat_texts import case_line, compliance_text
from bot.review_summary import IN_REVIEW, review_line
from bot.slack import case_views as views
from bot.slack.agency_report_modal import RECORD_AGENCY_REPORT
from bot.slack.blocks import actions, button, header, section
from bot.slack.conversation_blocks import start_block
from bot.slack.services import SlackServices
from bot.slack.withhold_modal import WITHHOLD_PUBLICATION
from cases.calendar import local_date
from storage.case_store import CaseSummary

log = logging.getLogger("scrbot.slack")


def _case_line(c: CaseSummary) -> str:
    return case_line(c, bold=lambda s: f"*{s}*", rag=views.RAG_EMOJI.__getitem__)


def _actions(reference: str, *, in_review: bool) -> ActionsBlock:
    """The case's buttons; under review, also the review's steps (bot/slack/agency_report_modal.py,
    bot/slack/withhold_modal.py)."""
    block = views._case_actions(reference)
    if not in_review:
        return block
    review = [
        button(RECORD_AGENCY_REPORT, "Agency report", reference),
        button(WITHHOLD_PUBLICATION, "Not publishing", reference),
    ]
    return actions(f"case:{reference}", [*(block.elements or []), *review])


def home_view(services: SlackServices, user: str) -> dict[str, Any]:
    actor = services.access.actor(user)
    today = local_date(services.clock.now())
    blocks: list[Block] = [header(services.store.board.name), start_block()]
    if actor.is_staff:
        blocks.append(section(compliance_text(services.store, today, bold=lambda s: f"*{s}*")))
        cases = services.store.cases.list_cases(today=today)
        blocks.append(section(f"*Open cases* ({len(cases)})"))
        for c in cases[:30]:  # a view holds 100 blocks
            blocks.append(section(_case_line(c)))
            review = review_line(services.store, c.reference, today=today) if c.status in IN_REVIEW else ""
            if review:
                blocks.append(section(review))
            blocks.append(_actions(c.reference, in_review=c.status in IN_REVIEW))
        if len(cases) > 30:
            blocks.append(section(f"…and {len(cases) - 30} more: `scrbot case list` shows them all."))
    else:
        mine = services.store.cases.list_cases(today=today, actor=actor)
        blocks.append(section(f"*Your referrals* ({len(mine)})"))
        blocks += [section(f"*{c.reference}* · {c.status.value.replace('_', ' ')}") for c in mine[:40]]
    view: dict[str, Any] = View(type="home", blocks=blocks[: View.blocks_max_length]).to_dict()
    return view


def register(app: App, services: SlackServices) -> None:
    def ack_only(ack: Ack) -> None:
        ack()

    def publish(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event["user"])
        client.views_publish(user_id=user, view=home_view(services, user))

    app.event("app_home_opened")(ack=ack_only, lazy=[publish])
