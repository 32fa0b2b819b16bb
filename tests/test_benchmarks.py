"""Smoke test of benchmarks/run.py: every section runs at tiny sizes and has the issue's keys.

No figure is judged here (speed is for the benchmark itself to report); only the shape
of the output, and the lower bound's arithmetic, which is exact.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of scripts, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import run  # noqa: E402
from benchmarks.makespan_bench import lower_bound, simple_bound  # noqa: E402
from benchmarks.report import table  # noqa: E402

POLL_KEYS = {"gets_per_job_p50", "gets_per_job_p95", "detect_delay_p50_s", "detect_delay_p95_s"}


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return run.collect(run.TINY, seed=0)


def test_polling_has_every_client_and_figure(figures: dict[str, Any]) -> None:
    assert set(figures["polling"]) == {"lumaflow", "naive_2s", "naive_1s", "quickstart_20s_2s"}
    assert set(figures["polling_other"]) == {"10-40", "60-120"}
    for client in [*figures["polling"].values(), *figures["polling_other"].values()]:
        assert set(client) >= POLL_KEYS
        assert client["jobs"] == run.TINY.polling_jobs
        assert client["gets_per_job_p50"] >= 1 and 0 <= client["detect_delay_p95_s"] < 60


def test_naive_polling_follows_its_interval(figures: dict[str, Any]) -> None:
    # Polling every 1 s from submission finds a job done within 1 s, and asks ~latency times.
    naive = figures["polling"]["naive_1s"]
    assert naive["detect_delay_p95_s"] < 1.0
    assert 30 <= naive["gets_per_job_p50"] <= 61


def test_makespan_has_every_client_and_a_bound_below_them(figures: dict[str, Any]) -> None:
    makespan = figures["makespan"]
    clients = ("lumaflow", "naive_sequential", "sdk_retry")
    assert all(makespan[c]["seconds"] >= makespan["lower_bound_s"] for c in clients)
    assert makespan["lower_bound_s"] >= makespan["simple_bound_s"] > 0


def test_chain_uploads_and_shape(figures: dict[str, Any]) -> None:
    chain = figures["chain_bytes"]
    assert chain["posts"] == {"lumaflow": run.TINY.chain_steps, "reupload": run.TINY.chain_steps}
    assert chain["reupload"] > chain["lumaflow"] >= chain["source_base64_bytes"]


def test_check_and_simulator_keys(figures: dict[str, Any]) -> None:
    assert {"recipes_per_s", "cli_startup_s", "cli_check_s"} <= set(figures["check"])
    assert figures["check"]["recipes"] == run.TINY.check_recipes
    simulator = figures["simulator"]
    assert set(simulator) >= {"gets_per_s", "p99_ms", "httpx_client"}
    assert simulator["client"] == "raw" and simulator["httpx_client"]["client"] == "httpx"


def test_output_is_json_and_a_table_with_a_verdict_per_target(figures: dict[str, Any]) -> None:
    assert json.loads(json.dumps(figures)) == figures
    text = table(figures)
    assert text.count("\n| ") >= 15 and "| polling | lumaflow" in text
    results = {line.rsplit("|", 2)[1].strip() for line in text.splitlines()[2:]}
    assert results <= {"met", "**missed**", "—"} and "—" in results


def test_lower_bound_waits_for_the_cap_and_the_rpm_window() -> None:
    # Cap 2: jobs 3 and 4 start when the first two end (10 s and 20 s).
    assert lower_bound([10, 20, 30, 5], cap=2, rpm=100) == 40
    # RPM 2: the third job may not start before 60 s, whatever the cap.
    assert lower_bound([1, 1, 1], cap=10, rpm=2) == 61
    assert simple_bound([10, 20, 30, 5], cap=2, rpm=100) == 32.5
