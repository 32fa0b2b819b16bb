"""String literals: the escapes a recipe may use, and how a triple-quoted string is dedented."""

from __future__ import annotations

import re
import textwrap

_ESCAPE = re.compile(r'\\(?:u[0-9a-fA-F]{4}|[\\"nt])')
_ANY_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{0,4}|[\s\S]?)")
_SIMPLE = {"\\": "\\", '"': '"', "n": "\n", "t": "\t"}
ESCAPES_HINT = 'escapes are \\" \\\\ \\n \\t \\uXXXX; write \\\\ for a backslash'


def bad_escapes(literal: str) -> list[tuple[int, str]]:
    """(offset, text) of every backslash sequence that is not one of the known escapes."""
    return [(m.start(), m[0]) for m in _ANY_ESCAPE.finditer(literal)
            if not _ESCAPE.fullmatch(m[0])]


def decode(raw: str) -> str:
    """Decode the escapes of a string body (already checked with `bad_escapes`)."""
    if "\\" not in raw:
        return raw

    def one(match: re.Match[str]) -> str:
        body = match.group(0)[1:]
        return chr(int(body[1:], 16)) if body.startswith("u") else _SIMPLE[body]

    return _ESCAPE.sub(one, raw)


def dedent_block(body: str) -> str:
    """A triple-quoted body → its lines: drop a blank first and last line, dedent, rstrip."""
    lines = body.split("\n")
    if len(lines) > 1 and not lines[0].strip():
        lines = lines[1:]
    if len(lines) > 1 and not lines[-1].strip():
        lines = lines[:-1]
    return textwrap.dedent("\n".join(line.rstrip() for line in lines))
