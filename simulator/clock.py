"""The simulator's clocks: real, scaled, and virtual (a loop that jumps to its next timer)."""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# 2026-01-01T00:00:00Z: a fixed epoch so virtual runs print real, repeatable dates.
VIRTUAL_EPOCH = 1_767_225_600.0


class Clock(Protocol):
    """What the simulator and lumaflow's executor need from time."""

    def now(self) -> float:
        """Seconds since the Unix epoch, on this clock."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...


class RealClock:
    """Wall-clock time."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))


class ScaledClock:
    """Simulated time running 1/time_scale times faster than the wall clock.

    time_scale 0.05 means one simulated second lasts 0.05 wall seconds.
    """

    def __init__(self, time_scale: float, *, start: float | None = None) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self._start = time.time() if start is None else start
        self._origin = time.monotonic()

    def now(self) -> float:
        return self._start + (time.monotonic() - self._origin) / self.time_scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0) * self.time_scale)


class VirtualClock:
    """Time that moves only when told to, or when its event loop has nothing else to do."""

    def __init__(self, start: float = VIRTUAL_EPOCH) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        if isinstance(loop, VirtualEventLoop) and loop.clock is self:
            await asyncio.sleep(max(seconds, 0.0))
            return
        # On any other loop nobody would move this clock: move it ourselves, then yield.
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)

    def new_event_loop(self) -> VirtualEventLoop:
        return VirtualEventLoop(self)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` to completion on an event loop whose time is this clock."""
        with asyncio.Runner(loop_factory=self.new_event_loop) as runner:
            return runner.run(coro)


class _JumpingSelector(selectors.DefaultSelector):
    """A selector that, instead of blocking with nothing ready, advances the virtual clock."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self._clock = clock

    def select(
        self, timeout: float | None = None
    ) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        if ready or timeout is None or timeout <= 0:
            # timeout None: no timer is pending, so only a real event (another thread) can help.
            return ready if ready or timeout is not None else super().select(None)
        self._clock.advance(timeout)
        return []


class VirtualEventLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose time() is a VirtualClock; idle waits cost no wall time.

    asyncio.sleep, wait_for and timeouts all run on virtual time. Real I/O still works,
    but the clock jumps while the loop waits for it, so use this loop for in-process work.
    """

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        super().__init__(_JumpingSelector(clock))
        # Timers due within this resolution fire together; keep it tiny so order is exact.
        self._clock_resolution = 1e-6

    def time(self) -> float:
        return self.clock.now()
