"""The wheel carries the grammar: install it into a fresh venv and check the examples there."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=120)


@pytest.mark.slow
def test_installed_wheel_checks_the_examples_outside_the_repository(tmp_path: Path) -> None:
    built = _run(sys.executable, "-m", "pip", "wheel", REPO, "--no-deps", "--no-build-isolation",
                 "--quiet", "-w", tmp_path / "dist", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("lumaflow-*.whl")

    venv = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv,
                cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
                     "--no-deps", "--no-index", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    work = tmp_path / "work"
    shutil.copytree(REPO / "examples", work / "examples", ignore=shutil.ignore_patterns("out"))
    where = _run(python, "-c", "import lumaflow.parse as p; print(p.__file__); "
                 "print(p.grammar_path())", cwd=work)
    assert where.returncode == 0, where.stderr
    module, grammar = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(grammar).is_relative_to(venv)

    recipes = sorted(p.name for p in (work / "examples").glob("*.lflow"))
    checked = _run(venv / "bin" / "lumaflow", "check", *recipes, cwd=work / "examples")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": ok") == len(recipes) >= 6
