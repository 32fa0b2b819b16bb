"""Render diagnostics as `path:L:C: error: …`, the source line, a caret run and a hint.

Pure text in, text out: the CLI decides where it goes. `render_all` reads a
file's lines only when the caller did not pass the Source.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from stat import S_ISREG

from lumaflow.errors import Diagnostic
from lumaflow.text import Source

INDENT = "    "
WIDTH = 100  # longest source line shown whole; longer ones are cut to a window


def suggest(word: str, choices: Iterable[str], what: str) -> str | None:
    """A hint for a misspelt name: the closest choice, then every choice."""
    names = list(dict.fromkeys(choices))
    if not names:
        return None
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    listed = f"{what}: {', '.join(names)}"
    return f"did you mean `{close[0]}`? {listed}" if close else listed


def _caret(line: str, diagnostic: Diagnostic) -> tuple[str, str]:
    """The source line (tabs shown as one space, so carets line up) and its caret run.

    A line longer than WIDTH is cut to a window that starts near the span.
    """
    shown = line.replace("\t", " ")
    span = diagnostic.span
    start = max(span.column - 1, 0)
    end = span.end_column - 1 if span.end_line == span.line else len(shown)
    end = max(end, start + 1)
    if len(shown) <= WIDTH:
        return shown, " " * start + "^" * (end - start)
    left = max(0, min(start - 10, len(shown) - WIDTH))
    right = min(len(shown), left + WIDTH)
    prefix = "..." if left else ""
    window = prefix + shown[left:right] + ("..." if right < len(shown) else "")
    first, last = start - left + len(prefix), min(end, right) - left + len(prefix)
    return window, " " * first + "^" * max(last - first, 1)


Part = tuple[str, str | None]  # a piece of text and its role, for a CLI that adds colour


def render_parts(diagnostic: Diagnostic, source: Source | None = None) -> list[Part]:
    """One diagnostic as pieces tagged `where`, `error`/`warning` (label, carets), `hint`."""
    span = diagnostic.span
    parts: list[Part] = [(f"{diagnostic.path}:{span.line}:{span.column}: ", "where"),
                         (f"{diagnostic.severity}:", diagnostic.severity),
                         (f" {diagnostic.message}\n", None)]
    if source is not None and span.line <= source.text.count("\n") + 1:
        shown, carets = _caret(source.line(span.line), diagnostic)
        run = carets.lstrip()
        parts += [((INDENT + shown).rstrip() + "\n", None),
                  (INDENT + carets[: len(carets) - len(run)], None),
                  (run + "\n", diagnostic.severity)]
    if diagnostic.hint:
        parts += [(f"{INDENT}hint:", "hint"), (f" {diagnostic.hint}\n", None)]
    return parts


def render(diagnostic: Diagnostic, source: Source | None = None) -> str:
    """One diagnostic as text, ending in a newline."""
    return "".join(text for text, _ in render_parts(diagnostic, source))


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """`2 errors, 1 warning` (or an empty string when there is nothing)."""
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = [f"{n} {word}{'s' if n != 1 else ''}"
             for n, word in ((errors, "error"), (warnings, "warning")) if n]
    return ", ".join(parts)


def _read(path: Path) -> Source | None:
    """The file's text, if it is a readable regular UTF-8 file (never a device or FIFO)."""
    try:
        return Source.read(path) if S_ISREG(path.stat().st_mode) else None
    except (OSError, UnicodeDecodeError):
        return None


def render_all_parts(diagnostics: Iterable[Diagnostic],
                     sources: Mapping[Path, Source] | None = None) -> list[Part]:
    """`render_parts` of every diagnostic, sorted by file and position."""
    known = dict(sources or {})
    out: list[Part] = []
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        if diagnostic.path not in known:
            source = _read(diagnostic.path)
            if source is not None:
                known[diagnostic.path] = source
        out += render_parts(diagnostic, known.get(diagnostic.path))
    return out


def render_all(diagnostics: Iterable[Diagnostic],
               sources: Mapping[Path, Source] | None = None) -> str:
    """Every diagnostic, sorted by file and position; sources are read when not given."""
    return "".join(text for text, _ in render_all_parts(diagnostics, sources))
