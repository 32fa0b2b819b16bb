"""Recipe → Plan: one job per step, chained into a tree, each with request, key and status.

Pure apart from the output probe, which by default looks (read-only) at the saved
files and the object cache to decide whether a cached job can be restored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from lumaflow.cachekey import cache_key, input_digest, sha256_hex
from lumaflow.errors import Diagnostic, RecipeError
from lumaflow.lockfile import Fingerprint, Lock, RefDigest, lock_path
from lumaflow.planmodel import (
    Estimate,
    FileInput,
    GenerationInput,
    ImageInput,
    Job,
    JobRequest,
    ParentInput,
    Plan,
    RefUse,
    SaveTarget,
    UrlInput,
)
from lumaflow.planstatus import Decision, OutputProbe, decide, disk_probe
from lumaflow.pricing import job_cost, job_seconds, usd
from lumaflow.prompts import compile_prompt
from lumaflow.recipe import (
    MAX_REFS,
    PROMPT_LIMITS,
    Asset,
    Branch,
    FileAsset,
    Item,
    Recipe,
    Save,
    Step,
    UrlAsset,
)
from lumaflow.text import Span


@dataclass
class _Draft:
    """A step placed in the tree, collecting the saves that follow it."""

    step: Step
    id: str
    branch: tuple[str, ...]
    parent: str | None
    saves: list[Save] = field(default_factory=list)


@dataclass
class _Walk:
    recipe: Recipe
    drafts: list[_Draft] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(severity="error", code=code, message=message,
                       path=self.recipe.path, span=span, hint=hint)
        )


def build_plan(
    recipe: Recipe, *, lock: Lock | None, scope: str, probe: OutputProbe | None = None
) -> Plan:
    """The exact jobs apply would submit for `recipe` on `scope`, and which are cached."""
    walk = _Walk(recipe)
    _place(walk, recipe.body, (), None)
    jobs: dict[str, Job] = {}
    check = probe or disk_probe(recipe.project_root)
    for draft in walk.drafts:
        job = _job(walk, draft, jobs, lock=lock, scope=scope, probe=check)
        if job is not None:
            jobs[job.id] = job
    if any(d.severity == "error" for d in walk.diagnostics):
        raise RecipeError(tuple(walk.diagnostics))
    ordered = tuple(jobs.values())
    return Plan(recipe=recipe.path, project_root=recipe.project_root,
                lock=lock_path(recipe.path), scope=scope, jobs=ordered,
                estimate=estimate(ordered))


def _place(walk: _Walk, items: Sequence[Item], branch: tuple[str, ...],
           prev: _Draft | None) -> None:
    """Lay the steps out as a tree: a branch forks from the job before it."""
    number = 0
    for item in items:
        match item:
            case Step():
                number += 1
                job_id = ".".join((*branch, str(number)))
                parent = None if item.kind == "generate" or prev is None else prev.id
                prev = _Draft(item, job_id, branch, parent)
                walk.drafts.append(prev)
            case Save():
                _attach(walk, item, prev)
            case Branch():
                _place(walk, item.body, (*branch, item.name), prev)


def _attach(walk: _Walk, save: Save, prev: _Draft | None) -> None:
    if prev is None:
        walk.error("save-before-step", "nothing to save: no step comes before this save",
                   save.span, "add a step above it, or copy the source file directly")
    else:
        prev.saves.append(save)


def _job(walk: _Walk, draft: _Draft, jobs: dict[str, Job], *, lock: Lock | None,
         scope: str, probe: OutputProbe) -> Job | None:
    request = _request(walk, draft)
    parent = jobs.get(draft.parent) if draft.parent else None
    if request is None or (draft.parent is not None and parent is None):
        return None  # an error is reported (here or at the parent); keep finding others
    key = cache_key(request, parent.cache_key if parent else None)
    fp = _fingerprint(draft, request, key, parent)
    saves = tuple(SaveTarget(written=s.written, path=s.path) for s in draft.saves)
    decision = decide(fp, job_id=draft.id, saves=[s.path for s in saves],
                      parent_runs=parent is not None and parent.status == "run",
                      lock=lock, scope=scope, probe=probe)
    if parent is not None and parent.status == "cached":
        request = request.model_copy(update={"source": _cached_parent(parent)})
    return _assemble(draft, request, fp, decision, saves)


def _assemble(draft: _Draft, request: JobRequest, fp: Fingerprint, decision: Decision,
              saves: tuple[SaveTarget, ...]) -> Job:
    step = draft.step
    low, high = job_seconds(request.model, web_search=request.web_search)
    return Job(
        id=draft.id, kind=kind_label(step), line=step.span.line, span=step.span,
        branch=draft.branch, parent=draft.parent, request=request,
        refs=tuple(RefUse(position=i, name=b.ref, role=b.role)
                   for i, b in enumerate(step.bindings, start=1)),
        cache_key=fp.key, fingerprint=fp, status=decision.status,
        reason="; ".join(decision.reasons), reasons=decision.reasons,
        cost_usd=usd(job_cost(request.type, request.model, len(request.image_ref))),
        seconds_min=low, seconds_max=high, saves=saves,
        cached_generation_id=decision.generation_id,
        cached_output_sha256=decision.output_sha256,
    )


def _request(walk: _Walk, draft: _Draft) -> JobRequest | None:
    step, recipe = draft.step, walk.recipe
    prompt = compile_prompt(step)
    type_: Literal["image", "image_edit"] = "image" if step.kind == "generate" else "image_edit"
    if not _within_limits(walk, step, prompt, type_):
        return None
    source = _source(walk, draft) if type_ == "image_edit" else None
    if type_ == "image_edit" and source is None:
        return None
    settings = step.settings
    return JobRequest(
        type=type_, model=settings.model, prompt=prompt, style=style_of(step),
        aspect_ratio=settings.aspect, output_format=settings.format,
        web_search=settings.web_search, source=source,
        image_ref=tuple(_asset_input(recipe.ref(b.ref).asset, b.ref) for b in step.bindings),
    )


def _within_limits(walk: _Walk, step: Step, prompt: str, type_: str) -> bool:
    """The API's own limits, checked again on what is actually sent (check did the rest)."""
    low, high = PROMPT_LIMITS
    ok = True
    if not low <= len(prompt) <= high:
        walk.error("prompt-length",
                   f"the compiled prompt has {len(prompt)} characters; the API takes {low}..{high}",
                   step.span, "shorten the text, `keep` or `prompt` of this step")
        ok = False
    limit = MAX_REFS["generate" if type_ == "image" else "edit"]
    if len(step.bindings) > limit:
        walk.error("too-many-refs", f"{len(step.bindings)} references; a {step.kind} step takes "
                   f"at most {limit}", step.span)
        ok = False
    return ok


