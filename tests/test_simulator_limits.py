"""Conformance: the RPM window and the concurrency cap, with their 429 shapes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sim.harness import MODES, OTHER_KEY, MakeApi, api_factory


@pytest.fixture(params=MODES)
def make_api(request: pytest.FixtureRequest) -> Iterator[MakeApi]:
    yield from api_factory(request.param)


def test_rpm_window_slides(make_api: MakeApi) -> None:
    api = make_api(rpm=2, concurrency=10)
    first = api.post({"prompt": "x"})
    api.advance(20)
    second = api.post({"prompt": "x"})
    assert second.headers["X-RateLimit-Remaining"] == "0"
    assert int(second.headers["X-RateLimit-Reset"]) == int(api.sim.clock.now()) + 60
    api.advance(10)
    refused = api.post({"prompt": "x"})
    assert (refused.status_code, refused.json()) == (429, {"detail": "Rate limit exceeded"})
    assert refused.headers["Retry-After"] == "30"
    assert refused.headers["X-RateLimit-Limit"] == "2"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Reset"] == first.headers["X-RateLimit-Reset"]
    assert refused.headers["X-Request-Id"]
    api.advance(30)
    assert api.post({"prompt": "x"}).status_code == 201
    assert api.post({"prompt": "x"}, key=OTHER_KEY).status_code == 201  # per client


def test_retry_after_is_at_least_one_second(make_api: MakeApi) -> None:
    api = make_api(rpm=1)
    api.post({"prompt": "x"})
    api.advance(59.7)
    assert api.post({"prompt": "x"}).headers["Retry-After"] == "1"


def test_concurrency_cap_until_a_job_is_terminal(make_api: MakeApi) -> None:
    api = make_api(rpm=30, concurrency=2, latency=(30, 30), queue_wait=(0, 0))
    api.create()
    api.advance(10)
    api.create()
    refused = api.post({"prompt": "x"})
    assert (refused.status_code, refused.json()) == (429, {"detail": "Too many concurrent jobs"})
    assert refused.headers["Retry-After"] == "60"
    assert not any(h.lower().startswith("x-ratelimit") for h in refused.headers)
    api.advance(20)  # the first job completes at 30 s
    assert api.post({"prompt": "x"}).status_code == 201


def test_failed_jobs_release_their_slot(make_api: MakeApi) -> None:
    api = make_api(concurrency=1, latency=(30, 30), queue_wait=(0, 0),
                   faults={"faults": [{"kind": "fail", "job": 1}]})
    api.create()
    assert api.post({"prompt": "x"}).status_code == 429
    api.advance(30)
    assert api.post({"prompt": "x"}).status_code == 201


def test_jobs_that_never_finish_are_dropped_after_an_hour(make_api: MakeApi) -> None:
    api = make_api(concurrency=1, faults={"faults": [{"kind": "never_finish", "job": 1}]})
    job = api.create()
    api.advance(3599)
    assert api.post({"prompt": "x"}).status_code == 429
    api.advance(1)
    assert api.post({"prompt": "x"}).status_code == 201
    assert api.get(job["id"]).json()["state"] == "processing"


def test_rejected_posts_do_not_count(make_api: MakeApi) -> None:
    api = make_api(rpm=1)
    assert api.post({"prompt": ""}).status_code == 400
    assert api.post({"prompt": "x"}).status_code == 201
