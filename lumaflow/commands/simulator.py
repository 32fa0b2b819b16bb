"""`lumaflow simulator serve`: the fake Luma API on a loopback socket, for offline testing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lumaflow.errors import UsageError
from lumaflow.scope import is_loopback

DESCRIPTION = """\
Serve a simulator of Luma's generations API (POST/GET /v1/generations) over HTTP.
Point any client at the printed base URL, e.g. LUMA_BASE_URL=http://127.0.0.1:8765/v1,
with any API key starting `luma-api-`. Jobs take --latency seconds of simulator time;
outputs are real PNG/JPEG pictures. Control endpoints live under /_sim/ (jobs, requests,
reset, clock/advance, faults, keys). Ctrl-C stops it.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("simulator", help="run the offline simulator of the Luma API",
                                   description="The offline simulator of the Luma API.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", help="serve the simulated API on a local port",
                               description=DESCRIPTION,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_options(serve)
    serve.set_defaults(func=run)


def _add_options(serve: argparse.ArgumentParser) -> None:
    add = serve.add_argument
    add("--host", default="127.0.0.1",
        help="address to bind (default 127.0.0.1; anything else exposes it to your network)")
    add("--port", type=int, default=8765, metavar="N",
        help="TCP port (default 8765; 0 picks a free one)")
    add("--seed", type=int, default=0, metavar="N",
        help="seed for ids, latencies and random faults (default 0)")
    add("--latency", default="30-60", metavar="MIN-MAX",
        help="processing time per job in seconds, uniform between MIN and MAX (default 30-60)")
    add("--time-scale", type=float, default=1.0, metavar="F",
        help="wall seconds per simulated second: 0.05 makes a 40 s job take 2 s (default 1)")
    add("--virtual", action="store_true",
        help="use a virtual clock that moves only on POST /_sim/clock/advance {\"seconds\": N}")
    add("--faults", type=Path, metavar="FILE", help="JSON fault plan (see docs/simulator.md)")
    add("--rpm", type=int, default=30, metavar="N",
        help="POSTs allowed per client per sliding 60 s (default 30)")
    add("--concurrency", type=int, default=10, metavar="N",
        help="active jobs allowed per client (default 10)")


def run(args: argparse.Namespace) -> int:
    from simulator import Simulator
    from simulator.server import base_url, bind, uvicorn_config

    sim = Simulator(seed=args.seed, latency=parse_latency(args.latency), clock=_clock(args),
                    rpm=_positive("--rpm", args.rpm),
                    concurrency=_positive("--concurrency", args.concurrency),
                    faults=_faults(args.faults))
    sock = _listen(bind, args.host, args.port)
    _announce(f"{base_url(sock)}/v1", args)
    import uvicorn

    uvicorn.Server(uvicorn_config(sim.asgi_app)).run(sockets=[sock])
    return 0


def parse_latency(text: str) -> tuple[float, float]:
    low, sep, high = text.partition("-")
    try:
        pair = (float(low), float(high if sep else low))
    except ValueError:
        message = f"--latency must be MIN-MAX in seconds, e.g. 30-60 (got {text!r})"
        raise UsageError(message) from None
    if not 0 <= pair[0] <= pair[1]:
        raise UsageError(f"--latency needs 0 <= MIN <= MAX (got {text!r})")
    return pair


def _positive(option: str, value: int) -> int:
    if value < 1:
        raise UsageError(f"{option} must be at least 1 (got {value})")
    return value


def _clock(args: argparse.Namespace) -> Any:
    from simulator.clock import RealClock, ScaledClock, VirtualClock

    if args.virtual:
        return VirtualClock()
    if args.time_scale <= 0:
        raise UsageError(f"--time-scale must be positive (got {args.time_scale})")
    return RealClock() if args.time_scale == 1.0 else ScaledClock(args.time_scale)


def _faults(path: Path | None) -> Any:
    if path is None:
        return None
    from pydantic import ValidationError

    from simulator.faults import FaultPlan

    try:
        return FaultPlan.from_file(path)
    except OSError as err:
        raise UsageError(f"cannot read fault plan {path}: {err.strerror}") from None
    except (ValidationError, ValueError) as err:
        raise UsageError(f"invalid fault plan {path}: {err}") from None


def _listen(bind: Any, host: str, port: int) -> Any:
    try:
        return bind(host, port)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


def _announce(url: str, args: argparse.Namespace) -> None:
    clock = "virtual clock" if args.virtual else f"time scale {args.time_scale:g}"
    print(f"lumaflow simulator: serving the Luma API at {url} "
          f"(seed {args.seed}, latency {args.latency} s, {clock}); Ctrl-C stops it",
          file=sys.stderr, flush=True)
    if not is_loopback(args.host):
        print(f"lumaflow simulator: warning: bound to {args.host}, reachable from other machines",
              file=sys.stderr, flush=True)
