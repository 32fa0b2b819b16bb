"""Makespan: many independent jobs against the API's limits (10 active jobs, 30 POSTs a minute).

Every client runs on a fresh simulator with the same seed, so the k-th job any of them
creates has the same latency; `lower_bound_s` is the best schedule of those latencies
that the limits allow (see `lower_bound`).
"""

from __future__ import annotations

import asyncio
import heapq
import math
from typing import Any

import httpx

import simulator
from benchmarks.harness import b64, plan_for, png, scratch, service, simulated_apply, traces
from benchmarks.polling_bench import Wire, branches, naive_job
from lumaflow.runtime import RunOptions

LATENCY = (30.0, 60.0)
CAP = 10  # the API's default concurrent-jobs limit
RPM = 30  # the API's default requests-per-minute limit
WINDOW = 60.0
NAIVE_INTERVAL = 2.0  # the quickstart's poll interval
SDK_TERMINAL = ("completed", "failed")


def lower_bound(latencies: list[float], cap: int = CAP, rpm: int = RPM) -> float:
    """The shortest makespan any client could reach, even knowing every latency in advance.

    The server gives the k-th created job the k-th latency, so only start times are
    free. Job k may start no earlier than job k-1 (creation order), than the moment
    the `cap`-th latest running job ends (the concurrency cap), or than 60 s after
    job k-rpm started (the sliding RPM window). Each limit only grows with earlier
    start times, so starting every job as early as allowed is optimal.
    """
    starts: list[float] = []
    running: list[float] = []  # finish times, a min-heap
    for k, latency in enumerate(latencies):
        start = starts[-1] if starts else 0.0
        while len(running) >= cap:
            start = max(start, heapq.heappop(running))
        if k >= rpm:
            start = max(start, starts[k - rpm] + WINDOW)
        while running and running[0] <= start:
            heapq.heappop(running)
        starts.append(start)
        heapq.heappush(running, start + latency)
    return max((s + lat for s, lat in zip(starts, latencies, strict=True)), default=0.0)


def simple_bound(latencies: list[float], cap: int = CAP, rpm: int = RPM) -> float:
    """A looser textbook bound: the longest job, total work over the cap, the RPM wait."""
    waves = math.ceil(len(latencies) / rpm) - 1
    rpm_bound = waves * WINDOW + min(latencies[waves * rpm:], default=0.0)
    return max(max(latencies, default=0.0), sum(latencies) / cap, rpm_bound)


def lumaflow_makespan(jobs: int, seed: int, concurrency: int | None = None) -> dict[str, Any]:
    """One apply of a recipe with `jobs` independent steps; start to everything saved."""
    run = simulated_apply(seed, LATENCY, rpm=RPM, concurrency=CAP)
    root = scratch("makespan")
    (root / "src.png").write_bytes(png())
    recipe = root / "many.lflow"
    recipe.write_text(branches(jobs))
    options = RunOptions() if concurrency is None else RunOptions(concurrency=concurrency)
    outcome = run.apply(plan_for(recipe), options=options, jitter_seed=seed)
    if not outcome.ok:
        raise RuntimeError(f"lumaflow makespan run failed: {outcome.results}")
    latencies = [job.latency for job in traces(run.simulator)]
    seconds = outcome.finished_at - outcome.started_at
    return {"seconds": round(seconds, 2), "concurrency": options.concurrency,
            "latencies": latencies}


def naive_sequential(jobs: int, seed: int) -> dict[str, Any]:
    """One job at a time: submit, poll every 2 s, download, next."""
    sim = _server(seed)

    async def script() -> float:
        http = Wire(sim.transport)
        start = sim.clock.now()
        for n in range(jobs):
            await naive_job(http, sim.clock, _body(n), NAIVE_INTERVAL)
        return sim.clock.now() - start

    return {"seconds": round(_run(sim, script()), 2)}


def sdk_retry(jobs: int, seed: int) -> dict[str, Any]:
    """All jobs at once through the official SDK with its default retry policy.

    On 429 the SDK sleeps Retry-After (60 s for the concurrency cap) and tries again,
    twice; when it gives up, the script calls `create` again. Then it polls every 2 s.
    """
    import luma_agents

    sim = _server(seed)

    async def script() -> tuple[float, int]:
        async with httpx.AsyncClient(transport=sim.transport) as http:
            sdk = luma_agents.AsyncLuma(auth_token=simulator.TEST_KEY,
                                        base_url=simulator.BASE_URL, http_client=http)
            start = sim.clock.now()
            gave_up = await asyncio.gather(*(_sdk_job(sdk, sim.clock, n) for n in range(jobs)))
            return sim.clock.now() - start, sum(gave_up)

    seconds, gave_up = _run(sim, script())
    return {"seconds": round(seconds, 2), "sdk_gave_up": gave_up}


async def _sdk_job(sdk: Any, clock: simulator.Clock, n: int) -> int:
    """One job through the SDK; how often its retries ran out before the job was accepted."""
    import luma_agents

    gave_up = 0
    while True:
        try:
            job = await sdk.generations.create(**_body(n))
            break
        except luma_agents.RateLimitError:
            gave_up += 1
    while job.state not in SDK_TERMINAL:
        await clock.sleep(NAIVE_INTERVAL)
        job = await sdk.generations.get(job.id)
    return gave_up


def _server(seed: int) -> simulator.Simulator:
    return service(seed, LATENCY, rpm=RPM, concurrency=CAP)


def _run(sim: simulator.Simulator, coro: Any) -> Any:
    assert isinstance(sim.clock, simulator.VirtualClock)
    return sim.clock.run(coro)


def _body(n: int) -> dict[str, Any]:
    return {"prompt": f"variant number {n}", "type": "image_edit",
            "source": {"data": b64(png()), "media_type": "image/png"}}


def makespan_section(jobs: int, seed: int) -> dict[str, Any]:
    """The issue's `makespan` key: lumaflow with default options, the baselines, the bound."""
    lumaflow = lumaflow_makespan(jobs, seed)
    latencies = lumaflow.pop("latencies")
    return {
        "jobs": jobs, "cap": CAP, "rpm": RPM,
        "lumaflow": lumaflow,
        "naive_sequential": naive_sequential(jobs, seed),
        "sdk_retry": sdk_retry(jobs, seed),
        "lower_bound_s": round(lower_bound(latencies), 2),
        "simple_bound_s": round(simple_bound(latencies), 2),
    }
