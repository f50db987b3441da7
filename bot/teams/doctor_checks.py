"""`scrbot doctor`'s checks for Teams (registered by bot/doctor/teams_checks.py). Each returns (ok, one line):
the credentials obtain a token, the signing keys and the endpoint are reachable, the bot is installed in the
business unit's team."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.teams.auth import KeySet
from bot.teams.chat import channel_key
from bot.teams.tokens import verify_for
from bot.teams.wiring import TeamsRuntime
from errors import ScrBotError

CONNECTOR_SCOPE = "https://api.botframework.com/.default"
Finding = tuple[bool, str]


def check_credentials(runtime: TeamsRuntime) -> Finding:
    try:
        runtime.provider.token(CONNECTOR_SCOPE)
    except ScrBotError as exc:
        return False, f"{exc}: check SCRBOT_TEAMS_APP_ID, SCRBOT_TEAMS_APP_PASSWORD and the tenant"
    return True, f"signed in as the bot's registration (tenant {runtime.tenants.sign_in_tenant})"


def check_signing_keys(runtime: TeamsRuntime) -> Finding:
    settings = runtime.settings
    with httpx.Client(timeout=10.0, verify=verify_for(str(settings.teams_ca_bundle or ""))) as http:
        keys = KeySet(settings.teams_openid_metadata_url, http)
        try:
            keys.get("")
        except ScrBotError as exc:
            return False, str(exc)
        count = keys.count
    return (count > 0, f"{count} signing key(s) from {settings.teams_openid_metadata_url}")


def check_endpoint(runtime: TeamsRuntime) -> Finding:
    url = runtime.settings.teams_public_url.rstrip("/")
    if not url:
        return False, "SCRBOT_TEAMS_PUBLIC_URL is not set: Teams cannot be told where the bot is"
    try:
        verify = verify_for(str(runtime.settings.teams_ca_bundle or ""))
        answer = httpx.get(f"{url}/healthz", timeout=10.0, verify=verify)
    except httpx.HTTPError as exc:
        return False, f"{url}/healthz is not reachable ({type(exc).__name__})"
    if answer.status_code != 200:
        return False, f"{url}/healthz answered HTTP {answer.status_code}"
    return True, f"{url}/api/messages is reachable"


def check_installed(runtime: TeamsRuntime, run: Callable[..., object] = asyncio.run) -> Finding:
    board = runtime.services.store.board
    team = board.teams.team_id
    if not team:
        return False, "[teams] team_id is not set in the board config"
    address = runtime.services.addresses.find(channel_key(team))
    if address is None:
        return False, "the bot has not been added to the business unit's team yet (add the app to the team)"

    async def details() -> object:
        token = await runtime.provider.get_access_token("https://api.botframework.com", [CONNECTOR_SCOPE])
        client = TeamsConnectorClient(endpoint=address.service_url, token=token)
        try:
            return await client.fetch_team_details(team)
        finally:
            await client.close()

    try:
        run(details())
    except Exception as exc:  # noqa: BLE001 - the connector's refusal (not installed) or a network error
        return False, f"the connector would not describe the team ({type(exc).__name__}): is the app installed?"
    return True, "installed in the business unit's team"


CHECKS: list[tuple[str, Callable[[TeamsRuntime], Finding]]] = [
    ("teams sign-in", check_credentials),
    ("teams signing keys", check_signing_keys),
    ("teams endpoint", check_endpoint),
    ("teams installed", check_installed),
]
