"""pytest plugin (entry point `lumaflow_simulator`): the `luma_sim` fixtures for users' test suites.

    def test_my_poller(luma_sim):
        with luma_sim.client() as http:                  # httpx.Client, in-process, key preset
            job = http.post("/generations", json={"prompt": "a lighthouse"}).json()
        async def poll():
            async with luma_sim.async_client() as http:
                while (await http.get(f"/generations/{job['id']}")).json()["state"] != "completed":
                    await luma_sim.clock.sleep(2)        # virtual: costs no wall time
        luma_sim.clock.run(poll())

Options per test: `@pytest.mark.luma_sim(seed=3, latency=(1, 2), rpm=5, faults={...})` takes
the keyword arguments of `simulator.Simulator`; `faults` may be a dict in the fault-plan format.
`luma_sim_server` is the same simulator served on a real loopback socket (`.url`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported lazily: every pytest run loads this plugin
    from simulator import Simulator
    from simulator.server import ServerThread


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "luma_sim(**options): options for the luma_sim fixture (Simulator kwargs)"
    )


@pytest.fixture
def luma_sim(request: pytest.FixtureRequest) -> Simulator:
    """A fresh simulator on a VirtualClock; `.client()`/`.async_client()` talk to it in-process."""
    from simulator import Simulator
    from simulator.clock import VirtualClock
    from simulator.faults import FaultPlan

    marker = request.node.get_closest_marker("luma_sim")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    faults = options.pop("faults", None)
    if isinstance(faults, dict):
        faults = FaultPlan.model_validate(faults)
    options.setdefault("clock", VirtualClock())
    return Simulator(faults=faults, **options)


@pytest.fixture
def luma_sim_server(luma_sim: Simulator) -> Iterator[ServerThread]:
    """`luma_sim` served by uvicorn on 127.0.0.1 (a free port); `.url` is its base, without /v1.

    Its clock stays virtual: move it with `luma_sim.clock.advance(s)` or POST /_sim/clock/advance.
    """
    server = luma_sim.serve()
    yield server
    server.stop()
