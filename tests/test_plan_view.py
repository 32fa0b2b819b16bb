"""The human view: tree shape, words, and the one-line summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_plan_factory import always, applied, branch, hero, never, save, step

from lumaflow.plan import Plan, build_plan
from lumaflow.planview import duration, render, summary
from lumaflow.scope import SIMULATOR


def hero_plan(root: Path, lighting: str = "warm low sun", lock_from: Plan | None = None) -> Plan:
    recipe = hero(root, lighting=lighting)
    extra = (branch("noir", step("lighting", "film noir", line=20),
                    save(root, "out/noir.png", line=21), line=19),
             step("edit", "after", line=22))
    recipe = recipe.model_copy(update={"body": recipe.body + extra})
    lock = applied(lock_from) if lock_from else None
    return build_plan(recipe, lock=lock, scope=SIMULATOR, probe=always if lock else never)


def test_tree_forks_branches_under_their_parent(tmp_path: Path) -> None:
    lines = render(hero_plan(tmp_path)).splitlines()
    assert lines[0] == "Plan for hero.lflow · backend: simulator"
    jobs = [line for line in lines if "  ·  " in line]
    assert jobs == [
        "+ 1  background  ·  uni-1  ·  run: new step  ·  $0.0464",
        "+ 2  lighting  ·  uni-1  ·  run: new step  ·  $0.0494",
        "+ 3  edit  ·  uni-1  ·  run: new step  ·  $0.0434",
        "├── + manga.1  style:manga  ·  uni-1  ·  run: new step  ·  $0.0434",
        "├── + noir.1  lighting  ·  uni-1  ·  run: new step  ·  $0.0434",
        "+ 4  edit  ·  uni-1  ·  run: new step  ·  $0.0434",
    ]
    assert "│     refs: 1 beach as lighting, 2 film as texture" in lines
    assert "│         saves: out/manga.png" in lines
    assert lines[-1] == "6 to run, 0 cached · est. $0.27 · 2–4 min"


def test_cached_jobs_and_reasons(tmp_path: Path) -> None:
    first = hero_plan(tmp_path)
    view = render(hero_plan(tmp_path, lighting="cold", lock_from=first))
    assert "= 1  background  ·  uni-1  ·  cached: up to date  ·  $0 (cached)" in view
    assert "run: prompt changed" in view and "run: parent re-runs" in view
    assert "from job 1's cached generation" in view
    assert view.endswith("5 to run, 1 cached · est. $0.22 · 1.5–3 min\n")
    assert summary(hero_plan(tmp_path, lock_from=first)) == "nothing to run, 6 cached · $0.00"


def test_verbose_adds_prompt_request_and_key(tmp_path: Path) -> None:
    plan = hero_plan(tmp_path)
    quiet, loud = render(plan), render(plan, verbose=True)
    assert "prompt:" not in quiet and "cache key" not in quiet
    assert plan.job("2").cache_key in loud
    assert '"generation_id": "<from job 1>"' in loud
    assert plan.job("2").request.prompt in loud


def test_a_ref_without_a_role_says_the_model_will_guess(tmp_path: Path) -> None:
    plan = hero_plan(tmp_path)
    assert plan.job("1").refs[0].role == "background"
    recipe = hero(tmp_path)
    bare = recipe.model_copy(update={"body": (step("edit", "x", line=3, refs=[("film", None)]),)})
    view = render(build_plan(bare, lock=None, scope=SIMULATOR, probe=never))
    assert "refs: 1 film (no role: the model will guess)" in view


@pytest.mark.parametrize(("low", "high", "words"), [
    (30, 60, "30–60 s"), (60, 120, "1–2 min"), (90, 180, "1.5–3 min"), (35, 65, "35–65 s"),
])
def test_duration(low: int, high: int, words: str) -> None:
    assert duration(low, high) == words
