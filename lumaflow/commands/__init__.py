"""The subcommands, in the order `lumaflow --help` lists them."""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any

from lumaflow.commands import apply, check, fmt, plan, simulator

COMMANDS: tuple[ModuleType, ...] = (check, fmt, plan, apply, simulator)


def add_command(subparsers: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    """Add one subcommand whose --help shows the module's docstring as its description."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text
    )
    return parser
