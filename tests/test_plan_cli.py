"""`lumaflow plan` end to end: output channels, --out, exit codes, and no side effects."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from test_plan_factory import record_apply

from lumaflow.cli import main
from lumaflow.errors import RecipeError
from lumaflow.plan import load_plan

RECIPE = '''\
lumaflow 1
model uni-1-max
source car = "photos/car.png"
ref beach = "refs/beach.jpg"
ref film = "https://cdn.example.com/film.png" as texture

step background "a quiet beach" [beach as background]
step lighting "warm low sun" [beach as lighting, film]
save "out/hero.png"

branch manga {
  step style:manga aspect 2:3
  save "out/manga.png"
}
'''


def project(root: Path, recipe: str = RECIPE) -> Path:
    (root / "photos").mkdir(parents=True)
    (root / "refs").mkdir()
    Image.new("RGB", (4, 4), "red").save(root / "photos" / "car.png")
    Image.new("RGB", (4, 4), "blue").save(root / "refs" / "beach.jpg")
    (root / "hero.lflow").write_text(recipe)
    return root / "hero.lflow"


def plan_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_human_view_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan_cli(capsys, str(project(tmp_path)), "--simulator")
    assert code == 0
    assert out.startswith("Plan for hero.lflow · backend: simulator\n")
    assert out.endswith("3 to run, 0 cached · est. $0.32 · 1.5–3 min\n")
    assert err == ""


def test_json_is_the_only_thing_on_stdout(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = plan_cli(capsys, str(project(tmp_path)), "--json", "--simulator")
    data = json.loads(out)
    assert (code, data["format_version"], data["scope"]) == (0, 1, "simulator")
    assert [j["id"] for j in data["jobs"]] == ["1", "2", "manga.1"]
    assert data["jobs"][2]["request"]["body"]["style"] == "manga"


def test_out_saves_a_plan_that_loads_back(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    recipe = project(tmp_path)
    code, out, _ = plan_cli(capsys, str(recipe), "--json", "--out", str(tmp_path / "p.json"),
                            "--simulator")
    assert code == 0
    saved = load_plan(tmp_path / "p.json")
    assert (tmp_path / "p.json").read_text() == out
    assert saved.recipe == recipe.resolve()


def test_out_refuses_to_overwrite_the_recipe(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    recipe = project(tmp_path)
    code, _, err = plan_cli(capsys, str(recipe), "--out", str(recipe), "--simulator")
    assert code == 2 and "would overwrite hero.lflow" in err
    assert recipe.read_text() == RECIPE


def test_detailed_exitcode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe = project(tmp_path)
    code, out, _ = plan_cli(capsys, str(recipe), "--json", "--detailed-exitcode", "--simulator")
    assert code == 2
    (tmp_path / "plan.json").write_text(out)
    record_apply(load_plan(tmp_path / "plan.json"))
    code, out, _ = plan_cli(capsys, str(recipe), "--detailed-exitcode", "--simulator")
    assert code == 0 and out.endswith("nothing to run, 3 cached · $0.00\n")
    code, out, _ = plan_cli(capsys, str(recipe), "--detailed-exitcode",
                            "--api-url", "http://127.0.0.1:9/v1")
    assert code == 2 and "not yet run on http://127.0.0.1:9/v1" in out


def test_invalid_recipe_exits_2_with_diagnostics(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    recipe = project(tmp_path, RECIPE.replace("[beach as background]", "[nope]"))
    code, out, err = plan_cli(capsys, str(recipe), "--simulator")
    assert (code, out) == (2, "")
    assert "hero.lflow:7:" in err and "Traceback" not in err


def test_scope_flags_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["plan", str(project(tmp_path)), "--simulator", "--api-url", "http://x/v1"])
    assert exc.value.code == 2


@pytest.mark.parametrize(("text", "words"), [
    ("{", "invalid JSON"),
    ('{"jobs": []}', "no format_version"),
    ('{"format_version": 99}', "format_version 99 is not supported"),
    ('{"format_version": 1, "jobs": "x"}', "not a valid lumaflow plan"),
])
def test_load_plan_reports_bad_files_cleanly(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(text)
    with pytest.raises(RecipeError) as exc:
        load_plan(path)
    assert words in str(exc.value) and str(path) in str(exc.value)


# -- no side effects: a process-wide audit hook records network use and writes -----------

_RECORDERS: list[list[str]] = []
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_MUTATIONS = {"os.remove", "os.rename", "os.mkdir", "os.rmdir", "os.truncate", "os.chmod",
              "os.utime", "os.symlink", "os.link", "shutil.rmtree", "shutil.move"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _RECORDERS:
        return
    if (event.startswith("socket.") and event != "socket.__new__") or event in _MUTATIONS:
        _RECORDERS[-1].append(f"{event} {args!r}")
    elif event == "open" and _writes(args):
        _RECORDERS[-1].append(f"open {args!r}")


def _writes(args: tuple[Any, ...]) -> bool:
    _path, mode, flags = args
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


_INSTALLED: list[bool] = []


@contextmanager
def recording() -> Iterator[list[str]]:
    if not _INSTALLED:  # audit hooks cannot be removed: install once, on first use
        sys.addaudithook(_audit)
        _INSTALLED.append(True)
    events: list[str] = []
    _RECORDERS.append(events)
    try:
        yield events
    finally:
        _RECORDERS.pop()


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns,
                                             hashlib.sha256(p.read_bytes()).hexdigest()
                                             if p.is_file() else "dir")
            for p in sorted(root.rglob("*"))}


def test_plan_touches_neither_network_nor_files(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    recipe = project(tmp_path)
    main(["plan", str(recipe), "--simulator"])  # warm up: imports may write bytecode
    before = snapshot(tmp_path)
    with recording() as events:
        for flags in ([], ["--json"], ["--verbose"], ["--detailed-exitcode"]):
            main(["plan", str(recipe), "--api-url", "https://agents.lumalabs.ai/v1", *flags])
    capsys.readouterr()
    assert events == []
    assert snapshot(tmp_path) == before


def test_the_guard_sees_writes_and_connections(tmp_path: Path) -> None:
    import socket

    with recording() as events:
        (tmp_path / "x").write_text("x")
        with socket.socket() as s, pytest.raises(OSError):
            s.connect(("127.0.0.1", 9))
    assert any(e.startswith("open") for e in events)
    assert any(e.startswith("socket.connect") for e in events)


def test_corrupt_lock_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe = project(tmp_path)
    (tmp_path / "hero.lflow.lock").write_text("{oops")
    code, out, err = plan_cli(capsys, str(recipe), "--simulator")
    assert (code, out) == (1, "")
    assert "hero.lflow.lock: lock file is not valid JSON" in err and "Traceback" not in err


def test_out_that_cannot_be_written_is_a_clean_error(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    recipe = project(tmp_path)
    (tmp_path / "file").write_text("")
    code, _, err = plan_cli(capsys, str(recipe), "--out", str(tmp_path / "file" / "p.json"),
                            "--simulator")
    assert code == 2 and "cannot write --out" in err and "Traceback" not in err


def test_warnings_go_to_stderr_and_json_stays_clean(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    spare = RECIPE.replace("ref film", 'ref spare = "refs/beach.jpg"\nref film')
    code, out, err = plan_cli(capsys, str(project(tmp_path, spare)), "--json", "--simulator")
    assert code == 0 and json.loads(out)["format_version"] == 1
    assert "warning" in err and "spare" in err
