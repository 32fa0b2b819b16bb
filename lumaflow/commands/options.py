"""Argument groups that several commands share, so they read and behave the same."""

from __future__ import annotations

import argparse
from typing import Any


def add_command(subparsers: Any, name: str, help_text: str, *,
                epilog: str | None = None) -> argparse.ArgumentParser:
    """Add one subcommand; its one-line help is also the description of its --help."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text, epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def add_backend_options(parser: argparse.ArgumentParser, *, simulator_help: str,
                        api_url_help: str) -> None:
    """--simulator | --api-url: which service's jobs (and cache entries) a command means."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--simulator", action="store_true", help=simulator_help)
    group.add_argument("--api-url", metavar="URL", help=api_url_help)


def add_allow_outside(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-outside", action="store_true",
        help="allow files and saves outside the project root (the nearest folder above the "
             "recipe with .git, pyproject.toml or .lumaflow-root)",
    )
