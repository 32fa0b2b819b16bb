"""Apply's state on disk: atomic writes, the submission journal, the one-apply-at-a-time lock.

The journal (`NAME.lflow.journal`, JSON lines, fsynced) is what makes apply safe
to kill: an `intent` record is written before every POST and a `submitted`
record with the generation id right after its answer, so a later run re-attaches
to jobs already paid for, and knows which POSTs never got an answer.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from lumaflow.errors import StateError

RecordKind = Literal["intent", "submitted", "lost", "completed", "failed", "saved"]
JOURNAL_SUFFIX = ".journal"
APPLY_LOCK_SUFFIX = ".lock.pid"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files 0600; the images and the lock file are ordinary files (0666 - umask).
_FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data` so a reader sees the old file or the new one, never half.

    `mode` defaults to an ordinary new file's (0666 less the umask).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _FILE_MODE if mode is None else mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # The rename itself must reach the disk, or a crash can bring the old file back.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Record(BaseModel):
    """One journal line. `lost`: a POST got no answer, so a job may exist unseen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: RecordKind
    scope: str
    cache_key: str
    job: str
    generation_id: str | None = None
    output_sha256: str | None = None
    detail: str | None = None


class Entry(BaseModel):
    """What the journal knows about one (scope, cache key) after folding its records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job: str
    state: RecordKind
    generation_id: str | None = None
    lost_posts: int = 0  # POSTs whose answer never came: each may be a job we pay for

    @property
    def in_flight(self) -> bool:
        """Submitted (or done but not yet saved): re-attach by polling, never resubmit."""
        return self.generation_id is not None and self.state in ("submitted", "completed")


def fold(records: list[Record]) -> dict[tuple[str, str], Entry]:
    entries: dict[tuple[str, str], Entry] = {}
    for record in records:
        key = (record.scope, record.cache_key)
        old = entries.get(key)
        lost = (old.lost_posts if old else 0) + (record.event == "lost")
        if record.event == "intent":
            gen = None
        else:
            gen = record.generation_id or (old.generation_id if old else None)
        entries[key] = Entry(job=record.job, state=record.event, generation_id=gen,
                             lost_posts=lost)
    return entries


def journal_path(recipe: Path) -> Path:
    return recipe.with_name(recipe.name + JOURNAL_SUFFIX)


class Journal:
    """Append-only, fsynced JSON lines; `open` reads what an earlier run left."""

    def __init__(self, path: Path, records: list[Record], handle: IO[str]) -> None:
        self.path = path
        self.records = records
        self._handle = handle

    @classmethod
    def open(cls, path: Path) -> Journal:
        records = read_records(path) if path.exists() else []
        try:
            handle = path.open("a", encoding="utf-8")
        except OSError as err:
            raise StateError(f"cannot write the journal {path}: {err.strerror}") from err
        return cls(path, records, handle)

    def entries(self) -> dict[tuple[str, str], Entry]:
        return fold(self.records)

    def append(self, record: Record) -> None:
        """Write one record and make sure it is on disk before returning."""
        try:
            self._handle.write(record.model_dump_json(exclude_none=True) + "\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as err:
            raise StateError(f"cannot write the journal {self.path}: "
                             f"{err.strerror or err}") from err
        self.records.append(record)

    def close(self, *, keep_unresolved: bool = True) -> None:
        """Close; shrink the file to what a later run still needs (or remove it)."""
        self._handle.close()
        entries = self.entries()
        wanted = [r for r in self.records
                  if keep_unresolved and entries[(r.scope, r.cache_key)].state
                  not in ("saved", "failed")]
        if not wanted:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        text = "".join(r.model_dump_json(exclude_none=True) + "\n" for r in wanted)
        atomic_write(self.path, text.encode())


def read_records(path: Path) -> list[Record]:
    """Parse a journal; a torn last line (a crash mid-write) is ignored, other damage is not."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as err:
        raise StateError(f"cannot read the journal {path}: {err}") from err
    records: list[Record] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(Record.model_validate_json(line))
        except ValidationError as err:
            if number == len(lines):  # the last line, without its newline: torn by a crash
                break
            raise StateError(f"{path}:{number}: damaged journal record; move the file away "
                             "to start over (in-flight jobs will then be forgotten)") from err
    return records


def apply_lock_path(recipe: Path) -> Path:
    return recipe.with_name(recipe.name + APPLY_LOCK_SUFFIX)


@contextlib.contextmanager
def apply_lock(recipe: Path) -> Iterator[None]:
    """Hold the recipe's apply lock; StateError if another apply holds it.

    flock is released by the kernel when its holder dies, so a lock left by a
    killed process is simply taken over; the pid inside is only for the message.
    """
    path = apply_lock_path(recipe)
    handle = _acquire(path)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        handle.close()


def _acquire(path: Path) -> IO[str]:
    while True:
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            handle.close()
            recipe = path.name.removesuffix(APPLY_LOCK_SUFFIX)
            raise StateError(f"another lumaflow apply{holder} is running on {recipe}; wait for "
                             f"it to finish (lock file {path})") from None
        if _same_file(handle, path):
            break
        handle.close()  # the holder removed the file between our open and flock: retry
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    pid = handle.read().strip()
    return f" (pid {pid})" if pid.isdigit() else ""


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        return path.stat().st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False
