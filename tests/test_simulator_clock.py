"""Clocks, virtual time and determinism: same seed and requests ⇒ same ids, timelines, bytes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from simulator import Simulator
from simulator.clock import VIRTUAL_EPOCH, RealClock, ScaledClock, VirtualClock


def test_virtual_loop_jumps_to_the_next_timer() -> None:
    clock = VirtualClock()

    async def main() -> list[float]:
        marks = []
        for delay in (0.5, 30, 3600):
            await asyncio.sleep(delay)
            marks.append(clock.now() - VIRTUAL_EPOCH)
        return marks

    assert clock.run(main()) == [0.5, 30.5, 3630.5]


def test_timeouts_run_on_virtual_time() -> None:
    clock = VirtualClock()

    async def main() -> float:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(clock.sleep(100), timeout=7)
        return clock.now() - VIRTUAL_EPOCH

    assert clock.run(main()) == 7


def test_concurrent_sleepers_wake_in_order() -> None:
    clock = VirtualClock()
    woke: list[int] = []

    async def sleeper(n: int) -> None:
        await clock.sleep(n)
        woke.append(n)

    async def main() -> None:
        await asyncio.gather(*(sleeper(n) for n in (3, 1, 2)))

    clock.run(main())
    assert woke == [1, 2, 3] and clock.now() == VIRTUAL_EPOCH + 3


def test_virtual_sleep_off_its_loop_advances_the_clock() -> None:
    clock = VirtualClock()
    asyncio.run(clock.sleep(12))
    assert clock.now() == VIRTUAL_EPOCH + 12
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_scaled_and_real_clocks_move_forward() -> None:
    scaled, real = ScaledClock(0.001), RealClock()
    first = scaled.now(), real.now()
    asyncio.run(scaled.sleep(2))  # 2 ms of wall time
    assert scaled.now() - first[0] >= 2 and real.now() >= first[1]
    with pytest.raises(ValueError):
        ScaledClock(0)


def test_a_30_to_60_s_job_polled_on_virtual_time_completes_instantly() -> None:
    clock = VirtualClock()
    sim = Simulator(clock=clock, latency=(30, 60))

    async def apply() -> tuple[dict[str, Any], int]:
        async with sim.async_client() as http:
            job = (await http.post("/generations", json={"prompt": "a lighthouse"})).json()
            polls = 0
            while job["state"] not in ("completed", "failed"):
                await clock.sleep(2)  # virtual: the loop jumps to the next timer
                job = (await http.get(f"/generations/{job['id']}")).json()
                polls += 1
            return job, polls

    job, polls = clock.run(apply())
    assert job["state"] == "completed"
    elapsed = clock.now() - VIRTUAL_EPOCH
    assert 30 <= elapsed <= 66 and polls == elapsed // 2


def scripted_run(seed: int) -> dict[str, Any]:
    """A fixed sequence of requests; everything observable it produced."""
    clock = VirtualClock()
    sim = Simulator(seed=seed, clock=clock, faults={"random": {"rate": 0.3, "seed": seed}})
    seen: dict[str, Any] = {"answers": [], "bytes": []}
    with sim.client() as http:
        for prompt in ("a kite", "a boat", "a moon", "a tree"):
            seen["answers"].append(_try(http, "POST", "/generations", {"prompt": prompt}))
        clock.advance(120)
        for job in sim.backend.job_list:
            answer = _try(http, "GET", f"/generations/{job.id}", None)
            seen["answers"].append(answer)
            if isinstance(answer, tuple) and answer[1].get("output"):
                seen["bytes"].append(http.get(answer[1]["output"][0]["url"]).content)
        seen["jobs"] = http.get("http://simulator.local/_sim/jobs").json()
    return seen


def _try(http: httpx.Client, method: str, path: str, body: Any) -> Any:
    try:
        answer = http.request(method, path, json=body)
    except httpx.RemoteProtocolError:
        return "dropped"
    return answer.status_code, answer.json(), answer.headers["X-Request-Id"]


def test_same_seed_same_everything() -> None:
    first, second = scripted_run(7), scripted_run(7)
    assert first == second
    assert first["bytes"] and first["jobs"]["jobs"]
    assert scripted_run(8)["jobs"] != first["jobs"]
