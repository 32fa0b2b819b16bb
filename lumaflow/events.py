"""What the executor reports while it works, and what it hands back when it is done.

The executor never prints: it emits Events to an injected sink, and the CLI layer
turns them into a live view, plain lines, or a JSON stream.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict

EventKind = Literal[
    "queued",  # waiting for a local concurrency slot
    "submitting",  # about to POST (the journal's intent record comes next)
    "submitted",  # the API gave the job an id
    "resumed",  # re-attached to a job an earlier run submitted
    "polled",  # one GET; `state` says what the API answered
    "processing",  # the job's state changed (queued → processing)
    "downloading",
    "saved",  # an image was written; `path` says where
    "done",  # the job completed and everything it saves is on disk
    "cached",  # nothing to run: the lock has it and the saves are in place
    "restored",  # a cached save was written back from the object cache
    "retrying",  # a retryable failure; `wait` seconds before the next attempt
    "waiting",  # a rate or concurrency limit: `wait` seconds, or until a slot frees
    "warning",  # something the user should know, e.g. a POST whose fate is unknown
    "failed",  # the job failed for good; its descendants are skipped
    "skipped",  # not run because its parent failed (or --fail-fast stopped the run)
]


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: EventKind
    job: str
    at: float  # clock time, seconds
    message: str | None = None
    generation_id: str | None = None
    state: str | None = None
    polls: int | None = None
    attempt: int | None = None
    wait: float | None = None
    path: str | None = None


EventSink = Callable[[Event], None]


def discard(event: Event) -> None:
    """The default sink: nobody is watching."""


JobStatus = Literal["ran", "cached", "failed", "skipped", "unknown"]


class JobResult(BaseModel):
    """How one job ended. `unknown`: its POST got no answer, so a job may exist unseen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job: str
    status: JobStatus
    generation_id: str | None = None
    output_sha256: str | None = None
    message: str | None = None
    cost_usd: float = 0.0  # what this run spent on it (an estimate: the API reports no price)
    polls: int = 0
    attempts: int = 0
    saved: tuple[str, ...] = ()  # paths as the recipe writes them


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    results: tuple[JobResult, ...]
    started_at: float
    finished_at: float

    def count(self, status: JobStatus) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return all(r.status in ("ran", "cached") for r in self.results)

    @property
    def cost_usd(self) -> float:
        return round(sum(r.cost_usd for r in self.results), 4)
