"""Atomic writes, the journal (fold, torn lines, compaction) and the apply lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lumaflow.errors import StateError
from lumaflow.objects import ObjectStore
from lumaflow.state import (
    Journal,
    Record,
    apply_lock,
    apply_lock_path,
    atomic_write,
    fold,
    journal_path,
    read_records,
)


def rec(event: str, key: str = "k1", **fields: str) -> Record:
    return Record.model_validate({"event": event, "scope": "simulator", "cache_key": key,
                                  "job": "1", **fields})


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.png"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["a.png"]


def test_fold_tracks_generation_and_lost_posts() -> None:
    entries = fold([rec("intent"), rec("lost"), rec("intent"),
                    rec("submitted", generation_id="g1"), rec("intent", key="k2")])
    first = entries[("simulator", "k1")]
    assert (first.state, first.generation_id, first.lost_posts, first.in_flight) == (
        "submitted", "g1", 1, True)
    second = entries[("simulator", "k2")]
    assert (second.state, second.generation_id, second.in_flight) == ("intent", None, False)


def test_completed_keeps_id_and_saved_is_not_in_flight() -> None:
    entries = fold([rec("submitted", generation_id="g1"), rec("completed")])
    assert entries[("simulator", "k1")].in_flight
    entries = fold([rec("submitted", generation_id="g1"), rec("completed"), rec("saved")])
    assert not entries[("simulator", "k1")].in_flight


def test_journal_survives_reopen_and_ignores_torn_last_line(tmp_path: Path) -> None:
    path = journal_path(tmp_path / "r.lflow")
    journal = Journal.open(path)
    journal.append(rec("intent"))
    journal.append(rec("submitted", generation_id="g1"))
    journal._handle.close()  # a crash: no compaction
    with path.open("a") as handle:
        handle.write('{"event": "compl')
    again = Journal.open(path)
    assert [r.event for r in again.records] == ["intent", "submitted"]
    again.close()


def test_damaged_middle_line_is_state_error(tmp_path: Path) -> None:
    path = tmp_path / "r.lflow.journal"
    path.write_text('garbage\n' + rec("intent").model_dump_json() + "\n")
    with pytest.raises(StateError, match=r"r.lflow.journal:1: damaged"):
        read_records(path)


def test_close_keeps_only_unresolved_and_removes_when_done(tmp_path: Path) -> None:
    path = tmp_path / "r.lflow.journal"
    journal = Journal.open(path)
    for record in (rec("intent"), rec("submitted", generation_id="g1"), rec("saved"),
                   rec("intent", key="k2"), rec("submitted", key="k2", generation_id="g2")):
        journal.append(record)
    journal.close()
    assert [(r.cache_key, r.event) for r in read_records(path)] == [
        ("k2", "intent"), ("k2", "submitted")]
    journal = Journal.open(path)
    journal.append(rec("saved", key="k2"))
    journal.close()
    assert not path.exists()


def test_second_apply_lock_refuses_with_pid(tmp_path: Path) -> None:
    recipe = tmp_path / "r.lflow"
    with (apply_lock(recipe),
          pytest.raises(StateError, match=rf"pid {os.getpid()}.*r.lflow"),
          apply_lock(recipe)):
        pass
    assert not apply_lock_path(recipe).exists()
    with apply_lock(recipe):  # free again
        pass


def test_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    recipe = tmp_path / "r.lflow"
    script = ("import fcntl,sys; f=open(sys.argv[1],'a+'); "
              "fcntl.flock(f.fileno(), fcntl.LOCK_EX); f.write('99999\\n'); f.flush()")
    subprocess.run([sys.executable, "-c", script, str(apply_lock_path(recipe))], check=True)
    assert apply_lock_path(recipe).exists()
    with apply_lock(recipe):
        assert apply_lock_path(recipe).read_text().strip() == str(os.getpid())


def test_object_store_round_trip_and_damage(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    digest = store.put(b"image")
    assert store.get(digest) == b"image"
    store.path(digest).write_bytes(b"imagX")
    assert store.get(digest) is None
    assert store.get("0" * 64) is None
