"""lumaflow.testing: the virtual-time harness other tests and benchmarks rely on."""

from __future__ import annotations

from pathlib import Path

from applykit import apply, chain, project

from lumaflow.testing import SimulatedApply


def test_minutes_of_jobs_on_virtual_time(tmp_path: Path) -> None:
    run = SimulatedApply(seed=1)
    outcome = apply(run, project(tmp_path, chain(3), name="c.lflow"))
    assert outcome.ok
    assert outcome.finished_at - outcome.started_at > 90  # simulated seconds
    assert run.post_count() == 3 == run.jobs_created()
    assert run.events and run.events[0].kind == "submitting"


def test_faults_can_be_loaded_between_runs(tmp_path: Path) -> None:
    recipe = project(tmp_path, chain(1), name="c.lflow")
    run = SimulatedApply(seed=1)
    run.load_faults({"faults": [{"kind": "fail", "job": 1, "code": "content_moderated"}]})
    assert not apply(run, recipe).ok
    run.load_faults({})
    assert apply(run, recipe).ok


def test_requests_journal_is_in_order(tmp_path: Path) -> None:
    run = SimulatedApply(seed=1)
    apply(run, project(tmp_path, chain(1), name="c.lflow"))
    times = [r["t"] for r in run.requests()]
    assert times == sorted(times) and run.requests()[0]["method"] == "POST"


def test_apply_file_and_poll_stats(tmp_path: Path) -> None:
    run = SimulatedApply(seed=2)
    outcome = run.apply_file(project(tmp_path, chain(3), name="c.lflow"))
    assert outcome.ok
    stats = run.poll_stats()
    assert len(stats) == 3
    for stat in stats:
        assert stat.gets >= 1 and stat.delay is not None and 0.0 <= stat.delay <= 1.9 + 1e-6
