"""The lock file: canonical text, round trip, pure updates, clean errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_plan_factory import applied, hero, never

from lumaflow.errors import StateError
from lumaflow.lockfile import Lock, lock_path, read_lock
from lumaflow.plan import build_plan
from lumaflow.scope import SIMULATOR


def sample(root: Path) -> Lock:
    return applied(build_plan(hero(root), lock=None, scope=SIMULATOR, probe=never))


def test_lock_sits_next_to_the_recipe() -> None:
    assert lock_path(Path("/p/car.lflow")) == Path("/p/car.lflow.lock")


def test_missing_lock_is_none(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "none.lflow.lock") is None


def test_round_trip_and_canonical_text(tmp_path: Path) -> None:
    lock = sample(tmp_path)
    text = lock.dumps()
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"
    path = tmp_path / "hero.lflow.lock"
    path.write_text(text)
    assert read_lock(path) == lock
    data = json.loads(text)
    assert data["lock_version"] == 1
    (entry,) = [e for e in data["scopes"]["simulator"]["jobs"].values() if e["job"] == "2"]
    assert set(entry) == {"job", "generation_id", "output_sha256", "media_type", "completed_at"}
    assert set(data["scopes"]["simulator"]["steps"]) == {"1", "2", "3", "manga.1"}


def test_no_absolute_paths_in_the_lock(tmp_path: Path) -> None:
    assert str(tmp_path) not in sample(tmp_path).dumps()


def test_updates_are_pure(tmp_path: Path) -> None:
    empty = Lock()
    lock = sample(tmp_path)
    assert empty.scopes == {}
    pruned = lock.pruned(SIMULATOR, keep_keys=set(), keep_jobs={"1"})
    assert pruned.scopes[SIMULATOR].jobs == {} and set(pruned.scopes[SIMULATOR].steps) == {"1"}
    assert len(lock.scopes[SIMULATOR].jobs) == 4
    assert lock.pruned("elsewhere", set(), set()) is lock


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "not valid JSON"),
        ('{"lock_version": 9, "scopes": {}}', "lock_version 9"),
        ("[1, 2]", "unsupported lock file"),
        ('{"lock_version": 1, "scopes": {"simulator": {"jobs": {"k": {}}}}}', "corrupt lock file"),
    ],
)
def test_bad_lock_files_are_state_errors_naming_the_file(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "x.lflow.lock"
    path.write_text(text)
    with pytest.raises(StateError) as exc:
        read_lock(path)
    assert str(path) in str(exc.value) and words in str(exc.value)


def test_unreadable_lock_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "x.lflow.lock"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(StateError, match="cannot read"):
        read_lock(path)


def test_a_merge_conflict_in_the_lock_says_what_to_do(tmp_path: Path) -> None:
    lock = tmp_path / "r.lflow.lock"
    lock.write_text('{\n<<<<<<< HEAD\n  "lock_version": 1\n=======\n>>>>>>> other\n}\n')
    with pytest.raises(StateError, match="git conflict markers: keep one side"):
        read_lock(lock)
