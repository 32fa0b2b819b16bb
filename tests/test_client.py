"""The HTTP client against httpx.MockTransport fakes: headers, errors, the key's secrecy."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from lumaflow import wire
from lumaflow.client import LimitError, LumaClient, NotSentError, parse_retry_after
from lumaflow.errors import ApiError, TransportError

KEY = "luma-api-secret-123"
BASE = "https://api.test/v1"
GEN = {"id": "g-1", "state": "queued", "type": "image", "model": "uni-1", "output": []}
Handler = Callable[[httpx.Request], httpx.Response]


def run(handler: Handler, call: Callable[[LumaClient], Coroutine[Any, Any, Any]]) -> Any:
    async def go() -> Any:
        async with LumaClient(BASE, KEY, transport=httpx.MockTransport(handler)) as client:
            return await call(client)
    return asyncio.run(go())


REQUEST = wire.GenerationRequest(type="image", model="uni-1", prompt="a car")


def test_create_posts_json_with_bearer_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=GEN)

    gen = run(handler, lambda c: c.create(REQUEST))
    assert gen.id == "g-1" and gen.state == "queued"
    assert seen[0].method == "POST" and str(seen[0].url) == f"{BASE}/generations"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(seen[0].content) == REQUEST.body()


def test_get_polls_by_id() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/generations/g-1"
        return httpx.Response(200, json={**GEN, "state": "processing"})

    assert run(handler, lambda c: c.get("g-1")).state == "processing"


def test_download_never_sends_the_key_to_storage() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"\x89PNG...")

    data = run(handler, lambda c: c.download("https://storage.test/o.png?X-Amz-Signature=s"))
    assert data == b"\x89PNG..."
    assert "authorization" not in seen[0].headers


def test_error_carries_status_detail_request_id() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "Generation not found"},
                              headers={"X-Request-Id": "req-9"})

    with pytest.raises(ApiError) as info:
        run(handler, lambda c: c.get("nope"))
    assert (info.value.status, info.value.detail, info.value.request_id) == (
        404, "Generation not found", "req-9")
    assert "req-9" in str(info.value)


@pytest.mark.parametrize(("detail", "headers", "kind", "after"), [
    ("Rate limit exceeded", {"Retry-After": "7", "X-RateLimit-Remaining": "0"}, "rpm", 7.0),
    ("Too many concurrent jobs", {"Retry-After": "60"}, "concurrency", 60.0),
])
def test_429_kinds(detail: str, headers: dict[str, str], kind: str, after: float) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"detail": detail}, headers=headers)

    with pytest.raises(LimitError) as info:
        run(handler, lambda c: c.create(REQUEST))
    assert (info.value.kind, info.value.retry_after, info.value.status) == (kind, after, 429)


def test_dropped_connection_is_transport_error_without_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    with pytest.raises(TransportError) as info:
        run(handler, lambda c: c.create(REQUEST))
    assert not isinstance(info.value, NotSentError)
    assert info.value.status == 0 and "api.test" in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value)


def test_connect_failure_is_not_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(NotSentError):
        run(handler, lambda c: c.create(REQUEST))


def test_unreadable_success_is_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, content=b"oops")

    with pytest.raises(TransportError, match="unreadable answer"):
        run(handler, lambda c: c.create(REQUEST))


def test_key_not_in_repr() -> None:
    client = LumaClient(BASE, KEY)
    assert KEY not in repr(client)
    asyncio.run(client.aclose())


@pytest.mark.parametrize(("value", "date", "expected"), [
    ("5", None, 5.0), ("1.5", None, 1.5), (None, None, None), ("soon", None, None),
    ("Wed, 21 Oct 2026 07:28:30 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", 30.0),
    ("Wed, 21 Oct 2026 07:28:30 GMT", None, None),
])
def test_parse_retry_after(value: str | None, date: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, date) == expected


def test_5xx_with_api_body_is_api_error_but_bare_5xx_is_transport() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, json={"detail": "Upstream service unavailable"})

    def proxy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, content=b"<html>Bad Gateway</html>")

    with pytest.raises(ApiError) as info:
        run(api, lambda c: c.create(REQUEST))
    assert not isinstance(info.value, TransportError) and info.value.status == 502
    with pytest.raises(TransportError, match="may or may not"):
        run(proxy, lambda c: c.create(REQUEST))
