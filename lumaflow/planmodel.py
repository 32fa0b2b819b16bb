"""The Plan's value types: jobs, their abstract API requests, and the estimate.

These cross a boundary (`plan --out` writes them, `apply` reads them back), so every
model is frozen with extra="forbid" and every union is tagged by `kind`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lumaflow.lockfile import Fingerprint
from lumaflow.text import Span

FORMAT_VERSION = 1
PREVIEW_HASH_CHARS = 12  # enough of a sha256 to tell files apart by eye


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileInput(_Frozen):
    """A local image sent as base64 `data`; apply re-verifies `sha256` before sending."""

    kind: Literal["file"] = "file"
    name: str | None = None  # the recipe's label (source or ref name)
    written: str  # as the recipe spells it, relative to the recipe
    path: Path  # absolute
    sha256: str
    media_type: str
    size: int


class UrlInput(_Frozen):
    kind: Literal["url"] = "url"
    name: str | None = None
    url: str


class GenerationInput(_Frozen):
    """An existing generation: `gen "<uuid>"` in the recipe, or a cached parent's output."""

    kind: Literal["generation"] = "generation"
    name: str | None = None
    generation_id: str
    from_job: str | None = None  # set when this is a cached parent job's generation
    output_sha256: str | None = None  # that output's hash, restorable from the object cache


class ParentInput(_Frozen):
    """Chain from the generation that job `job` produces in this same apply (server side)."""

    kind: Literal["parent"] = "parent"
    job: str


ImageInput = Annotated[
    FileInput | UrlInput | GenerationInput | ParentInput, Field(discriminator="kind")
]


def input_preview(image: ImageInput) -> dict[str, Any]:
    """The ImageRef object as the request will carry it, with bulky data summarised."""
    match image:
        case FileInput():
            digest = image.sha256[:PREVIEW_HASH_CHARS]
            data = f"<base64 of {image.written}, sha256 {digest}…>"
            return {"data": data, "media_type": image.media_type}
        case UrlInput():
            return {"url": image.url}
        case GenerationInput():
            return {"generation_id": image.generation_id}
        case ParentInput():
            return {"generation_id": f"<from job {image.job}>"}
    raise AssertionError(image)


class JobRequest(_Frozen):
    """One `POST /generations`, abstract over how its images travel."""

    type: Literal["image", "image_edit"]
    model: str
    prompt: str
    style: str | None = None  # None: not sent, the API default applies
    aspect_ratio: str | None = None
    output_format: str | None = None
    web_search: bool = False
    source: ImageInput | None = None  # None for type "image"
    image_ref: tuple[ImageInput, ...] = ()  # binding order

    def body_preview(self) -> dict[str, Any]:
        """The JSON body as `plan --verbose/--json` shows it; unset options are not sent."""
        body: dict[str, Any] = {"type": self.type, "model": self.model, "prompt": self.prompt}
        if self.source is not None:
            body["source"] = input_preview(self.source)
        if self.image_ref:
            body["image_ref"] = [input_preview(i) for i in self.image_ref]
        optional = {
            "style": self.style,
            "aspect_ratio": self.aspect_ratio,
            "output_format": self.output_format,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        if self.web_search:
            body["web_search"] = True
        return body


class RefUse(_Frozen):
    position: int  # 1-based, the index in image_ref + 1
    name: str
    role: str | None


class SaveTarget(_Frozen):
    written: str  # as the recipe spells it
    path: Path  # absolute


class Job(_Frozen):
    id: str  # stable and readable: "1", "2", "manga.1"
    kind: str  # the step kind as written: "background", "style:manga", …
    line: int
    span: Span
    branch: tuple[str, ...]  # () for the main line
    parent: str | None  # the job this one chains from
    request: JobRequest
    refs: tuple[RefUse, ...]
    cache_key: str
    fingerprint: Fingerprint  # what the lock remembers per job id, to explain reruns
    status: Literal["run", "cached"]
    reason: str  # all reasons joined with "; "
    reasons: tuple[str, ...]
    cost_usd: float  # if it runs
    seconds_min: int
    seconds_max: int
    saves: tuple[SaveTarget, ...]
    cached_generation_id: str | None = None
    cached_output_sha256: str | None = None


class Estimate(_Frozen):
    """Cost of the jobs that run, and time along the longest chain of them. Estimates."""

    cost_usd: float
    jobs_run: int
    jobs_cached: int
    seconds_min: int
    seconds_max: int


class Plan(_Frozen):
    format_version: int = FORMAT_VERSION
    recipe: Path  # absolute
    project_root: Path  # absolute
    lock: Path  # the lock file the statuses were computed against
    scope: str
    jobs: tuple[Job, ...]  # parents before children
    estimate: Estimate

    def job(self, id: str) -> Job:
        for job in self.jobs:
            if job.id == id:
                return job
        raise KeyError(id)

    def children(self, id: str) -> tuple[Job, ...]:
        return tuple(job for job in self.jobs if job.parent == id)

    def roots(self) -> tuple[Job, ...]:
        return tuple(job for job in self.jobs if job.parent is None)
