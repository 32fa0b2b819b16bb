"""fmt: the canonical layout, comments kept, idempotent; format∘parse round trips."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumaflow.api import check, format_text, parse
from lumaflow.cli import main
from lumaflow.errors import RecipeError

GOLDEN = Path(__file__).parent / "cases" / "format"
POSITIONS = {"pos", "bindings_pos", "open_pos", "close_pos"}


def shape(node: Any) -> Any:
    """A node without positions, for comparing two parses of differently laid-out text."""
    if dataclasses.is_dataclass(node):
        fields = [f.name for f in dataclasses.fields(node) if f.name not in POSITIONS]
        return (type(node).__name__, *(shape(getattr(node, name)) for name in fields))
    if isinstance(node, tuple | list):
        return tuple(shape(n) for n in node)
    return node


def test_layout_of_a_messy_recipe() -> None:
    messy = (GOLDEN / "messy.lflow").read_text(encoding="utf-8")
    assert format_text(messy) == (GOLDEN / "messy.expected").read_text(encoding="utf-8")


def test_empty_and_comment_only_files() -> None:
    assert format_text("") == ""
    assert format_text("\n\n  \n") == ""
    assert format_text("  # just a note  ") == "# just a note\n"


def test_refs_align_their_equals_within_a_run_only() -> None:
    text = 'ref a = "a.png"\nref long_name = "b.png" as texture\n\nref bb = "c.png"\n'
    assert format_text(text) == (
        'ref a         = "a.png"\nref long_name = "b.png" as texture\n\nref bb = "c.png"\n')


def test_triple_quoted_strings_are_reindented_under_their_statement() -> None:
    text = 'step generate "x"\nbranch b {\nstep edit """first\n      second\n""" keep "k"\n}'
    assert format_text(text) == (
        'step generate "x"\n\nbranch b {\n  step edit """\n    first\n          second\n'
        '  """ keep "k"\n}\n')


def test_a_file_with_syntax_errors_is_not_formatted() -> None:
    with pytest.raises(RecipeError):
        format_text('step edit "x')


# Hypothesis: generated recipes in random layouts

KEYWORDS = {"lumaflow", "model", "aspect", "format", "web_search", "source", "ref", "step",
            "save", "branch", "gen", "as", "to"}
names = st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
plain = st.text(st.characters(codec="utf-8", exclude_characters='"\\\n\r\x0b\x0c\x1c\x1d\x1e'
                              '\x85\u2028\u2029'), max_size=12)
escape = st.sampled_from(['\\"', "\\\\", "\\n", "\\t", "\\u00e9"])
space = st.sampled_from([" ", "  ", "\t", " \t "])
gap = st.sampled_from(["", " ", "  "])


