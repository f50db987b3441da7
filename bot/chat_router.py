"""One chat sender for the outbox, over every front end the board uses: a `teams:` target goes to Teams,
anything else to Slack (or, in local mode, the console). A board running both gets its channel notices in
both, because the notice's recipients name both channels (BoardConfig.business_unit_chat)."""

from __future__ import annotations

from typing import Protocol


class ChatPoster(Protocol):
    def post(self, target: str, text: str) -> str: ...


class TeamsPoster(Protocol):
    def handles(self, target: str) -> bool: ...

    def post(self, target: str, text: str, *, about: str = "") -> str: ...


class ChatFrontEnds:
    def __init__(self, other: ChatPoster, teams: TeamsPoster | None = None) -> None:
        self.other = other
        self.teams = teams

    def post(self, target: str, text: str, *, about: str = "") -> str:
        if self.teams is not None and self.teams.handles(target):
            return self.teams.post(target, text, about=about)
        return self.other.post(target, text)
