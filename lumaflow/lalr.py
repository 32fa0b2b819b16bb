"""A lean LALR driver: Lark's own parse table and rule callbacks, run in one tight loop.

Lark's parser spends most of a parse in per-token bookkeeping (a method call, a
try/except, rule objects hashed on every reduction). This driver walks the same
table, rewritten once into plain tuples, and calls the same callbacks, so it builds
the same nodes. It handles valid input only: on any unexpected token or character
it gives up with `StuckError`, and the caller runs Lark's parser, whose errors (with
their interactive state) are the ones reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lark import Lark, Token
from lark.parsers.lalr_analysis import Shift

# state → terminal or rule name → (True, next state) | (False, (size, callback, rule name))
Table = dict[Any, dict[str, tuple[bool, Any]]]


class StuckError(Exception):
    """The input is not valid: Lark's own parser must run to describe why."""


class Driver:
    def __init__(self, lark: Lark, start: str = "start") -> None:
        inner = lark.parser.parser.parser  # ParsingFrontend → LALR_Parser → _Parser
        table, callbacks = inner.parse_table, inner.callbacks
        self.start, self.end = table.start_states[start], table.end_states[start]
        self.states: Table = {
            state: {name: _entry(action, arg, callbacks) for name, (action, arg) in row.items()}
            for state, row in table.states.items()
        }
        # terminals with a callback of their own (none today, but Lark allows them)
        self.on_token: dict[str, Callable[[Token], Any]] = {
            name: call for name, call in callbacks.items() if isinstance(name, str)}

    def parse(self, tokens: Iterable[Token]) -> Any:
        """The start rule's value for `tokens`; raises StuckError where Lark would raise.

        The lookup and the reduction are written out in the loop, not called: this loop
        runs ~470 times per 20-step recipe and a call costs as much as its body.
        """
        states, on_token = self.states, self.on_token
        state_stack: list[Any] = [self.start]
        values: list[Any] = []
        for token in tokens:
            kind = token.type
            while True:
                found = states[state_stack[-1]].get(kind)
                if found is None:
                    raise StuckError
                if found[0]:  # shift
                    state_stack.append(found[1])
                    values.append(on_token[kind](token) if kind in on_token else token)
                    break
                size, callback, origin = found[1]
                children = values[-size:] if size else []
                if size:
                    del state_stack[-size:]
                    del values[-size:]
                values.append(callback(children))
                state_stack.append(states[state_stack[-1]][origin][1])  # a goto: a shift
        return self._finish(state_stack, values)

    def _finish(self, state_stack: list[Any], values: list[Any]) -> Any:
        """Feed the end of input: reduce until the start rule is complete."""
        states, end = self.states, self.end
        while True:
            shift, arg = _action(states, state_stack[-1], "$END")
            if shift:
                raise StuckError
            _reduce(states, state_stack, values, arg)
            if state_stack[-1] == end:
                return values[-1]


def _entry(action: Any, arg: Any, callbacks: dict[Any, Any]) -> tuple[bool, Any]:
    if action is Shift:
        return True, arg
    return False, (len(arg.expansion), callbacks[arg], arg.origin.name)


def _action(states: Table, state: Any, kind: str) -> tuple[bool, Any]:
    found = states[state].get(kind)
    if found is None:
        raise StuckError
    return found


def _reduce(states: Table, state_stack: list[Any], values: list[Any],
            rule: tuple[int, Callable[[list[Any]], Any], str]) -> None:
    size, callback, origin = rule
    if size:
        children = values[-size:]
        del state_stack[-size:]
        del values[-size:]
    else:
        children = []
    values.append(callback(children))
    state_stack.append(states[state_stack[-1]][origin][1])  # a goto: always a shift
