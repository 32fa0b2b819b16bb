"""The `/_sim/` control and inspection endpoints: jobs, journal, reset, clock, faults, keys."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from simulator.backend import Backend
from simulator.clock import VirtualClock
from simulator.faults import FaultPlan
from simulator.jobs import iso

Answer = tuple[int, Any]
_KEY_STATUSES = ("active", "unknown", "revoked", "expired")


def control(backend: Backend, method: str, path: str, body: bytes) -> Answer:
    """Answer one /_sim/ request as (status, JSON value)."""
    route = (method, path.rstrip("/"))
    if route == ("GET", "/_sim/jobs"):
        return 200, backend.jobs_report()
    if route == ("GET", "/_sim/requests"):
        return 200, {"requests": list(backend.journal)}
    if route == ("POST", "/_sim/reset"):
        backend.reset()
        return 200, {"reset": True}
    if route == ("GET", "/_sim/clock"):
        return 200, _clock(backend)
    if route == ("POST", "/_sim/clock/advance"):
        return _advance(backend, body)
    if route == ("POST", "/_sim/faults"):
        return _faults(backend, body)
    if route == ("POST", "/_sim/keys"):
        return _keys(backend, body)
    return 404, {"detail": "Not Found"}


def _clock(backend: Backend) -> dict[str, Any]:
    now = backend.clock.now()
    return {"now": iso(now), "t": now, "virtual": isinstance(backend.clock, VirtualClock)}


def _advance(backend: Backend, body: bytes) -> Answer:
    if not isinstance(backend.clock, VirtualClock):
        return 409, {"detail": "the simulator's clock is not virtual"}
    seconds = _json(body).get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return 422, {"detail": "body must be {\"seconds\": N} with N >= 0"}
    backend.clock.advance(float(seconds))
    return 200, _clock(backend)


def _faults(backend: Backend, body: bytes) -> Answer:
    try:
        plan = FaultPlan.from_json(body)
    except (ValidationError, ValueError) as err:
        return 422, {"detail": f"invalid fault plan: {err}"}
    backend.load_faults(plan)
    return 200, {"faults": len(plan.faults), "random": plan.random is not None}


def _keys(backend: Backend, body: bytes) -> Answer:
    data = _json(body)
    key, status, client = data.get("key"), data.get("status", "active"), data.get("client")
    if not isinstance(key, str) or status not in _KEY_STATUSES:
        return 422, {"detail": f"body must be {{\"key\": KEY, \"status\": one of {_KEY_STATUSES}}}"}
    if client is not None and not isinstance(client, str):
        return 422, {"detail": "client must be a string"}
    backend.keys.set_key(key, status, client=client)
    return 200, {"status": status}


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
