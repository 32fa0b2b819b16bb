"""Run the benchmarks: a Markdown table of figures and targets, or `--json` for machines.

    python benchmarks/run.py                 # full sizes, ~2–3 minutes on 2 cores
    python benchmarks/run.py --quick         # small sizes, for a look
    python benchmarks/run.py --only polling --json --seed 3

Everything runs against the in-process simulator on virtual time (seeded, so the
same seed gives the same figures) except what is about real wall time: check speed,
the CLI as a process, and the served simulator. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.chain_bench import chain_section
from benchmarks.check_bench import check_section
from benchmarks.makespan_bench import makespan_section
from benchmarks.polling_bench import polling_other_section, polling_section
from benchmarks.report import table


@dataclass(frozen=True)
class Sizes:
    polling_jobs: int = 1000
    makespan_jobs: int = 40
    chain_steps: int = 5
    chain_source_side: int = 818  # pixels of seeded noise: a 2 MB PNG
    check_recipes: int = 1000
    cli_runs: int = 7
    simulator_seconds: float = 5.0
    simulator_jobs: int = 1000


FULL = Sizes()
QUICK = Sizes(polling_jobs=100, check_recipes=200, cli_runs=3, simulator_seconds=2.0)
# For the smoke test: every section runs, none of the figures means anything.
TINY = Sizes(polling_jobs=4, makespan_jobs=6, chain_steps=2, chain_source_side=64,
             check_recipes=3, cli_runs=1, simulator_seconds=0.3, simulator_jobs=10)


def _simulator(sizes: Sizes, seed: int) -> dict[str, Any]:
    """The served simulator's throughput, as its pollers see it.

    The headline figures come from simulator_load's `raw` pollers (hand-written HTTP/1.1,
    cheap enough to leave the CPU to the server); `httpx_client` repeats the run with
    httpx pollers, which on two cores cost more CPU than the server and so measure the pair.
    """
    figures = _load(sizes, "raw")
    figures["httpx_client"] = _load(sizes, "httpx")
    return figures


def _load(sizes: Sizes, client: str) -> dict[str, Any]:
    """simulator_load.measure, plus the CPU each side used: which one was the limit."""
    from benchmarks.simulator_load import measure

    before, generator = os.times(), time.process_time()
    figures = measure(duration_s=sizes.simulator_seconds, jobs=sizes.simulator_jobs,
                      client=client)
    after = os.times()
    figures["load_generator_cpu_s"] = round(time.process_time() - generator, 2)
    figures["server_cpu_s"] = round(after.children_user + after.children_system
                                    - before.children_user - before.children_system, 2)
    return figures


SECTIONS: dict[str, Callable[[Sizes, int], dict[str, Any]]] = {
    "polling": lambda s, seed: polling_section(s.polling_jobs, seed),
    "polling_other": lambda s, seed: polling_other_section(s.polling_jobs, seed),
    "makespan": lambda s, seed: makespan_section(s.makespan_jobs, seed),
    "chain_bytes": lambda s, seed: chain_section(s.chain_steps, seed, s.chain_source_side),
    "check": lambda s, seed: check_section(s.check_recipes, s.cli_runs),
    "simulator": _simulator,
}


def collect(sizes: Sizes, seed: int, only: list[str] | None = None) -> dict[str, Any]:
    """Every requested section's figures, plus `meta`: when, where, how long each took."""
    figures: dict[str, Any] = {}
    took: dict[str, float] = {}
    meta = _machine(sizes, seed)
    for name, section in SECTIONS.items():
        if only and name not in only:
            continue
        started = time.perf_counter()
        figures[name] = section(sizes, seed)
        took[name] = round(time.perf_counter() - started, 1)
    meta["section_wall_s"] = took
    figures["meta"] = meta
    return figures


def _machine(sizes: Sizes, seed: int) -> dict[str, Any]:
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "platform": platform.platform(), "load_average_at_start": load,
        "seed": seed, "sizes": asdict(sizes),
    }


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py", description=__doc__.splitlines()[0],
        epilog="sections: " + ", ".join(SECTIONS) + ". Figures and their meaning: "
               "docs/benchmarks.md.")
    parser.add_argument("--json", action="store_true",
                        help="print every figure as one JSON object instead of the table")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (100 polling jobs, 200 recipes, ...): quicker, noisier")
    parser.add_argument("--only", action="append", choices=list(SECTIONS), metavar="SECTION",
                        help="run only this section (repeatable): " + ", ".join(SECTIONS))
    parser.add_argument("--seed", type=int, default=0,
                        help="simulator seed; one seed gives one set of virtual-time figures")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    figures = collect(QUICK if args.quick else FULL, args.seed, args.only)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        meta = figures["meta"]
        print(f"lumaflow benchmarks, {meta['date']}, {meta['cpus']} CPUs, seed {meta['seed']}"
              f"{' (quick sizes)' if args.quick else ''}\n")
        print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
