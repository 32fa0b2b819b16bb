"""Build checked Recipes directly, for plan tests that must not depend on the parser."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lumaflow.lockfile import Lock, read_lock
from lumaflow.plan import Plan
from lumaflow.recipe import (
    Asset,
    Binding,
    Branch,
    FileAsset,
    Item,
    ModelName,
    Recipe,
    Ref,
    Save,
    Settings,
    SourceImage,
    Step,
    UrlAsset,
)
from lumaflow.text import Span

COMPLETED_AT = "2026-01-01T00:00:00Z"


def span(line: int) -> Span:
    return Span(line=line, column=1, end_line=line, end_column=20)


def file_asset(root: Path, written: str, content: bytes) -> FileAsset:
    """A FileAsset as `check` would make it; the file is written so disk probes work."""
    path = root / written
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return FileAsset(written=written, path=path, sha256=hashlib.sha256(content).hexdigest(),
                     media_type="image/png", size=len(content))


def step(kind: str, text: str | None = None, *, line: int, refs: Sequence[tuple[str, str | None]]
         = (), **fields: Any) -> Step:
    bindings = tuple(Binding(ref=name, role=role, span=span(line)) for name, role in refs)
    return Step.model_validate(
        {"kind": kind, "text": text, "bindings": bindings, "span": span(line), **fields}
    )


def save(root: Path, written: str, *, line: int) -> Save:
    return Save(written=written, path=root / written, span=span(line))


def branch(name: str, *body: Item, line: int) -> Branch:
    return Branch(name=name, body=body, span=span(line))


def recipe(root: Path, *body: Item, source: Asset | None = None,
           refs: Sequence[tuple[str, Asset, str | None]] = ()) -> Recipe:
    return Recipe(
        path=root / "hero.lflow",
        project_root=root,
        source=SourceImage(name="car", asset=source, span=span(1)) if source else None,
        refs=tuple(Ref(name=n, asset=a, role=r, span=span(2)) for n, a, r in refs),
        body=body,
    )


def hero(root: Path, *, lighting: str = "warm low sun", model: ModelName = "uni-1",
         beach: bytes = b"beach-v1") -> Recipe:
    """The language page's example, shortened: three main steps and a manga branch."""
    return recipe(
        root,
        step("background", "a quiet beach", line=10, refs=[("beach", "background")]),
        step("lighting", lighting, line=11, refs=[("beach", "lighting"), ("film", "texture")],
             settings=Settings(model=model)),
        step("edit", "paint the car red", line=12, keep="the logo"),
        save(root, "out/hero.png", line=13),
        branch("manga", step("style", line=15, preset="manga", settings=Settings(aspect="2:3")),
               save(root, "out/manga.png", line=16), line=14),
        source=file_asset(root, "photos/car.png", b"car-bytes"),
        refs=[("beach", file_asset(root, "refs/beach.png", beach), None),
              ("film", UrlAsset(url="https://cdn.example.com/film.png"), "texture")],
    )


def applied(plan: Plan, lock: Lock | None = None, output: bytes | None = None) -> Lock:
    """The lock after apply ran every job of `plan` (outputs named after the job, or
    all the hash of `output`)."""
    lock = lock or Lock()
    digest = hashlib.sha256(output).hexdigest() if output is not None else None
    for job in plan.jobs:
        if job.status == "run":
            lock = lock.with_job(
                plan.scope, fingerprint=job.fingerprint, job=job.id,
                generation_id=f"gen-{job.cache_key[:8]}",
                output_sha256=digest or f"out-{job.cache_key}",
                media_type="image/png", completed_at=COMPLETED_AT,
            )
    return lock


def always(_path: Path, _sha: str) -> bool:
    return True


def never(_path: Path, _sha: str) -> bool:
    return False


def record_apply(plan: Plan) -> Lock:
    """What apply leaves behind for `plan`: the lock file next to the recipe, and every
    job's output (bytes made from its key) in the object cache so its saves restore."""
    objects = plan.project_root / ".lumaflow" / "objects"
    objects.mkdir(parents=True, exist_ok=True)
    lock = read_lock(plan.lock) or Lock()
    for job in plan.jobs:
        if job.status == "cached":
            continue
        output = job.cache_key.encode()
        digest = hashlib.sha256(output).hexdigest()
        (objects / digest).write_bytes(output)
        lock = lock.with_job(plan.scope, fingerprint=job.fingerprint, job=job.id,
                             generation_id=f"gen-{job.cache_key[:8]}", output_sha256=digest,
                             media_type="image/png", completed_at=COMPLETED_AT)
    plan.lock.write_text(lock.dumps())
    return lock
