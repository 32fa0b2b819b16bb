"""The subcommands: one module each, imported only when needed.

Each module exposes `register(subparsers)`, which adds its parser and sets `func`
to a function `(args) -> int`. `lumaflow check` should not pay for importing the
simulator that `apply` may need, so the CLI loads only the command it runs.
"""

from __future__ import annotations

import importlib
from types import ModuleType

NAMES: tuple[str, ...] = ("check", "fmt", "plan", "apply", "simulator")


def load(name: str) -> ModuleType:
    return importlib.import_module(f"lumaflow.commands.{name}")
