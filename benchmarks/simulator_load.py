"""Load benchmark: the served simulator under many in-flight jobs and concurrent pollers.

    python benchmarks/simulator_load.py [--duration 10] [--jobs 1000] [--pollers 8]
                                        [--client httpx|raw]

Starts `lumaflow simulator serve` in a subprocess on 127.0.0.1 (limits raised, jobs that
stay in flight for the whole run), creates the jobs, then polls GET /v1/generations/{id}
from bounded async pollers on keep-alive connections for a fixed time and prints
throughput and latency percentiles. `measure(...)` returns the figures as a dict for
benchmarks/run.py.

Pollers: `httpx` (default) gives each poller its own httpx.AsyncClient (one pool shared by
many tasks contends with itself). On a 2-core machine the httpx client costs more CPU
per request than the server does, so it measures the pair; `raw` pollers write HTTP/1.1
by hand over asyncio streams, which leaves the CPU to the server and measures the server.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

AUTH = {"Authorization": "Bearer luma-api-benchmark"}
IN_FLIGHT = ("queued", "processing")


def measure(duration_s: float = 10.0, jobs: int = 1000, pollers: int = 8,
            client: str = "httpx") -> dict[str, Any]:
    """Serve, load, poll for `duration_s`; figures: gets_per_s, p50_ms, p95_ms, p99_ms, ..."""
    server, base = _start_server(jobs)
    try:
        figures = asyncio.run(_load(base, duration_s, jobs, pollers, client))
        return {**figures, "client": client}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=15)


def _start_server(jobs: int) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "lumaflow", "simulator", "serve", "--port", "0",
               "--rpm", str(jobs * 10), "--concurrency", str(jobs * 10),
               "--latency", "86400-86400"]  # every job stays in flight for the whole run
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    banner = server.stderr.readline()
    match = re.search(r"(http://\S+/v1)", banner)
    if match is None:
        server.kill()
        raise RuntimeError(f"simulator did not start: {banner}{server.stderr.read()}")
    return server, match.group(1)


async def _load(base: str, duration_s: float, jobs: int, pollers: int,
                client: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30) as http:
        ids = await _create(http, jobs, 16)
    latencies: list[float] = []
    errors = [0]
    order = itertools.cycle(ids)
    deadline = time.perf_counter() + duration_s
    poll = _poll_httpx if client == "httpx" else _poll_raw
    started = time.perf_counter()
    await asyncio.gather(*(poll(base, order, deadline, latencies, errors) for _ in range(pollers)))
    elapsed = time.perf_counter() - started
    return _figures(latencies, errors[0], elapsed, jobs, pollers)


async def _create(http: httpx.AsyncClient, jobs: int, parallel: int) -> list[str]:
    gate = asyncio.Semaphore(parallel)

    async def one(n: int) -> str:
        async with gate:
            answer = await http.post("/generations", json={"prompt": f"benchmark job {n}"})
            answer.raise_for_status()
            job_id: str = answer.json()["id"]
            return job_id

    return list(await asyncio.gather(*(one(n) for n in range(jobs))))


async def _poll_httpx(base: str, order: Any, deadline: float, latencies: list[float],
                      errors: list[int]) -> None:
    nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    transport = httpx.AsyncHTTPTransport(socket_options=nodelay)
    async with httpx.AsyncClient(base_url=base, headers=AUTH, transport=transport) as http:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            answer = await http.get(f"/generations/{next(order)}")
            latencies.append(time.perf_counter() - began)
            if answer.status_code != 200 or answer.json()["state"] not in IN_FLIGHT:
                errors[0] += 1


async def _poll_raw(base: str, order: Any, deadline: float, latencies: list[float],
                    errors: list[int]) -> None:
    url = httpx.URL(base)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    head = f"Host: {url.host}:{url.port}\r\nAuthorization: {AUTH['Authorization']}\r\n\r\n"
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        writer.write(f"GET {url.path}/generations/{next(order)} HTTP/1.1\r\n{head}".encode())
        status, body = await _read_answer(reader)
        latencies.append(time.perf_counter() - began)
        if status != 200 or not any(f'"{state}"'.encode() in body for state in IN_FLIGHT):
            errors[0] += 1
    writer.close()


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"(?i)content-length: *(\d+)", head)
    body = await reader.readexactly(int(length.group(1)) if length else 0)
    return int(head.split(b" ", 2)[1]), body


def _figures(latencies: list[float], errors: int, elapsed: float, jobs: int,
             pollers: int) -> dict[str, Any]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "gets": len(latencies), "errors": errors, "duration_s": round(elapsed, 2),
        "jobs": jobs, "pollers": pollers, "gets_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 2), "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="polling time, seconds")
    parser.add_argument("--jobs", type=int, default=1000, help="jobs in flight")
    parser.add_argument("--pollers", type=int, default=8, help="concurrent pollers")
    parser.add_argument("--client", choices=("httpx", "raw"), default="httpx",
                        help="poller implementation (see above)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = measure(args.duration, args.jobs, args.pollers, args.client)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{figures['gets']} GETs in {figures['duration_s']} s with {figures['jobs']} jobs in "
          f"flight and {figures['pollers']} pollers: {figures['gets_per_s']} GETs/s, "
          f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, "
          f"{figures['errors']} errors ({figures['client']} pollers)")


if __name__ == "__main__":
    main()
