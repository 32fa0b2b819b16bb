"""The fast path resolver gives exactly what `Path.resolve` gives, symlinks and all."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumaflow.paths import inside, resolve_below

PARTS = st.sampled_from(["a", "b", "f.png", "up", "sib", "abs", "loop", "dangle", "gone",
                         "..", ".", ""])


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """project/recipes (the recipe folder) with folders, a file and every kind of symlink."""
    root = tmp_path_factory.mktemp("tree")
    folder = root / "project" / "recipes"
    (folder / "a" / "b").mkdir(parents=True)
    (root / "project" / "sibling").mkdir()
    (folder / "a" / "f.png").write_bytes(b"x")
    (folder / "a" / "up").symlink_to("..")  # relative, pointing up
    (folder / "a" / "sib").symlink_to("../../sibling")  # relative, leaving the folder
    (folder / "abs").symlink_to(folder / "a" / "b")  # absolute
    (folder / "loop").symlink_to("loop")  # a loop
    (folder / "dangle").symlink_to("nowhere")  # dangling
    return folder


def outcome(call: object) -> object:
    try:
        return call()  # type: ignore[operator]
    except (OSError, RuntimeError) as err:
        return type(err)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PARTS, min_size=1, max_size=6))
def test_matches_path_resolve(tree: Path, parts: list[str]) -> None:
    written = "/".join(parts)
    expected = outcome(lambda: (tree / written).resolve())
    fast = outcome(lambda: resolve_below(tree, written, {})[0])
    assert fast == expected


def test_remembered_folders_give_the_same_answers(tree: Path) -> None:
    folders: dict[str, Path] = {}
    for written in ("a/f.png", "a/b/../f.png", "a/up/a/f.png", "abs/x.png", "a/f.png"):
        assert resolve_below(tree, written, folders)[0] == (tree / written).resolve()


def test_inside_compares_whole_components() -> None:
    assert inside(Path("/p/q"), Path("/p"))
    assert inside(Path("/p"), Path("/p"))
    assert not inside(Path("/pq"), Path("/p"))
    assert inside(Path("/x"), Path("/"))
