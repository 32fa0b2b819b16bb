"""`lumaflow check FILE…`: parse and validate recipes offline; every diagnostic at once."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from lumaflow.commands.options import add_allow_outside, add_command

EXIT_OK = 0
EXIT_INVALID = 2


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers, "check",
        "Parse and validate recipes without running anything: names, API limits and files "
        "(exists, inside the project, PNG/JPEG/WebP/GIF, at most 50 MB). Exit 0 when valid "
        "(warnings allowed), 2 on any error.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".lflow recipes")
    parser.add_argument("--json", action="store_true",
                        help="print the diagnostics as JSON on stdout instead of text on stderr")
    add_allow_outside(parser)
    parser.set_defaults(func=run)


_STYLES = {"where": "bold", "error": "bold red", "warning": "bold yellow", "hint": "cyan"}


def show(diagnostics: tuple[Any, ...], *, file: TextIO | None = None,
         color: bool | None = None) -> None:
    """Print diagnostics to stderr; in colour on a terminal (rich honours NO_COLOR)."""
    from lumaflow.diagnostics import render_all_parts

    out = file or sys.stderr
    parts = render_all_parts(diagnostics)
    if not (out.isatty() if color is None else color):
        print("".join(text for text, _ in parts), end="", file=out)
        return
    from rich.console import Console
    from rich.text import Text

    text = Text()
    for piece, role in parts:
        text.append(piece, _STYLES.get(role or ""))
    Console(file=out, highlight=False, soft_wrap=True, force_terminal=color).print(text, end="")


def _status(path: Path, diagnostics: tuple[Any, ...]) -> str:
    from lumaflow.diagnostics import summary

    counted = summary(diagnostics)
    failed = any(d.severity == "error" for d in diagnostics)
    return f"{path}: {'invalid' if failed else 'ok'}" + (f" ({counted})" if counted else "")


def run(args: argparse.Namespace) -> int:
    from lumaflow.api import check_file

    results = [(path, check_file(path, allow_outside=args.allow_outside)) for path in args.files]
    if args.json:
        print(json.dumps(_as_json(results), indent=2))
    else:
        for path, result in results:
            show(result.diagnostics)
            print(_status(path, result.diagnostics))
    return EXIT_INVALID if any(not result.ok for _, result in results) else EXIT_OK


def _as_json(results: list[tuple[Path, Any]]) -> dict[str, Any]:
    return {
        "version": 1,
        "files": [
            {"path": str(path), "ok": result.ok,
             "diagnostics": [d.model_dump(mode="json") for d in result.diagnostics]}
            for path, result in results
        ],
    }
