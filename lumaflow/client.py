"""Async HTTP client for the Luma API: create, get, download; errors become typed exceptions.

The client never retries: whether a request may be repeated is the executor's
decision (a POST has no idempotency key). The API key lives only in the
Authorization header of API requests; it never reaches the storage host or any
message.
"""

from __future__ import annotations

import email.utils
from types import TracebackType
from typing import Literal

import httpx

from lumaflow import __version__, wire
from lumaflow.errors import ApiError, TransportError

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)


class NotSentError(TransportError):
    """The request never left this machine (connecting failed): safe to repeat, even a POST."""


class LimitError(ApiError):
    """429: `kind` tells the requests-per-minute limit from the concurrent-jobs limit."""

    def __init__(self, detail: str, *, request_id: str | None, retry_after: float | None,
                 kind: Literal["rpm", "concurrency"] | None) -> None:
        super().__init__(429, detail, request_id=request_id, retry_after=retry_after)
        self.kind = kind


class LumaClient:
    """`async with LumaClient(url, key) as client: gen = await client.create(request)`."""

    def __init__(self, base_url: str, api_key: str, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        common = {"User-Agent": f"lumaflow/{__version__}", "Accept": "application/json"}
        self._api = httpx.AsyncClient(
            base_url=self.base_url, transport=transport, timeout=timeout,
            headers={**common, "Authorization": f"Bearer {api_key}"},
        )
        # A separate client for presigned storage URLs: no Authorization header there.
        self._storage = httpx.AsyncClient(transport=transport, timeout=timeout, headers=common,
                                          follow_redirects=True)

    def __repr__(self) -> str:
        return f"LumaClient({self.base_url!r})"

    async def __aenter__(self) -> LumaClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._storage.aclose()

    async def create(self, request: wire.GenerationRequest) -> wire.Generation:
        """POST /generations. TransportError (not NotSentError) means the job may exist."""
        response = await _send(self._api, "POST", "/generations", json=request.body())
        return _generation(response)

    async def get(self, generation_id: str) -> wire.Generation:
        response = await _send(self._api, "GET", f"/generations/{generation_id}")
        return _generation(response)

    async def download(self, url: str) -> bytes:
        """Fetch an output from its presigned URL (403 once it has expired)."""
        response = await _send(self._storage, "GET", url)
        return response.content


async def _send(client: httpx.AsyncClient, method: str, url: str,
                json: object | None = None) -> httpx.Response:
    try:
        response = await client.request(method, url, json=json)
    except (httpx.ConnectError, httpx.ConnectTimeout) as err:
        raise NotSentError(f"could not connect to {_host(client, url)}: {_reason(err)}") from err
    except httpx.HTTPError as err:
        raise TransportError(f"no answer from {_host(client, url)}: {_reason(err)}") from err
    if response.is_success:
        return response
    raise _error(response)


def _error(response: httpx.Response) -> ApiError:
    if response.status_code >= 500 and wire.api_error_detail(response.content) is None:
        # Not the API speaking (a proxy, a crash): the request may have been processed.
        raise TransportError(f"HTTP {response.status_code} without an API error body from "
                             f"{response.url.host}: the request may or may not have been handled")
    detail = wire.parse_error_detail(response.content)
    request_id = response.headers.get("x-request-id")
    retry_after = parse_retry_after(response.headers.get("retry-after"),
                                    response.headers.get("date"))
    if response.status_code == 429:
        return LimitError(detail, request_id=request_id, retry_after=retry_after,
                          kind=wire.limit_kind(detail))
    return ApiError(response.status_code, detail, request_id=request_id, retry_after=retry_after)


def _generation(response: httpx.Response) -> wire.Generation:
    try:
        return wire.parse_generation(response.content)
    except ValueError as err:
        # A 2xx we cannot read: for a POST the job may exist, so this is "no usable answer".
        raise TransportError(f"unreadable answer (HTTP {response.status_code}): {err}") from err


def parse_retry_after(value: str | None, date: str | None = None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (relative to the answer's Date)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        now = email.utils.parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return None
    if now is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _host(client: httpx.AsyncClient, url: str) -> str:
    target = httpx.URL(url) if "://" in url else client.base_url
    return target.host or "the server"


def _reason(err: httpx.HTTPError) -> str:
    # httpx messages name the URL at most; they never contain request headers.
    return type(err).__name__ + (f" ({err})" if str(err) else "")
