"""Apply's side of the lock file: record each finished job and rewrite the file atomically.

`lockfile` (pure) knows the format; this keeps the current Lock in memory and
writes it after every job, so a crash loses at most the job in hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lumaflow.errors import StateError
from lumaflow.lockfile import Lock, read_lock
from lumaflow.plan import Job
from lumaflow.state import atomic_write


class LockBook:
    def __init__(self, path: Path, scope: str) -> None:
        self.path = path
        self.scope = scope
        self.lock = read_lock(path) or Lock()

    def record(self, job: Job, *, generation_id: str, output_sha256: str | None,
               media_type: str | None, completed_at: float) -> None:
        self._replace(self.lock.with_job(
            self.scope, fingerprint=job.fingerprint, job=job.id, generation_id=generation_id,
            output_sha256=output_sha256, media_type=media_type,
            completed_at=iso_utc(completed_at),
        ))

    def refresh(self, job: Job) -> None:
        """A cached job: keep its entry, but remember its current fingerprint under its id."""
        entry = self.lock.entry(self.scope, job.cache_key)
        if entry is None:
            return
        self._replace(self.lock.with_job(
            self.scope, fingerprint=job.fingerprint, job=job.id,
            generation_id=entry.generation_id, output_sha256=entry.output_sha256,
            media_type=entry.media_type, completed_at=entry.completed_at,
        ))

    def prune(self, jobs: tuple[Job, ...]) -> None:
        """After a fully successful run: drop entries that no current job uses."""
        self._replace(self.lock.pruned(self.scope, {j.cache_key for j in jobs},
                                       {j.id for j in jobs}))

    def _replace(self, lock: Lock) -> None:
        if lock == self.lock and self.path.exists():
            return
        try:
            atomic_write(self.path, lock.dumps().encode())
        except OSError as err:
            raise StateError(f"cannot write the lock file {self.path}: "
                             f"{err.strerror or err}") from err
        self.lock = lock


def iso_utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
