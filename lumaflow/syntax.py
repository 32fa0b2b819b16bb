"""Turn Lark's parse errors into diagnostics that say, in words, what was expected."""

from __future__ import annotations

import re

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from lumaflow.diagnostics import suggest
from lumaflow.errors import Diagnostic
from lumaflow.text import Source, Span

_STATEMENTS = ("LUMAFLOW", "MODEL", "ASPECT", "FORMAT", "WEB_SEARCH", "SOURCE", "REF", "STEP",
               "SAVE", "BRANCH")
_SETTINGS = ("MODEL", "ASPECT", "FORMAT", "WEB_SEARCH")
_KEYWORDS = ("lumaflow", "model", "aspect", "format", "web_search", "source", "ref", "step",
             "save", "branch")
_WORDS = {
    "NAME": "a name",
    "INT": "a version number",
    "RATIO": "an aspect ratio like 2:3",
    "STRING": "a string",
    "LONG_STRING": "a string",
    "_NL": "the end of the line",
    "$END": "the end of the file",
}


def _phrases(expected: set[str], grammar: Lark) -> list[str]:
    """Expected terminal names → phrases, grouping statement keywords and option keys."""
    phrases: list[str] = []
    remaining = set(expected)
    if "STEP" in remaining and "SOURCE" in remaining:
        phrases.append("a statement (" + ", ".join(_KEYWORDS) + ")")
        remaining -= set(_STATEMENTS)
    elif "MODEL" in remaining and "NAME" in remaining and "STEP" not in remaining:
        phrases.append("an option (keep, prompt, model, aspect, format, web_search)")
        remaining -= {*_SETTINGS, "NAME"}
    if {"NAME", "RATIO", "STRING"} <= remaining:
        phrases.append("a value (a word like uni-1 or on, a ratio like 2:3, or a string)")
        remaining -= {"NAME", "RATIO", "STRING", "LONG_STRING"}
    for name in sorted(remaining, key=_order):
        phrase = _word_for(name, grammar)
        if phrase not in phrases:
            phrases.append(phrase)
    return phrases


def _order(name: str) -> tuple[bool, bool, str]:
    # values first, "the end of the line" last: "a string or `gen`", "`,` or `]`"
    return (name in ("_NL", "$END"), name not in ("NAME", "STRING", "LONG_STRING"), name)


def _word_for(name: str, grammar: Lark) -> str:
    if name in _WORDS:
        return _WORDS[name]
    try:
        pattern = grammar.get_terminal(name).pattern
    except KeyError:
        return name.lower()
    return f"`{pattern.value}`" if isinstance(pattern, PatternStr) else name.lower()


def _either(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _describe(token: Token) -> str:
    if token.type == "_NL":
        return "end of line"
    if token.type == "$END":
        return "end of file"
    text = str(token)
    if token.type in ("STRING", "LONG_STRING"):
        first = text.split("\n")[0]
        return "string " + (first if len(first) <= 30 else first[:27] + "...")
    return f"`{text}`"


def _end_span(source: Source) -> Span:
    """Just after the last character of the last non-blank line."""
    lines = source.text.rstrip().split("\n")
    line = max(len(lines), 1)
    return Span.point(line, len(lines[-1]) + 1)


def _token_span(token: Token, source: Source) -> Span:
    if token.type == "$END" or token.line is None:
        return _end_span(source)
    if token.type == "_NL":
        return Span.point(token.line, token.column or 1)
    return Span(line=token.line, column=token.column,
                end_line=token.end_line or token.line, end_column=token.end_column or 0)


def _unexpected_token(err: UnexpectedToken, source: Source, grammar: Lark) -> Diagnostic:
    token: Token = err.token
    expected = set(err.accepts or err.expected)
    span = _token_span(token, source)
    if token.type == "NAME" and "STEP" in expected:
        return _error(source, span, "unknown-statement", f"unknown statement `{token}`",
                      suggest(str(token), _KEYWORDS, "statements"))
    if token.type == "RBRACE" and "RBRACE" not in expected:
        return _error(source, span, "unexpected-token", "`}` without a `branch … {` to close")
    if token.type == "$END" and "RBRACE" in expected:
        opened = _unclosed(source)
        where = f"the branch opened on line {opened}" if opened else "a branch"
        return _error(source, span, "unclosed-branch", f"{where} is not closed: expected `}}`",
                      "close every `branch NAME {` with a `}` on its own line")
    message = f"unexpected {_describe(token)}; expected {_either(_phrases(expected, grammar))}"
    return _error(source, span, "unexpected-token", message, _hint(token, expected, source))


def _hint(token: Token, expected: set[str], source: Source) -> str | None:
    if token.type in ("NAME", "INT", "RATIO") and "STRING" in expected and "NAME" not in expected:
        word = source.line(token.line or 0)[(token.column or 1) - 1:].split()[0]
        return f'strings are in double quotes: "{word}"'
    if token.type == "_NL" and "LBRACE" in expected:
        return "a branch opens with `{` on the same line: branch NAME {"
    return None


_OPENS = re.compile(r"\s*branch\b[^#\"]*\{\s*(#.*)?$")
_CLOSES = re.compile(r"\s*\}")


def _unclosed(source: Source) -> int | None:
    """The line of the innermost `branch … {` without a `}` (a line-based guess)."""
    stack: list[int] = []
    for number, line in enumerate(source.text.split("\n"), start=1):
        if _OPENS.match(line):
            stack.append(number)
        elif _CLOSES.match(line) and stack:
            stack.pop()
    return stack[-1] if stack else None


def _unexpected_character(err: UnexpectedCharacters, source: Source) -> Diagnostic:
    line, column = err.line, err.column
    char = err.char
    span = Span.point(line, column)
    text = source.line(line)
    if char == '"':
        triple = text[max(column - 3, 0):column] == '"""'
        if triple:
            span = Span.point(line, column - 2)
            return _error(source, span, "unterminated-string",
                          "this triple-quoted string is never closed",
                          'end it with `"""`; it must not end in `"` (write \\" instead)')
        return _error(source, span, "unterminated-string", "this string is never closed",
                      'end it with `"` on the same line, or use """…""" for several lines')
    shown = repr(char) if not char.isprintable() or char.isspace() else f"`{char}`"
    hint = "strings are in double quotes" if char in "'‘’“”" else None
    return _error(source, span, "unexpected-character", f"unexpected character {shown}", hint)


def _error(source: Source, span: Span, code: str, message: str,
           hint: str | None = None) -> Diagnostic:
    return Diagnostic(severity="error", code=code, message=message, path=source.path, span=span,
                      hint=hint)


def syntax_diagnostic(err: UnexpectedInput, source: Source, grammar: Lark) -> Diagnostic:
    """One worded diagnostic for a Lark parse error."""
    if isinstance(err, UnexpectedToken):
        return _unexpected_token(err, source, grammar)
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_character(err, source)
    return _error(source, _end_span(source), "unexpected-token", "unexpected end of file")
