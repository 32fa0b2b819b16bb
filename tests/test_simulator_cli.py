"""`lumaflow simulator serve` (one real subprocess), the pytest fixtures, and crash-freedom."""

from __future__ import annotations

import ast
import json
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import Simulator
from simulator.routes import SimRequest, handle


def test_serve_binds_loopback_requires_a_key_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"faults": [{"kind": "fail", "job": 1}]}))
    command = [sys.executable, "-m", "lumaflow", "simulator", "serve", "--port", "0",
               "--seed", "3", "--latency", "1-2", "--virtual", "--faults", str(faults)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        banner = server.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/v1", banner)
        assert match, banner
        base = match.group(1)
        with httpx.Client(base_url=base, timeout=10) as http:
            assert http.post("/v1/generations", json={"prompt": "x"}).status_code == 401
            auth = {"Authorization": "Bearer luma-api-cli"}
            job = http.post("/v1/generations", json={"prompt": "x"}, headers=auth).json()
            http.post("/_sim/clock/advance", json={"seconds": 10})
            polled = http.get(f"/v1/generations/{job['id']}", headers=auth).json()
            assert polled["state"] == "failed"
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=10)
    rest = server.stderr.read()
    assert code in (0, 130) and "Traceback" not in rest


@pytest.mark.parametrize(("args", "message"), [
    (["--latency", "fast"], "--latency must be MIN-MAX"),
    (["--latency", "9-3"], "--latency needs 0 <= MIN <= MAX"),
    (["--rpm", "0"], "--rpm must be at least 1"),
    (["--faults", "/nonexistent/plan.json"], "cannot read fault plan"),
])
def test_serve_rejects_bad_options(args: list[str], message: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from lumaflow.cli import main

    assert main(["simulator", "serve", *args]) == 2
    assert message in capsys.readouterr().err


def test_luma_sim_fixture_is_virtual(luma_sim: Simulator) -> None:
    with luma_sim.client() as http:
        job = http.post("/generations", json={"prompt": "x"}).json()
        luma_sim.clock.advance(100)  # type: ignore[attr-defined]
        assert http.get(f"/generations/{job['id']}").json()["state"] == "completed"


@pytest.mark.luma_sim(seed=5, rpm=1, faults={"faults": [{"kind": "fail", "job": 1}]})
def test_luma_sim_marker_sets_options(luma_sim: Simulator, luma_sim_server: Any) -> None:
    assert luma_sim.config.seed == 5
    with httpx.Client(base_url=luma_sim_server.url) as http:
        auth = {"Authorization": "Bearer luma-api-x"}
        assert http.post("/v1/generations", json={"prompt": "x"}, headers=auth).status_code == 201
        assert http.post("/v1/generations", json={"prompt": "x"}, headers=auth).status_code == 429


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries({}, optional={
    "prompt": st.text(max_size=10), "type": st.sampled_from(["image", "image_edit", "video", ""]),
    "model": st.sampled_from(["uni-1", "uni-1-max", "x"]),
    "aspect_ratio": st.sampled_from(["1:1", "2:3", "4:3", None]),
    "style": st.sampled_from(["auto", "manga", 3]), "source": JSON, "image_ref": JSON,
    "output_format": st.sampled_from(["png", "jpeg", None, "gif"]), "web_search": JSON,
})


@given(body=FIELDS | JSON, method=st.sampled_from(["GET", "POST", "PUT"]),
       path=st.sampled_from(["/v1/generations", "/v1/generations/x", "/_sim/keys", "/_sim/faults",
                             "/_sim/clock/advance", "/storage/x/output.png"]))
def test_routes_never_raise(body: Any, method: str, path: str) -> None:
    sim = Simulator()
    request = SimRequest(method=method, path=path, body=json.dumps(body).encode(),
                         headers={"authorization": "Bearer luma-api-h"})
    answer = handle(sim.backend, request)
    assert answer.drop or 200 <= answer.status < 500


def test_simulator_never_imports_lumaflow() -> None:
    package = Path(__file__).parent.parent / "simulator"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "lumaflow" for n in names), path
