"""The Slack app factory. Each feature module has `register(app, services)`; add a module to `FEATURES` (or
pass `features=`) to give the app more handlers."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.settings import Settings
from bot.slack import (
    agency_report_modal,
    app_home,
    business_unit,
    cost_modal,
    installs,
    notifications,
    referral_flow,
    submissions,
    withhold_modal,
)
from bot.slack.dedupe import drop_repeated_events
from bot.slack.deferral import AfterResponseExecutor
from bot.slack.services import SlackServices
from storage.slack_installs import SlackInstallations

FEATURES: list[ModuleType] = [
    referral_flow,
    business_unit,
    cost_modal,
    agency_report_modal,
    withhold_modal,
    app_home,
    notifications,
    submissions,
]


def make_client(settings: Settings) -> WebClient:
    kwargs: dict[str, Any] = {"token": settings.slack_bot_token or None}  # install mode: none (bot/slack/installs.py)
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url
    return WebClient(**kwargs)


def build_slack_app(
    services: SlackServices,
    settings: Settings,
    client: WebClient,
    *,
    features: Sequence[ModuleType] | None = None,
    workers: int | None = None,
    installations: SlackInstallations | None = None,
) -> App:
    """A bolt app that acknowledges in the request thread (`process_before_response`) and does the work in
    lazy listeners on its own pool, so acknowledgements never wait behind work. In install mode each request
    is authorized from the installations of the boards it serves (`installations`; default: this board's)."""
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or None,
        process_before_response=True,
        listener_executor=AfterResponseExecutor(
            max_workers=workers or settings.slack_workers, thread_name_prefix="scrbot-slack"
        ),
        # Socket Mode has no signatures to check (the connection itself is authenticated).
        request_verification_enabled=bool(settings.slack_signing_secret),
        name="scrbot",
        **installs.app_options(settings, services.store, services.clock, installations=installations),
    )
    app.middleware(drop_repeated_events(services.deliveries, services.clock))
    for feature in features if features is not None else FEATURES:
        feature.register(app, services)

    def ignore(ack: Ack) -> None:
        ack()

    # Messages elsewhere (channels the bot is in, edits, its own posts) need no answer.
    app.event("message")(ignore)
    if settings.slack_install_mode:
        app.enable_token_revocation_listeners()  # app_uninstalled, tokens_revoked: the installation goes
    else:  # one workspace's token: nothing is kept to delete
        app.event("app_uninstalled")(ignore)
        app.event("tokens_revoked")(ignore)
    if services.worker is not None:
        services.worker.start()  # stopped by services.close()
    return app