def _source(walk: _Walk, draft: _Draft) -> ImageInput | None:
    if draft.parent is not None:
        return ParentInput(job=draft.parent)
    source = walk.recipe.source
    if source is None:
        walk.error("no-source", f"a {draft.step.kind} step needs an image to edit, and the "
                   "recipe has no source", draft.step.span,
                   "declare `source NAME = \"FILE\"`, or start with a `generate` step")
        return None
    return _asset_input(source.asset, source.name)


def _asset_input(asset: Asset, name: str) -> ImageInput:
    match asset:
        case FileAsset():
            return FileInput(name=name, written=asset.written, path=asset.path,
                             sha256=asset.sha256, media_type=asset.media_type, size=asset.size)
        case UrlAsset():
            return UrlInput(name=name, url=asset.url)
    return GenerationInput(name=name, generation_id=asset.generation_id)


def _cached_parent(parent: Job) -> GenerationInput:
    """A child of a cached job chains from the generation the lock remembers."""
    assert parent.cached_generation_id is not None
    return GenerationInput(generation_id=parent.cached_generation_id, from_job=parent.id,
                           output_sha256=parent.cached_output_sha256)


def _fingerprint(draft: _Draft, request: JobRequest, key: str,
                 parent: Job | None) -> Fingerprint:
    source = None
    if isinstance(request.source, FileInput | UrlInput | GenerationInput):
        source = RefDigest(name=request.source.name or "source",
                           digest=input_digest(request.source))
    refs = tuple(RefDigest(name=b.ref, digest=input_digest(i))
                 for b, i in zip(draft.step.bindings, request.image_ref, strict=True))
    return Fingerprint(
        key=key, kind=kind_label(draft.step), type=request.type, model=request.model,
        prompt_sha256=sha256_hex(request.prompt.encode()), style=request.style,
        aspect_ratio=request.aspect_ratio, output_format=request.output_format,
        web_search=request.web_search, source=source,
        parent_key=parent.cache_key if parent else None, refs=refs,
    )


def kind_label(step: Step) -> str:
    return f"style:{step.preset}" if step.kind == "style" and step.preset else step.kind


def style_of(step: Step) -> str | None:
    """The API `style`: a preset for style:PRESET, "auto" for a prompt-driven restyle."""
    if step.kind != "style":
        return None
    return step.preset or "auto"


def estimate(jobs: Sequence[Job]) -> Estimate:
    """Cost of the jobs that run; time along the longest chain of them (branches overlap)."""
    chain: dict[str, tuple[int, int]] = {}
    cost = Decimal(0)
    for job in jobs:
        low, high = chain.get(job.parent, (0, 0)) if job.parent else (0, 0)
        if job.status == "run":
            cost += Decimal(str(job.cost_usd))
            low, high = low + job.seconds_min, high + job.seconds_max
        chain[job.id] = (low, high)
    running = sum(1 for j in jobs if j.status == "run")
    return Estimate(
        cost_usd=usd(cost), jobs_run=running, jobs_cached=len(jobs) - running,
        seconds_min=max((lo for lo, _ in chain.values()), default=0),
        seconds_max=max((hi for _, hi in chain.values()), default=0),
    )
