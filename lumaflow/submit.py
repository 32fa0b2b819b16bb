"""Submit one job: build its wire request, POST it, and decide what an error means.

The API has no idempotency key, so the rule is strict: a POST is repeated only
when the answer proves that no job was created (an error with the API's own
`detail` body, a 429, a connection that never opened). A POST without an answer
is journalled as `lost` and the step stops with "unknown fate".
"""

from __future__ import annotations

import base64
import hashlib

from lumaflow import assets, wire
from lumaflow.client import LimitError, NotSentError
from lumaflow.errors import ApiError, TransportError
from lumaflow.plan import FileInput, GenerationInput, ImageInput, Job, ParentInput, UrlInput
from lumaflow.runtime import Context, JobFailedError, where

# A chained source the API no longer accepts: these statuses may mean "generation not found".
_CHAIN_REJECTED = (400, 404, 409, 422)


async def submit(ctx: Context, job: Job, *, attempt: int) -> str:
    """POST the job until it has a generation id; JobFailedError when it cannot get one."""
    return await _Submission(ctx, job, attempt).run()


class _Submission:
    """One step's POSTs: each error either proves no job was made (try again) or stops."""

    def __init__(self, ctx: Context, job: Job, attempt: int) -> None:
        self.ctx, self.job, self.attempt = ctx, job, attempt
        self.upload = False  # a cached parent's generation was refused: send its bytes
        self.limit_waits = 0
        self.server_errors = 0

    async def run(self) -> str:
        while True:
            request = build_request(self.ctx, self.job, upload_cached=self.upload)
            self.ctx.emit("submitting", self.job, attempt=self.attempt)
            self.ctx.record("intent", self.job)
            try:
                generation = await self.ctx.client.create(request)
            except ApiError as err:
                await self._refused(err)
                continue
            self.ctx.record("submitted", self.job, generation_id=generation.id)
            self.ctx.emit("submitted", self.job, generation_id=generation.id,
                          attempt=self.attempt)
            return generation.id

    async def _refused(self, err: ApiError) -> None:
        """Return to try again; raise to stop the step."""
        if isinstance(err, TransportError) and not isinstance(err, NotSentError):
            self.ctx.record("lost", self.job, detail=str(err))
            raise JobFailedError(unknown_fate(self.job, err), status="unknown") from err
        self.ctx.record("failed", self.job, detail=str(err))  # the answer proves: no job
        if isinstance(err, LimitError):
            self.limit_waits += 1
            await _limit_wait(self.ctx, self.job, err, self.limit_waits)
        elif isinstance(err, NotSentError) or err.status >= 500:
            self.server_errors += 1
            await _backoff(self.ctx, self.job, err, self.server_errors)
        elif not self.upload and _chain_refused(self.job, err):
            self.upload = True
            self.ctx.emit("warning", self.job, message="the cached parent's generation can no "
                          "longer be chained; uploading the cached image instead")
        else:
            message = f"{where(self.job)}: the API refused the request: {err}"
            raise JobFailedError(message) from err


def unknown_fate(job: Job, err: Exception) -> str:
    return (f"{where(job)}: the request to create the job got no answer ({err}). A job may "
            "have been created and charged, but its id is unknown and the API cannot list "
            "jobs. Run `lumaflow apply` again to submit this step once more (at most one "
            "extra charge), or check your usage in the Luma dashboard first.")


async def _limit_wait(ctx: Context, job: Job, err: LimitError, count: int) -> None:
    if count > ctx.options.max_limit_waits:
        raise JobFailedError(f"{where(job)}: still rate limited after {count - 1} waits: {err}")
    wait = ctx.jitter(err.retry_after if err.retry_after is not None else 5.0)
    if err.kind == "concurrency" and ctx.active > 0:
        # A slot frees when one of our jobs ends: wait for that, not a blind Retry-After.
        ctx.emit("waiting", job, message="too many concurrent jobs; waiting for one to finish",
                 wait=wait)
        await ctx.wait_for_release(wait)
        return
    ctx.emit("waiting", job, message=err.detail, wait=wait)
    await ctx.clock.sleep(wait)


async def _backoff(ctx: Context, job: Job, err: ApiError, count: int) -> None:
    if count > ctx.options.max_server_errors:
        raise JobFailedError(f"{where(job)}: the API kept failing ({count - 1} tries): {err}")
    delay = min(ctx.options.backoff_base * 2 ** (count - 1), ctx.options.backoff_cap)
    wait = ctx.jitter(err.retry_after if err.retry_after is not None else delay)
    ctx.emit("retrying", job, message=str(err), wait=wait, attempt=count)
    await ctx.clock.sleep(wait)


def _chain_refused(job: Job, err: ApiError) -> bool:
    source = job.request.source
    return (isinstance(source, GenerationInput) and source.from_job is not None
            and source.output_sha256 is not None and err.status in _CHAIN_REJECTED)


def build_request(ctx: Context, job: Job, *, upload_cached: bool = False) -> wire.GenerationRequest:
    request = job.request
    source = request.source
    return wire.GenerationRequest(
        type=request.type, model=request.model, prompt=request.prompt, style=request.style,
        aspect_ratio=request.aspect_ratio, output_format=request.output_format,
        web_search=request.web_search,
        source=None if source is None else _image(ctx, job, source, upload_cached),
        image_ref=tuple(_image(ctx, job, image, False) for image in request.image_ref),
    )


def _image(ctx: Context, job: Job, image: ImageInput, upload_cached: bool) -> wire.ImageRef:
    match image:
        case FileInput():
            return _inline(job, image)
        case UrlInput():
            return wire.ImageRef(url=image.url)
        case GenerationInput() if upload_cached and image.output_sha256 is not None:
            return _cached_bytes(ctx, job, image.output_sha256)
        case GenerationInput():
            return wire.ImageRef(generation_id=image.generation_id)
        case ParentInput():
            return wire.ImageRef(generation_id=ctx.generations[image.job])
    raise AssertionError(image)


def _inline(job: Job, image: FileInput) -> wire.ImageRef:
    """The file's bytes as base64, after checking they are still what the plan hashed."""
    try:
        data = image.path.read_bytes()
    except OSError as err:
        raise JobFailedError(f"{where(job)}: cannot read {image.written}: {err.strerror}") from err
    if hashlib.sha256(data).hexdigest() != image.sha256:
        raise JobFailedError(f"{where(job)}: {image.written} changed since the plan was made; "
                             "run `lumaflow plan` (or apply the recipe) again")
    return _data_ref(data, image.media_type)


def _cached_bytes(ctx: Context, job: Job, sha256: str) -> wire.ImageRef:
    data = ctx.store.get(sha256)
    if data is None:
        raise JobFailedError(f"{where(job)}: its parent's generation can no longer be chained and "
                             f"its image is not in the object cache ({ctx.store.path(sha256)}); "
                             "delete the lock file to run the whole recipe again")
    return _data_ref(data, sniff(data))


def sniff(data: bytes) -> str:
    """The media type of an output, from its first bytes (the checker's own sniffing)."""
    return assets.sniff(data[:16]) or "application/octet-stream"


def _data_ref(data: bytes, media_type: str) -> wire.ImageRef:
    return wire.ImageRef(data=base64.b64encode(data).decode("ascii"), media_type=media_type)
