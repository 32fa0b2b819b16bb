"""Text → syntax nodes. Loads the grammar once per process; the only place Lark errors are caught.

The Lark LALR parser is built lazily on first use with an inline transformer, so
no parse tree is built: each grammar rule becomes exactly one node as it is
reduced. Grammar analysis is cached on disk (lark's `cache`) to keep a
`lumaflow check` process fast.
"""

from __future__ import annotations

import contextvars
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput

from lumaflow import nodes, strings
from lumaflow.errors import Diagnostic, RecipeError
from lumaflow.lalr import Driver, StuckError
from lumaflow.lexer import FastLexer
from lumaflow.text import Source, Span

_PACKAGE_GRAMMAR = Path(__file__).parent / "grammar" / "lumaflow.lark"  # inside a wheel
_CHECKOUT_GRAMMAR = Path(__file__).parent.parent / "grammar" / "lumaflow.lark"  # source tree


def grammar_path() -> Path:
    """The grammar file: the installed package's copy first, then the checkout's."""
    for candidate in (_PACKAGE_GRAMMAR, _CHECKOUT_GRAMMAR):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"lumaflow grammar not found at {_PACKAGE_GRAMMAR}")


@dataclass
class _Collected:
    """What one parse gathers besides the nodes: comments and string-escape errors."""

    path: Path
    comments: list[Token] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


_current: contextvars.ContextVar[_Collected] = contextvars.ContextVar("lumaflow_parse")


def pos_of(token: Token) -> nodes.Pos:
    # tuple.__new__ skips the NamedTuple's own __new__ frame: ~280 positions a recipe
    return _tuple_new(nodes.Pos, (token.line, token.column, token.end_line, token.end_column))


_tuple_new = tuple.__new__


def _word(token: Token) -> nodes.Word:
    return nodes.Word(pos_of(token), str(token))


def _check_escapes(token: Token, collected: _Collected) -> None:
    """Record a diagnostic for every backslash that is not one of the escapes we decode."""
    for offset, escape in strings.bad_escapes(token):
        before = token[:offset]
        line = token.line + before.count("\n")  # type: ignore[operator]
        column = (offset - before.rfind("\n") if "\n" in before
                  else token.column + offset)  # type: ignore[operator]
        span = Span(line=line, column=column, end_line=line, end_column=column + len(escape))
        collected.errors.append(Diagnostic(
            severity="error", code="bad-escape", path=collected.path, span=span,
            message=f"unknown escape `{escape}` in a string", hint=strings.ESCAPES_HINT,
        ))


def _text(token: Token) -> nodes.Text:
    if "\\" in token:
        _check_escapes(token, _current.get())
    if token.type == "LONG_STRING":
        raw = strings.dedent_block(token[3:-3])
        return nodes.Text(pos_of(token), strings.decode(raw), raw, True)
    raw = token[1:-1]
    return nodes.Text(pos_of(token), strings.decode(raw), raw)


def _value(item: Token) -> nodes.Word | nodes.Text:
    return _text(item) if item.type in ("STRING", "LONG_STRING") else _word(item)


def _step_end(kind: Token, preset: Token | None, text: Token | None, color: Token | None,
              bindings: nodes.Pos | None, options: list[nodes.Option]) -> nodes.Pos:
    if options:
        return options[-1].pos
    if bindings is not None:
        return bindings
    last = color or text or preset or kind
    return pos_of(last)


class _Build(Transformer[Token, Any]):
    """One method per grammar rule, each building exactly one node. Never judges."""

    def start(self, children: list[Any]) -> list[Any]:
        return children

    def version(self, c: list[Token]) -> nodes.Version:
        number = _word(c[1])
        return nodes.Version(pos_of(c[0]).to(number.pos), number)

    def setting(self, c: list[Token]) -> nodes.Setting:
        value = _value(c[1])
        return nodes.Setting(pos_of(c[0]).to(value.pos), _word(c[0]), value)

    def path_location(self, c: list[Token]) -> nodes.Location:
        text = _text(c[0])
        return nodes.Location(text.pos, False, text)

    def gen_location(self, c: list[Token]) -> nodes.Location:
        text = _text(c[1])
        return nodes.Location(pos_of(c[0]).to(text.pos), True, text)

    def source(self, c: list[Any]) -> nodes.SourceDecl:
        location: nodes.Location = c[2]
        return nodes.SourceDecl(pos_of(c[0]).to(location.pos), _word(c[1]), location)

    def ref(self, c: list[Any]) -> nodes.RefDecl:
        location: nodes.Location = c[2]
        role = _word(c[3]) if c[3] is not None else None
        end = role.pos if role else location.pos
        return nodes.RefDecl(pos_of(c[0]).to(end), _word(c[1]), location, role)

    def binding(self, c: list[Token | None]) -> nodes.Binding:
        ref = _word(c[0])  # type: ignore[arg-type]
        role = _word(c[1]) if c[1] is not None else None
        return nodes.Binding(ref.pos.to((role or ref).pos), ref, role)

    def bindings(self, c: list[Any]) -> tuple[nodes.Pos, tuple[nodes.Binding, ...]]:
        found = tuple(b for b in c if isinstance(b, nodes.Binding))
        return pos_of(c[0]).to(pos_of(c[-1])), found

    def option(self, c: list[Token]) -> nodes.Option:
        value = _value(c[1])
        return nodes.Option(pos_of(c[0]).to(value.pos), _word(c[0]), value)

    def step(self, c: list[Any]) -> nodes.Step:
        keyword, kind, preset, text, color, bindings, *options = c
        bound_pos, bound = bindings or (None, ())
        end = _step_end(kind, preset, text, color, bound_pos, options)
        return nodes.Step(
            pos_of(keyword).to(end),
            _word(kind),
            _word(preset) if preset is not None else None,
            _text(text) if text is not None else None,
            _text(color) if color is not None else None,
            bound,
            bound_pos,
            tuple(options),
        )

    def save(self, c: list[Token]) -> nodes.Save:
        path = _text(c[1])
        return nodes.Save(pos_of(c[0]).to(path.pos), path)

    def branch(self, c: list[Any]) -> nodes.Branch:
        close = pos_of(c[-1])
        return nodes.Branch(pos_of(c[0]).to(close), _word(c[1]), tuple(c[3:-1]), pos_of(c[2]),
                            close)


