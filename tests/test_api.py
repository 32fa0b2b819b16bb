"""The library API: typed results, one error type, and a cheap `import lumaflow`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import lumaflow
from lumaflow import ui
from lumaflow.api import CheckResult, Document, check, format_text, load, parse
from lumaflow.errors import RecipeError
from lumaflow.recipe import Recipe

EXAMPLE = Path(__file__).parent.parent / "examples" / "product-hero.lflow"


def test_load_returns_the_recipe() -> None:
    recipe = load(EXAMPLE)
    assert isinstance(recipe, Recipe)
    assert recipe.path == EXAMPLE.resolve()
    assert len(recipe.body) == 4


def test_load_raises_one_error_holding_every_diagnostic(tmp_path: Path) -> None:
    recipe = tmp_path / "r.lflow"
    recipe.write_text('model uni-9\nstep edit "a" [ghost]\n', encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        load(recipe)
    codes = [d.code for d in caught.value.diagnostics]
    assert codes == ["unknown-model", "unsaved-result", "missing-source", "unknown-ref"]
    assert str(caught.value).startswith(f"{recipe}:1:7: unknown model `uni-9` (and 2 more)")


def test_ui_renders_a_recipe_error_with_source_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe = tmp_path / "r.lflow"
    recipe.write_text('source x = "gone.png"\nstep edit "a"\nsave "a.png"\n', encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        load(recipe)
    ui.report_error(caught.value)
    assert capsys.readouterr().err == (
        f"{recipe}:1:12: error: no file `gone.png`\n"
        '    source x = "gone.png"\n'
        "               ^^^^^^^^^^\n")


def test_parse_check_and_format_compose() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    document = parse(text, EXAMPLE)
    assert isinstance(document, Document) and document.path == EXAMPLE
    result = check(document)
    assert isinstance(result, CheckResult) and result.ok and result.errors == ()
    assert format_text(text, EXAMPLE) == text


def test_the_package_reexports_the_api_lazily() -> None:
    assert lumaflow.load is load
    with pytest.raises(AttributeError):
        _ = lumaflow.nothing_here  # type: ignore[attr-defined]


def test_importing_lumaflow_loads_neither_lark_nor_pydantic() -> None:
    code = "import sys, lumaflow; print('lark' in sys.modules, 'pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
