"""Which board an activity belongs to, by its Microsoft 365 tenant.

- Single tenant (the default): the board's own app registration, in its own tenant. The tenant is the
  board's `[teams] tenant_id`, or the registration's (`SCRBOT_TEAMS_TENANT_ID`) when the board leaves it out.
- Multi-tenant: one registration serves a hosted service's boards; each board names its tenant in
  `[teams] tenant_id`, and an activity from a tenant no board names is refused.

The directory maps tenant -> board id for any number of boards (issue 15 gives one deployment many boards;
today it holds the one board the process serves). Its sign-in tenant is the registration's tenant (single)
or the Bot Framework's (multi), as Microsoft's connector expects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.boards import refuse_shared
from bot.settings import Settings
from bot.teams.tokens import BOTFRAMEWORK_TENANT
from cases.board import BoardConfig
from errors import BadInput


class TeamsSettingsError(BadInput):
    """The Teams settings or the boards' `[teams]` sections do not fit together."""


@dataclass(frozen=True)
class TenantDirectory:
    multi_tenant: bool
    sign_in_tenant: str
    boards: Mapping[str, str]  # tenant id (lower case) -> board id

    def board_for(self, tenant_id: str) -> str | None:
        return self.boards.get(tenant_id.lower()) if tenant_id else None

    def tenant_of(self, board_id: str) -> str:
        return next((t for t, b in self.boards.items() if b == board_id), "")

    @classmethod
    def build(cls, settings: Settings, boards: Iterable[BoardConfig]) -> TenantDirectory:
        multi = settings.teams_app_type == "multi_tenant"
        tenants: list[tuple[str, str]] = []  # (board id, tenant)
        for board in boards:
            if "teams" not in board.front_ends:
                continue
            tenant = (board.teams.tenant_id or ("" if multi else settings.teams_tenant_id)).lower()
            if not tenant:
                raise TeamsSettingsError(
                    f"board {board.id}: [teams] tenant_id is needed"
                    + (" (multi-tenant: it maps the tenant to the board)" if multi else " or SCRBOT_TEAMS_TENANT_ID")
                )
            tenants.append((board.id, tenant))
        # The board walls' own check (bot/boards.py), as for a Slack workspace or a mailbox.
        what = "[teams] tenant_id" if multi else "[teams] tenant_id (or SCRBOT_TEAMS_TENANT_ID, where left out)"
        refuse_shared(what, tenants, TeamsSettingsError)
        mapping = {tenant: board_id for board_id, tenant in tenants}
        if not multi:
            if not settings.teams_tenant_id:
                raise TeamsSettingsError("SCRBOT_TEAMS_TENANT_ID is needed for a single-tenant registration")
            if len(mapping) > 1:
                raise TeamsSettingsError(
                    "a single-tenant registration serves one tenant; set SCRBOT_TEAMS_APP_TYPE=multi_tenant"
                )
            stray = [t for t in mapping if t != settings.teams_tenant_id.lower()]
            if stray:
                raise TeamsSettingsError(
                    "a single-tenant registration only serves its own tenant: [teams] tenant_id must be "
                    "SCRBOT_TEAMS_TENANT_ID (or left out)"
                )
        sign_in = BOTFRAMEWORK_TENANT if multi else settings.teams_tenant_id
        return cls(multi_tenant=multi, sign_in_tenant=sign_in, boards=mapping)


def tenant_of_activity(channel_data: Any, conversation_tenant: str | None) -> str:
    """Teams puts the tenant in `conversation.tenantId` and `channelData.tenant.id`; they agree when both."""
    if conversation_tenant:
        return conversation_tenant
    if isinstance(channel_data, dict):
        tenant = channel_data.get("tenant")
        if isinstance(tenant, dict):
            return str(tenant.get("id") or "")
    return ""