def _on_comment(token: Token) -> None:
    _current.get().comments.append(token)


def _cache_file() -> str | bool:
    """Where lark keeps its analysed grammar between processes (False: no cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "lumaflow"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    import lark

    return str(folder / f"grammar-lark{lark.__version__}.cache")


@cache
def parser() -> Lark:
    """The one Lark parser of this process, built on first use."""
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer=FastLexer,
        maybe_placeholders=True,
        transformer=_Build(),
        lexer_callbacks={"COMMENT": _on_comment},
        cache=_cache_file(),
    )


MAX_SYNTAX_ERRORS = 10
MAX_DEPTH = 32  # branches inside branches; deeper is surely a mistake, and recursion has limits


def _too_deep(statements: list[nodes.Statement], path: Path) -> Diagnostic | None:
    """The first branch nested deeper than MAX_DEPTH (walked with a stack, not recursion)."""
    stack = [(s, 1) for s in statements if isinstance(s, nodes.Branch)]
    while stack:
        branch, depth = stack.pop()
        if depth > MAX_DEPTH:
            return Diagnostic(severity="error", code="nesting-too-deep", path=path,
                              span=branch.name.span,
                              message=f"branches are nested more than {MAX_DEPTH} deep")
        stack += [(s, depth + 1) for s in branch.body if isinstance(s, nodes.Branch)]
    return None


@cache
def _driver() -> Driver:
    return Driver(parser())


def _parse_once(text: str, collected: _Collected) -> list[nodes.Statement]:
    token = _current.set(collected)
    try:
        return _statements(text + "\n", collected)
    finally:
        _current.reset(token)


def _statements(text: str, collected: _Collected) -> list[nodes.Statement]:
    """The lean driver first; for invalid input, Lark's parser, whose errors we report."""
    lark = parser()
    try:
        return _driver().parse(lark.parser.lexer.tokens(text))  # type: ignore[no-any-return]
    except (StuckError, UnexpectedInput):
        collected.comments.clear()  # Lark's run lexes the text again
        collected.errors.clear()
        return lark.parse(text)  # type: ignore[return-value]  # the transformer builds nodes


def _blank_out(lines: list[str], number: int) -> bool:
    """Blank a line that held a syntax error, so the next parse can find later errors.

    Lines that open or close a block or a triple-quoted string are not touched: blanking
    them would only produce follow-on errors, not real ones.
    """
    line = lines[number - 1] if 1 <= number <= len(lines) else None
    if line is None or not line.strip() or '"""' in line or "{" in line or "}" in line:
        return False
    lines[number - 1] = ""
    return True


def _syntax_errors(source: Source, first: UnexpectedInput) -> RecipeError:
    """The first syntax error, then any others found by blanking each bad line in turn."""
    from lumaflow.syntax import syntax_diagnostic

    found = [syntax_diagnostic(first, source, parser())]
    lines = source.text.split("\n")
    while len(found) < MAX_SYNTAX_ERRORS and _blank_out(lines, found[-1].span.line):
        try:
            _parse_once("\n".join(lines), _Collected(path=source.path))
            break
        except UnexpectedInput as err:
            following = syntax_diagnostic(err, source, parser())
            if following.span.line <= found[-1].span.line:
                break
            found.append(following)
    return RecipeError(tuple(found))


def parse_source(source: Source) -> nodes.Document:
    """Parse a recipe's text. Raises RecipeError holding the syntax errors."""
    collected = _Collected(path=source.path)
    try:
        statements = _parse_once(source.text, collected)
    except UnexpectedInput as err:
        raise _syntax_errors(source, err) from None
    deep = _too_deep(statements, source.path)
    if collected.errors or deep:
        raise RecipeError((*collected.errors, *([deep] if deep else [])))
    comments = tuple(nodes.Comment(pos_of(t), str(t).rstrip()) for t in collected.comments)
    return nodes.Document(source=source, statements=tuple(statements), comments=comments)


def parse(text: str, path: Path | str = "<recipe>") -> nodes.Document:
    """Parse recipe text (BOM and CRLF allowed). Raises RecipeError on syntax errors."""
    return parse_source(Source.from_text(Path(path), text))
