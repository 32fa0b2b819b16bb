"""When to poll a job: a first wait, then a fixed interval, and a hard deadline.

The API advises against exponential backoff: wait a while, then poll every ~2 s
until a hard deadline. The first wait is learnt: it sits near a low quantile of
the latencies this run has seen for the same model, so jobs are not polled long
before any of them usually finishes, while a fast job is still caught within one
interval. Nothing here assumes a latency range; the bounds only keep a few odd
observations from making the first wait absurd. Pure: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PollConfig:
    # 1.9 s rather than 2 s: completion is noticed at most one interval late, and a GET takes
    # some time itself, so this keeps the p95 detection delay under 2 s.
    interval: float = 1.9
    first_wait: float = 10.0  # before anything was observed: catches even fast jobs promptly
    min_first_wait: float = 1.0
    max_first_wait: float = 120.0
    quantile: float = 0.05  # of observed latencies; low, so few jobs finish before their first poll
    min_samples: int = 3
    window: int = 200  # remember only recent latencies: the service's speed drifts
    shrink: float = 0.9  # a job already done at its first poll: we waited too long, learn lower
    # ... and while no job was ever seen unfinished, halve: a fast service is found quickly.
    blind_shrink: float = 0.5
    deadline: float = 300.0  # per job, from its submission; generous enough for uni-1-max


@dataclass
class PollPolicy:
    """Shared by all jobs of a run; `observe` completed jobs, ask `next_wait` for the rest."""

    config: PollConfig = field(default_factory=PollConfig)
    _latencies: dict[str, deque[float]] = field(default_factory=dict)
    _bracketed: set[str] = field(default_factory=set)  # kinds with a job seen both unfinished
    # and finished, so a latency was measured rather than bounded

    def first_wait(self, kind: str) -> float:
        """Seconds from submission to the first poll, for jobs of `kind` (e.g. the model)."""
        seen = sorted(self._latencies.get(kind, ()))
        if len(seen) < self.config.min_samples:
            return self.config.first_wait
        low = _quantile(seen, self.config.quantile)
        return min(max(low, self.config.min_first_wait), self.config.max_first_wait)

    def next_wait(self, kind: str, *, elapsed: float, last_poll: float | None) -> float:
        """Seconds to sleep before the next poll; 0 means poll now.

        `elapsed` is the time since submission, `last_poll` the elapsed time of the
        previous poll (None before the first). Re-asking after a sleep is safe: the
        first wait may have moved (other jobs finished), and the answer follows it.
        """
        due = self.first_wait(kind) if last_poll is None else last_poll + self.config.interval
        due = min(due, self.config.deadline)
        return max(0.0, due - elapsed)

    def expired(self, elapsed: float) -> bool:
        return elapsed >= self.config.deadline

    def observe(self, kind: str, *, detected: float, last_pending: float | None,
                first_wait: float) -> None:
        """Learn from a job found completed at `detected` s after submission.

        It finished after `last_pending` (its previous poll) and before `detected`: the
        midpoint is the estimate. Found done at the very first poll, it only says the
        first wait was too long: record a value below it so the learnt wait comes down.
        """
        if last_pending is not None:
            self._bracketed.add(kind)
            sample = (last_pending + detected) / 2
        elif kind in self._bracketed:
            sample = first_wait * self.config.shrink
        else:
            sample = first_wait * self.config.blind_shrink
        seen = self._latencies.setdefault(kind, deque(maxlen=self.config.window))
        seen.append(max(0.0, min(sample, detected)))


def _quantile(values: list[float], q: float) -> float:
    """The lower empirical q-quantile of sorted `values`."""
    index = max(0, math.ceil(q * len(values)) - 1)
    return values[index]
