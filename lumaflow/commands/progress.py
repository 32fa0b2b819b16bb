"""apply's progress display: a live table on a terminal, plain lines otherwise, or JSON events.

Each view is an event sink fed by the executor; none of them touches the work.
Times are the backend's clock (simulated seconds on the embedded simulator).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from lumaflow.events import Event
from lumaflow.plan import Plan
from lumaflow.runtime import Clock

# What a job's row shows after each kind of event (None: the event leaves it as it is).
_STATUS = {
    "queued": "waiting for a slot", "submitting": "submitting", "submitted": "queued",
    "resumed": "re-attached", "processing": "processing", "downloading": "downloading",
    "done": "done", "cached": "cached", "restored": "restored", "retrying": "retrying",
    "waiting": "rate limited", "failed": "failed", "skipped": "skipped",
}
# Plain-line mode leaves these out: one line per poll would drown the rest.
_QUIET = {"polled", "downloading", "submitting"}


@dataclass
class _Row:
    job: str
    label: str
    status: str = "pending"
    polls: int = 0
    started: float | None = None
    ended: float | None = None
    note: str = ""


@dataclass
class Board:
    """The state every view draws from: one row per job, in plan order."""

    plan: Plan
    clock: Clock
    rows: dict[str, _Row] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for job in self.plan.jobs:
            self.rows[job.id] = _Row(job.id, f"{job.kind} (line {job.line})")

    def update(self, event: Event) -> _Row:
        row = self.rows[event.job]
        status = _STATUS.get(event.kind)
        if event.kind == "polled" and event.state == "queued":
            status = "queued"
        if status is not None:
            row.status = status
        if event.polls is not None:
            row.polls = event.polls
        if event.kind == "submitting" and row.started is None:
            row.started = event.at
        if event.kind in ("done", "failed", "skipped", "cached"):
            row.ended = event.at
        if event.kind in ("saved", "restored") and event.path:
            row.note = f"→ {event.path}"
        if event.kind in ("waiting", "retrying", "warning") and event.message:
            row.note = event.message
        return row

    def elapsed(self, row: _Row) -> str:
        if row.started is None:
            return ""
        end = row.ended if row.ended is not None else self.clock.now()
        return f"{end - row.started:.0f}s"


class LinesView:
    """One line per meaningful event, for logs and pipes."""

    def __init__(self, board: Board, stream: IO[str]) -> None:
        self.board, self.stream = board, stream
        self.origin = board.clock.now()

    def __call__(self, event: Event) -> None:
        row = self.board.update(event)
        if event.kind in _QUIET:
            return
        words = _STATUS.get(event.kind, event.kind)
        extra = _detail(event)
        print(f"{event.at - self.origin:7.1f}s  {row.job:<10} {row.label:<28} {words}{extra}",
              file=self.stream, flush=True)


def _detail(event: Event) -> str:
    if event.kind == "submitted" and event.generation_id:
        return f" (generation {event.generation_id})"
    if event.kind in ("saved", "restored") and event.path:
        return f" → {event.path}"
    if event.kind == "done" and event.polls is not None:
        return f" after {event.polls} polls"
    if event.message:
        wait = f" (waiting {event.wait:.0f} s)" if event.wait else ""
        return f": {event.message}{wait}"
    return ""


class JsonView:
    """`--json`: one JSON object per event on stdout, for machines."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __call__(self, event: Event) -> None:
        self.emit({"type": "event", **event.model_dump(exclude_none=True)})

    def emit(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(record, sort_keys=True) + "\n")
        self.stream.flush()


class LiveView:
    """A rich table redrawn as events arrive: a row per job with status, time and polls."""

    def __init__(self, board: Board) -> None:
        from rich.console import Console
        from rich.live import Live

        self.board = board
        self.live = Live(console=Console(file=sys.stderr), refresh_per_second=8,
                         transient=False, get_renderable=self._table)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def __call__(self, event: Event) -> None:
        self.board.update(event)

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        for name in ("job", "step", "status", "time", "polls", ""):
            table.add_column(name)
        for row in self.board.rows.values():
            table.add_row(row.job, row.label, _styled(row.status), self.board.elapsed(row),
                          str(row.polls or ""), row.note)
        return table


def _styled(status: str) -> str:
    colour = {"done": "green", "cached": "cyan", "restored": "cyan", "failed": "red",
              "skipped": "yellow", "rate limited": "yellow", "retrying": "yellow"}.get(status)
    return f"[{colour}]{status}[/]" if colour else status
