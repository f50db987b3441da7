"""Every board one process serves, each in its own context (bot/context.py): its board config, rules pack,
key ring, store, mailbox, chat and jobs. The settings, the clock and the database engine are shared.

`scrbot run` serves the deployment: every board's jobs in one scheduler, each job under the board's id, so
one board's failing job (a mailbox that cannot be reached) is logged by board and kind and never stops
another board's (notify/scheduler.py runs each job on its own). Other commands work on one board (`--board`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.context import AppContext

if TYPE_CHECKING:
    from slack_bolt.oauth import OAuthFlow

    from bot.slack.routing import BoardApps
    from bot.slack.services import SlackServices
    from notify.scheduler import JobRegistry

# Between a board's id and its job's name ("north/mailbox"): board ids are lower-case letters, digits, - and _.
JOB_SEPARATOR = "/"
REMINDERS_JOB = "reminders"  # with many boards, one job sweeps them all (not `<board id>/reminders`)


@dataclass
class Deployment:
    contexts: dict[str, AppContext]
    # The context the deployment was made from: it owns the engine, and its caller closes it.
    origin: AppContext | None = field(default=None, repr=False)

    @classmethod
    def of(cls, ctx: AppContext) -> Deployment:
        """The boards `ctx` stands for: its one board (one configured, or `--board` given), else every board,
        each in a context of its own that shares `ctx`'s settings, clock and engine."""
        if ctx.board_id is not None or not ctx.shares_deployment:
            return cls({ctx.board.id: ctx})
        contexts = {
            board_id: AppContext(
                settings=ctx.settings,
                clock=ctx.now_clock,
                json_output=ctx.json_output,
                board_id=board_id,
                known_boards=ctx.boards,
                shared_engine=ctx.engine,
            )
            for board_id in ctx.boards
        }
        # One Teams endpoint for every Teams board: the first hosts it, the others' activities are handed to
        # them by tenant (bot/teams/server.py).
        teams = [board for board in contexts.values() if "teams" in board.board.front_ends]
        for board in teams[1:]:
            board.teams_host = teams[0]
        return cls(contexts, origin=ctx)

    @property
    def many(self) -> bool:
        return len(self.contexts) > 1

    def __iter__(self) -> Iterator[AppContext]:
        return iter(self.contexts.values())

    @cached_property
    def jobs(self) -> JobRegistry:
        """Every board's periodic jobs; with many boards each is named `<board id>/<job>`, but for the reminder
        sweep: one `reminders` job over every board."""
        if not self.many:
            return next(iter(self)).jobs
        from notify.board_sweeps import sweep_boards
        from notify.scheduler import JobRegistry

        registry = JobRegistry()
        for board_id, ctx in self.contexts.items():
            for job in ctx.jobs.jobs():
                if job.name == REMINDERS_JOB:
                    continue  # one pass over every board instead, below
                name = f"{board_id}{JOB_SEPARATOR}{job.name}"
                registry.add(name, job.interval, job.run, misfire_grace=job.misfire_grace)
        # The reminder sweep: one question for the whole deployment, which boards have anything due, then
        # only those boards sweep (notify/board_sweeps.py; each board's failure logged by board).
        first = next(iter(self)).jobs.get(REMINDERS_JOB)
        sweeps = [ctx.notify.sweep for ctx in self]
        registry.add(
            REMINDERS_JOB, first.interval, lambda now: sweep_boards(sweeps, now), misfire_grace=first.misfire_grace
        )
        return registry

    def set_interval(self, job: str, interval: timedelta) -> None:
        """Change how often a job runs, for every board."""
        for periodic in self.jobs.jobs():
            if periodic.name == job or periodic.name.endswith(JOB_SEPARATOR + job):
                self.jobs.set_interval(periodic.name, interval)

    def slack_apps(self, **steps: Any) -> tuple[BoardApps, list[SlackServices]]:
        """One bolt app per board, each with that board's services, by the board's Slack workspace; the
        services are the caller's to close. `steps`: where the step worker runs (SlackServices.build)."""
        from bot.slack.app import build_slack_app
        from bot.slack.routing import BoardApps, require_workspaces

        require_workspaces([ctx.board.slack.team_id for ctx in self])
        apps = {}
        services: list[SlackServices] = []
        for ctx in self:
            services.append(ctx.slack_services(**steps))
            apps[ctx.board.slack.team_id] = build_slack_app(services[-1], ctx.settings, ctx.slack_client)
        return BoardApps.of(apps), services

    def slack_install_flow(self) -> OAuthFlow | None:
        """Install mode with many boards: the install pages over every board (each App's own flow knows its
        board alone); None with one board (its App's flow serves) or outside install mode."""
        if not self.many:
            return None
        from bot.slack.installs import deployment_flow

        first = next(iter(self))
        return deployment_flow(first.settings, [ctx.store for ctx in self], first.now_clock)

    def close(self) -> None:
        """Close the boards' own contexts (the origin, owning the engine, is its caller's to close)."""
        for ctx in self:
            if ctx is not self.origin:
                ctx.close()
