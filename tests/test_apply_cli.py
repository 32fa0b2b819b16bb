"""`lumaflow apply` as a user runs it: output, exit codes, JSON, consent, budget, saved plans."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from applykit import HERO, chain, project

import simulator
from lumaflow import backends
from lumaflow.cli import build_parser, main
from lumaflow.commands import apply as apply_cmd
from lumaflow.errors import LumaflowError
from lumaflow.state import apply_lock
from lumaflow.ui import report_error

Capture = pytest.CaptureFixture[str]


class VirtualCli:
    """Runs the apply command against one in-process simulator on virtual time."""

    def __init__(self, **sim: object) -> None:
        self.clock = simulator.VirtualClock()
        self.backend = backends.embedded(clock=self.clock, description="using a test simulator",
                                         **sim)  # type: ignore[arg-type]

    def __call__(self, *argv: str) -> int:
        """Like `cli.main`: a user's error is reported and becomes its exit code."""
        args = build_parser().parse_args(["apply", *argv])
        try:
            return apply_cmd.run(args, backend=self.backend, runner=self.clock.run)
        except LumaflowError as err:
            report_error(err)
            return err.exit_code


@pytest.fixture(autouse=True)
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LUMA_AGENTS_API_KEY", raising=False)
    monkeypatch.delenv("LUMA_BASE_URL", raising=False)


def test_apply_then_up_to_date(tmp_path: Path, capsys: Capture) -> None:
    recipe = project(tmp_path)
    cli = VirtualCli(seed=1)
    assert cli(str(recipe)) == 0
    out, err = capsys.readouterr()
    assert "4 run, 0 reused, 0 failed, 0 skipped · $0.17" in out
    assert "out/main.png" in out and "simulated" in out
    assert "Plan for hero.lflow" in err and "4 to run" in err
    assert "done" in err and "processing" in err  # plain progress lines (not a terminal)
    assert cli(str(recipe)) == 0
    assert "up to date: nothing to run (4 job(s) reused)" in capsys.readouterr().out


def test_restored_images_are_mentioned(tmp_path: Path, capsys: Capture) -> None:
    recipe = project(tmp_path)
    cli = VirtualCli(seed=1)
    cli(str(recipe))
    (tmp_path / "out" / "main.png").unlink()
    capsys.readouterr()
    assert cli(str(recipe)) == 0
    assert "1 image(s) restored from the object cache" in capsys.readouterr().out


def test_json_stream_is_pure_json_on_stdout(tmp_path: Path, capsys: Capture) -> None:
    cli = VirtualCli(seed=1)
    assert cli(str(project(tmp_path)), "--json") == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[-1]["type"] == "summary" and records[-1]["ran"] == 4
    assert records[-1]["ok"] is True
    assert {r["kind"] for r in records[:-1]} >= {"submitted", "polled", "done", "saved"}


def test_failed_job_exits_1_naming_step_and_line(tmp_path: Path, capsys: Capture) -> None:
    cli = VirtualCli(seed=1, faults={"faults": [{"kind": "fail", "job": 2,
                                                 "code": "content_moderated"}]})
    assert cli(str(project(tmp_path, chain(3), name="c.lflow"))) == 1
    out, err = capsys.readouterr()
    assert "step 2 `edit` (line 3)" in err and "content_moderated" in err
    assert "1 run, 0 reused, 1 failed, 1 skipped" in out


def test_budget_refuses_before_submitting(tmp_path: Path, capsys: Capture) -> None:
    cli = VirtualCli(seed=1)
    assert cli(str(project(tmp_path)), "--budget", "0.10") == 1
    assert "exceeds --budget $0.10; nothing was submitted" in capsys.readouterr().err
    assert cli.backend.simulator.backend.job_list == []


def test_saved_plan_applies_and_scope_must_match(tmp_path: Path, capsys: Capture) -> None:
    recipe = project(tmp_path)
    plan_file = tmp_path / "hero.plan.json"
    assert main(["plan", str(recipe), "--simulator", "--out", str(plan_file)]) == 0
    cli = VirtualCli(seed=1)
    assert cli(str(plan_file)) == 0
    assert "4 run" in capsys.readouterr().out
    assert cli(str(plan_file)) == 2  # applied since: running it again would pay twice
    assert "is stale: hero.lflow.lock now records job(s) 1, 2" in capsys.readouterr().err
    cli.backend.scope = "http://127.0.0.1:9/v1"
    assert cli(str(plan_file)) == 2
    assert "was planned for simulator" in capsys.readouterr().err


def test_second_apply_on_same_recipe_refuses(tmp_path: Path, capsys: Capture) -> None:
    recipe = project(tmp_path)
    with apply_lock(recipe):
        assert VirtualCli(seed=1)(str(recipe)) == 1
    assert "another lumaflow apply" in capsys.readouterr().err


def test_real_api_without_terminal_needs_yes(tmp_path: Path, capsys: Capture,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMA_AGENTS_API_KEY", "luma-api-secret-value")
    assert main(["apply", str(project(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "using the Luma API at https://agents.lumalabs.ai/v1" in err
    assert "pass --yes" in err and "secret-value" not in err


def test_invalid_recipe_exits_2(tmp_path: Path, capsys: Capture) -> None:
    recipe = project(tmp_path, HERO.replace("step lighting", "step lightning"), name="bad.lflow")
    assert main(["apply", "--simulator", str(recipe)]) == 2
    assert "bad.lflow:3" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--simulator", "--api-url", "http://127.0.0.1:1/v1"],
                                  ["--concurrency", "0"], ["--deadline", "soon"],
                                  ["--budget", "-1"]])
def test_usage_errors_exit_2(tmp_path: Path, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["apply", str(project(tmp_path)), *argv])
    assert info.value.code == 2


def test_interrupt_exits_130_and_says_how_to_resume(tmp_path: Path, capsys: Capture) -> None:
    cli = VirtualCli(seed=1)

    def interrupted(coro: object) -> object:
        coro.close()  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    args = build_parser().parse_args(["apply", str(project(tmp_path))])
    assert apply_cmd.run(args, backend=cli.backend, runner=interrupted) == 130
    assert "run `lumaflow apply" in capsys.readouterr().err


def test_help_lists_every_option(capsys: Capture) -> None:
    with pytest.raises(SystemExit):
        main(["apply", "--help"])
    text = capsys.readouterr().out
    for option in ("--budget", "--yes", "--simulator", "--api-url", "--fail-fast", "--json",
                   "--allow-outside", "--deadline", "--concurrency", "exit codes"):
        assert option in text


def test_embedded_backend_is_announced(tmp_path: Path, capsys: Capture) -> None:
    backend = backends.choose(use_simulator=False, api_url=None, environ={})
    assert backend.scope == "simulator" and not backend.real
    assert "embedded simulator (no LUMA_AGENTS_API_KEY set)" in backend.description
    assert os.environ.get("LUMA_AGENTS_API_KEY") is None


def test_unknown_fate_is_named_in_the_summary(tmp_path: Path, capsys: Capture) -> None:
    cli = VirtualCli(seed=1, faults={"faults": [{"kind": "drop", "job": 1, "when": "after",
                                                 "method": "POST"}]})
    assert cli(str(project(tmp_path, chain(1), name="c.lflow"))) == 1
    out, err = capsys.readouterr()
    assert "1 failed (1 of unknown fate)" in out
    assert "may have been created and charged" in err
