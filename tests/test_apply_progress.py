"""The progress views: the board's rows, plain lines, JSON lines and the rich table."""

from __future__ import annotations

import io
import json
from pathlib import Path

from applykit import apply, plan_for, project
from rich.console import Console

from lumaflow.commands.progress import Board, JsonView, LinesView, LiveView
from lumaflow.testing import SimulatedApply


def _run_into(tmp_path: Path, *views: object) -> SimulatedApply:
    recipe = project(tmp_path)
    run = SimulatedApply(seed=1)

    def sink(event: object) -> None:
        for view in views:
            view(event)  # type: ignore[operator]

    apply(run, recipe, sink=sink)
    return run


def test_board_ends_with_every_job_done_and_its_saves(tmp_path: Path) -> None:
    run = SimulatedApply(seed=1)
    board = Board(plan_for(project(tmp_path)), run.clock)
    _run_into(tmp_path, board.update)
    rows = board.rows
    assert {r.status for r in rows.values()} == {"done"}
    assert rows["noir.1"].note == "→ out/noir.png" and rows["1"].polls > 0
    assert board.elapsed(rows["1"]).endswith("s")


def test_lines_view_skips_polls_and_names_steps(tmp_path: Path) -> None:
    run = SimulatedApply(seed=1)
    stream = io.StringIO()
    view = LinesView(Board(plan_for(project(tmp_path)), run.clock), stream)
    _run_into(tmp_path, view)
    lines = stream.getvalue().splitlines()
    assert any("background (line 2)" in line and "processing" in line for line in lines)
    assert any(line.rstrip().endswith("saved → out/main.png") for line in lines)
    assert not any("polled" in line for line in lines)


def test_json_view_writes_one_object_per_event(tmp_path: Path) -> None:
    stream = io.StringIO()
    _run_into(tmp_path, JsonView(stream))
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert records and all(r["type"] == "event" and "job" in r for r in records)


def test_live_table_renders_a_row_per_job(tmp_path: Path) -> None:
    run = SimulatedApply(seed=1)
    board = Board(plan_for(project(tmp_path)), run.clock)
    live = LiveView(board)
    _run_into(tmp_path, live)
    console = Console(file=io.StringIO(), width=120, record=True)
    console.print(live._table())
    text = console.export_text()
    for job in ("1", "2", "manga.1", "noir.1"):
        assert f"\n{job} " in "\n" + text
    assert text.count("done") == 4
