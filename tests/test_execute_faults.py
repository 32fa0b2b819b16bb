"""The executor under faults: failure codes, both 429s, 5xx bursts, drops, deadlines, expiry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from applykit import apply, chain, plan_for, posts, project, statuses

import simulator
from lumaflow.client import LumaClient
from lumaflow.events import Outcome
from lumaflow.polling import PollConfig, PollPolicy
from lumaflow.runtime import RunOptions
from lumaflow.state import journal_path, read_records
from lumaflow.testing import SimulatedApply

FAN = 'source car = "car.png"\n' + "".join(
    f'branch b{i} {{\n  step edit "variant {i}"\n  save "out/{i}.png"\n}}\n' for i in range(4))


def faults(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"faults": list(rules)}


def run_chain(tmp_path: Path, steps: int, *rules: dict[str, Any],
              **kwargs: Any) -> tuple[SimulatedApply, Outcome]:
    run = SimulatedApply(seed=5, faults=faults(*rules))
    outcome = apply(run, project(tmp_path, chain(steps), name="c.lflow"), **kwargs)
    return run, outcome


@pytest.mark.parametrize("code", ["generation_failed", "output_not_found", "rate_limited"])
def test_retryable_failure_codes_are_retried(tmp_path: Path, code: str) -> None:
    run, outcome = run_chain(tmp_path, 2, {"kind": "fail", "job": 1, "code": code})
    assert outcome.ok
    assert run.post_count() == 3 and run.jobs_created() == 3
    assert [e.job for e in run.events if e.kind == "retrying"] == ["1"]
    assert outcome.results[0].attempts == 2


def test_retries_are_bounded(tmp_path: Path) -> None:
    rules = [{"kind": "fail", "job": n, "code": "generation_failed"} for n in (1, 2, 3, 4)]
    run, outcome = run_chain(tmp_path, 2, *rules)
    assert statuses(outcome) == {"1": "failed", "2": "skipped"}
    assert run.jobs_created() == 3
    assert "generation_failed" in (outcome.results[0].message or "")


@pytest.mark.parametrize("code", ["content_moderated", "budget_exhausted", "image_too_large",
                                  "unsupported_format", "corrupt_input", "invalid_request",
                                  "a_code_from_the_future"])
def test_final_failure_codes_stop_the_branch_naming_step_and_line(
        tmp_path: Path, code: str) -> None:
    rule: dict[str, Any] = {"kind": "fail", "job": 2, "code": "content_moderated"}
    if code != "a_code_from_the_future":
        rule["code"] = code
    run, outcome = run_chain(tmp_path, 3, rule)
    assert statuses(outcome) == {"1": "ran", "2": "failed", "3": "skipped"}
    message = outcome.results[1].message or ""
    assert "step 2 `edit` (line 3)" in message and rule["code"] in message
    assert run.jobs_created() == 2  # not retried


def test_a_failed_branch_does_not_stop_the_others(tmp_path: Path) -> None:
    run = SimulatedApply(seed=5, faults=faults({"kind": "fail", "job": 2,
                                                "code": "content_moderated"}))
    outcome = apply(run, project(tmp_path, FAN, name="fan.lflow"))
    assert sorted(statuses(outcome).values()) == ["failed", "ran", "ran", "ran"]
    assert not outcome.ok


def test_fail_fast_stops_the_others_and_a_rerun_reattaches(tmp_path: Path) -> None:
    recipe = project(tmp_path, FAN, name="fan.lflow")
    run = SimulatedApply(seed=5, faults=faults({"kind": "fail", "job": 1,
                                                "code": "content_moderated",
                                                "from_state": "queued"}))
    outcome = apply(run, recipe, options=RunOptions(fail_fast=True))
    assert sorted(statuses(outcome).values()) == ["failed", "skipped", "skipped", "skipped"]
    assert run.post_count() == 4
    run.load_faults({})
    again = apply(run, recipe)
    assert again.ok
    assert run.post_count() == 5  # only the failed one again; the rest were re-attached
    assert sum(1 for e in run.events if e.kind == "resumed") == 3


def test_rpm_429_honours_retry_after(tmp_path: Path) -> None:
    rule = {"kind": "status", "job": 1, "status": 429, "times": 2, "retry_after": 7}
    run, outcome = run_chain(tmp_path, 1, rule)
    assert outcome.ok and run.jobs_created() == 1 and run.post_count() == 3
    times = [p["t"] for p in posts(run)]
    assert 7.0 <= times[1] - times[0] <= 8.5


def test_concurrency_429_waits_for_one_of_our_jobs_not_60_s(tmp_path: Path) -> None:
    run = SimulatedApply(seed=5, concurrency=2)
    outcome = apply(run, project(tmp_path, FAN, name="fan.lflow"),
                    options=RunOptions(concurrency=4))
    assert outcome.ok and run.jobs_created() == 4
    limited = [p for p in posts(run) if p["status"] == 429]
    assert limited
    jobs = run.simulator.backend.job_list
    for late in jobs[2:]:  # each submitted right after one of ours finished, not 60 s later
        assert min(late.created_at - j.finished_at for j in jobs[:2]
                   if j.finished_at <= late.created_at) < 5.0


def test_5xx_burst_on_post_is_retried_with_backoff(tmp_path: Path) -> None:
    run, outcome = run_chain(tmp_path, 2, {"kind": "status", "job": 1, "status": 503,
                                           "times": 3})
    assert outcome.ok and run.jobs_created() == 2
    assert [p["status"] for p in posts(run)][:4] == [503, 503, 503, 201]


def test_5xx_that_never_ends_fails_the_step(tmp_path: Path) -> None:
    run, outcome = run_chain(tmp_path, 1, {"kind": "status", "job": 1, "status": 502,
                                           "times": 50})
    assert statuses(outcome) == {"1": "failed"}
    assert "Upstream service unavailable" in (outcome.results[0].message or "")
    assert run.post_count() == RunOptions().max_server_errors + 1


def test_5xx_and_drops_on_polls_are_harmless(tmp_path: Path) -> None:
    run, outcome = run_chain(
        tmp_path, 1, {"kind": "status", "request": 2, "method": "GET", "status": 500,
                      "times": 3},
        {"kind": "drop", "request": 6, "method": "GET"})
    assert outcome.ok and run.post_count() == 1


@pytest.mark.parametrize(("when", "created"), [("before", 0), ("after", 1)])
def test_dropped_post_is_unknown_fate_never_silently_retried(
        tmp_path: Path, when: str, created: int) -> None:
    recipe = project(tmp_path, chain(2), name="c.lflow")
    run = SimulatedApply(seed=5, faults=faults({"kind": "drop", "job": 1, "when": when,
                                                "method": "POST"}))
    outcome = apply(run, recipe)
    assert statuses(outcome) == {"1": "unknown", "2": "skipped"}
    assert run.post_count() == 1 and run.jobs_created() == created
    assert "may have been created and charged" in (outcome.results[0].message or "")
    assert [r.event for r in read_records(journal_path(recipe))] == ["intent", "lost"]
    again = apply(run, recipe)  # the user re-runs: submitted again, and told so
    assert again.ok and run.jobs_created() == created + 2
    assert any(e.kind == "warning" and e.job == "1" for e in run.events)


def test_connection_refused_post_is_retried(tmp_path: Path) -> None:
    class Refusing(httpx.AsyncBaseTransport):
        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner, self.refusals = inner, 2

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and self.refusals:
                self.refusals -= 1
                raise httpx.ConnectError("connection refused", request=request)
            return await self.inner.handle_async_request(request)

    run = SimulatedApply(seed=5)
    run.backend.client = LumaClient(simulator.BASE_URL, simulator.TEST_KEY,
                                    transport=Refusing(run.simulator.transport))
    outcome = apply(run, project(tmp_path, chain(1), name="c.lflow"))
    assert outcome.ok and run.post_count() == 1


def test_never_finishing_job_hits_the_deadline_and_a_rerun_reattaches(tmp_path: Path) -> None:
    recipe = project(tmp_path, chain(1), name="c.lflow")
    run = SimulatedApply(seed=5, faults=faults({"kind": "never_finish", "job": 1}))
    policy = PollPolicy(PollConfig(deadline=120.0))
    outcome = apply(run, recipe, policy=policy)
    message = outcome.results[0].message or ""
    assert statuses(outcome) == {"1": "failed"} and "no result after 120 s" in message
    gets = [r["t"] for r in run.requests() if r["method"] == "GET"]
    assert gets[-1] - posts(run)[0]["t"] == pytest.approx(120.0, abs=0.01)
    again = apply(run, recipe, policy=PollPolicy(PollConfig(deadline=10.0)))
    assert statuses(again) == {"1": "failed"}
    assert run.post_count() == 1  # re-attached, not resubmitted


def test_expired_download_url_is_refreshed(tmp_path: Path) -> None:
    class SlowStorage(httpx.AsyncBaseTransport):
        """The first download stalls past the URL's expiry, as a slow network might."""

        def __init__(self, run: SimulatedApply) -> None:
            self.run, self.stalled = run, False

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.startswith("/storage/") and not self.stalled:
                self.stalled = True
                await self.run.clock.sleep(120.0)
            return await self.run.simulator.transport.handle_async_request(request)

    run = SimulatedApply(seed=5, url_ttl=60.0)
    run.backend.client = LumaClient(simulator.BASE_URL, simulator.TEST_KEY,
                                    transport=SlowStorage(run))
    outcome = apply(run, project(tmp_path, chain(1), name="c.lflow"))
    assert outcome.ok
    downloads = [e for e in run.events if e.kind == "downloading"]
    assert [e.attempt for e in downloads] == [1, 2]
    assert (tmp_path / "out" / "final.png").read_bytes().startswith(b"\x89PNG")


