"""The command-line shell: version, help, exit codes."""

from __future__ import annotations

import pytest

from lumaflow import __version__
from lumaflow.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"lumaflow {__version__}"


def test_unknown_command_is_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_a_named_command_imports_only_its_own_module() -> None:
    # `lumaflow check` must not pay for the simulator (Pillow, uvicorn) that apply needs.
    import subprocess
    import sys

    code = ("import sys; from lumaflow.cli import build_parser; build_parser(['check', 'x']); "
            "print(sorted(m for m in ('simulator', 'lumaflow.commands.apply', 'PIL') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in ("check", "fmt", "plan", "apply", "simulator"):
        assert f"    {name}" in out


def test_a_failed_connection_is_not_described_as_an_http_status() -> None:
    from lumaflow.errors import ApiError, TransportError

    assert str(TransportError("could not connect to 127.0.0.1")) == "could not connect to 127.0.0.1"
    assert str(ApiError(503, "Image URL ingestion unavailable", request_id="r1")) == (
        "HTTP 503: Image URL ingestion unavailable (request id r1)")
