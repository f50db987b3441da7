"""The bot's own sign-in, for its replies and proactive messages: client credentials with msal, against the
configured authority (`SCRBOT_TEAMS_AUTHORITY`) and tenant.

The Agents SDK's MsalAuth builds its msal application with authority validation on, so msal would ask
login.microsoftonline.com to vouch for any other authority (a sovereign cloud, or the test's local one); and
it uses msal's default HTTP session, which ignores a configured CA file. This provider is the same msal call
(`acquire_token_for_client`, tokens cached by msal) on an httpx client we configure, as mail/graph.py does
for Graph. It plugs into the SDK through its own seams: `AccessTokenProviderBase` and `Connections`.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from typing import Any

import httpx
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    ClaimsIdentity,
    Connections,
)

from errors import Unavailable

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
# Multi-tenant bots sign in through the Bot Framework's own tenant; single-tenant ones through their own.
BOTFRAMEWORK_TENANT = "botframework.com"


class SignInFailed(Unavailable):
    """The bot could not get a token for its own calls (wrong secret, unknown app, sign-in unreachable)."""


def verify_for(ca_bundle: str) -> ssl.SSLContext | bool:
    if not ca_bundle:
        return True
    context = ssl.create_default_context(cafile=ca_bundle)
    return context


class EntraTokenProvider(AccessTokenProviderBase):
    def __init__(
        self, *, app_id: str, secret: str, tenant: str, authority: str = DEFAULT_AUTHORITY, ca_bundle: str = ""
    ) -> None:
        self.app_id = app_id
        self._secret = secret
        self.tenant = tenant
        self.authority = authority.rstrip("/")
        self._http = httpx.Client(timeout=15.0, verify=verify_for(ca_bundle))
        self._app: Any = None
        self._lock = threading.Lock()
        self._configuration = AgentAuthConfiguration(
            client_id=app_id, tenant_id=tenant, authority=f"{self.authority}/{tenant}"
        )

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    def token(self, scope: str) -> str:
        """A token for `scope` (cached by msal until shortly before it expires)."""
        import msal

        with self._lock:
            try:
                if self._app is None:
                    custom = self.authority != DEFAULT_AUTHORITY
                    self._app = msal.ConfidentialClientApplication(
                        self.app_id,
                        client_credential=self._secret,
                        authority=f"{self.authority}/{self.tenant}",
                        validate_authority=not custom,
                        instance_discovery=False if custom else None,
                        http_client=self._http,
                    )
                result = self._app.acquire_token_for_client(scopes=[scope])
            except Exception as exc:  # noqa: BLE001 - msal raises ValueError and transport errors
                raise SignInFailed(f"Teams sign-in failed ({type(exc).__name__})") from None
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            error = result.get("error", "no token") if isinstance(result, dict) else "no token"
            raise SignInFailed(f"Teams sign-in failed ({str(error)[:60]})")
        return str(token)

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        scope = scopes[0] if scopes else f"{resource_url.rstrip('/')}/.default"
        return await asyncio.to_thread(self.token, scope)

    def get_token_credential(self) -> Any:  # pragma: no cover - only for Azure SDK clients, which we do not use
        raise NotImplementedError

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:  # pragma: no cover
        raise NotImplementedError("the bot acts as itself only")

    async def get_agentic_application_token(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError("agentic identities are not used")

    async def get_agentic_instance_token(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError("agentic identities are not used")

    async def get_agentic_user_token(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError("agentic identities are not used")

    def close(self) -> None:
        self._http.close()


class BotConnections(Connections):
    """The SDK's connection manager, with one connection: the bot's registration."""

    def __init__(self, provider: EntraTokenProvider) -> None:
        self.provider = provider

    def get_connection(self, connection_name: str) -> AccessTokenProviderBase:
        return self.provider

    def get_default_connection(self) -> AccessTokenProviderBase:
        return self.provider

    def get_token_provider(self, claims_identity: ClaimsIdentity, service_url: str) -> AccessTokenProviderBase:
        return self.provider

    def get_token_provider_from_activity(
        self, claims_identity: ClaimsIdentity, activity: Activity
    ) -> AccessTokenProviderBase:
        return self.provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return self.provider.configuration
