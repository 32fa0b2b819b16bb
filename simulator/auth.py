"""API keys: bearer parsing, the four 401 answers, hooks to mark keys unknown/revoked/expired."""

from __future__ import annotations

import hashlib
from typing import Literal

from simulator.errors import SimError

KeyStatus = Literal["active", "unknown", "revoked", "expired"]
KEY_PREFIX = "luma-api-"

_DETAILS: dict[str, str] = {
    "unknown": "Invalid API key",
    "revoked": "API key has been revoked",
    "expired": "API key has expired",
}


class KeyRegistry:
    """Which keys exist, their status, and which API client each belongs to.

    With `open_keys` every well-formed key is an active key of its own client; tests mark
    keys otherwise, or group several keys under one client (jobs are visible client-wide).
    """

    def __init__(self, *, open_keys: bool = True) -> None:
        self.open_keys = open_keys
        self._status: dict[str, KeyStatus] = {}
        self._client: dict[str, str] = {}

    def set_key(self, key: str, status: KeyStatus = "active", *, client: str | None = None) -> None:
        self._status[key] = status
        if client is not None:
            self._client[key] = client

    def authenticate(self, authorization: str | None) -> str:
        """The client id for an `Authorization` header value, or a 401."""
        key = _bearer_token(authorization)
        status = self._status.get(key, "active" if self.open_keys else "unknown")
        if status != "active":
            raise SimError(401, _DETAILS[status])
        return self._client.get(key) or client_id(key)


def client_id(key: str) -> str:
    """A stable name for a key's client that does not reveal the key."""
    return "client-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _bearer_token(authorization: str | None) -> str:
    # "Bearer" is case-sensitive, and a token without the prefix is the same as no key.
    scheme, _, token = (authorization or "").partition(" ")
    if scheme != "Bearer" or not token.startswith(KEY_PREFIX) or len(token) == len(KEY_PREFIX):
        raise SimError(401, "Missing or invalid API key")
    return token
