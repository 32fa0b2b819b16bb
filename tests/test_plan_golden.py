"""Golden plans for every example: `plan --json` and the human view.

Regenerate after an intended change with LUMAFLOW_UPDATE_GOLDEN=1 and review the diff.
The examples are copied into a fresh project so a lock or outputs left in the
checkout by an earlier apply cannot change the expected status.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_plan_factory import record_apply

from lumaflow.cli import main
from lumaflow.plan import loads_plan

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CASES = Path(__file__).resolve().parent / "cases" / "plans"
UPDATE = os.environ.get("LUMAFLOW_UPDATE_GOLDEN") == "1"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.lflow"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES, root / "examples",
                    ignore=shutil.ignore_patterns("*.lock", "out", ".lumaflow", "*.journal"))
    (root / ".lumaflow-root").touch()
    return root


def run_plan(root: Path, name: str, capsys: pytest.CaptureFixture[str], *flags: str) -> str:
    code = main(["plan", str(root / "examples" / f"{name}.lflow"), "--simulator", *flags])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    assert str(REPO) not in out
    return out.replace(str(root), "<project>")


def compare(actual: str, golden: Path) -> None:
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual)
    assert golden.exists(), f"no golden file {golden.name}: run with LUMAFLOW_UPDATE_GOLDEN=1"
    assert actual == golden.read_text()


def test_every_example_has_goldens() -> None:
    assert NAMES, "no examples found"
    stale = {p.name.split(".")[0] for p in CASES.glob("*.*")} - set(NAMES)
    assert not stale, f"golden files without an example: {sorted(stale)}"


@pytest.mark.parametrize("name", NAMES)
def test_json_plan(name: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compare(run_plan(project, name, capsys, "--json"), CASES / f"{name}.json")


@pytest.mark.parametrize("name", NAMES)
def test_human_plan(name: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compare(run_plan(project, name, capsys), CASES / f"{name}.txt")


def test_replan_after_edits_explains_every_rerun(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Apply car-branches, then edit a branch, switch a model, and lose one output."""
    recipe = project / "examples" / "car-branches.lflow"
    text = run_plan(project, "car-branches", capsys, "--json").replace("<project>", str(project))
    plan = record_apply(loads_plan(text, path=recipe))
    edited = recipe.read_text().replace("a single street lamp", "two street lamps")
    recipe.write_text(edited.replace('halftone print"', 'halftone print" model uni-1'))
    manga = loads_plan(text, path=recipe).job("manga.1")
    entry = plan.entry("simulator", manga.cache_key)
    assert entry is not None
    (project / ".lumaflow" / "objects" / str(entry.output_sha256)).unlink()
    compare(run_plan(project, "car-branches", capsys), CASES / "car-branches.replan.txt")


def test_docs_show_the_current_replan_view() -> None:
    docs = (REPO / "docs" / "plan.md").read_text()
    assert (CASES / "car-branches.replan.txt").read_text() in docs, (
        "docs/plan.md shows an outdated view: paste tests/cases/plans/car-branches.replan.txt")
