"""A job and its timeline: the state at any instant is computed from the clock, never stored."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulator.config import SimConfig
from simulator.faults import FAILURE_REASONS, FailFault
from simulator.validation import GenerationRequest


@dataclass
class Job:
    number: int  # 1-based, in creation order
    id: str
    client: str
    request: GenerationRequest
    created_at: float
    processing_at: float  # when it leaves `queued` (or fails, if it fails from queued)
    finished_at: float  # math.inf for a job that never finishes
    failure_code: str | None = None
    failure_reason: str | None = None
    fails_from_queued: bool = False
    slow_download: float = 0.0
    urls_minted: int = field(default=0)

    def state(self, now: float) -> str:
        if now < self.processing_at:
            return "queued"
        if self.fails_from_queued:
            return "failed"
        if now < self.finished_at:
            return "processing"
        return "failed" if self.failure_code else "completed"

    def is_active(self, now: float, active_ttl: float) -> bool:
        """Holds a concurrency slot: not terminal yet, and younger than the slot's lifetime."""
        return self.state(now) in ("queued", "processing") and now < self.created_at + active_ttl

    def timeline(self) -> list[dict[str, Any]]:
        """Every state with the instant it begins, for /_sim/jobs."""
        steps = [self._step("queued", self.created_at)]
        if self.fails_from_queued:
            return [*steps, self._step("failed", self.processing_at)]
        steps.append(self._step("processing", self.processing_at))
        if math.isfinite(self.finished_at):
            end = "failed" if self.failure_code else "completed"
            steps.append(self._step(end, self.finished_at))
        return steps

    def _step(self, state: str, at: float) -> dict[str, Any]:
        return {"state": state, "at": iso(at), "after_s": round(at - self.created_at, 3)}

    def summary(self, now: float) -> dict[str, Any]:
        r = self.request
        return {
            "number": self.number, "id": self.id, "client": self.client, "state": self.state(now),
            "type": r.type, "model": r.model, "prompt": r.prompt, "style": r.style,
            "aspect_ratio": r.aspect_ratio, "output_format": r.output_format,
            "source": None if r.source is None else r.source.kind,
            "image_ref": len(r.image_ref), "created_at": iso(self.created_at),
            "failure_code": self.failure_code, "timeline": self.timeline(),
        }


def new_job(number: int, client: str, request: GenerationRequest, now: float,
            config: SimConfig) -> Job:
    """A job whose id and timings depend only on the seed and its number."""
    rng = random.Random(f"{config.seed}:job:{number}")
    job_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    wait = rng.uniform(*config.queue_wait)
    run = rng.uniform(*config.latency) + (config.web_search_extra if request.web_search else 0.0)
    return Job(number=number, id=job_id, client=client, request=request, created_at=now,
               processing_at=now + wait, finished_at=now + wait + run)


def fail(job: Job, fault: FailFault) -> None:
    job.failure_code = fault.code
    job.failure_reason = fault.reason or FAILURE_REASONS[fault.code]
    job.fails_from_queued = fault.from_state == "queued"


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_uuid(seed: int, number: int) -> str:
    """The X-Request-Id of the N-th request when the client sends none: seeded, repeatable."""
    rng = random.Random(f"{seed}:request:{number}")
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
