"""Run or cached, and the reason in words, against a lock and the files on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

from test_plan_factory import always, applied, file_asset, hero, never, recipe, save, step

from lumaflow.lockfile import Lock
from lumaflow.plan import GenerationInput, OutputProbe, Plan, build_plan
from lumaflow.recipe import Recipe
from lumaflow.scope import SIMULATOR

REAL = "https://agents.lumalabs.ai/v1"


def plan(r: Recipe, lock: Lock | None, *, scope: str = SIMULATOR,
         probe: OutputProbe = always) -> Plan:
    return build_plan(r, lock=lock, scope=scope, probe=probe)


def statuses(p: Plan) -> dict[str, tuple[str, str]]:
    return {j.id: (j.status, j.reason) for j in p.jobs}


def test_without_a_lock_every_job_is_new(tmp_path: Path) -> None:
    p = plan(hero(tmp_path), None)
    assert set(statuses(p).values()) == {("run", "new step")}


def test_an_applied_recipe_is_fully_cached_and_free(tmp_path: Path) -> None:
    first = plan(hero(tmp_path), None)
    again = plan(hero(tmp_path), applied(first))
    assert set(statuses(again).values()) == {("cached", "up to date")}
    assert (again.estimate.cost_usd, again.estimate.jobs_run, again.estimate.seconds_max) == (
        0.0, 0, 0)
    job = again.job("3")
    assert job.cached_generation_id == f"gen-{job.cache_key[:8]}"
    assert job.cached_output_sha256 == f"out-{job.cache_key}"


def test_changing_one_step_reruns_it_and_its_descendants_only(tmp_path: Path) -> None:
    lock = applied(plan(hero(tmp_path), None))
    p = plan(hero(tmp_path, lighting="cold moonlight"), lock)
    assert statuses(p) == {
        "1": ("cached", "up to date"),
        "2": ("run", "prompt changed"),
        "3": ("run", "parent re-runs"),
        "manga.1": ("run", "parent re-runs"),
    }
    assert p.estimate.jobs_run == 3


def test_the_child_of_a_cached_job_chains_from_its_recorded_generation(tmp_path: Path) -> None:
    lock = applied(plan(hero(tmp_path), None))
    p = plan(hero(tmp_path, lighting="cold moonlight"), lock)
    source = p.job("2").request.source
    assert isinstance(source, GenerationInput)
    assert (source.generation_id, source.from_job) == (p.job("1").cached_generation_id, "1")
    assert p.job("2").request.body_preview()["source"] == {
        "generation_id": p.job("1").cached_generation_id}


def test_reasons_name_the_model_and_the_changed_reference(tmp_path: Path) -> None:
    lock = applied(plan(hero(tmp_path), None))
    p = plan(hero(tmp_path, model="uni-1-max", beach=b"beach-v2"), lock)
    assert p.job("1").reason == "reference `beach` changed"
    assert p.job("2").reasons == ("model changed (uni-1 → uni-1-max)",
                                  "reference `beach` changed", "parent re-runs")


def test_a_missing_output_file_reruns_the_job(tmp_path: Path) -> None:
    lock = applied(plan(hero(tmp_path), None))
    p = plan(hero(tmp_path), lock, probe=never)
    assert statuses(p)["3"] == ("run", "output file missing")
    assert statuses(p)["1"] == ("cached", "up to date")  # saves nothing
    # The branch's key did not change: its saved output is still the same image.
    assert statuses(p)["manga.1"] == ("run", "output file missing")


def test_the_disk_probe_accepts_the_file_or_the_object_cache(tmp_path: Path) -> None:
    lock = applied(plan(hero(tmp_path), None), output=b"img")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "hero.png").write_bytes(b"img")
    p = build_plan(hero(tmp_path), lock=lock, scope=SIMULATOR)
    assert statuses(p)["3"] == ("cached", "up to date")
    assert statuses(p)["manga.1"] == ("run", "output file missing")
    objects = tmp_path / ".lumaflow" / "objects"
    objects.mkdir(parents=True)
    stored = objects / hashlib.sha256(b"img").hexdigest()
    stored.write_bytes(b"damaged")
    assert build_plan(hero(tmp_path), lock=lock, scope=SIMULATOR).job("manga.1").status == "run"
    stored.write_bytes(b"img")
    assert build_plan(hero(tmp_path), lock=lock, scope=SIMULATOR).job("manga.1").status == "cached"
    (tmp_path / "out" / "hero.png").write_bytes(b"edited by hand")
    stored.unlink()
    assert statuses(build_plan(hero(tmp_path), lock=lock, scope=SIMULATOR))["3"] == (
        "run", "output file missing")


def test_scopes_never_share_cache_entries(tmp_path: Path) -> None:
    lock = applied(plan(hero(tmp_path), None))
    p = plan(hero(tmp_path), lock, scope=REAL)
    assert set(statuses(p).values()) == {("run", f"not yet run on {REAL}")}


def test_added_and_removed_references_and_kind_changes(tmp_path: Path) -> None:
    src = file_asset(tmp_path, "s.png", b"s")
    refs = [("a", file_asset(tmp_path, "a.png", b"a"), None),
            ("b", file_asset(tmp_path, "b.png", b"b"), None)]
    before = recipe(tmp_path, step("edit", "x", line=3, refs=[("a", None), ("b", None)]),
                    step("edit", "y", line=4), save(tmp_path, "o.png", line=5),
                    source=src, refs=refs)
    lock = applied(plan(before, None))
    after = recipe(tmp_path, step("edit", "x", line=3, refs=[("b", None)]),
                   step("lighting", "y", line=4), save(tmp_path, "o.png", line=5),
                   source=src, refs=refs)
    p = plan(after, lock)
    assert p.job("1").reasons == ("prompt changed", "reference `a` removed")
    assert p.job("2").reasons == ("step changed from `edit` to `lighting`", "parent re-runs")
    reordered = recipe(tmp_path, step("edit", "x", line=3, refs=[("b", None), ("a", None)]),
                       source=src, refs=refs)
    assert "references reordered" in plan(reordered, lock).job("1").reasons


def test_a_new_step_appended_reruns_nothing_before_it(tmp_path: Path) -> None:
    src = file_asset(tmp_path, "s.png", b"s")
    lock = applied(plan(recipe(tmp_path, step("edit", "x", line=3), source=src), None))
    p = plan(recipe(tmp_path, step("edit", "x", line=3), step("edit", "y", line=4),
                    source=src), lock)
    assert statuses(p) == {"1": ("cached", "up to date"), "2": ("run", "new step")}
