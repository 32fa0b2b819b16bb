"""`lumaflow fmt FILE…`: rewrite recipes in the one canonical layout, keeping every comment."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import Any

from lumaflow.commands.options import add_command

EXIT_OK = 0
EXIT_WOULD_CHANGE = 1
EXIT_INVALID = 2


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers, "fmt",
        "Rewrite recipes in the canonical layout (comments kept). A file with syntax errors "
        "is reported and left untouched (exit 2).",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".lflow recipes")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if any file would change")
    parser.add_argument("--diff", action="store_true",
                        help="write nothing; print a unified diff of the changes on stdout")
    parser.set_defaults(func=run)


def write_atomic(path: Path, text: str) -> None:
    """Replace a recipe's text in one step, keeping its mode.

    A symlink is followed, so the link stays a link and its target gets the new text.
    """
    from lumaflow.state import atomic_write

    path = path.resolve()
    atomic_write(path, text.encode("utf-8"), mode=path.stat().st_mode & 0o7777)


def _diff(path: Path, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"{path} (original)", tofile=f"{path} (formatted)",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _one(path: Path, args: argparse.Namespace) -> int:
    """Format one file; returns its exit status."""
    from lumaflow.api import read_source
    from lumaflow.commands.check import show
    from lumaflow.errors import RecipeError
    from lumaflow.format import format_document
    from lumaflow.parse import parse_source

    try:
        source = read_source(path)  # first: it refuses folders, devices and FIFOs
        original = path.read_bytes().decode("utf-8")
        formatted = format_document(parse_source(source))
    except (RecipeError, OSError, UnicodeDecodeError) as err:
        diagnostics = err.diagnostics if isinstance(err, RecipeError) else _unreadable(path)
        show(diagnostics)
        return EXIT_INVALID
    if formatted == original:
        return EXIT_OK
    if args.diff:
        print(_diff(path, original, formatted), end="")
    if args.check or args.diff:
        print(f"would reformat {path}", file=sys.stderr)
        return EXIT_WOULD_CHANGE
    write_atomic(path, formatted)
    print(f"reformatted {path}", file=sys.stderr)
    return EXIT_OK


def _unreadable(path: Path) -> tuple[Any, ...]:
    from lumaflow.api import read_source
    from lumaflow.errors import RecipeError

    try:
        read_source(path)
    except RecipeError as err:
        return err.diagnostics
    return ()


def run(args: argparse.Namespace) -> int:
    statuses = [_one(path, args) for path in args.files]
    if EXIT_INVALID in statuses:
        return EXIT_INVALID
    return EXIT_WOULD_CHANGE if EXIT_WOULD_CHANGE in statuses and args.check else EXIT_OK
