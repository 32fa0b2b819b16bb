"""Golden cases: each tests/cases/diagnostics/NAME.lflow renders exactly NAME.expected.

Run with LUMAFLOW_UPDATE_GOLDEN=1 to rewrite the .expected files after an
intended change, then review the diff. Each case is named after the diagnostic
code it must produce (except `many-*`, which mix several).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lumaflow.api import check_file
from lumaflow.diagnostics import render, render_all, suggest, summary
from lumaflow.errors import Diagnostic
from lumaflow.text import Source, Span

CASES = Path(__file__).parent / "cases" / "diagnostics"
NAMES = sorted(p.stem for p in CASES.glob("*.lflow"))


def test_there_are_at_least_25_distinct_codes() -> None:
    assert len([n for n in NAMES if not n.startswith("many-")]) >= 25


@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)  # diagnostics then name the file as `NAME.lflow`
    result = check_file(Path(f"{name}.lflow"))
    rendered = render_all(result.diagnostics)
    expected = CASES / f"{name}.expected"
    if os.environ.get("LUMAFLOW_UPDATE_GOLDEN") == "1":
        expected.write_text(rendered, encoding="utf-8")
    assert rendered == expected.read_text(encoding="utf-8")
    if not name.startswith("many-"):
        assert name in {d.code for d in result.diagnostics}


def _diagnostic(span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(severity="error", code="x", message="bad", path=Path("r.lflow"),
                      span=span, hint=hint)


def test_caret_spans_the_whole_token_and_tabs_line_up() -> None:
    source = Source.from_text(Path("r.lflow"), "\tstep edit x\n")
    out = render(_diagnostic(Span(line=1, column=7, end_line=1, end_column=11)), source)
    assert out.splitlines()[1:] == ["     step edit x", "          ^^^^"]


def test_multi_line_span_underlines_to_the_end_of_its_first_line() -> None:
    source = Source.from_text(Path("r.lflow"), 'step edit """\n  a\n"""\n')
    out = render(_diagnostic(Span(line=1, column=11, end_line=3, end_column=4)), source)
    assert out.splitlines()[2] == "              ^^^"


def test_long_line_is_cut_to_a_window_around_the_span() -> None:
    line = "x" * 300 + " bad " + "y" * 300
    out = render(_diagnostic(Span(line=1, column=302, end_line=1, end_column=305)),
                 Source.from_text(Path("r.lflow"), line))
    shown, carets = out.splitlines()[1:3]
    assert len(shown) < 120
    assert shown[carets.index("^"):carets.rindex("^") + 1] == "bad"


def test_render_without_source_has_no_caret_and_render_all_sorts() -> None:
    late = _diagnostic(Span.point(9, 1), hint="try this")
    early = _diagnostic(Span.point(2, 5))
    out = render_all([late, early], {Path("r.lflow"): Source.from_text(Path("r.lflow"), "")})
    assert out.index("r.lflow:2:5") < out.index("r.lflow:9:1")
    assert "    hint: try this\n" in out


def test_summary_counts_errors_and_warnings() -> None:
    warning = _diagnostic(Span.point(1, 1)).model_copy(update={"severity": "warning"})
    assert summary([_diagnostic(Span.point(1, 1)), _diagnostic(Span.point(1, 1)), warning]) == \
        "2 errors, 1 warning"
    assert summary([]) == ""


def test_suggest_names_the_closest_choice_then_all() -> None:
    assert suggest("bech", ["beach", "film"], "refs") == "did you mean `beach`? refs: beach, film"
    assert suggest("zzz", ["beach"], "refs") == "refs: beach"
    assert suggest("zzz", [], "refs") is None


def test_every_code_is_documented_in_the_language_reference() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    untested = ["file-too-large", "unreadable-file", "bad-path"]  # covered in test_assets
    for code in [n for n in NAMES if not n.startswith("many-")] + untested:
        assert f"| `{code}` |" in docs, code
