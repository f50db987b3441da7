"""Who hears about what: the addresses and Slack targets of each audience, from the board config."""

from __future__ import annotations

from dataclasses import dataclass

from cases.actor import Role
from cases.board import BoardConfig, Member
from notify.ladder import Audience


@dataclass(frozen=True)
class Targets:
    """Where one audience's messages go. `summary` names who, without any address."""

    emails: tuple[str, ...]
    chat: tuple[str, ...]
    summary: str


def _emails(members: list[Member]) -> tuple[str, ...]:
    return tuple(sorted({m.email.lower() for m in members if m.email}))


@dataclass(frozen=True)
class Routing:
    board: BoardConfig
    # Local mode has no Slack: chat messages go to the console under this name when nobody else is set.
    console_target: str = ""

    def business_unit(self) -> Targets:
        members = self.board.members_with(Role.BUSINESS_UNIT)
        email = self.board.reminders.business_unit_email
        emails = (email,) if email else _emails(members)
        # The channel never sees personal data, and reminders carry none, so the channel is preferred (Slack's,
        # Teams', or both).
        chat = self.board.business_unit_chat() or self.board.chat_ids(members)
        if not chat and self.console_target:
            chat = (self.console_target,)
        return Targets(emails, chat, "business_unit")

    def escalation(self, audience: Audience) -> Targets:
        members = self.board.members_with(Role.CHAIR) if audience is Audience.CHAIR else self.board.board_managers()
        chat = self.board.chat_ids(members)  # direct messages to the person, in each front end
        if not chat and self.console_target:
            chat = (self.console_target,)
        return Targets(_emails(members), chat, audience.value)

    def agency(self, agency_id: str) -> Targets:
        try:
            agency = self.board.agency(agency_id)
        except KeyError:
            return Targets((), (), f"agency:{agency_id}")
        return Targets((agency.send_to,), (), f"agency:{agency_id}")

    def agency_board_member(self, agency_id: str) -> Targets:
        """The agency's board member (its `board_member` in the board config): nobody when not given."""
        try:
            member = self.board.agency(agency_id).board_member
        except KeyError:
            member = ""
        return Targets((member,) if member else (), (), f"agency_board_member:{agency_id}")

    def _board_itself(self) -> tuple[str, ...]:
        return _emails(self.board.board_managers()) or self.business_unit().emails

    def statutory(self, *keys: str) -> tuple[list[str], str]:
        """Addresses of the statutory recipients named (004 §5.3 by default) and a summary without them."""
        chosen = [k for k in keys if k in self.board.addressed_roles()]
        emails: list[str] = []
        for key in chosen:
            recipient = self.board.statutory_recipients.get(key)
            # Only the board itself may be addressed without [statutory_recipients]: its managers, else the
            # business unit.
            emails += [recipient.email] if recipient else list(self._board_itself())
        return emails, "statutory:" + ",".join(chosen)
