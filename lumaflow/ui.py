"""What a person sees on stderr: errors, warnings, progress. rich lives in the CLI layer only."""

from __future__ import annotations

import sys

from lumaflow.errors import LumaflowError, RecipeError


def report_error(err: LumaflowError) -> None:
    """Print a user-caused error: a message, never a traceback."""
    if isinstance(err, RecipeError):
        from lumaflow.diagnostics import render_all

        print(render_all(err.diagnostics), file=sys.stderr, end="")
        return
    print(f"lumaflow: error: {err}", file=sys.stderr)
