"""Per-client rate limits: a sliding 60 s window on POSTs and a cap on active jobs."""

from __future__ import annotations

import math
from collections import deque

from simulator.errors import SimError

WINDOW = 60.0


class RateLimiter:
    """Counts accepted POSTs per client; the concurrency cap is checked against live jobs."""

    def __init__(self, rpm: int, concurrency: int) -> None:
        self.rpm = rpm
        self.concurrency = concurrency
        self._stamps: dict[str, deque[float]] = {}

    def check(self, client: str, now: float, active_jobs: int) -> None:
        """Raise the documented 429 when either limit is reached (the RPM case first)."""
        stamps = self._window(client, now)
        if len(stamps) >= self.rpm:
            oldest = stamps[0]
            raise SimError(429, "Rate limit exceeded", {
                "Retry-After": str(max(1, math.ceil(oldest + WINDOW - now))),
                "X-RateLimit-Limit": str(self.rpm),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(math.ceil(oldest + WINDOW)),
            })
        if active_jobs >= self.concurrency:
            raise SimError(429, "Too many concurrent jobs", {"Retry-After": "60"})

    def record(self, client: str, now: float) -> dict[str, str]:
        """Count one accepted POST; the X-RateLimit-* headers of its 201."""
        stamps = self._window(client, now)
        stamps.append(now)
        return {
            "X-RateLimit-Limit": str(self.rpm),
            "X-RateLimit-Remaining": str(max(0, self.rpm - len(stamps))),
            "X-RateLimit-Reset": str(math.ceil(now + WINDOW)),
        }

    def _window(self, client: str, now: float) -> deque[float]:
        stamps = self._stamps.setdefault(client, deque())
        while stamps and stamps[0] <= now - WINDOW:
            stamps.popleft()
        return stamps
