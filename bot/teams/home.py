"""The cases card: the Teams counterpart of the Slack App Home, sent in the personal chat when someone writes
*cases* (or presses the card's button). The business unit sees this year's compliance picture and every open
case with its red / amber / green status, the next deadline and its act-by date, and the agencies still to
confirm; everyone else sees their own referrals. No personal data either way."""

from __future__ import annotations

from microsoft_agents.activity import Activity
from microsoft_teams.cards import CardElement

from bot.chat_texts import case_line, compliance_text
from bot.teams import cards as c
from bot.teams.conversation_cards import start_actions
from bot.teams.services import TeamsServices
from cases.actor import Actor
from cases.calendar import local_date
from cases.status import Rag

CASES_WORDS = {"cases", "home", "open cases", "my referrals", "list"}
SHOWN = 30  # a card is bounded in size; `scrbot case list` has them all
RAG_WORDS = {Rag.RED: "🔴 Red", Rag.AMBER: "🟠 Amber", Rag.GREEN: "🟢 Green", Rag.DONE: "✅ Done"}


def cases_card(services: TeamsServices, actor: Actor) -> Activity:
    today = local_date(services.clock.now())
    board = services.store.board
    body: list[CardElement] = [c.text(board.name, bold=True, size="Medium"), start_actions()]
    if actor.is_staff:
        body.append(c.text(compliance_text(services.store, today, bold=lambda s: f"**{s}**")))
        cases = services.store.cases.list_cases(today=today)
        body.append(c.text(f"Open cases ({len(cases)})", bold=True))
        body += [c.text(case_line(k, bold=lambda s: f"**{s}**", rag=RAG_WORDS.__getitem__)) for k in cases[:SHOWN]]
        if len(cases) > SHOWN:
            body.append(c.text(f"…and {len(cases) - SHOWN} more: `scrbot case list` shows them all.", subtle=True))
    else:
        mine = services.store.cases.list_cases(today=today, actor=actor)
        body.append(c.text(f"Your referrals ({len(mine)})", bold=True))
        body += [c.text(f"**{k.reference}** · {k.status.value.replace('_', ' ')}") for k in mine[:SHOWN]]
    body.append(c.actions(c.submit("Refresh", c.CASES)))
    return c.message(f"{board.name}: cases", c.card(body))
