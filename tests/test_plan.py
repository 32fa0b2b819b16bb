"""Recipe → Plan: the tree of jobs, their requests, costs, estimate and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_plan_factory import branch, file_asset, hero, never, recipe, save, step

from lumaflow.errors import RecipeError
from lumaflow.plan import FileInput, ParentInput, Plan, UrlInput, build_plan
from lumaflow.recipe import GenerationAsset, ModelName, Settings
from lumaflow.scope import SIMULATOR


def plan_of(root: Path, model: ModelName = "uni-1") -> Plan:
    return build_plan(hero(root, model=model), lock=None, scope=SIMULATOR, probe=never)


def test_jobs_form_a_tree_with_branches_forking_from_the_job_before(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    assert [(j.id, j.parent, j.branch) for j in plan.jobs] == [
        ("1", None, ()), ("2", "1", ()), ("3", "2", ()), ("manga.1", "3", ("manga",)),
    ]
    assert [j.id for j in plan.children("3")] == ["manga.1"]


def test_first_edit_sends_the_source_file_and_later_jobs_chain(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    first = plan.job("1").request
    assert isinstance(first.source, FileInput)
    assert first.source.written == "photos/car.png"
    assert plan.job("2").request.source == ParentInput(job="1")
    body = plan.job("2").request.body_preview()
    assert body["source"] == {"generation_id": "<from job 1>"}
    assert body["image_ref"][1] == {"url": "https://cdn.example.com/film.png"}
    assert body["image_ref"][0]["data"].startswith("<base64 of refs/beach.png, sha256 ")


def test_requests_carry_kind_style_and_settings(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, model="uni-1-max")
    manga = plan.job("manga.1")
    assert (manga.kind, manga.request.style, manga.request.aspect_ratio) == ("style:manga",
                                                                             "manga", "2:3")
    assert plan.job("2").request.model == "uni-1-max"
    assert plan.job("1").request.style is None
    assert "style" not in plan.job("1").request.body_preview()
    assert [(r.position, r.name, r.role) for r in plan.job("2").refs] == [
        (1, "beach", "lighting"), (2, "film", "texture")]


def test_saves_attach_to_the_job_before_them(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    assert [s.written for s in plan.job("3").saves] == ["out/hero.png"]
    assert [s.written for s in plan.job("manga.1").saves] == ["out/manga.png"]
    assert plan.job("1").saves == ()


def test_prompt_restyle_by_text_uses_style_auto_and_generate_has_no_source(
    tmp_path: Path,
) -> None:
    r = recipe(tmp_path, step("generate", "a red car", line=3),
               step("style", "watercolour", line=4), save(tmp_path, "a.png", line=5))
    plan = build_plan(r, lock=None, scope=SIMULATOR, probe=never)
    gen, style = plan.jobs
    assert (gen.request.type, gen.request.source, gen.parent) == ("image", None, None)
    assert "source" not in gen.request.body_preview()
    assert (style.request.style, style.request.source) == ("auto", ParentInput(job="1"))


def test_steps_after_a_branch_continue_the_main_line(tmp_path: Path) -> None:
    r = recipe(tmp_path, step("edit", "a", line=3),
               branch("b", step("edit", "b", line=5), line=4),
               step("edit", "c", line=7), source=file_asset(tmp_path, "s.png", b"s"))
    plan = build_plan(r, lock=None, scope=SIMULATOR, probe=never)
    assert [(j.id, j.parent) for j in plan.jobs] == [("1", None), ("b.1", "1"), ("2", "1")]


def test_generation_and_url_sources(tmp_path: Path) -> None:
    gid = "d290f1ee-6c54-4b01-90e6-d701748f0851"
    r = recipe(tmp_path, step("edit", "x", line=3), source=GenerationAsset(generation_id=gid))
    job = build_plan(r, lock=None, scope=SIMULATOR, probe=never).jobs[0]
    assert job.request.body_preview()["source"] == {"generation_id": gid}
    assert not isinstance(job.request.source, UrlInput)


def test_cost_follows_the_price_table(tmp_path: Path) -> None:
    plan = plan_of(tmp_path)
    assert plan.job("1").cost_usd == pytest.approx(0.0434 + 0.003)  # edit + 1 reference
    assert plan.job("2").cost_usd == pytest.approx(0.0434 + 0.006)
    assert plan.job("3").cost_usd == pytest.approx(0.0434)
    assert plan.estimate.cost_usd == pytest.approx(0.0434 * 4 + 0.009)
    max_plan = plan_of(tmp_path, model="uni-1-max")
    assert max_plan.job("2").cost_usd == pytest.approx(0.1030 + 0.006)


def test_time_is_the_longest_chain_of_jobs_to_run(tmp_path: Path) -> None:
    estimate = plan_of(tmp_path).estimate
    assert (estimate.jobs_run, estimate.jobs_cached) == (4, 0)
    assert (estimate.seconds_min, estimate.seconds_max) == (4 * 30, 4 * 60)
    r = recipe(tmp_path, step("edit", "a", line=3), branch("x", step("edit", "b", line=5), line=4),
               branch("y", step("edit", "c", line=7), line=6),
               source=file_asset(tmp_path, "s.png", b"s"))
    parallel = build_plan(r, lock=None, scope=SIMULATOR, probe=never).estimate
    assert (parallel.seconds_min, parallel.seconds_max) == (60, 120)


def test_web_search_adds_a_few_seconds(tmp_path: Path) -> None:
    r = recipe(tmp_path, step("generate", "a", line=3, settings=Settings(web_search=True)))
    job = build_plan(r, lock=None, scope=SIMULATOR, probe=never).jobs[0]
    assert (job.seconds_min, job.seconds_max) == (35, 65)
    assert job.request.body_preview()["web_search"] is True


def test_prompt_over_the_limit_is_a_diagnostic_at_the_step(tmp_path: Path) -> None:
    r = recipe(tmp_path, step("edit", "ok", line=3), step("edit", "x" * 6001, line=4),
               source=file_asset(tmp_path, "s.png", b"s"))
    with pytest.raises(RecipeError) as exc:
        build_plan(r, lock=None, scope=SIMULATOR, probe=never)
    (diag,) = exc.value.errors
    assert (diag.code, diag.span.line) == ("prompt-length", 4)
    assert "6002" in diag.message  # 6001 x and the full stop that ends them


def test_too_many_references_and_missing_source_are_diagnostics(tmp_path: Path) -> None:
    refs = [(f"r{i}", file_asset(tmp_path, f"r{i}.png", bytes([i])), None) for i in range(9)]
    r = recipe(tmp_path, step("edit", "x", line=3, refs=[(n, None) for n, _, _ in refs]),
               save(tmp_path, "o.png", line=4), refs=refs)
    with pytest.raises(RecipeError) as exc:
        build_plan(r, lock=None, scope=SIMULATOR, probe=never)
    assert [d.code for d in exc.value.errors] == ["too-many-refs"]
    r = recipe(tmp_path, save(tmp_path, "o.png", line=3), step("edit", "x", line=4))
    with pytest.raises(RecipeError) as exc:
        build_plan(r, lock=None, scope=SIMULATOR, probe=never)
    assert [d.code for d in exc.value.errors] == ["save-before-step", "no-source"]


def test_keys_do_not_depend_on_where_the_project_lives(tmp_path: Path) -> None:
    a = plan_of(tmp_path / "a")
    b = plan_of(tmp_path / "elsewhere" / "b")
    assert [j.cache_key for j in a.jobs] == [j.cache_key for j in b.jobs]


def test_an_invalid_step_reports_all_errors_not_a_crash_in_its_children(tmp_path: Path) -> None:
    r = recipe(tmp_path, step("edit", "x" * 6001, line=3), step("edit", "fine", line=4),
               step("edit", "y" * 7000, line=5), source=file_asset(tmp_path, "s.png", b"s"))
    with pytest.raises(RecipeError) as exc:
        build_plan(r, lock=None, scope=SIMULATOR, probe=never)
    assert [(d.code, d.span.line) for d in exc.value.errors] == [
        ("prompt-length", 3), ("prompt-length", 5)]
