"""`lumaflow plan`: show every job `apply` would submit, what it costs and why it runs.

No network, and nothing written except the file given to --out.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from lumaflow.commands.options import add_allow_outside, add_backend_options, add_command
from lumaflow.errors import RecipeError, UsageError
from lumaflow.lockfile import lock_path, read_lock
from lumaflow.plan import Plan, build_plan, dumps_plan
from lumaflow.recipe import Recipe
from lumaflow.scope import API_KEY_VAR, SIMULATOR, resolve_scope

EXIT_CHANGES = 2  # --detailed-exitcode: jobs would run (Terraform's convention)

HELP = "Show the jobs apply would submit: prompts, references, cost, and why each runs."
EPILOG = """\
Nothing is sent and nothing is written (except --out). Each job is `run` with the
reason (new step, prompt changed, reference `x` changed, parent re-runs, output file
missing, …) or `cached` from NAME.lflow.lock. Costs come from Luma's published price
table and times from the documented 30–60 s per job: both are estimates.

exit codes: 0 success; 2 invalid recipe or usage; with --detailed-exitcode,
0 nothing would run and 2 jobs would run."""


def register(subparsers: Any) -> None:
    parser = add_command(subparsers, "plan", HELP, epilog=EPILOG)
    parser.add_argument("file", type=Path, metavar="FILE", help="the .lflow recipe")
    parser.add_argument("--json", action="store_true",
                        help="print the whole plan as JSON (versioned by format_version) "
                             "and nothing else on stdout")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also show each job's full prompt, request body and cache key")
    parser.add_argument("--out", type=Path, metavar="PLAN",
                        help="save the plan as JSON for `lumaflow apply PLAN`")
    parser.add_argument("--detailed-exitcode", action="store_true",
                        help="exit 2 when any job would run, 0 when everything is cached")
    add_backend_options(
        parser, simulator_help="plan against the embedded simulator's cache entries",
        api_url_help="plan against this API base URL's cache entries")
    add_allow_outside(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    scope = resolve_scope(simulator=args.simulator, api_url=args.api_url, environ=os.environ)
    recipe = load_recipe(args.file, allow_outside=args.allow_outside)
    plan = build_plan(recipe, lock=read_lock(lock_path(recipe.path)), scope=scope)
    if args.out is not None:
        save_plan(plan, args.out)
    _show(plan, args, implicit_simulator=scope == SIMULATOR and not args.simulator)
    if args.detailed_exitcode and plan.estimate.jobs_run:
        return EXIT_CHANGES
    return 0


def load_recipe(path: Path, *, allow_outside: bool) -> Recipe:
    """`api.load`, but warnings (an unused ref, a role the model must guess) reach stderr."""
    from lumaflow import api
    from lumaflow.diagnostics import render_all

    result = api.check_file(path, allow_outside=allow_outside)
    if result.recipe is None:
        raise RecipeError(result.diagnostics)
    if result.warnings:
        print(render_all(result.warnings), file=sys.stderr, end="")
    return result.recipe


def _show(plan: Plan, args: argparse.Namespace, *, implicit_simulator: bool) -> None:
    if implicit_simulator:
        print(f"lumaflow: {API_KEY_VAR} is not set: planning for the embedded simulator",
              file=sys.stderr)
    if args.json:
        sys.stdout.write(dumps_plan(plan))
        return
    from lumaflow.planview import render

    sys.stdout.write(render(plan, verbose=args.verbose))


def save_plan(plan: Plan, out: Path) -> None:
    """Write --out; refuse to overwrite the recipe or its lock by mistake."""
    target = out.resolve()
    if target in (plan.recipe, plan.lock):
        raise UsageError(f"--out {out} would overwrite {target.name}; choose another file")
    from lumaflow.state import atomic_write

    try:
        atomic_write(target, dumps_plan(plan).encode())
    except OSError as err:
        raise UsageError(f"cannot write --out {out}: {err.strerror or err}") from None
