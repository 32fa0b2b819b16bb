"""Fault plans: scripted faults by job or request number, seeded random faults, fail-open mode.

A plan is JSON (a file for `lumaflow simulator serve --faults`, or `POST /_sim/faults`):

    {"faults": [
        {"kind": "fail", "job": 2, "code": "generation_failed"},
        {"kind": "fail", "job": 3, "code": "corrupt_input", "from_state": "queued"},
        {"kind": "status", "job": 4, "status": 503, "times": 2},
        {"kind": "status", "request": 9, "method": "GET", "status": 500},
        {"kind": "drop", "job": 5, "when": "after"},
        {"kind": "never_finish", "job": 6},
        {"kind": "slow_download", "job": 7, "seconds": 30}],
     "random": {"rate": 0.1, "seed": 1, "kinds": ["status", "drop_before", "fail"]},
     "fail_open": false}

`job: N` names the N-th job created (1-based); a `status` or `drop` fault on it answers the
POST that would create job N, `times` times in a row. `request: N` names the N-th API
request (any method under /v1, 1-based; `method` narrows it) and the `times - 1` after it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FailureCode = Literal[
    "content_moderated",
    "generation_failed",
    "budget_exhausted",
    "output_not_found",
    "image_too_large",
    "unsupported_format",
    "corrupt_input",
    "invalid_request",
    "rate_limited",
]

FAILURE_REASONS: dict[str, str] = {
    "content_moderated": "Generation output was flagged by our content moderation system.",
    "generation_failed": "Generation failed",
    "budget_exhausted": "Insufficient credits to complete this generation.",
    "output_not_found": "Output artifacts not found",
    "image_too_large": "An input image exceeds the size limit.",
    "unsupported_format": "An input image is in an unsupported format.",
    "corrupt_input": "An input image could not be decoded.",
    "invalid_request": "The request could not be processed.",
    "rate_limited": "The generation was rate limited.",
}

# The detail a scripted status fault answers with when the plan gives none (luma-api.md §8.2).
STATUS_DETAILS: dict[int, str] = {
    402: "Insufficient credits. Please add credits to continue.",
    403: "API client is suspended",
    429: "Rate limit exceeded",
    500: "Internal server error",
    502: "Upstream service unavailable",
    503: "Service temporarily unavailable",
}


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    job: int | None = Field(default=None, ge=1)
    request: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_target(self) -> _Rule:
        if (self.job is None) == (self.request is None):
            raise ValueError("a fault names exactly one of 'job' or 'request'")
        return self


class FailFault(_Rule):
    """The job fails with `code`; from `processing` by default, or straight from `queued`."""

    kind: Literal["fail"]
    code: FailureCode = "generation_failed"
    reason: str | None = None
    from_state: Literal["queued", "processing"] = "processing"


class StatusFault(_Rule):
    """Answer with an HTTP error instead of serving the request, `times` times."""

    kind: Literal["status"]
    status: Literal[402, 403, 429, 500, 502, 503]
    times: int = Field(default=1, ge=1)
    detail: str | None = None
    retry_after: int | None = Field(default=None, ge=0)
    method: Literal["GET", "POST"] | None = None


class DropFault(_Rule):
    """Close the connection without an answer: before the job exists, or after creating it."""

    kind: Literal["drop"]
    when: Literal["before", "after"] = "before"
    times: int = Field(default=1, ge=1)
    method: Literal["GET", "POST"] | None = None


class NeverFinishFault(_Rule):
    kind: Literal["never_finish"]


class SlowDownloadFault(_Rule):
    """Downloading the job's output takes `seconds` (simulator time) before the first byte."""

    kind: Literal["slow_download"]
    seconds: float = Field(gt=0)


Fault = Annotated[
    FailFault | StatusFault | DropFault | NeverFinishFault | SlowDownloadFault,
    Field(discriminator="kind"),
]

RandomKind = Literal["status", "drop_before", "drop_after", "fail"]


class RandomFaults(BaseModel):
    """Each API request draws a fault with probability `rate`, from a generator seeded by `seed`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate: float = Field(ge=0.0, le=1.0)
    seed: int = 0
    kinds: tuple[RandomKind, ...] = ("status", "drop_before", "drop_after", "fail")


class FaultPlan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    faults: tuple[Fault, ...] = ()
    random: RandomFaults | None = None
    fail_open: bool = False

    @classmethod
    def from_json(cls, text: str | bytes) -> FaultPlan:
        return cls.model_validate(json.loads(text))

    @classmethod
    def from_file(cls, path: Path) -> FaultPlan:
        return cls.from_json(path.read_bytes())

    def for_job(self, number: int) -> list[Fault]:
        return [f for f in self.faults if f.job == number]

    def for_request(self, number: int, method: str) -> list[Fault]:
        """Request-numbered faults covering request `number` (a `times` burst covers a range)."""
        found: list[Fault] = []
        for fault in self.faults:
            if fault.request is None or fault.request > number:
                continue
            times = getattr(fault, "times", 1)
            wanted = getattr(fault, "method", None)
            if number < fault.request + times and wanted in (None, method):
                found.append(fault)
        return found

    def random_fault(self, request_number: int, method: str) -> RandomDraw | None:
        """The random fault drawn for this request, if any; a pure function of the seed."""
        if self.random is None or not self.random.kinds:
            return None
        rng = random.Random(f"{self.random.seed}:fault:{request_number}")
        if rng.random() >= self.random.rate:
            return None
        kind = rng.choice(self.random.kinds)
        status = rng.choice((429, 500, 502, 503))
        if method != "POST" and kind in ("drop_after", "fail"):
            return None  # only a POST can create a job to drop after or to fail
        return RandomDraw(kind=kind, status=status)


class RandomDraw(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: RandomKind
    status: int
