"""LOCATION → asset (a local image read, sniffed, hashed | an https URL | a generation id).

Also finds the project root. The only module of the check stage that touches the
file system. Every problem comes back as a `Problem` value, never raised, so
`check` can report all of them.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from urllib.parse import urlsplit

from lumaflow.paths import Folders, inside, resolve_below
from lumaflow.recipe import MAX_IMAGE_BYTES, FileAsset, GenerationAsset, UrlAsset

ROOT_MARKERS = (".git", "pyproject.toml", ".lumaflow-root")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a LOCATION or save path is refused: a diagnostic code, message and hint."""

    code: str
    message: str
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """Where a recipe lives: relative paths resolve against `folder`, never outside `root`.

    `folders` remembers, for one check, each written folder already resolved (see
    lumaflow.paths): a recipe's files and saves share a few folders.
    """

    folder: Path
    root: Path
    allow_outside: bool = False
    folders: Folders = field(default_factory=dict, compare=False, repr=False)


def project_root(recipe: Path) -> Path:
    """The nearest folder holding .git, pyproject.toml or .lumaflow-root, else the recipe's."""
    return _root_above(recipe.resolve().parent)


def _root_above(folder: Path) -> Path:
    """The nearest marked folder from `folder` (already resolved) upwards, else `folder`."""
    for candidate in (folder, *folder.parents):
        base = str(candidate).rstrip("/")
        if any(_exists(f"{base}/{marker}") for marker in ROOT_MARKERS):
            return candidate
    return folder


_MISSING = frozenset((errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP))


def _exists(path: str) -> bool:
    """`Path(path).exists()` on a plain string: the same answers and the same errors raised,
    without building a Path per marker (the root search looks for 3 markers per folder)."""
    try:
        os.stat(path)  # noqa: PTH116  # a str on purpose: see above
    except OSError as err:
        if err.errno in _MISSING:
            return False
        raise
    except ValueError:
        return False
    return True


def place_of(recipe: Path, *, allow_outside: bool = False) -> Place:
    return place_at(recipe.resolve(), allow_outside=allow_outside)


def place_at(resolved: Path, *, allow_outside: bool = False) -> Place:
    """The Place of a recipe whose path is already resolved (saves resolving it again)."""
    folder = resolved.parent
    return Place(folder, _root_above(folder), allow_outside, {"": folder})


def sniff(head: bytes) -> str | None:
    """The image media type from the first bytes of a file, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def generation(text: str) -> GenerationAsset | Problem:
    if _UUID.fullmatch(text):
        return GenerationAsset(generation_id=text.lower())
    return Problem("bad-generation-id", f"`{text}` is not a generation id",
                   "gen takes the UUID of an earlier generation, like "
                   "\"0b5a2c9e-4f3d-4e8a-9c61-2f7d1e3b8a40\"")


def location(written: str, place: Place) -> FileAsset | UrlAsset | Problem:
    """A string LOCATION: an https URL or a file relative to the recipe."""
    scheme = _SCHEME.match(written)
    if scheme:
        return _url(written, scheme.group(1).lower())
    if not written.strip():
        return Problem("empty-location", "the location is empty",
                       "write a file path relative to the recipe, an https:// URL or gen \"UUID\"")
    return _file(written, place)


def _url(written: str, scheme: str) -> UrlAsset | Problem:
    if scheme == "http":
        return Problem("insecure-url", "plain http:// URLs are refused",
                       "use https:// so the image cannot be swapped in transit")
    if scheme != "https":
        return Problem("unsupported-url", f"`{scheme}://` locations are not supported",
                       "use a file path, an https:// URL or gen \"UUID\"")
    if not urlsplit(written).hostname:
        return Problem("bad-url", "this URL has no host")
    return UrlAsset(url=written)


def resolve(written: str, place: Place) -> Path | Problem:
    """A path as written → absolute and symlink-free, refused if outside the project."""
    found = _resolve(written, place)
    return found if isinstance(found, Problem) else found[0]


def _resolve(written: str, place: Place) -> tuple[Path, os.stat_result | None] | Problem:
    """The resolved path, and its stat when resolving already found it (else None)."""
    if "\x00" in written:
        return Problem("bad-path", "a path cannot contain a NUL character")
    try:
        path, stat = resolve_below(place.folder, written, place.folders)
    except (OSError, RuntimeError) as err:  # a symlink loop, a name too long
        return Problem("bad-path", f"`{written}` cannot be resolved: {err}")
    if place.allow_outside or inside(path, place.root):
        return path, stat
    return Problem("outside-project", f"`{written}` resolves outside the project",
                   "the project is the nearest folder above the recipe holding .git, "
                   "pyproject.toml or .lumaflow-root; --allow-outside lifts this")


def _file(written: str, place: Place) -> FileAsset | Problem:
    resolved = _resolve(written, place)
    if isinstance(resolved, Problem):
        return resolved
    path, stat = resolved
    try:
        stat = stat or path.stat()
    except OSError:
        return Problem("file-not-found", f"no file `{written}`", _nearby(path))
    if not S_ISREG(stat.st_mode):
        return Problem("not-a-file", f"`{written}` is not a regular file (a folder?)")
    if stat.st_size > MAX_IMAGE_BYTES:
        return Problem("file-too-large", f"`{written}` is {stat.st_size:,} bytes; "
                       f"the API takes at most {MAX_IMAGE_BYTES:,} (50 MB)")
    key = (str(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    known = _READ.get(key)
    if known is None:
        found = _read(written, path)
        if isinstance(found, Problem):
            return found
        known = _READ[key] = found
        if len(_READ) > _READ_LIMIT:
            del _READ[next(iter(_READ))]  # the oldest: a long watch must not grow without end
    sha256, media_type, size = known
    return FileAsset(written=written, path=path, sha256=sha256, media_type=media_type, size=size)


# An image already read in this process: (sha256, media type, size) by the file's path and
# stat identity. Any write, chmod or replacement changes mtime or ctime (or the inode), and
# the key with them, so a changed file is always read and hashed again.
_READ: dict[tuple[str, int, int, int, int, int], tuple[str, str, int]] = {}
_READ_LIMIT = 4096


def _read(written: str, path: Path) -> tuple[str, str, int] | Problem:
    try:
        data = path.read_bytes()
    except OSError as err:
        return Problem("unreadable-file", f"cannot read `{written}`: {err.strerror}")
    media_type = sniff(data[:16])
    if media_type is None:
        return Problem("not-an-image", f"`{written}` is not a PNG, JPEG, WebP or GIF image",
                       "the file's bytes decide, not its extension")
    return hashlib.sha256(data).hexdigest(), media_type, len(data)


def _nearby(path: Path) -> str | None:
    """A hint naming the closest file in the same folder, if any looks like a typo."""
    import difflib

    try:
        names = sorted(p.name for p in path.parent.iterdir())
    except OSError:
        return None
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def save_path(written: str, place: Place) -> Path | Problem:
    """Where a `save` writes: inside the project, not a folder, not a URL."""
    if _SCHEME.match(written) or not written.strip():
        return Problem("bad-save-path", "save takes a file path relative to the recipe")
    found = _resolve(written, place)
    if isinstance(found, Problem):
        return Problem("save-outside-project", found.message, found.hint)
    path, stat = found
    try:
        is_dir = S_ISDIR((stat or path.stat()).st_mode)
    except OSError:
        is_dir = False  # usually: does not exist yet, which is fine for a save
    if is_dir:
        return Problem("bad-save-path", f"`{written}` is a folder", "name the image file to write")
    return path
