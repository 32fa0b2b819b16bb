"""Run apply on virtual time against the in-process simulator: for tests and benchmarks.

    run = SimulatedApply(seed=1, faults={"faults": [{"kind": "fail", "job": 2}]})
    outcome = run.apply(plan)              # minutes of simulated jobs, milliseconds of wall time
    assert run.post_count() == 3

Everything is deterministic: the simulator is seeded, the clock is virtual, and the
executor's jitter uses a seeded generator, so the same plan gives the same timeline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lumaflow import backends
from lumaflow.events import Event, EventSink, Outcome
from lumaflow.plan import Plan
from lumaflow.polling import PollPolicy
from lumaflow.runtime import RunOptions
from lumaflow.session import apply_plan


@dataclass
class PollStats:
    generation_id: str
    gets: int  # GET /generations/{id} requests for this job
    delay: float | None  # seconds from completion on the server to our first GET seeing it


class SimulatedApply:
    """One simulated service on a VirtualClock; `apply` may be called again (resume, re-run)."""

    def __init__(self, *, seed: int = 0, latency: tuple[float, float] = (30.0, 60.0),
                 faults: Any = None, **config: Any) -> None:
        import simulator

        self.clock = simulator.VirtualClock()
        self.backend = backends.embedded(clock=self.clock, seed=seed, latency=latency,
                                         faults=faults, **config)
        self.simulator = self.backend.simulator
        self.events: list[Event] = []

    def apply(self, plan: Plan, *, sink: EventSink | None = None,
              options: RunOptions | None = None, policy: PollPolicy | None = None,
              jitter_seed: int = 0) -> Outcome:
        """Apply `plan`; events are collected in `.events` and passed on to `sink`."""
        def collect(event: Event) -> None:
            self.events.append(event)
            if sink is not None:
                sink(event)

        coro = apply_plan(plan, self.backend.client, clock=self.clock, sink=collect,
                          options=options, policy=policy, rng=random.Random(jitter_seed))
        result: Outcome = self.clock.run(coro)
        return result

    def apply_file(self, recipe: Path, **kwargs: Any) -> Outcome:
        """Load, check and plan `recipe` against its lock (as `lumaflow apply FILE`), apply."""
        from lumaflow import api
        from lumaflow.lockfile import lock_path, read_lock
        from lumaflow.plan import build_plan

        loaded = api.load(recipe)
        plan = build_plan(loaded, lock=read_lock(lock_path(loaded.path)),
                          scope=self.backend.scope)
        return self.apply(plan, **kwargs)

    def poll_stats(self) -> list[PollStats]:
        """Per completed job: how many GETs it took, and how late its completion was seen."""
        jobs = {job.id: job for job in self.simulator.backend.job_list}
        stats: dict[str, PollStats] = {}
        for request in self.requests():
            job = jobs.get(str(request["path"]).rsplit("/", 1)[-1])
            if request["method"] != "GET" or job is None:
                continue
            seen = stats.setdefault(job.id, PollStats(job.id, 0, None))
            seen.gets += 1
            if seen.delay is None and request["t"] >= job.finished_at:
                seen.delay = request["t"] - job.finished_at
        return [s for s in stats.values() if s.delay is not None]

    def load_faults(self, faults: dict[str, Any]) -> None:
        self.simulator.load_faults(faults)

    def requests(self) -> list[dict[str, Any]]:
        """The simulator's request journal: what was sent, in order."""
        return list(self.simulator.backend.journal)

    def post_count(self) -> int:
        return sum(1 for r in self.requests() if r.get("method") == "POST"
                   and str(r.get("path", "")).endswith("/generations"))

    def jobs_created(self) -> int:
        return len(self.simulator.backend.job_list)
