"""The executor's injected surroundings: clock, options, and the real defaults."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from lumaflow.client import LumaClient
from lumaflow.events import Event, EventKind, EventSink
from lumaflow.lockbook import LockBook
from lumaflow.objects import ObjectStore
from lumaflow.plan import Job, Plan
from lumaflow.polling import PollPolicy
from lumaflow.state import Journal, Record, RecordKind


class Clock(Protocol):
    """Matches `simulator.clock.Clock`: the executor and the simulator share one time."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Wall-clock time: the default outside tests."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))


@dataclass(frozen=True)
class RunOptions:
    # jobs in flight at once: the API's default limit per client. A lower account limit
    # costs little: a "Too many concurrent jobs" answer waits for one of our own jobs.
    concurrency: int = 10
    fail_fast: bool = False
    max_attempts: int = 3  # per job, for retryable failure codes (each attempt is a new job)
    max_limit_waits: int = 30  # 429s per job before giving up (a 429 never creates a job)
    max_server_errors: int = 6  # 5xx / unreadable answers in a row per request
    backoff_base: float = 1.0  # 5xx backoff: base × 2^n, capped, with jitter
    backoff_cap: float = 30.0
    max_download_tries: int = 4


class JobFailedError(Exception):
    """A job ended without a result; `status` "unknown" when a POST's fate is unknown."""

    def __init__(self, message: str, *, status: Literal["failed", "unknown"] = "failed",
                 generation_id: str | None = None, not_found: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.generation_id = generation_id
        self.not_found = not_found  # the API does not know the generation (404)


@dataclass
class Context:
    """Everything one apply run shares between its jobs."""

    plan: Plan
    client: LumaClient
    clock: Clock
    sink: EventSink
    journal: Journal
    store: ObjectStore
    book: LockBook
    policy: PollPolicy
    options: RunOptions
    rng: random.Random
    slots: asyncio.Semaphore
    released: asyncio.Condition = field(default_factory=asyncio.Condition)
    generations: dict[str, str] = field(default_factory=dict)  # job id → its generation id
    active: int = 0  # our jobs submitted and not yet terminal

    def emit(self, kind: EventKind, job: Job, **fields: Any) -> None:
        self.sink(Event(kind=kind, job=job.id, at=self.clock.now(), **fields))

    def record(self, event: RecordKind, job: Job, **fields: str | None) -> None:
        self.journal.append(Record(event=event, scope=self.plan.scope,
                                   cache_key=job.cache_key, job=job.id, **fields))

    def jitter(self, seconds: float) -> float:
        """Spread retries out so that clients hit by the same limit do not return together."""
        return seconds + self.rng.uniform(0.0, min(1.0, 0.1 * seconds + 0.25))

    async def job_finished(self) -> None:
        """A job of ours went terminal: wake anyone waiting for a concurrency slot."""
        async with self.released:
            self.released.notify_all()

    async def wait_for_release(self, timeout: float) -> None:
        """Until one of our jobs finishes, or `timeout` seconds."""
        async with self.released:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), timeout)


def where(job: Job) -> str:
    """How messages name a step: its kind and recipe line."""
    return f"step {job.id} `{job.kind}` (line {job.line})"
