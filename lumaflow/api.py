"""The library API: parse, check, load and format recipes from Python, with typed results.

    >>> from lumaflow.api import load
    >>> recipe = load("examples/product-hero.lflow")      # raises RecipeError if invalid

Every function raises only `lumaflow.errors.LumaflowError` subclasses for bad input.
"""

from __future__ import annotations

from pathlib import Path
from stat import S_ISDIR, S_ISREG

from lumaflow.check import CheckResult
from lumaflow.check import check as _check
from lumaflow.errors import Diagnostic, RecipeError
from lumaflow.nodes import Document
from lumaflow.parse import parse as _parse
from lumaflow.parse import parse_source
from lumaflow.recipe import Recipe
from lumaflow.text import Source, Span

__all__ = [
    "CheckResult", "Document", "check", "check_file", "format_text", "load", "parse",
    "read_source",
]


def parse(text: str, path: Path | str = "<recipe>") -> Document:
    """Recipe text → syntax nodes. Raises RecipeError with the syntax errors."""
    return _parse(text, path)


def check(document: Document, *, allow_outside: bool = False) -> CheckResult:
    """Judge a parsed recipe: the Recipe (or None) and every diagnostic, warnings included.

    Relative files and saves resolve against the document's path; with
    `allow_outside` they may resolve outside the project root.
    """
    return _check(document, allow_outside=allow_outside)


def read_source(path: Path | str) -> Source:
    """Read a recipe file, turning every way that can fail into a RecipeError."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
        if S_ISREG(mode):
            return Source.read(path)
        problem = "is a folder, not a recipe file" if S_ISDIR(mode) else "is not a regular file"
    except FileNotFoundError:
        problem = "does not exist"
    except UnicodeDecodeError as err:
        problem = f"is not UTF-8 text (byte {err.start})"
    except OSError as err:
        problem = f"cannot be read: {err.strerror or err}"
    raise RecipeError((Diagnostic(severity="error", code="unreadable-recipe", path=path,
                                  span=Span.point(1, 1), message=f"the recipe {problem}"),))


def check_file(path: Path | str, *, allow_outside: bool = False) -> CheckResult:
    """Read, parse and check one file; syntax and read errors come back as diagnostics."""
    try:
        document = parse_source(read_source(path))
    except RecipeError as err:
        return CheckResult(recipe=None, diagnostics=err.diagnostics)
    return _check(document, allow_outside=allow_outside)


def load(path: Path | str, *, allow_outside: bool = False) -> Recipe:
    """Read, parse and check a recipe file. Raises RecipeError holding every diagnostic."""
    result = check_file(path, allow_outside=allow_outside)
    if result.recipe is None:
        raise RecipeError(result.diagnostics)
    return result.recipe


def format_text(text: str, path: Path | str = "<recipe>") -> str:
    """The canonical layout of a recipe's text. Raises RecipeError on syntax errors."""
    from lumaflow.format import format_document

    return format_document(_parse(text, path))
