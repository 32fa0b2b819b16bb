"""The human view of a Plan: a tree of jobs and a one-line summary (plain text, pure).

Part of the CLI layer. Plain text rather than rich markup so the view is the same on a
terminal, in a pipe and in a golden file, and can be pasted into a code review.
"""

from __future__ import annotations

import json
from pathlib import Path

from lumaflow.planmodel import FileInput, GenerationInput, Job, Plan, RefUse, UrlInput

MARK = {"run": "+", "cached": "="}
FORK, LAST_FORK, PIPE, SPACE = "├── ", "└── ", "│   ", "    "


def render(plan: Plan, *, verbose: bool = False) -> str:
    lines = [header(plan), ""]
    for root in plan.roots():
        lines += _chain(plan, root, "", verbose)
    lines += ["", summary(plan)]
    return "\n".join(lines) + "\n"


def header(plan: Plan) -> str:
    recipe = _relative(plan.recipe, plan.project_root)
    return f"Plan for {recipe} · backend: {plan.scope}"


def _chain(plan: Plan, job: Job, prefix: str, verbose: bool) -> list[str]:
    """A job, its forks as indented subtrees, then the job it continues with."""
    children = plan.children(job.id)
    forks = [c for c in children if c.branch != job.branch]
    follow = [c for c in children if c.branch == job.branch]
    rail = prefix + (PIPE if children else SPACE)
    lines = [prefix + job_line(job), *(rail + d for d in details(plan, job, verbose))]
    for i, fork in enumerate(forks):
        last = i == len(forks) - 1 and not follow
        sub = _chain(plan, fork, "", verbose)
        lines.append(prefix + (LAST_FORK if last else FORK) + sub[0])
        lines += [prefix + (SPACE if last else PIPE) + s for s in sub[1:]]
    for child in follow:
        lines += _chain(plan, child, prefix, verbose)
    return lines


def job_line(job: Job) -> str:
    cost = f"${job.cost_usd:.4f}" if job.status == "run" else "$0 (cached)"
    return (f"{MARK[job.status]} {job.id}  {job.kind}  ·  {job.request.model}  ·  "
            f"{job.status}: {job.reason}  ·  {cost}")


def details(plan: Plan, job: Job, verbose: bool) -> list[str]:
    lines = [f"  line {job.line}" + _source_words(plan, job)]
    if job.refs:
        lines.append("  refs: " + ", ".join(ref_words(r) for r in job.refs))
    if job.saves:
        lines.append("  saves: " + ", ".join(s.written for s in job.saves))
    if verbose:
        lines += _verbose(job)
    return lines


def ref_words(ref: RefUse) -> str:
    role = f"as {ref.role}" if ref.role else "(no role: the model will guess)"
    return f"{ref.position} {ref.name} {role}"


def _source_words(plan: Plan, job: Job) -> str:
    source = job.request.source
    match source:
        case FileInput():
            return f" · from {source.name} ({source.written})"
        case UrlInput():
            return f" · from {source.name} ({source.url})"
        case GenerationInput() if source.from_job is not None:
            return f" · from job {source.from_job}'s cached generation"
        case GenerationInput():
            return f" · from {source.name} (generation {source.generation_id})"
        case None:
            return " · text to image"
    return ""


def _verbose(job: Job) -> list[str]:
    body = json.dumps(job.request.body_preview(), indent=2, ensure_ascii=False)
    return [
        "  prompt:",
        *("    " + line for line in job.request.prompt.split("\n")),
        "  request:",
        *("    " + line for line in body.split("\n")),
        f"  cache key: {job.cache_key}",
    ]


def summary(plan: Plan) -> str:
    est = plan.estimate
    if est.jobs_run == 0:
        return f"nothing to run, {est.jobs_cached} cached · $0.00"
    time = duration(est.seconds_min, est.seconds_max)
    return f"{est.jobs_run} to run, {est.jobs_cached} cached · est. ${est.cost_usd:.2f} · {time}"


def duration(low: int, high: int) -> str:
    """`30–60 s` for short runs, `1.5–3 min` beyond a minute and a half."""
    if high <= 90:
        return f"{low}–{high} s"
    return f"{_minutes(low)}–{_minutes(high)} min"


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:.1f}".removesuffix(".0")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
