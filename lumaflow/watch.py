"""Follow a submitted job to its end, and fetch its output.

Polls follow the PollPolicy (first wait, fixed interval, hard deadline). A GET is
always safe to repeat, so transient errors only cost a poll. Output URLs expire:
a download that answers 403/404/410 is retried with a fresh URL from a new GET.
"""

from __future__ import annotations

from lumaflow import wire
from lumaflow.client import LimitError
from lumaflow.errors import ApiError, TransportError
from lumaflow.plan import Job
from lumaflow.runtime import Context, JobFailedError, where

_EXPIRED = (403, 404, 410)
# Waits shorter than this poll at once: a clock read as epoch seconds cannot resolve much
# less, and sleeping a rounding error would only ask the same question again, forever.
_TICK = 1e-3
_FAILURE_ADVICE = {
    "content_moderated": "change the prompt or the reference images",
    "budget_exhausted": "add funds to the account, then apply again",
    "image_too_large": "resize or compress the input image",
    "unsupported_format": "convert the input to PNG, JPEG, WebP or GIF",
    "corrupt_input": "re-encode or replace the input image",
    "invalid_request": "check the step's options",
}


class Poll:
    """One job's polling state: when it started, how often it was asked about."""

    def __init__(self, ctx: Context, job: Job, generation_id: str, *, resumed: bool) -> None:
        self.ctx, self.job, self.generation_id = ctx, job, generation_id
        self.started = ctx.clock.now()
        self.last_poll: float | None = None
        self.first_poll: float | None = None
        self.polls = 0
        self.state: str | None = None
        self.resumed = resumed  # re-attached: ask at once, the job may be long done

    async def until_terminal(self) -> wire.Generation:
        kind = self.job.request.model
        while True:
            elapsed = self.ctx.clock.now() - self.started
            wait = 0.0 if self.resumed and self.polls == 0 else self.ctx.policy.next_wait(
                kind, elapsed=elapsed, last_poll=self.last_poll)
            if wait > _TICK:
                # In slices of one interval: the first wait may move while we sleep.
                await self.ctx.clock.sleep(min(wait, self.ctx.policy.config.interval))
                continue
            generation = await self._poll(elapsed)
            if generation is not None and generation.is_terminal:
                if generation.state == "completed" and not self.resumed:
                    self.ctx.policy.observe(kind, detected=elapsed, last_pending=self.last_poll,
                                            first_wait=self.first_poll or elapsed)
                return generation
            self.last_poll = elapsed
            if self.ctx.policy.expired(elapsed):
                raise JobFailedError(self._deadline_message(), generation_id=self.generation_id)

    async def _poll(self, elapsed: float) -> wire.Generation | None:
        if self.first_poll is None:
            self.first_poll = elapsed
        self.polls += 1
        try:
            generation = await self.ctx.client.get(self.generation_id)
        except ApiError as err:
            if isinstance(err, TransportError | LimitError) or err.status >= 500:
                await self._transient(err)
                return None
            raise JobFailedError(f"{where(self.job)}: cannot follow generation "
                                 f"{self.generation_id}: {err}",
                                 generation_id=self.generation_id,
                                 not_found=err.status == 404) from err
        self.ctx.emit("polled", self.job, state=generation.state, polls=self.polls,
                      generation_id=self.generation_id)
        if generation.state != self.state and generation.state == "processing":
            self.ctx.emit("processing", self.job, state=generation.state,
                          generation_id=self.generation_id)
        self.state = generation.state
        return generation

    async def _transient(self, err: ApiError) -> None:
        """A GET that failed: harmless, the next poll asks again (within the deadline),
        after the server's Retry-After if it gave one (polls are not rate limited, but
        an abuse ceiling exists)."""
        self.ctx.emit("polled", self.job, state="error", polls=self.polls, message=str(err),
                      generation_id=self.generation_id)
        if err.retry_after:
            await self.ctx.clock.sleep(self.ctx.jitter(err.retry_after))

    def _deadline_message(self) -> str:
        seconds = self.ctx.policy.config.deadline
        return (f"{where(self.job)}: no result after {seconds:g} s (generation "
                f"{self.generation_id} was last {self.state or 'unreachable'}). It may still "
                "finish and be charged: run `lumaflow apply` again later to pick it up, or "
                "raise --deadline.")


def failure_message(job: Job, generation: wire.Generation) -> str:
    code = generation.failure_code or "unknown"
    reason = generation.failure_reason or "no reason given"
    advice = _FAILURE_ADVICE.get(code)
    tail = f"; {advice}" if advice else ""
    return f"{where(job)}: the job failed ({code}: {reason}){tail}"


def retryable(generation: wire.Generation) -> bool:
    return generation.failure_code in wire.RETRYABLE_FAILURES


async def fetch_output(ctx: Context, job: Job, generation: wire.Generation) -> bytes:
    """The job's output bytes; re-GETs the generation when a URL has expired."""
    url = generation.output_url
    problem = "completed without an output URL"
    for attempt in range(1, ctx.options.max_download_tries + 1):
        if url is None:
            url = await _fresh_url(ctx, job, generation.id)
            if url is None:
                continue
        ctx.emit("downloading", job, generation_id=generation.id, attempt=attempt)
        try:
            data = await ctx.client.download(url)
        except TransportError as err:
            problem = str(err)
            await ctx.clock.sleep(ctx.jitter(min(2.0 ** attempt, 30.0)))
            continue
        except ApiError as err:
            if err.status not in _EXPIRED and err.status < 500:
                raise JobFailedError(f"{where(job)}: download failed: {err}",
                                     generation_id=generation.id) from err
            problem = f"download answered HTTP {err.status}"
            url = None  # expired or gone: ask the API for a fresh one
            continue
        if data:
            return data
        problem, url = "the download was empty", None
    raise JobFailedError(f"{where(job)}: could not download the output of generation "
                         f"{generation.id} ({problem}); run `lumaflow apply` again to retry",
                         generation_id=generation.id)


async def _fresh_url(ctx: Context, job: Job, generation_id: str) -> str | None:
    try:
        return (await ctx.client.get(generation_id)).output_url
    except TransportError:
        await ctx.clock.sleep(ctx.jitter(2.0))
        return None
    except ApiError as err:
        if err.status >= 500 or err.status == 429:
            await ctx.clock.sleep(ctx.jitter(err.retry_after or 2.0))
            return None
        raise JobFailedError(f"{where(job)}: cannot refresh the output URL: {err}",
                             generation_id=generation_id) from err
