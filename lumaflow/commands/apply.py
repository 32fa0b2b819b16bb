"""`lumaflow apply`: run a recipe's (or a saved plan's) jobs, save the images, record the lock.

Stages: choose the backend, load the plan, check budget and consent, run with a
progress view, summarise. Safe to interrupt: run it again to pick up where it stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lumaflow.commands.options import add_allow_outside, add_backend_options, add_command
from lumaflow.commands.progress import Board, JsonView, LinesView, LiveView
from lumaflow.errors import RunError, UsageError
from lumaflow.events import EventSink, Outcome
from lumaflow.lockfile import lock_path, read_lock
from lumaflow.plan import Plan, build_plan, load_plan
from lumaflow.polling import PollConfig, PollPolicy
from lumaflow.runtime import RunOptions
from lumaflow.session import apply_plan

if TYPE_CHECKING:
    from lumaflow.backends import Backend

EXIT_INTERRUPTED = 130
HELP = "Run the plan: submit the jobs, save the images, record the lock file."
EPILOG = """\
backends: --simulator runs the embedded simulator (no key, sped-up time); --api-url URL
talks to that API (e.g. a served `lumaflow simulator serve`); with neither, a set
LUMA_AGENTS_API_KEY means the real API (LUMA_BASE_URL overrides its URL) and no key
means the embedded simulator. The real API asks before spending unless --yes.

Interrupting is safe: every submission is journalled (NAME.lflow.journal), so running
apply again re-attaches to jobs already submitted instead of paying for them twice.

exit codes: 0 done or up to date; 1 a job failed (or its fate is unknown);
2 invalid recipe, plan or usage; 130 interrupted."""


def register(subparsers: Any) -> None:
    parser = add_command(subparsers, "apply", HELP, epilog=EPILOG)
    parser.add_argument("file", type=Path, metavar="FILE|PLAN",
                        help="a .lflow recipe, or a plan saved by `lumaflow plan --out`")
    parser.add_argument("--budget", type=_dollars, metavar="USD",
                        help="refuse to start when the estimated cost exceeds USD")
    parser.add_argument("-y", "--yes", action="store_true",
                        help="do not ask before submitting paid jobs to the real API")
    add_backend_options(
        parser, simulator_help="use the embedded simulator, even when an API key is set",
        api_url_help="use the API at URL (e.g. http://127.0.0.1:8080/v1)")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop every branch when one job fails (default: others go on)")
    parser.add_argument("--json", action="store_true",
                        help="print events and the summary as JSON lines on stdout")
    add_allow_outside(parser)
    parser.add_argument("--deadline", type=_seconds, metavar="SECONDS",
                        default=PollConfig.deadline,
                        help="give up on a job after this long (default %(default)g s; "
                             "the job may still finish, and a later apply picks it up)")
    parser.add_argument("--concurrency", type=_count, metavar="N",
                        default=RunOptions.concurrency,
                        help="jobs in flight at once (default %(default)s)")
    parser.set_defaults(func=run)


Runner = Callable[[Coroutine[Any, Any, Outcome]], Outcome]


def run(args: argparse.Namespace, *, backend: Backend | None = None,
        runner: Runner = asyncio.run) -> int:
    """The command. Tests inject a backend on virtual time and that clock's runner."""
    owned = backend is None
    if backend is None:
        from lumaflow.backends import choose  # brings in the simulator: only when applying

        backend = choose(use_simulator=args.simulator, api_url=args.api_url,
                         environ=os.environ)
    print(f"lumaflow: {backend.description}", file=sys.stderr)
    plan = _load(args.file, backend, allow_outside=args.allow_outside)
    _announce(plan, args)
    _check_budget(plan, args.budget)
    _confirm(plan, backend, args.yes)
    return _execute(plan, backend, args, runner, close=owned)


def _load(path: Path, backend: Backend, *, allow_outside: bool) -> Plan:
    if _is_saved_plan(path):
        plan = load_plan(path)
        if plan.scope != backend.scope:
            raise UsageError(f"{path} was planned for {plan.scope}, but apply would use "
                             f"{backend.scope}; choose the same backend for both")
        _refuse_stale(plan, path)
        return plan
    from lumaflow.commands.plan import load_recipe  # here: the package imports us first

    recipe = load_recipe(path, allow_outside=allow_outside)
    return build_plan(recipe, lock=read_lock(lock_path(recipe.path)), scope=backend.scope)


def _refuse_stale(plan: Plan, path: Path) -> None:
    """A saved plan whose jobs were applied since would pay for them again."""
    lock = read_lock(plan.lock)
    done = [j.id for j in plan.jobs if j.status == "run" and lock is not None
            and lock.entry(plan.scope, j.cache_key) is not None]
    if done:
        raise UsageError(f"{path} is stale: {plan.lock.name} now records job(s) "
                         f"{', '.join(done)} that it would run again; run `lumaflow plan` "
                         "again (or apply the recipe itself)")


