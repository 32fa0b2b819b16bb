"""Every recipe in examples/ is valid, already in canonical layout, and checks from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumaflow.api import check_file, format_text, load
from lumaflow.cli import main
from lumaflow.recipe import FileAsset

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.lflow"))


def test_there_are_at_least_six_examples() -> None:
    assert len(EXAMPLES) >= 6
    assert any(p.name == "product-hero.lflow" for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_checks_without_diagnostics(path: Path) -> None:
    result = check_file(path)
    assert result.ok
    assert result.diagnostics == ()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, path) == text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_files_are_small_real_images_and_saves_go_to_out(path: Path) -> None:
    recipe = load(path)
    files = [r.asset for r in recipe.refs] + ([recipe.source.asset] if recipe.source else [])
    for asset in files:
        assert isinstance(asset, FileAsset)
        assert asset.size < 20_000
        assert asset.media_type in ("image/png", "image/jpeg")
    out = path.parent / "out"
    saves = [s for s in _walk(recipe.body) if getattr(s, "node", None) == "save"]
    assert saves
    assert all(s.path.is_relative_to(out.resolve()) for s in saves)


def _walk(items: tuple[object, ...]) -> list[object]:
    found: list[object] = []
    for item in items:
        found.append(item)
        found += _walk(getattr(item, "body", ()))
    return found


def test_cli_check_accepts_every_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *map(str, EXAMPLES)]) == 0
    assert capsys.readouterr().err == ""


def test_cli_fmt_check_accepts_every_example() -> None:
    assert main(["fmt", "--check", *map(str, EXAMPLES)]) == 0
