"""check: what the validated Recipe holds, and the `lumaflow check` command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lumaflow.api import check, check_file, parse
from lumaflow.cli import main
from lumaflow.recipe import Branch, FileAsset, GenerationAsset, Save, Step, UrlAsset

EXAMPLES = Path(__file__).parent.parent / "examples"
UUID = "0b5a2c9e-4f3d-4e8a-9c61-2f7d1e3b8a40"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder (it has a pyproject.toml) with two small images."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "refs").mkdir()
    shutil.copy(EXAMPLES / "photos" / "car.jpg", tmp_path / "car.jpg")
    shutil.copy(EXAMPLES / "refs" / "palette.png", tmp_path / "refs" / "palette.png")
    return tmp_path


def _check(project: Path, text: str, **kwargs: bool) -> object:
    return check(parse(text, project / "r.lflow"), **kwargs)


def test_recipe_carries_effective_settings_roles_and_hashed_files(project: Path) -> None:
    text = (
        'model uni-1-max\nformat jpeg\n\nsource car = "car.jpg"\n\n'
        f'ref palette = "refs/palette.png" as colour\nref sky = gen "{UUID}"\n'
        'ref web = "https://example.com/a.png" as texture\n\n'
        'step edit "warmer" [palette, sky as lighting, web] keep "the logo"\n'
        'step lighting "dusk" model uni-1 format png web_search on\n'
        'save "out/a.png"\n'
    )
    result = check(parse(text, project / "r.lflow"))
    assert result.diagnostics == ()
    recipe = result.recipe
    assert recipe is not None and recipe.project_root == project.resolve()
    assert recipe.source is not None and isinstance(recipe.source.asset, FileAsset)
    car = recipe.source.asset
    assert car.media_type == "image/jpeg" and car.size == (project / "car.jpg").stat().st_size
    assert car.path == (project / "car.jpg").resolve() and car.written == "car.jpg"
    assert len(car.sha256) == 64
    assert isinstance(recipe.ref("sky").asset, GenerationAsset)
    assert isinstance(recipe.ref("web").asset, UrlAsset)
    first, second, save = recipe.body
    assert isinstance(first, Step) and isinstance(second, Step) and isinstance(save, Save)
    assert [(b.ref, b.role) for b in first.bindings] == [
        ("palette", "colour"), ("sky", "lighting"), ("web", "texture")]
    assert first.keep == "the logo"
    assert (first.settings.model, first.settings.format, first.settings.web_search) == (
        "uni-1-max", "jpeg", False)
    assert (second.settings.model, second.settings.format, second.settings.web_search) == (
        "uni-1", "png", True)
    assert save.path == (project / "out" / "a.png").resolve()


def test_branches_hold_their_own_steps(project: Path) -> None:
    text = ('source car = "car.jpg"\nstep edit "a"\nsave "a.png"\n'
            'branch m {\n  step style:manga aspect 9:16\n  save "m.png"\n}\n')
    recipe = check(parse(text, project / "r.lflow")).recipe
    assert recipe is not None
    branch = recipe.body[2]
    assert isinstance(branch, Branch) and branch.name == "m"
    step = branch.body[0]
    assert isinstance(step, Step) and step.preset == "manga" and step.settings.aspect == "9:16"


def test_generate_from_scratch_needs_no_source(project: Path) -> None:
    text = 'ref p = "refs/palette.png" as colour\nstep generate "a cat" [p]\nsave "c.png"\n'
    assert check(parse(text, project / "r.lflow")).ok


def test_warnings_do_not_fail_the_check(project: Path) -> None:
    text = 'source car = "car.jpg"\nref p = "refs/palette.png"\nstep edit "a" [p]\nsave "a.png"\n'
    result = check(parse(text, project / "r.lflow"))
    assert result.ok and [d.code for d in result.warnings] == ["no-role"]


def test_all_errors_at_once_sorted(project: Path) -> None:
    text = ('model uni-9\nsource car = "nope.jpg"\nstep edit "a" [ghost]\n'
            'step blur "b"\nsave "../../x.png"\n')
    result = check(parse(text, project / "r.lflow"))
    assert result.recipe is None
    assert [d.code for d in result.diagnostics] == [
        "unknown-model", "file-not-found", "unknown-ref", "unknown-step-kind",
        "save-outside-project"]


def test_allow_outside_lifts_the_project_boundary(project: Path) -> None:
    inner = project / "inner"
    inner.mkdir()
    text = 'source car = "../car.jpg"\nstep edit "a"\nsave "../out.png"\n'
    (inner / ".lumaflow-root").touch()
    assert [d.code for d in check(parse(text, inner / "r.lflow")).errors] == [
        "outside-project", "save-outside-project"]
    assert check(parse(text, inner / "r.lflow"), allow_outside=True).ok


def test_an_http_location_is_refused_even_for_refs(project: Path) -> None:
    text = ('source car = "car.jpg"\nref x = "http://e.com/a.png" as t\n'
            'step edit "a" [x]\nsave "a"\n')
    assert [d.code for d in check(parse(text, project / "r.lflow")).errors] == ["insecure-url"]


def test_check_file_reports_unreadable_recipes_as_diagnostics(project: Path) -> None:
    assert [d.code for d in check_file(project / "missing.lflow").diagnostics] == [
        "unreadable-recipe"]
    assert [d.code for d in check_file(project).diagnostics] == ["unreadable-recipe"]


# the command


def test_cli_check_exit_codes_and_summary(project: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    good = project / "good.lflow"
    good.write_text('source car = "car.jpg"\nstep edit "a"\nsave "a.png"\n', encoding="utf-8")
    bad = project / "bad.lflow"
    bad.write_text('source car = "car.jpg"\nstep edit "a" [ghost]\n', encoding="utf-8")
    assert main(["check", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: ok\n"
    assert main(["check", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert f"{bad}: invalid (1 error, 1 warning)" in captured.out
    assert f"{bad}:2:16: error: no ref named `ghost`" in captured.err


def test_cli_check_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = project / "bad.lflow"
    bad.write_text('step edit "a"\n', encoding="utf-8")
    assert main(["check", "--json", str(bad), str(project / "none.lflow")]) == 2
    captured = capsys.readouterr()
    assert captured.err == ""
    data = json.loads(captured.out)
    assert data["version"] == 1
    first, second = data["files"]
    assert first["ok"] is False
    assert [d["code"] for d in first["diagnostics"]] == ["unsaved-result", "missing-source"]
    assert first["diagnostics"][1]["span"] == {"line": 1, "column": 6, "end_line": 1,
                                               "end_column": 10}
    assert second["diagnostics"][0]["code"] == "unreadable-recipe"


def test_cli_check_allow_outside(project: Path) -> None:
    inner = project / "inner"
    inner.mkdir()
    (inner / ".git").mkdir()
    recipe = inner / "r.lflow"
    recipe.write_text('source car = "../car.jpg"\nstep edit "a"\nsave "a.png"\n', encoding="utf-8")
    assert main(["check", str(recipe)]) == 2
    assert main(["check", "--allow-outside", str(recipe)]) == 0


def test_cli_check_needs_a_file() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code == 2


def test_branches_start_from_the_image_where_they_stand(project: Path) -> None:
    text = ('branch a {\n  step generate "a cat"\n  save "a.png"\n}\n'
            'branch b {\n  step generate "a dog"\n  save "b.png"\n}\n'
            'step edit "x"\nsave "c.png"\n')
    codes = [d.code for d in check(parse(text, project / "r.lflow")).errors]
    assert codes == ["missing-source"]  # the branches' images do not leak out


def test_a_save_in_one_branch_and_the_same_path_in_another_clash(project: Path) -> None:
    text = ('source car = "car.jpg"\nstep edit "x"\n'
            'branch a {\n  save "o.png"\n}\nbranch b {\n  save "./o.png"\n}\n')
    errors = check(parse(text, project / "r.lflow")).errors
    assert [(d.code, d.span.line) for d in errors] == [("duplicate-save", 7)]


def test_a_generate_step_may_bind_nine_refs_an_edit_eight(project: Path) -> None:
    refs = "".join(f'ref r{i} = "refs/palette.png" as colour\n' for i in range(10))
    nine = ", ".join(f"r{i}" for i in range(9))
    text = f'{refs}step generate "x" [{nine}]\nstep edit "y" [{nine}]\nsave "a.png"\n'
    errors = check(parse(text, project / "r.lflow")).errors
    assert [(d.code, d.span.line) for d in errors] == [("too-many-refs", 12)]


def test_check_refuses_a_device_instead_of_reading_it_forever() -> None:
    (diagnostic,) = check_file("/dev/zero").diagnostics
    assert diagnostic.message == "the recipe is not a regular file"


def test_cli_check_of_a_device_renders_without_reading_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/dev/zero"]) == 2
    assert capsys.readouterr().err == "/dev/zero:1:1: error: the recipe is not a regular file\n"


def test_diagnostics_are_coloured_only_when_asked(project: Path) -> None:
    import io

    from lumaflow.commands.check import show

    bad = project / "bad.lflow"
    bad.write_text('source car = "car.jpg"\nstep edit "a" [ghost]\n', encoding="utf-8")
    diagnostics = check_file(bad).diagnostics
    plain, coloured = io.StringIO(), io.StringIO()
    show(diagnostics, file=plain)
    show(diagnostics, file=coloured, color=True)
    assert "\x1b[" not in plain.getvalue() and "\x1b[" in coloured.getvalue()
    assert "step edit" in coloured.getvalue()
    assert plain.getvalue().count("^") == coloured.getvalue().count("^")
