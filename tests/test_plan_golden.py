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

from lumaflow.cli import main

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
