"""Properties of planning over generated recipes (Hypothesis; no files are touched)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_plan_factory import branch, never, span

from lumaflow.plan import Plan, build_plan, dumps_plan, loads_plan
from lumaflow.recipe import (
    MAX_REFS,
    PORTRAIT_RATIOS,
    Binding,
    Branch,
    FileAsset,
    Item,
    Recipe,
    Ref,
    Settings,
    SourceImage,
    Step,
    UrlAsset,
)
from lumaflow.scope import SIMULATOR

ROOT = Path("/project")
FAST = settings(max_examples=25, deadline=None)

words = st.from_regex(r"[a-z][a-z ]{0,12}", fullmatch=True)
ref_names = st.sampled_from([f"r{i}" for i in range(10)])


def _refs() -> tuple[Ref, ...]:
    def asset(i: int) -> FileAsset | UrlAsset:
        if i % 3 == 2:
            return UrlAsset(url=f"https://cdn.example.com/{i}.png")
        return FileAsset(written=f"r{i}.png", path=ROOT / f"r{i}.png", sha256=f"{i:064x}",
                         media_type="image/png", size=10)
    return tuple(Ref(name=f"r{i}", asset=asset(i), role=None, span=span(2)) for i in range(10))


REFS = _refs()


EDIT_KINDS = ("edit", "background", "lighting", "style", "recolor", "manga")


@st.composite
def steps(draw: st.DrawFn, kinds: tuple[str, ...] = EDIT_KINDS) -> Step:
    kind = draw(st.sampled_from(kinds))
    limit = MAX_REFS["generate" if kind == "generate" else "edit"]
    names = draw(st.lists(ref_names, unique=True, max_size=limit))
    roles = draw(st.lists(st.sampled_from([None, "lighting", "texture"]),
                          min_size=len(names), max_size=len(names)))
    bindings = tuple(Binding(ref=n, role=r, span=span(1)) for n, r in zip(names, roles,
                                                                           strict=True))
    fields: dict[str, object] = {"kind": kind, "text": draw(words), "bindings": bindings,
                                 "span": span(1)}
    if kind == "manga":
        fields.update(kind="style", text=None, preset="manga",
                      settings=Settings(aspect=draw(st.sampled_from(PORTRAIT_RATIOS))))
    if kind == "recolor":
        fields["color"] = draw(words)
    if draw(st.booleans()):
        fields["keep"] = draw(words)
    return Step.model_validate(fields)


items = st.one_of(steps(), st.lists(steps(), min_size=1, max_size=3).map(
    lambda body: branch("b", *body, line=1)))


@st.composite
def recipes(draw: st.DrawFn) -> Recipe:
    generated = draw(st.booleans())
    first = draw(steps(("generate",) if generated else EDIT_KINDS))
    body: list[Item] = [first, *draw(st.lists(items, max_size=5))]
    _unique_branch_names(body)
    asset = FileAsset(written="s.png", path=ROOT / "s.png", sha256="a" * 64,
                      media_type="image/jpeg", size=3)
    source = None if generated else SourceImage(name="src", asset=asset, span=span(1))
    return Recipe(path=ROOT / "r.lflow", project_root=ROOT, refs=REFS, source=source,
                  body=tuple(body))


def _unique_branch_names(body: list[Item]) -> None:
    for i, item in enumerate(body):
        if isinstance(item, Branch):
            body[i] = item.model_copy(update={"name": f"b{i}"})


def plan_of(recipe: Recipe) -> Plan:
    return build_plan(recipe, lock=None, scope=SIMULATOR, probe=never)


def descendants(plan: Plan, job_id: str) -> set[str]:
    found = {job_id}
    for child in plan.children(job_id):
        found |= descendants(plan, child.id)
    return found


@FAST
@given(recipes())
def test_planning_is_deterministic(recipe: Recipe) -> None:
    assert dumps_plan(plan_of(recipe)) == dumps_plan(plan_of(recipe))


@FAST
@given(recipes(), st.data())
def test_changing_one_step_changes_exactly_its_key_and_its_descendants(
    recipe: Recipe, data: st.DataObject
) -> None:
    before = plan_of(recipe)
    target = data.draw(st.sampled_from([j.id for j in before.jobs]))
    after = plan_of(_edited(recipe, target))
    changed = {a.id for a, b in zip(before.jobs, after.jobs, strict=True)
               if a.cache_key != b.cache_key}
    assert changed == descendants(before, target)


def _edited(recipe: Recipe, job_id: str) -> Recipe:
    """The recipe with job `job_id`'s step given a longer keep clause."""
    *path, number = job_id.split(".")
    body = list(recipe.body)
    container: list[Item] = body
    if path:
        index = next(i for i, it in enumerate(body) if isinstance(it, Branch)
                     and it.name == path[0])
        container = list(body[index].body)  # type: ignore[union-attr]
    positions = [i for i, it in enumerate(container) if isinstance(it, Step)]
    position = positions[int(number) - 1]
    step = container[position]
    assert isinstance(step, Step)
    container[position] = step.model_copy(update={"keep": (step.keep or "") + " too"})
    if path:
        body[index] = body[index].model_copy(update={"body": tuple(container)})
    return recipe.model_copy(update={"body": tuple(body)})


@FAST
@given(recipes())
def test_reference_sentences_follow_image_ref_order(recipe: Recipe) -> None:
    for job in plan_of(recipe).jobs:
        named = re.findall(r"[Rr]eference image (\d+) \((\w+)\)", job.request.prompt)
        assert named == [(str(r.position), r.name) for r in job.refs]
        assert [i.name for i in job.request.image_ref] == [r.name for r in job.refs]


@FAST
@given(recipes())
def test_no_job_exceeds_the_api_limits(recipe: Recipe) -> None:
    for job in plan_of(recipe).jobs:
        request = job.request
        assert 1 <= len(request.prompt) <= 6000
        edit = request.type == "image_edit"
        assert len(request.image_ref) <= (8 if edit else 9)
        assert (request.source is not None) == edit
        if request.style == "manga":
            assert request.aspect_ratio in PORTRAIT_RATIOS


@FAST
@given(recipes(), ref_names)
def test_changing_a_reference_file_changes_its_users_and_their_descendants(
    recipe: Recipe, name: str
) -> None:
    before = plan_of(recipe)
    index = int(name[1:])
    ref = recipe.refs[index]
    new_asset = (ref.asset.model_copy(update={"sha256": "f" * 64})
                 if isinstance(ref.asset, FileAsset)
                 else UrlAsset(url="https://cdn.example.com/other.png"))
    refs = list(recipe.refs)
    refs[index] = ref.model_copy(update={"asset": new_asset})
    after = plan_of(recipe.model_copy(update={"refs": tuple(refs)}))
    changed = {a.id for a, b in zip(before.jobs, after.jobs, strict=True)
               if a.cache_key != b.cache_key}
    users = [j.id for j in before.jobs if any(r.name == name for r in j.refs)]
    assert changed == set().union(*(descendants(before, u) for u in users))


@FAST
@given(recipes())
def test_a_saved_plan_loads_back_identical(recipe: Recipe) -> None:
    plan = plan_of(recipe)
    assert loads_plan(dumps_plan(plan), path=ROOT / "plan.json") == plan
