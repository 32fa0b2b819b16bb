"""Command-line entry point: parse arguments, run one command, map errors to exit codes.

Exit codes: 0 done / no changes, 1 run failed, 2 invalid recipe or usage, 130 interrupted.
Every command lives in `lumaflow.commands.<name>` (see that package).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lumaflow import __version__, commands
from lumaflow.errors import LumaflowError

EXIT_INTERRUPTED = 130


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: with a command named, only that command's module is imported."""
    parser = argparse.ArgumentParser(
        prog="lumaflow",
        description="Declarative image-edit recipes for Luma's Uni-1 API.",
    )
    parser.add_argument("--version", action="version", version=f"lumaflow {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _needed(sys.argv[1:] if argv is None else argv):
        commands.load(name).register(subparsers)
    return parser


def _needed(argv: Sequence[str]) -> tuple[str, ...]:
    """The command `argv` names; none for a bare --version; all for --help or a typo."""
    named = next((arg for arg in argv if not arg.startswith("-")), None)
    if named in commands.NAMES:
        return (named,)
    return () if named is None and "--version" in argv else commands.NAMES


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except LumaflowError as err:
        from lumaflow import ui

        ui.report_error(err)
        return err.exit_code
    except KeyboardInterrupt:
        print("lumaflow: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
