"""Run or cached, and why: a job's fingerprint against the lock and the files on disk.

A job is cached when the lock (for this scope) holds its cache key and every file it
saves is either on disk with the recorded hash or restorable from the local object
cache. Otherwise it runs, and the reasons compare its fingerprint with the one the
lock remembers for the same job id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lumaflow.lockfile import Fingerprint, Lock, RefDigest
from lumaflow.objects import objects_dir

# (path to save, expected sha256) -> can apply produce it without an API call?
OutputProbe = Callable[[Path, str], bool]


@dataclass(frozen=True)
class Decision:
    status: Literal["run", "cached"]
    reasons: tuple[str, ...]
    generation_id: str | None = None
    output_sha256: str | None = None


def file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def disk_probe(project_root: Path) -> OutputProbe:
    """The real probe: the file already has the bytes, or the object cache does."""

    store = objects_dir(project_root)

    def available(path: Path, sha256: str) -> bool:
        # Hash-checked like apply's ObjectStore.get: a damaged copy cannot restore anything.
        return sha256 in (file_sha256(path), file_sha256(store / sha256))

    return available


def decide(
    fp: Fingerprint,
    *,
    job_id: str,
    saves: Sequence[Path],
    parent_runs: bool,
    lock: Lock | None,
    scope: str,
    probe: OutputProbe,
) -> Decision:
    entry = lock.entry(scope, fp.key) if lock else None
    if entry is not None:
        missing = [p for p in saves if not _restorable(p, entry.output_sha256, probe)]
        if missing:
            return Decision("run", ("output file missing",))
        return Decision("cached", ("up to date",), entry.generation_id, entry.output_sha256)
    last = lock.last(scope, job_id) if lock else None
    if last is None:  # nothing to compare with: the parent adds nothing to "new"
        return Decision("run", _new_reasons(fp, lock, scope))
    reasons = changes(last, fp)
    if parent_runs:
        reasons.append("parent re-runs")
    elif last.parent_key != fp.parent_key and not reasons:
        reasons.append("parent changed")
    return Decision("run", tuple(reasons) or ("no result recorded for this step",))


def _restorable(path: Path, sha256: str | None, probe: OutputProbe) -> bool:
    return sha256 is not None and probe(path, sha256)


def _new_reasons(fp: Fingerprint, lock: Lock | None, scope: str) -> tuple[str, ...]:
    if lock is not None and any(fp.key in s.jobs for n, s in lock.scopes.items() if n != scope):
        return (f"not yet run on {scope}",)
    return ("new step",)


def changes(last: Fingerprint, fp: Fingerprint) -> list[str]:
    """What differs between the last applied version of a job and this one, in words."""
    if last.kind != fp.kind:
        return [f"step changed from `{last.kind}` to `{fp.kind}`"]
    found = [
        *_setting("model", last.model, fp.model),
        *(["prompt changed"] if last.prompt_sha256 != fp.prompt_sha256 else []),
        *_source(last.source, fp.source),
        *ref_changes(last.refs, fp.refs),
        *_setting("style", last.style, fp.style),
        *_setting("aspect ratio", last.aspect_ratio, fp.aspect_ratio),
        *_setting("output format", last.output_format, fp.output_format),
    ]
    if last.web_search != fp.web_search:
        found.append(f"web search turned {'on' if fp.web_search else 'off'}")
    return found


def _setting(label: str, old: str | None, new: str | None) -> list[str]:
    if old == new:
        return []
    return [f"{label} changed ({old or 'default'} → {new or 'default'})"]


def _source(old: RefDigest | None, new: RefDigest | None) -> list[str]:
    if old == new or new is None:
        return []
    return [f"source `{new.name}` changed"]


def ref_changes(old: Sequence[RefDigest], new: Sequence[RefDigest]) -> list[str]:
    before = {r.name: r.digest for r in old}
    after = {r.name: r.digest for r in new}
    found = [f"reference `{n}` added" for n in after if n not in before]
    found += [f"reference `{n}` removed" for n in before if n not in after]
    found += [
        f"reference `{n}` changed" for n in after if n in before and before[n] != after[n]
    ]
    shared_old = [r.name for r in old if r.name in after]
    shared_new = [r.name for r in new if r.name in before]
    if shared_old != shared_new:
        found.append("references reordered")
    return found
