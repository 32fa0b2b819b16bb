"""The lock file `NAME.lflow.lock`: which jobs already ran, per backend scope.

Pure data and (de)serialisation. Reading is here; writing the file atomically is
apply's job. Entries are keyed by cache key, so a plan matches jobs by key; the
`steps` part remembers, per job id, the last key and a compact fingerprint so that
`plan` can say *why* a job re-runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from lumaflow.errors import StateError

LOCK_VERSION = 1
LOCK_SUFFIX = ".lock"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RefDigest(_Frozen):
    name: str
    digest: str  # "sha256:…", "url:…", "gen:…"


class Fingerprint(_Frozen):
    """What made a job's key, in parts a person can name when one of them changes."""

    key: str
    kind: str
    type: str
    model: str
    prompt_sha256: str
    style: str | None
    aspect_ratio: str | None
    output_format: str | None
    web_search: bool
    source: RefDigest | None  # the recipe's source, for the first job only
    parent_key: str | None
    refs: tuple[RefDigest, ...]


class LockedJob(_Frozen):
    job: str  # the job id that produced it (informative; matching is by key)
    generation_id: str
    output_sha256: str | None  # None when apply did not download the output
    media_type: str | None
    completed_at: str  # ISO 8601 UTC


class ScopeState(_Frozen):
    jobs: dict[str, LockedJob] = {}  # by cache key
    steps: dict[str, Fingerprint] = {}  # by job id: the last applied fingerprint


class Lock(_Frozen):
    lock_version: Literal[1] = 1  # LOCK_VERSION
    scopes: dict[str, ScopeState] = {}

    def entry(self, scope: str, key: str) -> LockedJob | None:
        state = self.scopes.get(scope)
        return state.jobs.get(key) if state else None

    def last(self, scope: str, job_id: str) -> Fingerprint | None:
        state = self.scopes.get(scope)
        return state.steps.get(job_id) if state else None

    def with_job(
        self,
        scope: str,
        *,
        fingerprint: Fingerprint,
        job: str,
        generation_id: str,
        output_sha256: str | None,
        media_type: str | None,
        completed_at: str,
    ) -> Lock:
        """A new Lock with one completed job recorded under `fingerprint.key`."""
        locked = LockedJob(
            job=job,
            generation_id=generation_id,
            output_sha256=output_sha256,
            media_type=media_type,
            completed_at=completed_at,
        )
        state = self.scopes.get(scope, ScopeState())
        new_state = ScopeState(
            jobs={**state.jobs, fingerprint.key: locked},
            steps={**state.steps, job: fingerprint},
        )
        return Lock(scopes={**self.scopes, scope: new_state})

    def pruned(self, scope: str, keep_keys: set[str], keep_jobs: set[str]) -> Lock:
        """Drop entries of `scope` that no current job uses (other scopes stay as they are)."""
        state = self.scopes.get(scope)
        if state is None:
            return self
        new_state = ScopeState(
            jobs={k: v for k, v in state.jobs.items() if k in keep_keys},
            steps={k: v for k, v in state.steps.items() if k in keep_jobs},
        )
        return Lock(scopes={**self.scopes, scope: new_state})

    def dumps(self) -> str:
        """Canonical text: sorted keys, 2-space indent, trailing newline (diffs stay small)."""
        data = self.model_dump(mode="json")
        return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def lock_path(recipe: Path) -> Path:
    """`car.lflow` → `car.lflow.lock`, next to the recipe."""
    return recipe.with_name(recipe.name + LOCK_SUFFIX)


def loads_lock(text: str, *, path: Path) -> Lock:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        conflict = "<<<<<<<" in text
        raise StateError(f"{path}: lock file is not valid JSON ({err}); " + (
            "it holds git conflict markers: keep one side, or delete the file and every step "
            "runs again" if conflict else "delete it and every step runs again")) from None
    if not isinstance(data, dict) or data.get("lock_version") != LOCK_VERSION:
        version = data.get("lock_version") if isinstance(data, dict) else None
        raise StateError(
            f"{path}: unsupported lock file (lock_version {version!r}; "
            f"this lumaflow reads {LOCK_VERSION})"
        )
    try:
        return Lock.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StateError(f"{path}: corrupt lock file at {where}: {first['msg']}") from None


def read_lock(path: Path) -> Lock | None:
    """The lock at `path`, or None when there is none yet. StateError if unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise StateError(f"{path}: cannot read lock file ({err})") from None
    return loads_lock(text, path=path)
