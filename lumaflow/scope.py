"""Which backend a command talks to, as the cache scope string both plan and apply use.

Real-API and simulator results never share cache entries, so the lock is split by
scope: "simulator" for the embedded simulator, otherwise the normalised base URL.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from lumaflow.errors import UsageError

SIMULATOR = "simulator"
DEFAULT_API_URL = "https://agents.lumalabs.ai/v1"
API_KEY_VAR = "LUMA_AGENTS_API_KEY"
BASE_URL_VAR = "LUMA_BASE_URL"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, drop a default port and trailing slashes.

    So `HTTPS://Agents.LumaLabs.ai:443/v1/` and `https://agents.lumalabs.ai/v1` share
    one cache scope.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise UsageError(f"API URL must be http:// or https:// with a host, got {url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError(f"API URL must not carry credentials, a query or a fragment: {url!r}")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        raise UsageError(f"API URL has an invalid port: {url!r}") from None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def resolve_scope(*, simulator: bool, api_url: str | None, environ: Mapping[str, str]) -> str:
    """The design's rule: --simulator, else --api-url, else a set API key means the real
    API (LUMA_BASE_URL or the default), else the embedded simulator."""
    if simulator and api_url is not None:
        raise UsageError("--simulator and --api-url exclude each other")
    if simulator:
        return SIMULATOR
    if api_url is not None:
        return normalise_url(api_url)
    if environ.get(API_KEY_VAR):
        return normalise_url(environ.get(BASE_URL_VAR) or DEFAULT_API_URL)
    return SIMULATOR


def is_simulator(scope: str) -> bool:
    return scope == SIMULATOR


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address: a local server, not a service on the network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
