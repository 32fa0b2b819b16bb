"""An httpx transport (sync and async) that answers in-process: no sockets, no threads.

Faults surface as the exceptions a real network would raise: a dropped connection is
`httpx.RemoteProtocolError`, a download slower than the client's read timeout is
`httpx.ReadTimeout`.
"""

from __future__ import annotations

import time

import httpx

from simulator.backend import Backend
from simulator.clock import ScaledClock, VirtualClock
from simulator.routes import SimRequest, SimResponse, handle


class SimTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Routes every request straight to a Backend; use with httpx.Client or AsyncClient."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        answer = handle(self.backend, _sim_request(request))
        wait = _delay(request, answer)
        if wait:
            self._block(wait)
        return _response(request, answer)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        answer = handle(self.backend, _sim_request(request))
        wait = _delay(request, answer)
        if wait:
            await self.backend.clock.sleep(wait)
        return _response(request, answer)

    def _block(self, seconds: float) -> None:
        clock = self.backend.clock
        if isinstance(clock, VirtualClock):
            clock.advance(seconds)
        elif isinstance(clock, ScaledClock):
            time.sleep(seconds * clock.time_scale)
        else:
            time.sleep(seconds)


def _sim_request(request: httpx.Request) -> SimRequest:
    url = request.url
    port = f":{url.port}" if url.port else ""
    return SimRequest(
        method=request.method,
        path=url.path,
        headers={name.lower(): value for name, value in request.headers.items()},
        body=request.content,
        query=url.query.decode("ascii", "replace"),
        base_url=f"{url.scheme}://{url.host}{port}",
    )


def _delay(request: httpx.Request, answer: SimResponse) -> float:
    """Seconds to wait before answering; the answer's delay, capped by the read timeout."""
    if answer.drop or not answer.delay:
        return 0.0
    timeout = request.extensions.get("timeout", {}).get("read")
    return min(answer.delay, timeout) if timeout is not None else answer.delay


def _response(request: httpx.Request, answer: SimResponse) -> httpx.Response:
    if answer.drop:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    timeout = request.extensions.get("timeout", {}).get("read")
    if answer.delay and timeout is not None and answer.delay > timeout:
        raise httpx.ReadTimeout("The read operation timed out", request=request)
    return httpx.Response(answer.status, headers=answer.headers, content=answer.body,
                          request=request)
