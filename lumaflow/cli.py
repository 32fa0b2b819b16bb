"""Command-line entry point: parse arguments, run one command, map errors to exit codes.

Exit codes: 0 done / no changes, 1 run failed, 2 invalid recipe or usage, 130 interrupted.
Every command lives in `lumaflow.commands.<name>` and exposes `register(subparsers)`,
which adds its parser and sets `func` to a function `(args) -> int`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lumaflow import __version__
from lumaflow.commands import COMMANDS
from lumaflow.errors import LumaflowError

EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lumaflow",
        description="Declarative image-edit recipes for Luma's Uni-1 API.",
    )
    parser.add_argument("--version", action="version", version=f"lumaflow {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
