"""What every benchmark shares: simulated services, scratch projects, server timelines, stats.

Figures come from the server's side wherever possible: GETs are counted in the
simulator's request journal and completion times are read from its jobs, so the
same yardstick measures lumaflow and the naive clients.
"""

from __future__ import annotations

import base64
import io
import math
import random
import statistics
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

import simulator
from lumaflow import api
from lumaflow.lockfile import lock_path, read_lock
from lumaflow.plan import Plan, build_plan
from lumaflow.testing import SimulatedApply

# Every job's whole time on the server is its drawn latency: no extra queue wait on top.
NO_QUEUE_WAIT = (0.0, 0.0)
# The server's request journal must keep every request of a 1000-job run.
JOURNAL_LIMIT = 1_000_000
# Outputs are rendered but never looked at here: tiny ones keep the runs fast.
TINY_OUTPUT = 16
TERMINAL = ("completed", "failed")


def _settings(config: dict[str, Any]) -> dict[str, Any]:
    """Simulator settings for a benchmark; anything not given keeps the API's defaults."""
    return {"queue_wait": NO_QUEUE_WAIT, "journal_limit": JOURNAL_LIMIT,
            "output_long_side": TINY_OUTPUT, **config}


def service(seed: int, latency: tuple[float, float], **config: Any) -> simulator.Simulator:
    """An in-process simulator on virtual time, with the documented limits unless overridden."""
    return simulator.Simulator(seed=seed, latency=latency, clock=simulator.VirtualClock(),
                               **_settings(config))


def simulated_apply(seed: int, latency: tuple[float, float], **config: Any) -> SimulatedApply:
    """lumaflow's own harness for apply on virtual time, configured like `service`."""
    return SimulatedApply(seed=seed, latency=latency, **_settings(config))


def scratch(prefix: str) -> Path:
    """A fresh folder; on tmpfs when there is one, since apply fsyncs its journal per job."""
    shm = Path("/dev/shm")
    where = str(shm) if shm.is_dir() else None
    return Path(tempfile.mkdtemp(prefix=f"lumaflow-bench-{prefix}-", dir=where))


def png(size: tuple[int, int] = (16, 16), *, noise_seed: int | None = None) -> bytes:
    """A PNG: flat colour, or seeded noise (incompressible, so its size is predictable)."""
    if noise_seed is None:
        picture = Image.new("RGB", size, (180, 40, 40))
    else:
        pixels = random.Random(noise_seed).randbytes(size[0] * size[1] * 3)
        picture = Image.frombytes("RGB", size, pixels)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def plan_for(recipe: Path) -> Plan:
    """What `lumaflow apply FILE` does before executing: load, read the lock, plan."""
    loaded = api.load(recipe)
    return build_plan(loaded, lock=read_lock(lock_path(loaded.path)), scope="simulator")


@dataclass(frozen=True)
class JobTrace:
    """One job as the server saw it: when it was created and finished, and its GETs."""

    created: float
    finished: float
    gets: tuple[float, ...]  # server time of every GET /generations/{id}

    @property
    def latency(self) -> float:
        return self.finished - self.created

    @property
    def detect_delay(self) -> float:
        """From completion to the first GET that could see it (in-process: no network time)."""
        seen = [t for t in self.gets if t >= self.finished]
        return min(seen) - self.finished if seen else math.inf


def traces(sim: simulator.Simulator) -> list[JobTrace]:
    """Every job the simulator created, in creation order, with the GETs it received."""
    gets: dict[str, list[float]] = {}
    for entry in sim.backend.journal:
        path = str(entry["path"])
        if entry["method"] == "GET" and path.startswith("/v1/generations/"):
            gets.setdefault(path.rsplit("/", 1)[1], []).append(float(entry["t"]))
    return [JobTrace(created=job.created_at, finished=job.finished_at,
                     gets=tuple(gets.get(job.id, ()))) for job in sim.backend.job_list]


def percentile(values: Iterable[float], q: float) -> float:
    """The nearest-rank q-quantile (q in 0..1): a value that was actually observed."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def poll_figures(jobs: list[JobTrace]) -> dict[str, Any]:
    """The polling figures of the issue, for one client's jobs."""
    gets = [len(job.gets) for job in jobs]
    delays = [job.detect_delay for job in jobs]
    return {
        "jobs": len(jobs),
        "gets_per_job_p50": percentile(gets, 0.5),
        "gets_per_job_p95": percentile(gets, 0.95),
        "gets_per_job_mean": round(statistics.fmean(gets), 2) if gets else math.nan,
        "detect_delay_p50_s": round(percentile(delays, 0.5), 3),
        "detect_delay_p95_s": round(percentile(delays, 0.95), 3),
        "detect_delay_max_s": round(max(delays, default=math.nan), 3),
    }
