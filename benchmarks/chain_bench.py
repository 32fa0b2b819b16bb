"""Chaining: bytes uploaded for a five-step edit chain on a 2 MB source image.

lumaflow sends the source once as base64 and chains every later step server-side
with `source.generation_id`. The `reupload` client is what a script without
chaining does: download each result and send it back as base64. Outputs are
rendered up to 2048 px (the API's "2K"), so an edit keeps the source's size, and
each request body is counted as it leaves the client.
"""

from __future__ import annotations

from typing import Any

import httpx

import simulator
from benchmarks.harness import b64, plan_for, png, scratch, service, simulated_apply
from benchmarks.polling_bench import Wire, naive_job
from lumaflow.client import LumaClient

LATENCY = (30.0, 60.0)
OUTPUT_LONG_SIDE = 2048
SOURCE_SIDE = 818  # seeded noise: a PNG of about 2 MB that does not compress


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes requests on, counting the bytes of every request body and response body."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent = 0
        self.received = 0
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.sent += len(body)
        self.posts += request.method == "POST"
        response = await self.inner.handle_async_request(request)
        self.received += len(await response.aread())
        return response


def source_image(side: int = SOURCE_SIDE) -> bytes:
    return png((side, side), noise_seed=2)


def lumaflow_chain(steps: int, seed: int, source: bytes) -> dict[str, Any]:
    """Apply a recipe of `steps` chained edits that saves only the last image."""
    run = simulated_apply(seed, LATENCY, output_long_side=OUTPUT_LONG_SIDE)
    counter = CountingTransport(run.simulator.transport)
    run.backend.client = LumaClient(simulator.BASE_URL, simulator.TEST_KEY, transport=counter)
    root = scratch("chain")
    (root / "source.png").write_bytes(source)
    body = "".join(f'step edit "change number {n}"\n' for n in range(1, steps + 1))
    recipe = root / "chain.lflow"
    recipe.write_text(f'source photo = "source.png"\n{body}save "out/final.png"\n')
    outcome = run.apply(plan_for(recipe), jitter_seed=seed)
    if not outcome.ok:
        raise RuntimeError(f"lumaflow chain failed: {outcome.results}")
    return _figures(counter)


def reupload_chain(steps: int, seed: int, source: bytes) -> dict[str, Any]:
    """Each step's result is downloaded and sent back as the next step's base64 source."""
    sim = service(seed, LATENCY, output_long_side=OUTPUT_LONG_SIDE)
    counter = CountingTransport(sim.transport)
    assert isinstance(sim.clock, simulator.VirtualClock)
    sim.clock.run(_reupload(sim, counter, steps, source))
    return _figures(counter)


async def _reupload(sim: simulator.Simulator, counter: CountingTransport, steps: int,
                    image: bytes) -> None:
    http = Wire(counter)
    for n in range(1, steps + 1):
        body = {"prompt": f"change number {n}", "type": "image_edit",
                "source": {"data": b64(image), "media_type": "image/png"}}
        _, image = await naive_job(http, sim.clock, body, 2.0)


def _figures(counter: CountingTransport) -> dict[str, Any]:
    return {"bytes_uploaded": counter.sent, "posts": counter.posts,
            "bytes_downloaded": counter.received}


def chain_section(steps: int, seed: int, side: int = SOURCE_SIDE) -> dict[str, Any]:
    """The issue's `chain_bytes` key: `lumaflow` and `reupload` are bytes uploaded."""
    source = source_image(side)
    lumaflow = lumaflow_chain(steps, seed, source)
    reupload = reupload_chain(steps, seed, source)
    once = len(b64(source))
    return {
        "steps": steps, "source_bytes": len(source), "source_base64_bytes": once,
        "lumaflow": lumaflow["bytes_uploaded"], "reupload": reupload["bytes_uploaded"],
        # lumaflow's own requests minus one base64 source: what its chaining costs on top
        "lumaflow_overhead_bytes": lumaflow["bytes_uploaded"] - once,
        "posts": {"lumaflow": lumaflow["posts"], "reupload": reupload["posts"]},
        "bytes_downloaded": {"lumaflow": lumaflow["bytes_downloaded"],
                             "reupload": reupload["bytes_downloaded"]},
    }
