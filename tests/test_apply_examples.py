"""Every example in examples/ applies on the simulator, then is up to date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from applykit import apply, statuses

from lumaflow.testing import SimulatedApply

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.lflow")))
def test_example_applies(tmp_path: Path, name: str) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    recipe = tmp_path / "examples" / name
    run = SimulatedApply(seed=11)
    outcome = apply(run, recipe)
    assert outcome.ok, [r.message for r in outcome.results if r.message]
    assert run.post_count() == len(outcome.results)
    again = apply(run, recipe)
    assert set(statuses(again).values()) == {"cached"}
    assert run.post_count() == len(outcome.results)


def test_there_are_examples() -> None:
    assert len(list(EXAMPLES.glob("*.lflow"))) >= 3
