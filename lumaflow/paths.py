"""Resolve paths written relative to a recipe: `Path.resolve`'s answers at a fraction of its cost.

`Path.resolve` lstat's every component from `/` down (~25 us a path here), and a check
resolves a dozen paths below one folder. Below a symlink-free folder, a component that
is no symlink is its own real path, so a walk from the recipe's (resolved) folder needs
one lstat per *new* component, and the folders it passes are remembered for the check.
The first symlink met hands the whole path to `Path.resolve`, so symlinks, loops and
their errors are exactly what `Path.resolve` makes of them.
"""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISLNK

# written folder ("" or ending in "/") → its resolved path, for one check
Folders = dict[str, Path]


def resolve_below(folder: Path, written: str, folders: Folders
                  ) -> tuple[Path, os.stat_result | None]:
    """`(folder / written).resolve()`, and the path's lstat when it exists and is no symlink
    (then it equals its stat). May raise what `Path.resolve` raises."""
    walked = None if written.startswith("/") else _walk(folder, written, folders)
    return walked if walked is not None else ((folder / written).resolve(), None)


def _walk(folder: Path, written: str, folders: Folders
          ) -> tuple[Path, os.stat_result | None] | None:
    """None as soon as a component is a symlink."""
    *heads, last = written.split("/")
    path = folders.get("") or _resolved(folder, folders)
    if path is None:
        return None
    prefix = ""
    for part in heads:
        prefix += part + "/"
        known = folders.get(prefix)
        if known is None:
            step = _step(path, part)
            if step is None:
                return None
            known = folders[prefix] = step[0]
        path = known
    return _step(path, last)


def _resolved(folder: Path, folders: Folders) -> Path | None:
    """The folder itself, resolved once; None if that fails (the whole path then resolves
    the usual way, so the error is the one `Path.resolve` gives for it)."""
    try:
        path = folders[""] = folder.resolve()
    except (OSError, RuntimeError):
        return None
    return path


def _step(path: Path, part: str) -> tuple[Path, os.stat_result | None] | None:
    """One component below a symlink-free `path`; None if it is a symlink."""
    if part in ("", "."):
        return path, None
    if part == "..":
        return path.parent, None
    child = path / part
    try:
        found = os.lstat(child)
    except OSError:  # missing or unreachable: resolve keeps such a name as written
        return child, None
    return None if S_ISLNK(found.st_mode) else (child, found)


def inside(path: Path, root: Path) -> bool:
    """`path.is_relative_to(root)` for absolute, normalised paths, compared as strings."""
    here, top = str(path), str(root)
    return here == top or here.startswith(top if top.endswith("/") else top + "/")