def _is_saved_plan(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(64).lstrip().startswith(b"{")
    except OSError:
        return False  # the recipe loader reports it properly


def _announce(plan: Plan, args: argparse.Namespace) -> None:
    if args.json:
        return
    from lumaflow.planview import header, summary

    print(f"{header(plan)}\n{summary(plan)}", file=sys.stderr)


def _check_budget(plan: Plan, budget: float | None) -> None:
    cost = plan.estimate.cost_usd
    if budget is not None and cost > budget:
        raise RunError(f"the plan's estimated cost ${cost:.2f} exceeds --budget "
                       f"${budget:.2f}; nothing was submitted")


def _confirm(plan: Plan, backend: Backend, yes: bool) -> None:
    if not backend.real or yes or plan.estimate.jobs_run == 0:
        return
    question = (f"Submit {plan.estimate.jobs_run} paid job(s) to {backend.scope} "
                f"for about ${plan.estimate.cost_usd:.2f}? [y/N] ")
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError("apply on the real API needs confirmation and there is no terminal "
                         "to ask; pass --yes to submit without asking")
    print(question, end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise RunError("not confirmed; nothing was submitted")


def _execute(plan: Plan, backend: Backend, args: argparse.Namespace, runner: Runner, *,
             close: bool) -> int:
    options = RunOptions(concurrency=args.concurrency, fail_fast=args.fail_fast)
    policy = PollPolicy(PollConfig(deadline=args.deadline))
    board = Board(plan, backend.clock)
    json_view = JsonView(sys.stdout) if args.json else None
    live = LiveView(board) if json_view is None and sys.stderr.isatty() else None
    sink: EventSink = json_view or live or LinesView(board, sys.stderr)
    started = time.monotonic()
    try:
        with live or contextlib.nullcontext():
            outcome = runner(_run(plan, backend, sink, options, policy, close))
    except KeyboardInterrupt:
        print(f"lumaflow: interrupted. Submitted jobs are recorded in the journal; run "
              f"`lumaflow apply {args.file}` again to pick them up.", file=sys.stderr)
        return EXIT_INTERRUPTED
    wall = time.monotonic() - started
    if json_view is not None:
        json_view.emit(_summary_record(plan, outcome, wall))
    else:
        _report(plan, backend, outcome, wall)
    return 0 if outcome.ok else 1


async def _run(plan: Plan, backend: Backend, sink: EventSink, options: RunOptions,
               policy: PollPolicy, close: bool) -> Outcome:
    try:
        return await apply_plan(plan, backend.client, clock=backend.clock, sink=sink,
                                options=options, policy=policy)
    finally:
        if close:
            await backend.client.aclose()


def _report(plan: Plan, backend: Backend, outcome: Outcome, wall: float) -> None:
    for result in outcome.results:
        if result.status in ("failed", "unknown") and result.message:
            print(f"lumaflow: {result.message}", file=sys.stderr)
    print(_headline(backend, outcome, wall))
    saved = _saved_paths(plan, outcome)
    if saved:
        print("images:\n" + "\n".join(f"  {p}" for p in saved))


def _headline(backend: Backend, outcome: Outcome, wall: float) -> str:
    ran, cached, skipped = (outcome.count(s) for s in ("ran", "cached", "skipped"))
    unknown = outcome.count("unknown")
    bad = outcome.count("failed") + unknown
    if ran == bad == skipped == 0:
        restored = sum(len(r.saved) for r in outcome.results)
        again = f", {restored} image(s) restored from the object cache" if restored else ""
        return f"up to date: nothing to run ({cached} job(s) reused{again})"
    fate = f" ({unknown} of unknown fate)" if unknown else ""
    return (f"{ran} run, {cached} reused, {bad} failed{fate}, {skipped} skipped · "
            f"${outcome.cost_usd:.2f} · {_timing(backend, outcome, wall)}")


def _timing(backend: Backend, outcome: Outcome, wall: float) -> str:
    simulated = outcome.finished_at - outcome.started_at
    if backend.simulator is not None:
        return f"{wall:.1f} s ({simulated:.0f} s simulated)"
    return f"{wall:.1f} s"


def _saved_paths(plan: Plan, outcome: Outcome) -> list[str]:
    ok = {r.job for r in outcome.results if r.status in ("ran", "cached")}
    cwd = Path.cwd()
    return [_shown(t.path, cwd) for job in plan.jobs if job.id in ok for t in job.saves]


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def _summary_record(plan: Plan, outcome: Outcome, wall: float) -> dict[str, Any]:
    return {"type": "summary", "ok": outcome.ok, "ran": outcome.count("ran"),
            "cached": outcome.count("cached"), "failed": outcome.count("failed"),
            "unknown": outcome.count("unknown"), "skipped": outcome.count("skipped"),
            "cost_usd": outcome.cost_usd, "wall_seconds": round(wall, 3),
            "results": [r.model_dump(mode="json") for r in outcome.results],
            "saved": _saved_paths(plan, outcome)}


def _dollars(text: str) -> float:
    return _positive(text, "an amount in USD, e.g. 0.50", allow_zero=True)


def _seconds(text: str) -> float:
    return _positive(text, "a number of seconds")


def _count(text: str) -> int:
    value = _positive(text, "a whole number ≥ 1")
    if value != int(value):
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(value)


def _positive(text: str, what: str, *, allow_zero: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if value < 0 or (value == 0 and not allow_zero) or value != value:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value
