"""Interop: the official `luma-agents` SDK creates, polls and completes an edit on the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import luma_agents
import pytest
from luma_agents.types import Generation
from sim.harness import KEY, loopback, png_b64, shared_server

from simulator import BASE_URL, Simulator
from simulator.clock import VirtualClock


@dataclass
class Sdk:
    client: luma_agents.Luma
    sim: Simulator
    http: httpx.Client  # the SDK's own httpx client; downloads need no API key


@pytest.fixture(params=["in-process", "socket"])
def sdk(request: pytest.FixtureRequest) -> Iterator[Sdk]:
    """The SDK on an in-process transport or over a real socket."""
    sim = Simulator(clock=VirtualClock())
    if request.param == "in-process":
        http, base = httpx.Client(transport=sim.transport), BASE_URL
    else:
        server = shared_server()
        server.app.backend = sim.backend
        http, base = httpx.Client(transport=loopback()), f"{server.url}/v1"
    # Strict validation: the SDK's typed models must parse every answer exactly.
    client = luma_agents.Luma(auth_token=KEY, base_url=base, http_client=http, max_retries=0,
                              _strict_response_validation=True)
    yield Sdk(client, sim, http)
    client.close()


def test_sdk_edit_round_trip(sdk: Sdk) -> None:
    client, sim = sdk.client, sdk.sim
    job = client.generations.create(
        prompt="Change the lighting to warm golden hour.", type="image_edit", model="uni-1",
        source={"data": png_b64(), "media_type": "image/png"}, output_format="jpeg",
    )
    assert isinstance(job, Generation) and job.state == "queued"
    states = []
    while job.state not in ("completed", "failed"):
        assert isinstance(sim.clock, VirtualClock)
        sim.clock.advance(2)
        job = client.generations.get(job.id)
        states.append(job.state)
    assert job.state == "completed" and "processing" in states
    assert job.output and job.output[0].type == "image"
    picture = sdk.http.get(job.output[0].url)
    assert picture.content[:2] == b"\xff\xd8"


def test_sdk_parses_failures_and_errors(sdk: Sdk) -> None:
    client, sim = sdk.client, sdk.sim
    sim.load_faults({"faults": [{"kind": "fail", "job": 1, "code": "budget_exhausted"}]})
    job = client.generations.create(prompt="a kite")
    assert isinstance(sim.clock, VirtualClock)
    sim.clock.advance(120)
    failed = client.generations.get(job.id)
    assert failed.state == "failed" and failed.failure_code == "budget_exhausted"
    with pytest.raises(luma_agents.NotFoundError) as missing:
        client.generations.get("00000000-0000-4000-8000-000000000000")
    assert missing.value.body == {"detail": "Generation not found"}
    with pytest.raises(luma_agents.BadRequestError):
        client.generations.create(prompt="x", aspect_ratio="4:3")
    sim.backend.keys.set_key(KEY, "revoked")
    with pytest.raises(luma_agents.AuthenticationError):
        client.generations.create(prompt="x")


def test_sdk_rate_limit_error_carries_retry_after() -> None:
    sim = Simulator(clock=VirtualClock(), rpm=1)
    client = luma_agents.Luma(auth_token=KEY, base_url=BASE_URL, max_retries=0,
                              http_client=httpx.Client(transport=sim.transport))
    client.generations.create(prompt="x")
    with pytest.raises(luma_agents.RateLimitError) as refused:
        client.generations.create(prompt="x")
    assert refused.value.response.headers["Retry-After"] == "60"


def test_async_sdk_on_virtual_time() -> None:
    clock = VirtualClock()
    sim = Simulator(clock=clock)

    async def run() -> str:
        client = luma_agents.AsyncLuma(auth_token=KEY, base_url=BASE_URL, max_retries=0,
                                       http_client=httpx.AsyncClient(transport=sim.transport))
        job = await client.generations.create(prompt="a lighthouse", aspect_ratio="9:16")
        while job.state not in ("completed", "failed"):
            await clock.sleep(2)  # virtual time
            job = await client.generations.get(job.id)
        await client.close()
        return job.state

    assert clock.run(run()) == "completed"
