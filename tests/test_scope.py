"""Backend choice as a cache scope: the design's rule, and URL normalisation."""

from __future__ import annotations

import pytest

from lumaflow.errors import UsageError
from lumaflow.scope import DEFAULT_API_URL, SIMULATOR, is_loopback, normalise_url, resolve_scope

KEY = {"LUMA_AGENTS_API_KEY": "luma-api-x"}


@pytest.mark.parametrize(
    ("simulator", "api_url", "environ", "scope"),
    [
        (True, None, KEY, SIMULATOR),
        (False, "http://127.0.0.1:8080/v1/", {}, "http://127.0.0.1:8080/v1"),
        (False, None, KEY, DEFAULT_API_URL),
        (False, None, {**KEY, "LUMA_BASE_URL": "HTTPS://Example.com:443/v1"},
         "https://example.com/v1"),
        (False, None, {"LUMA_BASE_URL": "https://example.com/v1"}, SIMULATOR),
        (False, None, {"LUMA_AGENTS_API_KEY": ""}, SIMULATOR),
        (False, None, {}, SIMULATOR),
    ],
)
def test_resolve_scope(simulator: bool, api_url: str | None, environ: dict[str, str],
                       scope: str) -> None:
    assert resolve_scope(simulator=simulator, api_url=api_url, environ=environ) == scope


def test_the_api_key_never_enters_the_scope() -> None:
    assert "luma-api" not in resolve_scope(simulator=False, api_url=None, environ=KEY)


def test_simulator_and_api_url_exclude_each_other() -> None:
    with pytest.raises(UsageError):
        resolve_scope(simulator=True, api_url="https://x.test/v1", environ={})


@pytest.mark.parametrize("url", ["ftp://x/v1", "x.test/v1", "https:///v1",
                                 "https://u:p@x.test/v1", "https://x.test/v1?a=1",
                                 "https://x.test:99999/v1"])
def test_bad_urls_are_usage_errors(url: str) -> None:
    with pytest.raises(UsageError):
        normalise_url(url)


def test_ipv6_and_ports() -> None:
    assert normalise_url("http://[::1]:8080/v1") == "http://[::1]:8080/v1"
    assert normalise_url("http://LOCALHOST:80/v1") == "http://localhost/v1"


@pytest.mark.parametrize(("host", "local"), [
    ("localhost", True), ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
    ("0.0.0.0", False), ("192.168.1.5", False), ("agents.lumalabs.ai", False), ("", False),
])
def test_is_loopback(host: str, local: bool) -> None:
    assert is_loopback(host) is local
