"""Check speed: recipes parsed and checked per second, and the CLI's wall time as a process.

The recipes are generated (seeded): 20 steps each, mixing every step kind, reference
bindings with roles, per-step options, saves and branches, all referring to real
image files, so every check does the full work of a valid recipe, files included.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import png, scratch
from lumaflow import api

ROOT = Path(__file__).resolve().parent.parent
CLI_EXAMPLE = ROOT / "examples" / "car-branches.lflow"
REFS = ("beach", "film", "studio", "logo")
HEADER = """\
# generated benchmark recipe {number}
lumaflow 1

model {model}
format {fmt}

source photo = "photos/photo.png"

ref beach  = "refs/beach.png" as background
ref film   = "refs/film.png" as texture
ref studio = "refs/studio.png" as lighting
ref logo   = "refs/logo.png"

"""


def write_assets(root: Path) -> None:
    """The image files every generated recipe refers to."""
    for folder, name in [("photos", "photo"), *(("refs", ref) for ref in REFS)]:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / f"{name}.png").write_bytes(png((24, 16)))


def recipe_text(number: int, steps: int = 20) -> str:
    """A valid recipe of `steps` steps: a main line, then branches of a few steps each."""
    rng = random.Random(number)
    model = rng.choice(("uni-1", "uni-1-max"))
    lines = [HEADER.format(number=number, model=model, fmt=rng.choice(("png", "jpeg")))]
    main = steps // 2
    lines += [_step(rng, n) for n in range(main)]
    lines.append(f'save "out/{number}/main.png"\n')
    branch, done = 0, main
    while done < steps:
        size = min(rng.randint(1, 4), steps - done)
        body = "".join("  " + _step(rng, done + n) for n in range(size))
        lines.append(f"\nbranch b{branch} {{\n{body}  save \"out/{number}/b{branch}.png\"\n}}\n")
        branch, done = branch + 1, done + size
    return "".join(lines)


def _step(rng: random.Random, n: int) -> str:
    kind = rng.randrange(6)
    refs = _refs(rng)
    keep = f' keep "the subject number {n}"' if rng.random() < 0.3 else ""
    if kind == 0:
        return f'step edit "change detail number {n}"{refs}{keep}\n'
    if kind == 1:
        return f'step background "a backdrop of kind {n}"{refs}\n'
    if kind == 2:
        return f'step lighting "light setup number {n}"{refs}\n'
    if kind == 3:
        return f"step style:manga aspect {rng.choice(('2:3', '9:16', '1:2'))}\n"
    if kind == 4:
        return f'step style "a print look number {n}"{refs}\n'
    return f'step recolor "part {n}" to "colour {n}"{refs}\n'


def _refs(rng: random.Random) -> str:
    chosen = rng.sample(REFS, rng.randint(0, 3))
    if not chosen:
        return ""
    roles = ("", " as lighting", " as texture", " as background", " as placement")
    return " [" + ", ".join(name + rng.choice(roles) for name in chosen) + "]"


def recipes_per_second(count: int) -> dict[str, Any]:
    """Parse and check `count` generated recipes from memory; every one must pass."""
    root = scratch("check")
    write_assets(root)
    texts = [recipe_text(n) for n in range(count)]
    path = root / "generated.lflow"
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        result = api.check(api.parse(text, path))
        if not result.ok:
            raise RuntimeError(f"generated recipe is invalid: {result.errors[0].message}")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"recipes": count, "steps_each": 20, "seconds": round(elapsed, 3),
            "recipes_per_s": round(count / elapsed, 1),
            "recipes_per_cpu_s": round(count / max(cpu, 1e-9), 1)}


def cli_command() -> list[str]:
    """The installed `lumaflow` script, as a user runs it (else `python -m lumaflow`).

    The script next to this interpreter comes first: a version manager's shim on PATH
    (pyenv's is a shell script) would add its own start-up to every figure.
    """
    beside = Path(sys.executable).parent / "lumaflow"
    script = str(beside) if beside.is_file() else shutil.which("lumaflow")
    return [script] if script else [sys.executable, "-m", "lumaflow"]


def process_seconds(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of `command` as a new process."""
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        walls.append(time.perf_counter() - started)
        after = os.times()
        cpus.append(after.children_user + after.children_system
                    - before.children_user - before.children_system)
    return round(statistics.median(walls), 3), round(statistics.median(cpus), 3)


def check_section(recipes: int, runs: int) -> dict[str, Any]:
    """The issue's `check` key, with CPU times and a bare interpreter's start for scale."""
    figures = recipes_per_second(recipes)
    example = str(CLI_EXAMPLE.relative_to(ROOT))
    startup = process_seconds([*cli_command(), "--version"], runs)
    check = process_seconds([*cli_command(), "check", example], runs)
    python = process_seconds([sys.executable, "-c", "pass"], runs)
    figures.update({
        "cli_runs": runs, "cli_example": example,
        "cli_startup_s": startup[0], "cli_startup_cpu_s": startup[1],
        "cli_check_s": check[0], "cli_check_cpu_s": check[1],
        "python_startup_s": python[0], "python_startup_cpu_s": python[1],
    })
    return figures