def test_402_at_submission_stops_without_retry(tmp_path: Path) -> None:
    run, outcome = run_chain(tmp_path, 1, {"kind": "status", "job": 1, "status": 402})
    assert statuses(outcome) == {"1": "failed"} and run.post_count() == 1
    assert "Insufficient credits" in (outcome.results[0].message or "")


def test_cached_parent_gone_uploads_the_cached_image(tmp_path: Path) -> None:
    recipe = project(tmp_path, chain(2), name="c.lflow")
    assert apply(SimulatedApply(seed=5), recipe).ok
    recipe.write_text(chain(2).replace("change number 2", "change number two"))
    fresh = SimulatedApply(seed=6)  # a new service: the old generation ids mean nothing
    outcome = apply(fresh, recipe)
    assert statuses(outcome) == {"1": "cached", "2": "ran"}
    sources = [p["body"]["source"] for p in posts(fresh)]
    assert "generation_id" in sources[0] and "data" in sources[1]
    assert any(e.kind == "warning" and "uploading the cached image" in (e.message or "")
               for e in fresh.events)


def test_reattach_to_a_generation_the_backend_forgot_resubmits(tmp_path: Path) -> None:
    """The embedded simulator dies with its process: a journalled id is then unknown."""
    recipe = project(tmp_path, chain(2), name="c.lflow")
    first = SimulatedApply(seed=5)

    class Crash(BaseException):
        pass

    def crash(event: Any) -> None:
        if event.kind == "submitted" and event.job == "2":
            raise Crash

    with pytest.raises(BaseExceptionGroup) as info:
        apply(first, recipe, sink=crash)
    assert info.group_contains(Crash)
    second = SimulatedApply(seed=99)  # a new process, a new simulator
    outcome = apply(second, recipe)
    assert outcome.ok and statuses(outcome) == {"1": "cached", "2": "ran"}
    assert any(e.kind == "warning" and "unknown to this backend" in (e.message or "")
               for e in second.events)
    assert second.jobs_created() == 1  # its cached parent is gone too: one refused POST
    assert [p["status"] for p in posts(second)] == [400, 201]


