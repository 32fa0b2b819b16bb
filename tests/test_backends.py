"""Backend choice: the design's rule, the announcement line, keys, loopback servers."""

from __future__ import annotations

import pytest

from lumaflow import backends
from lumaflow.errors import UsageError

KEY = "luma-api-very-secret"


def test_no_key_means_embedded_simulator_announced() -> None:
    backend = backends.choose(use_simulator=False, api_url=None, environ={})
    assert (backend.scope, backend.real) == ("simulator", False)
    assert backend.description.startswith(
        "using the embedded simulator (no LUMA_AGENTS_API_KEY set)")
    assert backend.simulator is not None and backend.clock is backend.simulator.clock


def test_simulator_flag_wins_over_a_key() -> None:
    backend = backends.choose(use_simulator=True, api_url=None,
                              environ={"LUMA_AGENTS_API_KEY": KEY})
    assert backend.scope == "simulator" and "(--simulator)" in backend.description


def test_key_means_real_api_with_confirmation() -> None:
    backend = backends.choose(use_simulator=False, api_url=None,
                              environ={"LUMA_AGENTS_API_KEY": KEY})
    assert backend.scope == "https://agents.lumalabs.ai/v1" and backend.real
    assert KEY not in backend.description and KEY not in repr(backend.client)


def test_base_url_override() -> None:
    backend = backends.choose(use_simulator=False, api_url=None,
                              environ={"LUMA_AGENTS_API_KEY": KEY,
                                       "LUMA_BASE_URL": "https://Example.test:443/v1/"})
    assert backend.scope == "https://example.test/v1"


def test_loopback_api_url_needs_no_key_and_no_confirmation() -> None:
    backend = backends.choose(use_simulator=False, api_url="http://127.0.0.1:8080/v1",
                              environ={})
    assert backend.scope == "http://127.0.0.1:8080/v1" and not backend.real
    assert "a local server" in backend.description


def test_remote_api_url_without_key_is_usage_error() -> None:
    with pytest.raises(UsageError, match="LUMA_AGENTS_API_KEY is not set"):
        backends.choose(use_simulator=False, api_url="https://api.example.test/v1", environ={})


def test_both_flags_is_usage_error() -> None:
    with pytest.raises(UsageError):
        backends.choose(use_simulator=True, api_url="http://127.0.0.1:1/v1", environ={})


def test_embedded_processes_get_distinct_seeds() -> None:
    first = backends.choose(use_simulator=True, api_url=None, environ={})
    second = backends.choose(use_simulator=True, api_url=None, environ={})
    assert first.simulator.config.seed != second.simulator.config.seed