@st.composite
def string(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        body = "".join(draw(st.lists(st.one_of(plain, escape), max_size=3)))
        return f'"{body}"'
    lines = draw(st.lists(st.text(st.characters(codec="utf-8", exclude_characters='"\\\r'
                                                '\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'),
                                  max_size=10).map(lambda s: s.replace("\n", " ")), max_size=3))
    indent = draw(st.sampled_from(["", "  ", "    "]))
    return '"""\n' + "\n".join(indent + line for line in lines) + '\n"""'


@st.composite
def step(draw: st.DrawFn) -> str:
    s = draw(space)
    kind = draw(st.sampled_from(["generate", "edit", "lighting", "style:manga", "recolor"]))
    parts = ["step", kind]
    if kind != "style:manga":
        parts.append(draw(string()))
    if kind == "recolor":
        parts += ["to", draw(string())]
    bindings = draw(st.lists(st.tuples(names, st.one_of(st.none(), names)), max_size=3))
    if bindings:
        g = draw(gap)
        inner = f"{g},{g}".join(n + (f" as {r}" if r else "") for n, r in bindings)
        parts.append(f"[{g}{inner}{g}]")
    options = draw(st.lists(st.sampled_from(["model uni-1", "aspect 2:3", "keep", "prompt"]),
                            max_size=2))
    parts += [f"{o} {draw(string())}" if o in ("keep", "prompt") else o for o in options]
    return s.join(parts)


@st.composite
def header(draw: st.DrawFn) -> list[str]:
    out = [draw(st.sampled_from(["lumaflow 1", "model uni-1-max", "format png", "aspect 16:9",
                                 "web_search off"])) for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        out.append(f"source {draw(names)} = {draw(st.sampled_from(['', 'gen ']))}{draw(string())}")
    for _ in range(draw(st.integers(0, 3))):
        role = f" as {draw(names)}" if draw(st.booleans()) else ""
        out.append(f"ref {draw(names)}{draw(space)}={draw(gap)}{draw(string())}{role}")
    return out


@st.composite
def body(draw: st.DrawFn, depth: int = 0) -> list[str]:
    out: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        choice = draw(st.integers(0, 2 if depth < 2 else 1))
        if choice == 0:
            out.append(draw(step()))
        elif choice == 1:
            out.append(f"save {draw(string())}")
        else:
            inner = draw(body(depth + 1))
            out += [f"branch {draw(names)} {{", *inner, "}"]
    return out


@st.composite
def recipe(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for line in [*draw(header()), *draw(body())]:
        lines += [""] * draw(st.integers(0, 2))
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", "\t"])) + "# " + draw(plain))
        comment = f"{draw(space)}#{draw(plain)}" if draw(st.integers(0, 3)) == 0 else ""
        lines.append(draw(st.sampled_from(["", "  ", "\t"])) + line + comment)
    ending = draw(st.sampled_from(["", "\n", "\n\n", "\r\n"]))
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines) + ending


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipe())
def test_format_parse_round_trip(text: str) -> None:
    before = parse(text, "r.lflow")
    formatted = format_text(text, "r.lflow")
    after = parse(formatted, "r.lflow")
    assert shape(after.statements) == shape(before.statements)
    assert sorted(c.text for c in after.comments) == sorted(c.text for c in before.comments)
    assert format_text(formatted, "r.lflow") == formatted


# the command


def test_fmt_rewrites_in_place_and_check_reports(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    recipe_file = tmp_path / "r.lflow"
    recipe_file.write_bytes(b'\xef\xbb\xbfmodel   uni-1\r\nstep  edit "x"')
    assert main(["fmt", "--check", str(recipe_file)]) == 1
    assert main(["fmt", "--diff", str(recipe_file)]) == 0  # like black: only --check fails
    assert "+model uni-1" in capsys.readouterr().out
    assert main(["fmt", str(recipe_file)]) == 0
    assert recipe_file.read_text(encoding="utf-8") == 'model uni-1\n\nstep edit "x"\n'
    assert main(["fmt", "--check", str(recipe_file)]) == 0
    assert list(tmp_path.iterdir()) == [recipe_file]  # no temp file left behind


def test_fmt_leaves_a_file_with_syntax_errors_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe_file = tmp_path / "bad.lflow"
    recipe_file.write_text('model  uni-1\nstep edit "x', encoding="utf-8")
    assert main(["fmt", str(recipe_file)]) == 2
    assert recipe_file.read_text(encoding="utf-8") == 'model  uni-1\nstep edit "x'
    assert "bad.lflow:2:11: error: this string is never closed" in capsys.readouterr().err


def test_fmt_reports_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", str(tmp_path / "nope.lflow")]) == 2
    assert "the recipe does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(("doc", "after"), [("docs/language.md", ""),
                                           ("README.md", "## The language in two minutes")])
def test_the_docs_first_example_is_in_canonical_layout(doc: str, after: str) -> None:
    text = (Path(__file__).parent.parent / doc).read_text(encoding="utf-8")
    example = text[text.index(after):].split("```\n")[1]
    assert format_text(example) == example


def test_fmt_writes_through_a_symlink_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "real.lflow"
    target.write_text("model   uni-1\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.lflow"
    link.symlink_to(target)
    assert main(["fmt", str(link)]) == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "model uni-1\n"
    assert target.stat().st_mode & 0o777 == 0o640


def test_fmt_refuses_a_device(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", "--check", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipe())
def test_check_judges_any_generated_recipe_without_raising(text: str) -> None:
    examples = Path(__file__).parent.parent / "examples"
    result = check(parse(text, examples / "generated.lflow"))
    assert (result.recipe is None) == bool(result.errors)
