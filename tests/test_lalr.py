"""The lean LALR driver builds exactly what Lark's own parser builds, and gives up on errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumaflow.lalr import StuckError
from lumaflow.parse import _Collected, _current, _driver, parser

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.lflow"))

LINES = st.sampled_from([
    "lumaflow 1", "model uni-1-max", "aspect 2:3", "format jpeg", "web_search on",
    'source car = "photos/car.jpg"', 'source old = gen "0b8f7e0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"',
    'ref beach = "refs/beach.jpg" as background', 'ref film = "https://x.example/f.png"',
    'step background "a beach" [beach as lighting, film]', "step style:manga aspect 2:3",
    'step recolor "the car" to "red" keep "the logo"', 'step edit """\n  long\n  text\n"""',
    'step generate "a cat" model uni-1 format png web_search off', 'save "out/x.png"',
    "branch b {", "}", "# a comment", "", 'step lighting "noon" prompt "do it"',
])


def run(parse: Callable[[str], object], text: str) -> tuple[object, list[str]]:
    """parse(text) or its exception type, and the comments it collected, in a fresh context."""
    collected = _Collected(path=Path("t.lflow"))
    token = _current.set(collected)
    try:
        result: object = parse(text)
    except Exception as err:
        result = type(err)
    finally:
        _current.reset(token)
    return result, [c.value for c in collected.comments]


def both(text: str) -> tuple[tuple[object, list[str]], tuple[object, list[str]]]:
    """What the lean driver and Lark's own parser make of `text`."""
    text += "\n"
    lean = run(lambda t: _driver().parse(parser().parser.lexer.tokens(t)), text)
    return lean, run(parser().parse, text)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_build_the_same_nodes(example: Path) -> None:
    lean, lark = both(example.read_text(encoding="utf-8"))
    assert isinstance(lark[0], list)
    assert lean == lark


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=12))
def test_any_line_soup_builds_the_same_nodes_or_makes_the_driver_give_up(lines: list[str]) -> None:
    lean, lark = both("\n".join(lines))
    if isinstance(lark[0], list):
        assert lean == lark
    else:  # invalid: the driver gives up, and Lark's parser reports the error
        assert lean[0] is StuckError