def test_429_on_a_poll_honours_retry_after(tmp_path: Path) -> None:
    run, outcome = run_chain(tmp_path, 1, {"kind": "status", "request": 2, "method": "GET",
                                           "status": 429, "retry_after": 9})
    assert outcome.ok
    gets = [r["t"] for r in run.requests() if r["method"] == "GET"]
    assert gets[1] - gets[0] >= 9.0


def test_a_save_blocked_by_a_folder_fails_that_step_only(tmp_path: Path) -> None:
    plan = plan_for(project(tmp_path, FAN, name="fan.lflow"))
    (tmp_path / "out" / "2.png").mkdir(parents=True)  # appears after planning
    outcome = SimulatedApply(seed=5).apply(plan)
    failed = [r for r in outcome.results if r.status == "failed"]
    assert len(failed) == 1 and "cannot write out/2.png" in (failed[0].message or "")
    assert sum(1 for r in outcome.results if r.status == "ran") == 3


def test_an_unwritable_lock_file_is_a_state_error(tmp_path: Path) -> None:
    from lumaflow.errors import StateError

    recipe = project(tmp_path, chain(1), name="c.lflow")
    (tmp_path / "c.lflow.lock").mkdir()  # a folder where the lock file belongs
    with pytest.raises(StateError, match=r"c\.lflow\.lock"):
        apply(SimulatedApply(seed=5), recipe)


def test_a_journal_failure_mid_run_surfaces_as_state_error(tmp_path: Path) -> None:
    from lumaflow.errors import StateError
    from lumaflow.execute import execute
    from lumaflow.lockbook import LockBook
    from lumaflow.state import Journal, Record

    class DiskFull(Journal):
        def append(self, record: Record) -> None:
            if record.event == "submitted":
                raise StateError(f"cannot write the journal {self.path}: No space left")
            super().append(record)

    plan = plan_for(project(tmp_path, FAN, name="fan.lflow"))
    run = SimulatedApply(seed=5)
    journal = DiskFull(tmp_path / "j", [], (tmp_path / "j").open("a"))
    coro = execute(plan, run.backend.client, journal=journal,
                   book=LockBook(plan.lock, plan.scope), clock=run.clock)
    with pytest.raises(StateError, match="No space left"):
        run.clock.run(coro)
