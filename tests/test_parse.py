"""Parsing: nodes and positions, strings, line ends, and no crash on any input."""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumaflow import nodes
from lumaflow.api import check, parse
from lumaflow.errors import LumaflowError, RecipeError
from lumaflow.parse import grammar_path
from lumaflow.strings import dedent_block

EXAMPLES = Path(__file__).parent.parent / "examples"
RECIPE = 'source car = "photos/car.jpg"\nstep edit "paint it red" [a as texture, b]\nsave "o.png"'


def _error(text: str) -> RecipeError:
    with pytest.raises(RecipeError) as caught:
        parse(text, "r.lflow")
    return caught.value


def test_grammar_is_found_in_the_checkout() -> None:
    assert grammar_path().name == "lumaflow.lark"


def test_statements_keep_their_positions() -> None:
    document = parse(RECIPE, "r.lflow")
    source, step, save = document.statements
    assert isinstance(source, nodes.SourceDecl) and source.name.text == "car"
    assert isinstance(step, nodes.Step)
    assert (step.pos.line, step.pos.column, step.pos.end_column) == (2, 1, 43)
    assert [b.ref.text for b in step.bindings] == ["a", "b"]
    assert step.bindings[0].role is not None and step.bindings[0].role.text == "texture"
    assert step.bindings_pos == nodes.Pos(2, 26, 2, 43)
    assert isinstance(save, nodes.Save) and save.path.value == "o.png"


@pytest.mark.parametrize("text", [
    "\ufeff" + RECIPE,  # a BOM
    RECIPE.replace("\n", "\r\n"),  # CRLF
    RECIPE + "\n",  # final newline (the default has none)
    RECIPE.replace("\n", "\r\n") + "\r\n",
    RECIPE.replace("\n", "\r"),  # classic Mac line ends
])
def test_bom_crlf_and_missing_final_newline_parse_alike(text: str) -> None:
    assert parse(text, "r.lflow").statements == parse(RECIPE, "r.lflow").statements


def test_escapes_are_decoded_and_raw_is_kept() -> None:
    step = parse(r'step edit "say \"hi\"\n\tto \\ \u00e9"', "r.lflow").statements[0]
    assert isinstance(step, nodes.Step) and step.text is not None
    assert step.text.value == 'say "hi"\n\tto \\ é'
    assert step.text.raw == r'say \"hi\"\n\tto \\ \u00e9'


def test_unknown_escape_is_an_error_at_its_position() -> None:
    (diagnostic,) = _error('step edit "C:\\photos"').diagnostics
    assert diagnostic.code == "bad-escape"
    assert (diagnostic.span.column, diagnostic.span.end_column) == (14, 16)


def test_triple_quoted_strings_are_dedented() -> None:
    text = 'step lighting """\n    film noir,\n      hard shadows\n\n    wet asphalt\n  """\n'
    step = parse(text, "r.lflow").statements[0]
    assert isinstance(step, nodes.Step) and step.text is not None and step.text.triple
    assert step.text.value == "film noir,\n  hard shadows\n\nwet asphalt"


@pytest.mark.parametrize(("body", "lines"), [
    ("", ""), ("\n", ""), ("one", "one"), ("\n  a\n    b\n  ", "a\n  b"), ("a\n  b", "a\n  b"),
])
def test_dedent_block(body: str, lines: str) -> None:
    assert dedent_block(body) == lines


def test_comments_are_collected_with_positions() -> None:
    document = parse('# head\nmodel uni-1  # why\n  # indented\n', "r.lflow")
    assert [(c.text, c.pos.line, c.pos.column) for c in document.comments] == [
        ("# head", 1, 1), ("# why", 2, 14), ("# indented", 3, 3)]


def test_a_hash_inside_a_string_is_not_a_comment() -> None:
    document = parse('step edit "colour #ff0000"', "r.lflow")
    assert document.comments == ()


def test_branches_nest_and_keep_brace_positions() -> None:
    text = 'step generate "x"\nbranch a {\n  branch b {\n    save "y.png"\n  }\n}\n'
    branch = parse(text, "r.lflow").statements[1]
    assert isinstance(branch, nodes.Branch) and branch.open_pos.line == 2
    inner = branch.body[0]
    assert isinstance(inner, nodes.Branch) and inner.close_pos == nodes.Pos(5, 3, 5, 4)


