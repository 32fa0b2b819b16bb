"""Which service apply talks to: the real API, a served simulator, or the embedded one.

The one place lumaflow imports `simulator`. The embedded simulator runs on a sped-up
clock, and the executor must sleep on that same clock, so a backend is a client and
a clock together, plus the cache scope and one line that tells the user which it is.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import simulator
from lumaflow.client import LumaClient
from lumaflow.runtime import Clock, SystemClock
from lumaflow.scope import (
    API_KEY_VAR,
    BASE_URL_VAR,
    DEFAULT_API_URL,
    SIMULATOR,
    is_loopback,
    resolve_scope,
)

# The embedded simulator's time runs this much faster than the wall clock: an example's
# few minutes of 30–60 s jobs take a few seconds, and the progress view still moves.
EMBEDDED_TIME_SCALE = 0.01
# A served simulator accepts any well-formed key; used only for loopback URLs without one.
LOCAL_KEY = "luma-api-lumaflow-local"


@dataclass
class Backend:
    client: LumaClient
    clock: Clock
    scope: str
    description: str
    real: bool  # the real, paid API: apply asks before spending
    simulator: Any = None  # the embedded simulator.Simulator, for inspection


def embedded(*, clock: Clock | None = None, seed: int = 0,
             latency: tuple[float, float] = (30.0, 60.0), faults: Any = None,
             description: str = "using the embedded simulator", **config: Any) -> Backend:
    """An in-process simulator; `clock` defaults to a sped-up one."""
    clock = clock or simulator.ScaledClock(EMBEDDED_TIME_SCALE)
    if isinstance(faults, dict):
        faults = simulator.FaultPlan.model_validate(faults)
    sim = simulator.Simulator(seed=seed, latency=latency, clock=clock, faults=faults, **config)
    client = LumaClient(simulator.BASE_URL, simulator.TEST_KEY, transport=sim.transport)
    return Backend(client=client, clock=clock, scope=SIMULATOR, description=description,
                   real=False, simulator=sim)


def choose(*, use_simulator: bool, api_url: str | None, environ: Mapping[str, str],
           clock: Clock | None = None) -> Backend:
    """The design's rule (shared with `plan` through `resolve_scope`)."""
    scope = resolve_scope(simulator=use_simulator, api_url=api_url, environ=environ)
    if scope == SIMULATOR:
        why = "--simulator" if use_simulator else f"no {API_KEY_VAR} set"
        speed = round(1 / EMBEDDED_TIME_SCALE)
        # A fresh seed per process: generation ids derive from it, and an id from an
        # earlier process must never name a different image in this one.
        words = (f"using the embedded simulator ({why}); its jobs take 30–60 s of simulated "
                 f"time, shown {speed}× faster")
        return embedded(clock=clock, seed=random.randrange(2**31), description=words)
    return _remote(scope, api_url, environ, clock)


def _remote(scope: str, api_url: str | None, environ: Mapping[str, str],
            clock: Clock | None) -> Backend:
    url = api_url or environ.get(BASE_URL_VAR) or DEFAULT_API_URL
    key = environ.get(API_KEY_VAR)
    local = is_loopback(urlsplit(url).hostname or "")
    if not key:
        if not local:
            from lumaflow.errors import UsageError

            raise UsageError(f"{API_KEY_VAR} is not set: it is needed for {scope}")
        key = LOCAL_KEY
    source = f"key from {API_KEY_VAR}" if environ.get(API_KEY_VAR) else "no key needed"
    what = "a local server" if local else "the Luma API"
    return Backend(client=LumaClient(url, key), clock=clock or SystemClock(), scope=scope,
                   description=f"using {what} at {scope} ({source})", real=not local)


