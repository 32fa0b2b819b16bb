"""Crash safety: stop apply at every event, or lose a POST's answer, then run it again.

A crash is an exception raised from the event sink (or the transport) at a chosen
point: it unwinds the executor as a kill would stop it, leaving the journal, the
lock file and the images as they are at that instant.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from applykit import HERO, apply, plan_for, project, statuses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import simulator
from lumaflow.client import LumaClient
from lumaflow.events import Event, Outcome
from lumaflow.lockfile import lock_path, read_lock
from lumaflow.state import journal_path
from lumaflow.testing import SimulatedApply

SAVES = ("out/main.png", "out/manga.png", "out/noir.png")


class Crash(BaseException):
    """Not an Exception: nothing in the executor may swallow it, as nothing survives a kill."""


def crash_at(n: int) -> Any:
    count = 0

    def sink(event: Event) -> None:
        nonlocal count
        count += 1
        if count == n:
            raise Crash(f"crash at event {n}: {event.kind} {event.job}")

    return sink


def assert_images_whole(root: Path, *, recorded: bool = False) -> None:
    """Every saved image decodes and is a whole output (in the object cache; with
    `recorded`, also the one the lock file records)."""
    lock = read_lock(lock_path(root / "hero.lflow"))
    in_lock = {e.output_sha256 for e in lock.scopes["simulator"].jobs.values()} if lock else set()
    objects = {p.name for p in (root / ".lumaflow" / "objects").glob("*")}
    for written in SAVES:
        path = root / written
        if path.exists():
            data = path.read_bytes()
            Image.open(io.BytesIO(data)).verify()
            digest = hashlib.sha256(data).hexdigest()
            assert digest in objects
            assert digest in in_lock or not recorded
    assert not list(root.rglob("*.tmp")), "a temporary file was left behind"


def crash_points(tmp_path: Path) -> list[int]:
    """The 1-based index of every event of a clean run, except repeated polls of a job
    (a crash between two polls is the same as one at the first)."""
    run = SimulatedApply(seed=4)
    assert apply(run, project(tmp_path / "clean")).ok
    points: list[int] = []
    last: dict[str, str] = {}
    for n, event in enumerate(run.events, 1):
        if not (event.kind == "polled" and last.get(event.job) == "polled"):
            points.append(n)
        last[event.job] = event.kind
    return points


@pytest.mark.slow
def test_crash_at_every_event_then_rerun_never_pays_twice(tmp_path: Path) -> None:
    points = crash_points(tmp_path)
    assert len(points) > 30
    for n in points:
        root = tmp_path / f"crash{n}"
        recipe = project(root)
        run = SimulatedApply(seed=4)
        with pytest.raises(BaseExceptionGroup) as info:
            apply(run, recipe, sink=crash_at(n))
        assert info.group_contains(Crash)
        assert_images_whole(root)
        outcome = apply(run, recipe)
        assert outcome.ok, (n, outcome)
        assert run.post_count() == 4, f"crash at event {n}: {run.post_count()} POSTs"
        assert_images_whole(root, recorded=True)
        assert all((root / s).exists() for s in SAVES)
        assert not journal_path(recipe).exists(), f"crash at event {n}: journal left behind"


def test_crash_while_a_post_is_in_flight_is_reported_as_unknown(tmp_path: Path) -> None:
    class DiesAfterPost(httpx.AsyncBaseTransport):
        """The POST reaches the service, then the process dies before reading the answer."""

        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner, self.armed = inner, True

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            if request.method == "POST" and self.armed:
                self.armed = False
                raise Crash("killed while the 201 was on its way")
            return response

    recipe = project(tmp_path)
    run = SimulatedApply(seed=4)
    healthy = run.backend.client
    run.backend.client = LumaClient(simulator.BASE_URL, simulator.TEST_KEY,
                                    transport=DiesAfterPost(run.simulator.transport))
    with pytest.raises(BaseException):  # noqa: B017 - the crash, however it is wrapped
        apply(run, recipe)
    run.backend.client = healthy
    outcome = apply(run, recipe)
    assert outcome.ok
    warnings = [e for e in run.events if e.kind == "warning"]
    assert [e.job for e in warnings] == ["1"]
    assert "may exist and be charged" in (warnings[0].message or "")
    assert run.jobs_created() == 5  # the orphan, and the resubmission the user was told of


FAULT = st.one_of(
    st.builds(lambda job, code: {"kind": "fail", "job": job, "code": code},
              st.integers(1, 8), st.sampled_from(["generation_failed", "output_not_found",
                                                  "content_moderated", "corrupt_input"])),
    st.builds(lambda job, status, times: {"kind": "status", "job": job, "status": status,
                                          "times": times, "retry_after": 3},
              st.integers(1, 8), st.sampled_from([429, 500, 502, 503]), st.integers(1, 3)),
    st.builds(lambda job, when: {"kind": "drop", "job": job, "when": when, "method": "POST"},
              st.integers(1, 8), st.sampled_from(["before", "after"])),
    st.builds(lambda req: {"kind": "drop", "request": req, "method": "GET"},
              st.integers(2, 40)),
    st.builds(lambda req: {"kind": "status", "request": req, "method": "GET", "status": 500},
              st.integers(2, 40)),
)


def prompts_by_job(run: SimulatedApply, outcome: Outcome) -> dict[str, int]:
    """How many jobs the service created for each step (steps have distinct prompts)."""
    created: dict[str, int] = {}
    for job in run.simulator.backend.job_list:
        created[job.request.prompt] = created.get(job.request.prompt, 0) + 1
    return created


@pytest.mark.slow
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rules=st.lists(FAULT, max_size=4), seed=st.integers(0, 50))
def test_random_fault_plans_lose_nothing_and_never_pay_silently(
        tmp_path_factory: pytest.TempPathFactory, rules: list[dict[str, Any]],
        seed: int) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    recipe = project(root, HERO)
    run = SimulatedApply(seed=seed, faults={"faults": rules})
    first = apply(run, recipe)
    assert_images_whole(root)
    for result in first.results:
        if result.status == "ran":
            assert result.output_sha256 is not None
    _assert_every_job_accounted_for(run)
    run.load_faults({})
    second = apply(run, recipe)
    assert second.ok, statuses(second)
    assert_images_whole(root, recorded=True)
    assert all((root / s).exists() for s in SAVES)
    _assert_every_job_accounted_for(run)


def _assert_every_job_accounted_for(run: SimulatedApply) -> None:
    """Each job the service created was either seen by us (an id we followed) or reported
    as unknown fate (a lost POST): nothing was paid for silently."""
    seen = {e.generation_id for e in run.events if e.kind == "submitted"}
    lost = sum(1 for e in run.events if e.kind == "failed" and "got no answer" in (e.message or ""))
    unseen = [j for j in run.simulator.backend.job_list if j.id not in seen]
    assert len(unseen) <= lost


def test_killed_between_lock_and_journal_leaves_no_stale_journal(tmp_path: Path) -> None:
    """A kill after the lock recorded a job but before the journal's `saved` record."""
    from lumaflow.state import Journal, Record

    recipe = project(tmp_path)
    run = SimulatedApply(seed=4)
    outcome = apply(run, recipe)
    first = outcome.results[0]
    journal = Journal.open(journal_path(recipe))
    key = plan_for(recipe).jobs[0].cache_key
    for event in ("intent", "submitted", "completed"):
        journal.append(Record.model_validate({"event": event, "scope": "simulator", "job": "1",
                                              "cache_key": key,
                                              "generation_id": first.generation_id}))
    journal._handle.close()
    again = apply(run, recipe)
    assert set(statuses(again).values()) == {"cached"}
    assert not journal_path(recipe).exists()