@pytest.mark.parametrize(("text", "code", "words"), [
    ('ref a "x.png"', "unexpected-token", "expected `=`"),
    ('step edit "x" [a as]', "unexpected-token", "expected a name"),
    ("lumaflow one", "unexpected-token", "expected a version number"),
    ('source = "x.png"', "unexpected-token", "expected a name"),
    ('step edit "x" "y"', "unexpected-token", "an option (keep, prompt"),
    ("mdoel uni-1", "unknown-statement", "unknown statement `mdoel`"),
    ('branch a {\n  step edit "x"\n', "unclosed-branch", "expected `}`"),
    ("}", "unexpected-token", "without a `branch … {`"),
    ('step edit """x', "unterminated-string", "triple-quoted"),
    ("step edit ~", "unexpected-character", "`~`"),
])
def test_syntax_errors_say_what_was_expected_in_words(text: str, code: str, words: str) -> None:
    (diagnostic,) = _error(text).diagnostics
    assert diagnostic.code == code
    assert words in diagnostic.message
    assert not re.search(r"\b[A-Z_]{3,}\b", diagnostic.message)  # no token names


def test_statement_keywords_are_listed_when_a_statement_is_expected() -> None:
    (diagnostic,) = _error('model uni-1 "x"').diagnostics
    assert "end of the line" in diagnostic.message


def _check_never_crashes(text: str, path: Path) -> None:
    with contextlib.suppress(LumaflowError):
        check(parse(text, path))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_arbitrary_text_raises_only_lumaflow_errors(text: str) -> None:
    _check_never_crashes(text, EXAMPLES / "fuzz.lflow")


TOKENS = ["step", "edit", "source", "ref", "save", "branch", "{", "}", "[", "]", ",", "as", "to",
          "=", ":", "gen", '"x.png"', '"""', '"', "\n", " ", "#", "2:3", "1", "model", "style",
          "manga", "aspect", "keep", "\\", "\t", "\r\n", "\ufeff", "photos/car.jpg"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_token_soup_raises_only_lumaflow_errors(tokens: list[str]) -> None:
    _check_never_crashes(" ".join(tokens), EXAMPLES / "fuzz.lflow")


EXAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.lflow"))]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(EXAMPLE_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 12)))
        insert = draw(st.sampled_from(["", *TOKENS, draw(st.text(max_size=3))]))
        text = text[:start] + insert + text[end:]
    return text


@settings(max_examples=300, deadline=None)
@given(mutated())
def test_mutated_examples_raise_only_lumaflow_errors(text: str) -> None:
    _check_never_crashes(text, EXAMPLES / "mutant.lflow")


def test_check_follows_symlinks_before_the_inside_check(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "photos").mkdir(parents=True)
    (project / ".lumaflow-root").touch()
    outside = tmp_path / "secret.png"
    shutil.copy(EXAMPLES / "refs" / "palette.png", outside)
    (project / "photos" / "link.png").symlink_to(outside)
    recipe = project / "r.lflow"
    document = parse('source p = "photos/link.png"\nstep edit "x"\nsave "o.png"', recipe)
    assert [d.code for d in check(document).errors] == ["outside-project"]
    assert check(document, allow_outside=True).ok


@pytest.mark.parametrize(("text", "hint"), [
    ("ref a = photos/a.png", 'strings are in double quotes: "photos/a.png"'),
    ("step edit 'x'", "strings are in double quotes"),
    ("branch x\n", "a branch opens with `{` on the same line: branch NAME {"),
])
def test_syntax_errors_hint_at_the_usual_fix(text: str, hint: str) -> None:
    assert _error(text).diagnostics[0].hint == hint


def test_the_quick_token_matches_larks_own() -> None:
    from lark import Token

    from lumaflow.lexer import _quick_token

    quick = _quick_token("NAME", "abc", 4, 2, 3, 2, 6, 7)
    slow = Token("NAME", "abc", 4, 2, 3, 2, 6, 7)
    assert quick == slow and type(quick) is Token
    slots = Token.__slots__
    assert [getattr(quick, s) for s in slots] == [getattr(slow, s) for s in slots]
