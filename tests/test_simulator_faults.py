"""Conformance: scripted and random faults, fail-open mode, and the /_sim/ control endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sim.harness import KEY, MODES, MakeApi, api_factory


@pytest.fixture(params=MODES)
def make_api(request: pytest.FixtureRequest) -> Iterator[MakeApi]:
    yield from api_factory(request.param)


def plan(*faults: dict[str, Any], **rest: Any) -> dict[str, Any]:
    return {"faults": list(faults), **rest}


@pytest.mark.parametrize("from_state", ["processing", "queued"])
def test_fail_job_with_a_code(make_api: MakeApi, from_state: str) -> None:
    api = make_api(faults=plan({"kind": "fail", "job": 2, "code": "content_moderated",
                                "from_state": from_state}))
    ok, bad = api.create(), api.create()
    assert api.finish(ok["id"])["state"] == "completed"
    failed = api.get(bad["id"]).json()
    assert failed["state"] == "failed" and failed["output"] == []
    assert failed["failure_code"] == "content_moderated"
    assert failed["failure_reason"] == (
        "Generation output was flagged by our content moderation system.")
    states = [step["state"] for step in api.jobs()[1]["timeline"]]
    assert states == (["queued", "failed"] if from_state == "queued"
                      else ["queued", "processing", "failed"])


@pytest.mark.parametrize("status", [402, 403, 429, 500, 502, 503])
def test_status_burst_before_job_n(make_api: MakeApi, status: int) -> None:
    api = make_api(faults=plan({"kind": "status", "job": 1, "status": status, "times": 2}))
    answers = [api.post({"prompt": "x"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 201]
    assert isinstance(answers[0].json()["detail"], str)
    assert answers[0].headers["X-API-Version"] == "2026-04-01"
    assert len(api.jobs()) == 1


def test_status_by_request_number_and_method(make_api: MakeApi) -> None:
    api = make_api(faults=plan({"kind": "status", "request": 2, "status": 500, "method": "GET",
                                "detail": "boom"}))
    job = api.create()  # request 1
    answer = api.get(job["id"])  # request 2
    assert (answer.status_code, answer.json()) == (500, {"detail": "boom"})
    assert api.get(job["id"]).status_code == 200


def test_drop_before_creates_nothing(make_api: MakeApi) -> None:
    api = make_api(faults=plan({"kind": "drop", "job": 1, "when": "before"}))
    with pytest.raises(httpx.RemoteProtocolError):
        api.post({"prompt": "x"})
    assert api.jobs() == []
    assert api.post({"prompt": "x"}).status_code == 201


def test_drop_after_creates_the_job(make_api: MakeApi) -> None:
    api = make_api(faults=plan({"kind": "drop", "job": 1, "when": "after"}))
    with pytest.raises(httpx.RemoteProtocolError):
        api.post({"prompt": "x"})
    jobs = api.jobs()
    assert len(jobs) == 1 and jobs[0]["state"] == "queued"
    journal = api.http.get("/_sim/requests").json()["requests"]
    assert journal[0]["dropped"] is True and journal[0]["job_created"] == jobs[0]["id"]


def test_never_finish(make_api: MakeApi) -> None:
    api = make_api(faults=plan({"kind": "never_finish", "job": 1}))
    job = api.create()
    api.advance(86_400)
    assert api.get(job["id"]).json()["state"] == "processing"


def test_slow_download(make_api: MakeApi) -> None:
    api = make_api(faults=plan({"kind": "slow_download", "job": 1, "seconds": 30}))
    url = api.finish(api.create()["id"])["output"][0]["url"]
    start = api.sim.clock.now()
    if api.mode == "socket":  # the server's loop is real: the wait moves the virtual clock
        assert api.http.get(url).status_code == 200
        assert api.sim.clock.now() - start == pytest.approx(30)
        return
    with pytest.raises(httpx.ReadTimeout):
        api.http.get(url, timeout=5)
    assert api.sim.clock.now() - start == pytest.approx(5)
    assert api.http.get(url, timeout=60).status_code == 200
    assert api.sim.clock.now() - start == pytest.approx(35)


def test_random_faults_are_seeded(make_api: MakeApi) -> None:
    random = {"rate": 0.5, "seed": 4, "kinds": ["status"]}
    runs = []
    for _ in range(2):
        api = make_api(faults=plan(random=random))
        runs.append([api.post({"prompt": "x"}).status_code for _ in range(12)])
    assert runs[0] == runs[1]
    assert {429, 500, 502, 503} & set(runs[0]) and 201 in runs[0]


def test_fail_open_has_no_limits_or_headers(make_api: MakeApi) -> None:
    api = make_api(rpm=1, concurrency=1, faults=plan(fail_open=True))
    answers = [api.post({"prompt": "x"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert "X-RateLimit-Limit" not in answers[0].headers


def test_faults_can_be_loaded_over_http(make_api: MakeApi) -> None:
    api = make_api()
    bad = api.http.post("/_sim/faults", json={"faults": [{"kind": "explode", "job": 1}]})
    assert bad.status_code == 422
    ok = api.http.post("/_sim/faults", json=plan({"kind": "status", "job": 1, "status": 503}))
    assert ok.status_code == 200
    assert api.post({"prompt": "x"}).status_code == 503


def test_journal_and_reset(make_api: MakeApi) -> None:
    api = make_api()
    ref = {"data": "QUJD" * 100, "media_type": "image/png"}
    job = api.create({"prompt": "x", "image_ref": [ref]})
    api.get(job["id"])
    journal = api.http.get("/_sim/requests").json()["requests"]
    seen = [(e["n"], e["method"], e["status"]) for e in journal]
    assert seen == [(1, "POST", 201), (2, "GET", 200)]
    assert journal[0]["body"]["image_ref"][0]["data"] == "<400 base64 chars>"
    assert KEY not in str(journal)
    assert api.http.post("/_sim/reset").status_code == 200
    assert api.jobs() == [] and api.http.get("/_sim/requests").json()["requests"] == []
    assert api.get(job["id"]).status_code == 404


def test_clock_endpoints(make_api: MakeApi) -> None:
    api = make_api()
    assert api.http.get("/_sim/clock").json()["virtual"] is True
    assert api.http.post("/_sim/clock/advance", json={"seconds": -1}).status_code == 422
    assert api.http.get("/_sim/nothing").status_code == 404
