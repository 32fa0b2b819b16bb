"""The local object cache: downloaded outputs stored by content hash under .lumaflow/objects/.

Saved images can be restored from it without any API call, and a cached parent
whose generation the API no longer knows can be uploaded from it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lumaflow.state import atomic_write


def objects_dir(project_root: Path) -> Path:
    return project_root / ".lumaflow" / "objects"


class ObjectStore:
    def __init__(self, project_root: Path) -> None:
        self.root = objects_dir(project_root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256

    def put(self, data: bytes) -> str:
        """Store `data`; returns its sha256. Writing an object already there is a no-op."""
        digest = hashlib.sha256(data).hexdigest()
        if self.get(digest) is None:
            atomic_write(self.path(digest), data)
        return digest

    def get(self, sha256: str) -> bytes | None:
        """The bytes for `sha256`, or None when missing or damaged (never wrong bytes)."""
        try:
            data = self.path(sha256).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == sha256 else None
