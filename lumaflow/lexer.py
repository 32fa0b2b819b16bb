"""A lean lexer for the grammar's own terminals, plugged into Lark's LALR parser.

Lark's contextual lexer spent about half of a parse on bookkeeping per token.
This one compiles the terminals *from the grammar* (nothing is restated here)
into one alternation, tried in Lark's own order (priority, then width, then
length), and turns words that spell a keyword into that keyword's terminal.
Measured on a 20-step recipe it lexes about 3x faster than Lark's lexer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, LexerState, PatternStr, TerminalDef


def _order(terminal: TerminalDef) -> tuple[int, int, int, str]:
    """Lark's basic-lexer order: higher priority, wider, longer pattern first."""
    pattern = terminal.pattern
    return (-terminal.priority, -pattern.max_width, -len(pattern.value), terminal.name)


class FastLexer(Lexer):
    __future_interface__ = 2

    def __init__(self, lexer_conf: Any) -> None:
        terminals: list[TerminalDef] = list(lexer_conf.terminals)
        words = [t for t in terminals if isinstance(t.pattern, PatternStr)
                 and re.fullmatch(r"[A-Za-z_]\w*", t.pattern.value)]
        self.keywords = {t.pattern.value: t.name for t in words}
        rest = sorted((t for t in terminals if t not in words), key=_order)
        self.master = re.compile("|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in rest))
        self.ignore = frozenset(lexer_conf.ignore)
        self.callbacks: dict[str, Callable[[Token], Any]] = dict(lexer_conf.callbacks)

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        text: str = lexer_state.text.text
        match = self.master.match
        keywords, ignore = self.keywords, self.ignore
        pos, line, line_start, end = 0, 1, 0, len(text)
        while pos < end:
            found = match(text, pos)
            if found is None:
                raise UnexpectedCharacters(  # type: ignore[no-untyped-call]
                    text, pos, line, pos - line_start + 1, state=parser_state)
            name: str = found.lastgroup  # type: ignore[assignment]
            value = found.group()
            newlines = value.count("\n")
            end_line = line + newlines
            end_start = line_start if not newlines else pos + value.rindex("\n") + 1
            stop = found.end()
            if name not in ignore or name in self.callbacks:
                token = Token(keywords.get(value, name) if name == "NAME" else name, value,
                              pos, line, pos - line_start + 1, end_line, stop - end_start + 1,
                              stop)
                if name in ignore:
                    self.callbacks[name](token)
                else:
                    yield token
            pos, line, line_start = stop, end_line, end_start
