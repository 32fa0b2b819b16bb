"""Syntax nodes: the shape of a .lflow file as written, each piece with its position.

Nothing here is judged: a step kind is a Word whether or not the kind exists, a
location is a string whether or not the file does. `lumaflow.check` decides.

Nodes are frozen, slotted dataclasses rather than pydantic models, and keep their
position as a `Pos` tuple (`.span` makes the pydantic Span on demand): a 20-step
recipe has ~800 of them and pydantic construction alone cost more than the whole
parse budget (measured 4.7 ms vs 1.6 ms for the LALR parse itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from lumaflow.text import Source, Span


class Pos(NamedTuple):
    """Where a node sits: 1-based line and column, end exclusive (like Lark tokens)."""

    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def span(self) -> Span:
        """The pydantic Span, shared by equal positions (a Span is a frozen value).

        Each step, binding and save of a checked recipe carries one, and building a
        Span costs ten times a lookup. Recipes checked in one process (watch, a batch
        through the API) share most positions; a single cold check gains nothing.
        """
        span = _SPANS.get(self)
        if span is None:
            if len(_SPANS) >= _SPANS_LIMIT:
                _SPANS.clear()  # a bound, not an LRU: positions recur, so it refills fast
            span = _SPANS[self] = Span(line=self.line, column=self.column,
                                       end_line=self.end_line, end_column=self.end_column)
        return span

    def to(self, last: Pos) -> Pos:
        """From the start of this position to the end of `last`."""
        return Pos(self.line, self.column, last.end_line, last.end_column)


_SPANS: dict[Pos, Span] = {}
_SPANS_LIMIT = 8192  # ~5 MB at most


@dataclass(frozen=True, slots=True)
class Node:
    pos: Pos

    @property
    def span(self) -> Span:
        return self.pos.span


@dataclass(frozen=True, slots=True)
class Word(Node):
    """A bare word: a name, step kind, role, option key or value (`uni-1`, `on`, `2:3`)."""

    text: str


@dataclass(frozen=True, slots=True)
class Text(Node):
    """A string literal. `raw` is as written between the quotes (escapes kept; for a
    triple-quoted string, its dedented lines); `value` has the escapes decoded."""

    value: str
    raw: str
    triple: bool = False


Value = Word | Text


@dataclass(frozen=True, slots=True)
class Location(Node):
    """`"path-or-url"` or `gen "uuid"`."""

    gen: bool
    text: Text


@dataclass(frozen=True, slots=True)
class Version(Node):
    """`lumaflow N`."""

    number: Word


@dataclass(frozen=True, slots=True)
class Setting(Node):
    """A recipe default: `model`, `aspect`, `format` or `web_search` with its value."""

    key: Word
    value: Value


@dataclass(frozen=True, slots=True)
class SourceDecl(Node):
    name: Word
    location: Location


@dataclass(frozen=True, slots=True)
class RefDecl(Node):
    name: Word
    location: Location
    role: Word | None = None


@dataclass(frozen=True, slots=True)
class Binding(Node):
    ref: Word
    role: Word | None = None


@dataclass(frozen=True, slots=True)
class Option(Node):
    key: Word
    value: Value


@dataclass(frozen=True, slots=True)
class Step(Node):
    kind: Word
    preset: Word | None = None  # style:PRESET
    text: Text | None = None
    color: Text | None = None  # recolor "WHAT" to "COLOR"
    bindings: tuple[Binding, ...] = ()
    bindings_pos: Pos | None = None  # the whole `[...]`
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class Save(Node):
    path: Text


@dataclass(frozen=True, slots=True)
class Branch(Node):
    name: Word
    body: tuple[BodyStatement, ...]
    open_pos: Pos  # the `{`
    close_pos: Pos  # the `}`


BodyStatement = Step | Save | Branch
Statement = Version | Setting | SourceDecl | RefDecl | Step | Save | Branch


@dataclass(frozen=True, slots=True)
class Comment(Node):
    """A `#` comment; `text` includes the `#`, without trailing whitespace."""

    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed recipe: its statements in order, and every comment (for `fmt`)."""

    source: Source
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = ()

    @property
    def path(self) -> Path:
        return self.source.path
