"""The socket adapter: a raw ASGI app over the routes, served by uvicorn on loopback."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from simulator.backend import Backend
from simulator.routes import SimRequest, SimResponse, handle

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# Where SimProtocol puts the connection's socket transport in each request's scope["state"].
TRANSPORT_KEY = "simulator.transport"


class SimASGIApp:
    """ASGI 3 app: reads the body (capped), calls the routes, writes or drops the answer."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body, oversize = await _read_body(receive, self.backend.config.max_body_bytes)
        answer = handle(self.backend, _sim_request(scope, body, oversize))
        if answer.drop:
            await _drop(scope, receive)
            return
        if answer.delay:
            await self.backend.clock.sleep(answer.delay)
        await _send(send, answer)


class SimProtocol(H11Protocol):
    """uvicorn's h11 protocol, exposing the socket so a fault can close it without an answer,
    and sending each answer's head and body in one segment."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalescing = _CoalescingTransport(transport, asyncio.get_running_loop())
        super().connection_made(coalescing)  # type: ignore[arg-type]
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}


class _CoalescingTransport:
    """Holds writes until the end of the current loop step, then sends them as one.

    uvicorn writes the head and the body of an answer separately; as two segments they
    cost clients (httpx among them) an extra wake-up, often a delayed-ACK wait.
    """

    def __init__(self, inner: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._inner = inner
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(bytes(data))

    def close(self) -> None:
        self._flush()
        self._inner.close()

    def abort(self) -> None:
        self._pending.clear()
        self._inner.abort()

    def _flush(self) -> None:
        if self._pending and not self._inner.is_closing():
            self._inner.write(b"".join(self._pending))
        self._pending.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def uvicorn_config(app: SimASGIApp, *, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(app, http=SimProtocol, lifespan="off", log_level=log_level,
                          access_log=False, proxy_headers=False, timeout_graceful_shutdown=2)


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; binding first tells us the port before the server runs."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this: without it a small answer waits ~40 ms for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


class ServerThread:
    """The served simulator in a background thread (tests, benchmarks): start(), then stop()."""

    def __init__(self, backend: Backend, host: str = "127.0.0.1", port: int = 0) -> None:
        self.backend = backend
        self._sock = bind(host, port)
        self.url = base_url(self._sock)  # without /v1
        self.app = SimASGIApp(backend)  # swap `app.backend` to reuse one server across tests
        self._server = uvicorn.Server(uvicorn_config(self.app))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]}, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive, cap: int) -> tuple[bytes, bool]:
    """The request body, or what was read of it once it passes `cap` (then True)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _sim_request(scope: Scope, body: bytes, oversize: bool) -> SimRequest:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    host = headers.get("host") or "{}:{}".format(*scope["server"][:2])
    return SimRequest(method=scope["method"], path=scope["path"], headers=headers, body=body,
                      query=scope.get("query_string", b"").decode("latin-1"),
                      base_url=f"{scope.get('scheme', 'http')}://{host}", oversize=oversize)


async def _drop(scope: Scope, receive: Receive) -> None:
    transport = scope.get("state", {}).get(TRANSPORT_KEY)
    if transport is None:
        raise ConnectionAbortedError("fault: drop the connection (no socket to close)")
    transport.abort()
    # Wait for the server to notice, so it does not answer on our behalf.
    while (await receive())["type"] != "http.disconnect":
        pass


async def _send(send: Send, answer: SimResponse) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
