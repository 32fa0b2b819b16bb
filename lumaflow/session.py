"""One apply run around the executor: the recipe's apply lock, its journal, its lock file."""

from __future__ import annotations

import random

from lumaflow.client import LumaClient
from lumaflow.events import EventSink, Outcome, discard
from lumaflow.execute import execute
from lumaflow.lockbook import LockBook
from lumaflow.plan import Plan
from lumaflow.polling import PollPolicy
from lumaflow.runtime import Clock, RunOptions
from lumaflow.state import Journal, apply_lock, journal_path


async def apply_plan(plan: Plan, client: LumaClient, *, clock: Clock,
                     sink: EventSink = discard, options: RunOptions | None = None,
                     policy: PollPolicy | None = None,
                     rng: random.Random | None = None) -> Outcome:
    """Run `plan` while holding the recipe's apply lock; the journal survives any crash."""
    with apply_lock(plan.recipe):
        journal = Journal.open(journal_path(plan.recipe))
        try:
            book = LockBook(plan.lock, plan.scope)
            return await execute(plan, client, journal=journal, book=book, clock=clock,
                                 sink=sink, policy=policy, options=options, rng=rng)
        finally:
            journal.close()
