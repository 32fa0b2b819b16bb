"""Plan → Outcome: run the job tree — submit, poll, download, record — with events, no prints.

Each job starts when its parent has *completed* (children chain server-side, so
they need only the parent's generation id); downloads run alongside. Branches
run concurrently, bounded by a local concurrency cap held from submission until
the job is terminal. A failed job skips its descendants; other branches go on
unless fail_fast. Crash safety comes from the journal (see `state`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from lumaflow import wire
from lumaflow.client import LumaClient
from lumaflow.errors import LumaflowError
from lumaflow.events import EventSink, JobResult, JobStatus, Outcome, discard
from lumaflow.lockbook import LockBook
from lumaflow.objects import ObjectStore
from lumaflow.plan import Job, Plan
from lumaflow.planstatus import file_sha256
from lumaflow.polling import PollPolicy
from lumaflow.runtime import Clock, Context, JobFailedError, RunOptions, SystemClock, where
from lumaflow.state import Entry, Journal, atomic_write
from lumaflow.submit import sniff, submit
from lumaflow.watch import Poll, failure_message, fetch_output, retryable

T = TypeVar("T")

# After a retryable failure, a short pause; `rate_limited` asks for a longer one.
_RETRY_PAUSE = {"rate_limited": 20.0}


class _FailFastError(Exception):
    """Raised inside the task group to stop every branch (--fail-fast)."""


@dataclass
class _Tally:
    polls: int = 0
    attempts: int = 0
    generation_id: str | None = None
    output_sha256: str | None = None
    saved: list[str] = field(default_factory=list)


async def execute(plan: Plan, client: LumaClient, *, journal: Journal, book: LockBook,
                  clock: Clock | None = None, sink: EventSink = discard,
                  policy: PollPolicy | None = None, options: RunOptions | None = None,
                  rng: random.Random | None = None) -> Outcome:
    """Run every job of `plan`. The caller owns the journal, lock book and client."""
    options = options or RunOptions()
    ctx = Context(plan=plan, client=client, clock=clock or SystemClock(), sink=sink,
                  journal=journal, store=ObjectStore(plan.project_root), book=book,
                  policy=policy or PollPolicy(), options=options, rng=rng or random.Random(),
                  slots=asyncio.Semaphore(options.concurrency))
    return await _Scheduler(ctx).run()


class _Scheduler:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.results: dict[str, JobResult] = {}
        self.tallies: dict[str, _Tally] = {job.id: _Tally() for job in ctx.plan.jobs}
        self.resume = ctx.journal.entries()
        self.children: dict[str, list[Job]] = {job.id: [] for job in ctx.plan.jobs}
        for job in ctx.plan.jobs:  # once, rather than a scan of the plan per job
            if job.parent is not None:
                self.children[job.parent].append(job)

    async def run(self) -> Outcome:
        started = self.ctx.clock.now()
        try:
            await self._all_jobs()
        except BaseExceptionGroup as group:
            # A user-facing error (lock or journal unwritable) surfaces as itself, not as a
            # group from the task machinery; anything else keeps its traceback.
            mine = [e for e in group.exceptions if isinstance(e, LumaflowError)]
            if mine and len(mine) == len(group.exceptions):
                raise mine[0] from None
            raise
        for job in self.ctx.plan.jobs:  # whatever never got a result was stopped
            if job.id not in self.results:
                self._end(job, "skipped", "not run: --fail-fast stopped the run")
        if all(r.status in ("ran", "cached") for r in self.results.values()):
            self.ctx.book.prune(self.ctx.plan.jobs)
        results = tuple(self.results[job.id] for job in self.ctx.plan.jobs)
        return Outcome(results=results, started_at=started, finished_at=self.ctx.clock.now())

    async def _all_jobs(self) -> None:
        try:
            async with asyncio.TaskGroup() as group:
                for job in self.ctx.plan.roots():
                    group.create_task(self._tree(job, group))
        except* _FailFastError:
            pass

    async def _tree(self, job: Job, group: asyncio.TaskGroup) -> None:
        job = self._recorded_since(job)
        try:
            generation = await self._complete(job)
        except JobFailedError as failure:
            self._fail(job, failure)
            return
        group.create_task(self._finish(job, generation))
        for child in self.children[job.id]:
            group.create_task(self._tree(child, group))

    def _recorded_since(self, job: Job) -> Job:
        """A job the plan would run, but which another apply recorded after the plan was
        made (with its output at hand): running it would pay twice, so it is cached."""
        entry = self.ctx.book.lock.entry(self.ctx.plan.scope, job.cache_key)
        if job.status != "run" or entry is None or entry.output_sha256 is None:
            return job
        if self.ctx.store.get(entry.output_sha256) is None:
            return job
        return job.model_copy(update={"status": "cached", "reason": "up to date",
                                      "cached_generation_id": entry.generation_id,
                                      "cached_output_sha256": entry.output_sha256})

    async def _complete(self, job: Job) -> wire.Generation | None:
        """Bring the job to `completed`; None for a cached job (nothing to ask the API)."""
        entry = self.resume.pop((self.ctx.plan.scope, job.cache_key), None)
        if job.status == "cached" and job.cached_generation_id is not None:
            if entry is not None and entry.state not in ("saved", "failed"):
                # Crashed after the lock was written but before the journal said so.
                self.ctx.record("saved", job, generation_id=job.cached_generation_id)
            self.ctx.generations[job.id] = job.cached_generation_id
            return None
        resumed = self._resumable(job, entry)
        if self.ctx.slots.locked():
            self.ctx.emit("queued", job)
        async with self.ctx.slots:
            generation = await self._until_completed(job, resumed)
        self.ctx.record("completed", job, generation_id=generation.id)
        self.ctx.generations[job.id] = generation.id
        return generation

    def _resumable(self, job: Job, entry: Entry | None) -> str | None:
        """The generation an earlier run left in flight, if any; warn about lost POSTs."""
        if entry is None:
            return None
        if entry.in_flight:
            return entry.generation_id
        if entry.lost_posts or entry.state == "intent":
            self.ctx.emit("warning", job, message="an earlier apply sent this step but got no "
                          "answer; that job may exist and be charged. Submitting it again.")
        return None

    async def _until_completed(self, job: Job, resumed: str | None) -> wire.Generation:
        """Attempts until one completes; retryable failures are submitted again (bounded)."""
        tally = self.tallies[job.id]
        while True:
            generation = await self._attempt(job, tally, resumed)
            resumed = None
            if generation.state == "completed":
                return generation
            self.ctx.record("failed", job, generation_id=generation.id,
                            detail=generation.failure_code)
            message = failure_message(job, generation)
            if not retryable(generation) or tally.attempts >= self.ctx.options.max_attempts:
                raise JobFailedError(message, generation_id=generation.id)
            pause = self.ctx.jitter(_RETRY_PAUSE.get(generation.failure_code or "", 2.0))
            self.ctx.emit("retrying", job, message=message, wait=pause,
                          attempt=tally.attempts + 1)
            await self.ctx.clock.sleep(pause)

    async def _attempt(self, job: Job, tally: _Tally, resumed: str | None) -> wire.Generation:
        """One job on the server: re-attached or submitted, then followed to its end."""
        tally.attempts += 1
        if resumed is not None:
            self.ctx.emit("resumed", job, generation_id=resumed)
            generation = await self._follow(job, tally, resumed, resumed=True)
            if generation is not None:
                return generation
        generation_id = await submit(self.ctx, job, attempt=tally.attempts)
        generation = await self._follow(job, tally, generation_id, resumed=False)
        assert generation is not None  # only a re-attached job can turn out to be unknown
        return generation

    async def _follow(self, job: Job, tally: _Tally, generation_id: str, *,
                      resumed: bool) -> wire.Generation | None:
        """Poll to a terminal state; None if a re-attached generation is unknown to the API
        (the embedded simulator forgets everything when its process ends)."""
        tally.generation_id = generation_id
        self.ctx.active += 1
        poll = Poll(self.ctx, job, generation_id, resumed=resumed)
        try:
            return await poll.until_terminal()
        except JobFailedError as failure:
            if not (resumed and failure.not_found):
                raise
            self.ctx.record("failed", job, generation_id=generation_id, detail="not found")
            self.ctx.emit("warning", job, message=f"generation {generation_id}, submitted by "
                          "an earlier apply, is unknown to this backend; submitting again")
            return None
        finally:
            tally.polls += poll.polls
            self.ctx.active -= 1
            await self.ctx.job_finished()

    async def _finish(self, job: Job, generation: wire.Generation | None) -> None:
        """Download (or restore) and save the job's output, then record it in the lock."""
        try:
            if generation is None:
                self._restore(job)
                self._end(job, "cached")
                return
            await self._save(job, generation)
        except JobFailedError as failure:
            self._fail(job, failure, skip_children=False)
            return
        self._end(job, "ran", cost=job.cost_usd)

    async def _save(self, job: Job, generation: wire.Generation) -> None:
        data = await fetch_output(self.ctx, job, generation)
        digest = _written(job, ".lumaflow/objects", partial(self.ctx.store.put, data))
        self.tallies[job.id].output_sha256 = digest
        for target in job.saves:
            _written(job, target.written, partial(atomic_write, target.path, data))
            self.tallies[job.id].saved.append(target.written)
            self.ctx.emit("saved", job, path=target.written, generation_id=generation.id)
        self.ctx.book.record(job, generation_id=generation.id, output_sha256=digest,
                             media_type=sniff(data), completed_at=self.ctx.clock.now())
        self.ctx.record("saved", job, generation_id=generation.id, output_sha256=digest)
        self.ctx.emit("done", job, generation_id=generation.id, polls=self.tallies[job.id].polls)

    def _restore(self, job: Job) -> None:
        """A cached job: put back any saved file that is missing or differs."""
        digest = job.cached_output_sha256
        for target in job.saves:
            if digest is None or file_sha256(target.path) == digest:
                continue
            data = self.ctx.store.get(digest)
            if data is None:
                raise JobFailedError(f"{where(job)}: {target.written} is missing and not in the "
                                     "object cache; delete the lock file to run it again")
            _written(job, target.written, partial(atomic_write, target.path, data))
            self.tallies[job.id].saved.append(target.written)
            self.ctx.emit("restored", job, path=target.written)
        self.ctx.book.refresh(job)
        self.ctx.emit("cached", job, generation_id=job.cached_generation_id)

    def _fail(self, job: Job, failure: JobFailedError, *, skip_children: bool = True) -> None:
        status: JobStatus = failure.status
        self.ctx.emit("failed", job, message=failure.message, generation_id=failure.generation_id)
        self._end(job, status, failure.message)
        if skip_children:
            for child in self._descendants(job):
                self.ctx.emit("skipped", child, message=f"its parent step {job.id} failed")
                self._end(child, "skipped", f"not run: step {job.id} failed")
        if self.ctx.options.fail_fast:
            raise _FailFastError

    def _descendants(self, job: Job) -> list[Job]:
        children = self.children[job.id]
        return children + [d for c in children for d in self._descendants(c)]

    def _end(self, job: Job, status: JobStatus, message: str | None = None,
             cost: float = 0.0) -> None:
        tally = self.tallies[job.id]
        generation_id = tally.generation_id or job.cached_generation_id
        self.results[job.id] = JobResult(
            job=job.id, status=status, generation_id=generation_id, message=message,
            cost_usd=cost, polls=tally.polls, attempts=tally.attempts, saved=tuple(tally.saved),
            output_sha256=job.cached_output_sha256 if status == "cached" else tally.output_sha256,
        )


def _written(job: Job, what: str, write: Callable[[], T]) -> T:
    """Run a file write; a failure (disk full, a folder in the way) fails the step."""
    try:
        return write()
    except OSError as err:
        raise JobFailedError(f"{where(job)}: cannot write {what}: "
                             f"{err.strerror or err}") from err
