"""The executor on virtual time against the in-process simulator: the happy paths."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

from applykit import HERO, apply, chain, plan_for, posts, project, statuses

from lumaflow.events import Event
from lumaflow.lockfile import lock_path, read_lock
from lumaflow.runtime import RunOptions
from lumaflow.state import journal_path
from lumaflow.testing import SimulatedApply


def test_hero_runs_every_job_and_saves_every_image(tmp_path: Path) -> None:
    recipe = project(tmp_path)
    run = SimulatedApply(seed=1)
    outcome = apply(run, recipe)
    assert statuses(outcome) == {"1": "ran", "2": "ran", "manga.1": "ran", "noir.1": "ran"}
    assert run.post_count() == 4
    for name in ("main", "manga", "noir"):
        assert (tmp_path / "out" / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    lock = read_lock(lock_path(recipe))
    assert lock is not None and len(lock.scopes["simulator"].jobs) == 4
    assert not journal_path(recipe).exists()  # nothing left unresolved


def test_children_chain_server_side_and_first_step_uploads(tmp_path: Path) -> None:
    run = SimulatedApply(seed=1)
    apply(run, project(tmp_path))
    bodies = [p["body"] for p in posts(run)]
    assert "data" in bodies[0]["source"] and bodies[0]["source"]["media_type"] == "image/png"
    created = list(run.simulator.backend.job_list)
    assert bodies[1]["source"] == {"generation_id": created[0].id}
    assert {b["source"]["generation_id"] for b in bodies[2:]} == {created[1].id}


def test_branches_run_concurrently(tmp_path: Path) -> None:
    run = SimulatedApply(seed=1)
    apply(run, project(tmp_path))
    manga, noir = run.simulator.backend.job_list[2:]
    assert abs(manga.created_at - noir.created_at) < 1.0


def test_only_saved_and_cache_outputs_are_downloaded(tmp_path: Path) -> None:
    run = SimulatedApply(seed=1)
    outcome = apply(run, project(tmp_path))
    store = tmp_path / ".lumaflow" / "objects"
    for result in outcome.results:
        assert result.output_sha256 is not None
        data = (store / result.output_sha256).read_bytes()
        assert hashlib.sha256(data).hexdigest() == result.output_sha256


def test_reapply_is_up_to_date_and_submits_nothing(tmp_path: Path) -> None:
    recipe = project(tmp_path)
    run = SimulatedApply(seed=1)
    apply(run, recipe)
    before = len(run.requests())
    again = apply(run, recipe)
    assert set(statuses(again).values()) == {"cached"}
    assert len(run.requests()) == before


def test_one_line_change_reruns_that_step_and_descendants_only(tmp_path: Path) -> None:
    recipe = project(tmp_path)
    run = SimulatedApply(seed=1)
    apply(run, recipe)
    recipe.write_text(HERO.replace('"film noir"', '"film noir, rain"'))
    outcome = apply(run, recipe)
    assert statuses(outcome) == {"1": "cached", "2": "cached", "manga.1": "cached",
                                 "noir.1": "ran"}
    assert run.post_count() == 5


def test_missing_output_is_restored_from_object_cache_without_api(tmp_path: Path) -> None:
    recipe = project(tmp_path)
    run = SimulatedApply(seed=1)
    apply(run, recipe)
    original = (tmp_path / "out" / "noir.png").read_bytes()
    (tmp_path / "out" / "noir.png").unlink()
    before = len(run.requests())
    outcome = apply(run, recipe)
    assert statuses(outcome)["noir.1"] == "cached"
    assert (tmp_path / "out" / "noir.png").read_bytes() == original
    assert len(run.requests()) == before
    assert any(e.kind == "restored" and e.job == "noir.1" for e in run.events)


def _timeline(tmp_path: Path) -> list[tuple[object, ...]]:
    recipe = project(tmp_path, chain(10), name="ten.lflow")
    run = SimulatedApply(seed=7)
    outcome = apply(run, recipe)
    assert outcome.ok and run.post_count() == 10
    return [(r["t"], r["method"], r["path"], r["status"]) for r in run.requests()]


def test_ten_step_timeline_is_identical_across_runs(tmp_path: Path) -> None:
    first = _timeline(tmp_path / "a")
    second = _timeline(tmp_path / "b")
    assert first == second
    assert len(first) > 10 * 5  # polled, not just posted


def test_polls_follow_policy_first_wait_then_interval(tmp_path: Path) -> None:
    run = SimulatedApply(seed=3, latency=(30.0, 30.0), queue_wait=(0.0, 0.0))
    apply(run, project(tmp_path, chain(1), name="one.lflow"))
    times = [r["t"] for r in run.requests() if r["method"] == "GET"]
    post = next(r["t"] for r in run.requests() if r["method"] == "POST")
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(times)]
    assert round(times[0] - post, 3) == 10.0
    assert set(gaps) == {1.9}


def test_local_concurrency_cap_bounds_jobs_in_flight(tmp_path: Path) -> None:
    text = 'source car = "car.png"\n' + "".join(
        f'branch b{i} {{\n  step edit "variant {i}"\n  save "out/{i}.png"\n}}\n' for i in range(6))
    run = SimulatedApply(seed=2)
    outcome = apply(run, project(tmp_path, text, name="fan.lflow"),
                    options=RunOptions(concurrency=2))
    assert outcome.ok
    jobs = run.simulator.backend.job_list
    for job in jobs:  # at no job's creation were more than two of ours unfinished
        busy = [j for j in jobs if j.created_at <= job.created_at < j.finished_at]
        assert len(busy) <= 2
    assert sum(1 for j in jobs if j.created_at == jobs[0].created_at) == 2


def test_events_are_typed_and_serialisable(tmp_path: Path) -> None:
    seen: list[Event] = []
    run = SimulatedApply(seed=1)
    apply(run, project(tmp_path), sink=seen.append)
    kinds = {e.kind for e in seen}
    assert {"submitting", "submitted", "polled", "processing", "downloading", "saved",
            "done"} <= kinds
    for event in seen:
        json.loads(event.model_dump_json())


def test_plan_file_round_trip_applies(tmp_path: Path) -> None:
    from lumaflow.plan import dumps_plan, loads_plan

    recipe = project(tmp_path)
    plan = loads_plan(dumps_plan(plan_for(recipe)), path=tmp_path / "p.json")
    assert SimulatedApply(seed=1).apply(plan).ok


def test_a_wait_below_clock_resolution_polls_instead_of_spinning(tmp_path: Path) -> None:
    """At epoch-sized clock values a sleep of 1e-9 s does not move time at all."""
    from lumaflow.polling import PollPolicy

    class Fussy(PollPolicy):
        def next_wait(self, kind: str, *, elapsed: float, last_poll: float | None) -> float:
            wait = super().next_wait(kind, elapsed=elapsed, last_poll=last_poll)
            return 1e-9 if wait == 0.0 else wait

    run = SimulatedApply(seed=1)
    outcome = apply(run, project(tmp_path, chain(1), name="c.lflow"), policy=Fussy())
    assert outcome.ok


def test_a_plan_made_before_another_apply_does_not_pay_twice(tmp_path: Path) -> None:
    recipe = project(tmp_path)
    stale = plan_for(recipe)  # planned, then someone else applies the recipe
    run = SimulatedApply(seed=1)
    apply(run, recipe)
    outcome = run.apply(stale)
    assert set(statuses(outcome).values()) == {"cached"}
    assert run.post_count() == 4
