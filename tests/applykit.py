"""Helpers for apply tests: small projects on disk, plans from them, runs on virtual time."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from lumaflow import api
from lumaflow.events import Outcome
from lumaflow.lockfile import lock_path, read_lock
from lumaflow.plan import Plan, build_plan
from lumaflow.testing import SimulatedApply

HERO = """\
source car = "car.png"
step background "a quiet beach at golden hour"
step lighting "warm low sun"
save "out/main.png"
branch manga {
  step style:manga aspect 2:3
  save "out/manga.png"
}
branch noir {
  step lighting "film noir"
  save "out/noir.png"
}
"""


def png(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def chain(steps: int) -> str:
    """A recipe of `steps` edit steps in a line, saving the last image."""
    body = "".join(f'step edit "change number {i}"\n' for i in range(1, steps + 1))
    return f'source car = "car.png"\n{body}save "out/final.png"\n'


def project(root: Path, text: str = HERO, name: str = "hero.lflow") -> Path:
    """Write a recipe and its source image; returns the recipe's path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "car.png").write_bytes(png())
    path = root / name
    path.write_text(text)
    return path


def plan_for(recipe: Path, scope: str = "simulator") -> Plan:
    loaded = api.load(recipe)
    return build_plan(loaded, lock=read_lock(lock_path(loaded.path)), scope=scope)


def apply(run: SimulatedApply, recipe: Path, **kwargs: Any) -> Outcome:
    """Plan afresh (as `lumaflow apply FILE` does) and apply."""
    return run.apply(plan_for(recipe), **kwargs)


def statuses(outcome: Outcome) -> dict[str, str]:
    return {r.job: r.status for r in outcome.results}


def posts(run: SimulatedApply) -> list[dict[str, Any]]:
    return [r for r in run.requests() if r["method"] == "POST"]
