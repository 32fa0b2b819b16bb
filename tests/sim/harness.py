"""One way to talk to a simulator in tests, in-process or over a real socket, same API."""

from __future__ import annotations

import atexit
import base64
import io
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image

from simulator import Simulator
from simulator.clock import VirtualClock
from simulator.server import ServerThread

KEY = "luma-api-test-key-1"
OTHER_KEY = "luma-api-test-key-2"
MODES = ("in-process", "socket")


@dataclass
class Api:
    """A simulator plus a client at its root URL (paths start with /v1 or /_sim)."""

    sim: Simulator
    http: httpx.Client
    mode: str

    def post(self, body: Any, *, key: str = KEY, headers: dict[str, str] | None = None,
             **kwargs: Any) -> httpx.Response:
        headers = {**_auth(key), **(headers or {})}
        return self.http.post("/v1/generations", json=body, headers=headers, **kwargs)

    def get(self, job_id: str, *, key: str = KEY, **kwargs: Any) -> httpx.Response:
        return self.http.get(f"/v1/generations/{job_id}", headers=_auth(key), **kwargs)

    def advance(self, seconds: float) -> None:
        """Move the virtual clock, through the control endpoint in both modes."""
        answer = self.http.post("/_sim/clock/advance", json={"seconds": seconds})
        assert answer.status_code == 200, answer.text

    def jobs(self) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = self.http.get("/_sim/jobs").json()["jobs"]
        return jobs

    def create(self, body: Any | None = None, **kwargs: Any) -> dict[str, Any]:
        answer = self.post(body or {"prompt": "a lighthouse at dusk"}, **kwargs)
        assert answer.status_code == 201, answer.text
        job: dict[str, Any] = answer.json()
        return job

    def finish(self, job_id: str, *, key: str = KEY) -> dict[str, Any]:
        """Advance past any default latency, then fetch the job."""
        self.advance(120)
        job: dict[str, Any] = self.get(job_id, key=key).json()
        return job


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


MakeApi = Callable[..., Api]
_SERVERS: list[ServerThread] = []


def loopback() -> httpx.HTTPTransport:
    """A socket transport without Nagle's delay (a POST is written in two parts)."""
    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


def shared_server() -> ServerThread:
    """One uvicorn server for the whole test run (starting and stopping one costs ~0.2 s);
    each test points it at its own backend."""
    if not _SERVERS:
        server = ServerThread(Simulator(clock=VirtualClock()).backend).start()
        atexit.register(server.stop)
        _SERVERS.append(server)
    return _SERVERS[0]


def api_factory(mode: str) -> Iterator[MakeApi]:
    """Yield a function building an Api with Simulator options; tears everything down after."""
    with ExitStack() as stack:

        def make(**options: Any) -> Api:
            options.setdefault("clock", VirtualClock())
            sim = Simulator(**options)
            if mode == "in-process":
                http = httpx.Client(transport=sim.transport, base_url="http://simulator.local")
            else:
                server = shared_server()
                server.app.backend = sim.backend
                http = httpx.Client(base_url=server.url, timeout=10, transport=loopback())
            stack.callback(http.close)
            return Api(sim, http, mode)

        yield make


def png_b64(size: tuple[int, int] = (40, 30), color: tuple[int, int, int] = (200, 30, 30)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()
