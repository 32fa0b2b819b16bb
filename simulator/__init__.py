"""A faithful, deterministic fake of Luma's generations API. Never imports lumaflow.

Public surface (see docs/simulator.md):

    Simulator(seed=0, latency=(30, 60), clock=None, rpm=30, concurrency=10, faults=None,
              url_ttl=3600, **config)       one simulated service
        .transport    httpx transport (sync + async), in-process; base URL BASE_URL
        .client(), .async_client()          httpx clients on that transport, key preset
        .clock        the Clock it runs on (RealClock unless given)
        .backend      state for inspection: .jobs, .job_list, .journal, .keys.set_key(...)
        .asgi_app     the ASGI app, for any ASGI server
        .serve(host="127.0.0.1", port=0) -> ServerThread   uvicorn in a thread; .url, .stop()
    Clock, RealClock, ScaledClock(time_scale), VirtualClock(start)   simulator.clock
    FaultPlan                               simulator.faults (JSON fault plans)
    SimConfig                               simulator.config (every setting)
"""

from __future__ import annotations

from typing import Any

import httpx

from simulator.backend import Backend
from simulator.clock import Clock, RealClock, ScaledClock, VirtualClock
from simulator.config import SimConfig
from simulator.faults import FaultPlan
from simulator.server import ServerThread, SimASGIApp
from simulator.transport import SimTransport

BASE_URL = "http://simulator.local/v1"
TEST_KEY = "luma-api-simulator-test-key"

__all__ = [
    "BASE_URL", "TEST_KEY", "Clock", "FaultPlan", "RealClock", "ScaledClock", "SimConfig",
    "SimTransport", "Simulator", "VirtualClock",
]


class Simulator:
    """One simulated Luma API: a backend on a clock, reachable in-process or over a socket."""

    base_url = BASE_URL

    def __init__(self, *, seed: int = 0, latency: tuple[float, float] = (30.0, 60.0),
                 clock: Clock | None = None, rpm: int = 30, concurrency: int = 10,
                 faults: FaultPlan | dict[str, Any] | None = None, url_ttl: float = 3600.0,
                 **config: Any) -> None:
        self.config = SimConfig(seed=seed, latency=latency, rpm=rpm, concurrency=concurrency,
                                url_ttl=url_ttl, **config)
        self.clock: Clock = clock if clock is not None else RealClock()
        if isinstance(faults, dict):
            faults = FaultPlan.model_validate(faults)
        self.backend = Backend(self.config, self.clock, faults)
        self.transport = SimTransport(self.backend)
        self.asgi_app = SimASGIApp(self.backend)

    def client(self, api_key: str = TEST_KEY, **kwargs: Any) -> httpx.Client:
        """A sync httpx client on the in-process transport, authenticated with `api_key`."""
        return httpx.Client(transport=self.transport, base_url=BASE_URL,
                            headers={"Authorization": f"Bearer {api_key}"}, **kwargs)

    def async_client(self, api_key: str = TEST_KEY, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, base_url=BASE_URL,
                                 headers={"Authorization": f"Bearer {api_key}"}, **kwargs)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ServerThread:
        """Serve this simulator over a real socket from a background thread."""
        return ServerThread(self.backend, host, port).start()

    def load_faults(self, plan: FaultPlan | dict[str, Any]) -> None:
        if not isinstance(plan, FaultPlan):
            plan = FaultPlan.model_validate(plan)
        self.backend.load_faults(plan)
