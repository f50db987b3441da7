"""Who may post to the messaging endpoint: requests from the Bot Framework channel service, each carrying a
JWT bearer token that we check ourselves with PyJWT.

The Agents SDK's own validator (microsoft_agents.hosting.core JwtTokenValidator) fetches signing keys from
fixed Microsoft URLs (login.botframework.com, login.microsoftonline.com), so it cannot be pointed at the key
endpoint a deployment (or a test) configures; it also accepts a token without an expiry. This one follows the
Bot Framework's rules for channel tokens (connector authentication, "Bot Connector service to bot"):

- the OpenID metadata at `SCRBOT_TEAMS_OPENID_METADATA_URL` names the key set (`jwks_uri`); keys are cached
  and fetched again when a token names a key id we do not have (rotation), at most once a minute;
- RS256 only, signed by a key in that set whose `endorsements` include the activity's channel ("msteams");
- `iss` is the channel service (`SCRBOT_TEAMS_TOKEN_ISSUER`), `aud` is our app id, `exp` and `nbf` present
  and current (5 minutes' clock skew, as the Bot Framework allows);
- the `serviceurl` claim equals the activity's `serviceUrl`, so a token cannot send our replies (and our own
  token) to another host.

A refusal names no claim values in the log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from errors import Refused, Unavailable

log = logging.getLogger("scrbot.teams")

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 300
KEYS_REFRESH_SECONDS = 24 * 3600
UNKNOWN_KID_RETRY_SECONDS = 60


class TokenRefused(Refused):
    """The request's bearer token is missing, malformed, expired, wrongly signed or not for us."""


@dataclass(frozen=True)
class SigningKey:
    key: PyJWK
    endorsements: frozenset[str]


@dataclass
class KeySet:
    """The channel service's signing keys, from its OpenID metadata; thread-safe."""

    metadata_url: str
    http: httpx.Client
    clock: Callable[[], float] = time.monotonic
    _keys: dict[str, SigningKey] = field(default_factory=dict)
    _fetched_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _fetch(self) -> None:
        try:
            metadata = self.http.get(self.metadata_url).raise_for_status().json()
            jwks = self.http.get(str(metadata["jwks_uri"])).raise_for_status().json()
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise Unavailable(f"cannot read the Bot Framework signing keys ({type(exc).__name__})") from None
        keys: dict[str, SigningKey] = {}
        for data in jwks.get("keys", []):
            if not isinstance(data, dict) or "kid" not in data:
                continue
            try:
                keys[str(data["kid"])] = SigningKey(PyJWK(data), frozenset(data.get("endorsements") or ()))
            except jwt.PyJWTError:
                continue  # a key type we cannot use; the others still count
        self._keys = keys
        self._fetched_at = self.clock()

    @property
    def count(self) -> int:
        return len(self._keys)

    def get(self, kid: str) -> SigningKey | None:
        with self._lock:
            now = self.clock()
            stale = self._fetched_at is None or now - self._fetched_at > KEYS_REFRESH_SECONDS
            unknown = kid not in self._keys and (
                self._fetched_at is None or now - self._fetched_at > UNKNOWN_KID_RETRY_SECONDS
            )
            if stale or unknown:
                self._fetch()
            return self._keys.get(kid)


@dataclass(frozen=True)
class ChannelTokenValidator:
    app_ids: frozenset[str]  # the audience: our app id (one registration serves every tenant)
    issuer: str
    keys: KeySet

    def validate(self, authorization: str | None, *, channel_id: str, service_url: str) -> dict[str, Any]:
        """The token's claims, or TokenRefused (the endpoint answers 401)."""
        if not authorization:
            raise TokenRefused("no Authorization header")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise TokenRefused("the Authorization header is not a bearer token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRefused("the bearer token is not a JWT") from None
        if header.get("alg") not in ALGORITHMS:
            raise TokenRefused("the token is not signed with RS256")
        signing = self.keys.get(str(header.get("kid", "")))
        if signing is None:
            raise TokenRefused("the token is signed by a key the channel service does not publish")
        if channel_id not in signing.endorsements:
            raise TokenRefused("the signing key is not endorsed for this channel")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=signing.key,
                algorithms=ALGORITHMS,
                audience=sorted(self.app_ids),
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "nbf", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused("the token is for another app") from None
        except jwt.InvalidIssuerError:
            raise TokenRefused("the token was not issued by the channel service") from None
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"the token is not valid ({type(exc).__name__})") from None
        if str(claims.get("serviceurl", "")).rstrip("/") != service_url.rstrip("/"):
            raise TokenRefused("the token's service URL is not the activity's")
        return claims
