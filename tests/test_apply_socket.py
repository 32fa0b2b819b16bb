"""End to end over a real socket: `lumaflow apply --api-url` against a uvicorn-served simulator."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from applykit import project

import simulator
from lumaflow import backends
from lumaflow.cli import build_parser
from lumaflow.commands import apply as apply_cmd
from lumaflow.lockfile import lock_path, read_lock
from simulator.server import ServerThread

SECRET = "luma-api-socket-test-secret"
SCALE = 0.005  # both sides run 200× faster than the wall clock, on the same time base


@pytest.fixture
def served() -> Iterator[ServerThread]:
    sim = simulator.Simulator(seed=3, clock=simulator.ScaledClock(SCALE))
    server = sim.serve()
    yield server
    server.stop()


@pytest.mark.slow
def test_apply_over_a_socket(tmp_path: Path, served: ServerThread,
                             capsys: pytest.CaptureFixture[str]) -> None:
    recipe = project(tmp_path)
    url = f"{served.url}/v1"
    argv = ["apply", "--api-url", url, str(recipe)]

    def apply_once() -> int:
        environ = {**os.environ, "LUMA_AGENTS_API_KEY": SECRET}
        backend = backends.choose(use_simulator=False, api_url=url, environ=environ,
                                  clock=simulator.ScaledClock(SCALE))
        return apply_cmd.run(build_parser().parse_args(argv), backend=backend,
                             runner=asyncio.run)

    assert apply_once() == 0
    out, err = capsys.readouterr()
    assert "using a local server at http://127.0.0.1:" in err
    assert "key from LUMA_AGENTS_API_KEY" in err and SECRET not in out + err
    assert "4 run, 0 reused, 0 failed" in out
    for name in ("main", "manga", "noir"):
        assert (tmp_path / "out" / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    lock = read_lock(lock_path(recipe))
    assert lock is not None and list(lock.scopes) == [url]
    assert apply_once() == 0
    assert "up to date" in capsys.readouterr().out
    journal = httpx.get(f"{served.url}/_sim/requests").json()["requests"]
    assert sum(1 for r in journal if r["method"] == "POST") == 4
    assert all(r["client"] == journal[0]["client"] for r in journal)  # our key, every time
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
