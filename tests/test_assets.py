"""assets: image sniffing, size limit, URLs, generation ids and the project root."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lumaflow import assets
from lumaflow.recipe import MAX_IMAGE_BYTES, FileAsset, GenerationAsset, UrlAsset


@pytest.fixture
def place(tmp_path: Path) -> assets.Place:
    (tmp_path / ".git").mkdir()
    return assets.place_of(tmp_path / "r.lflow")


@pytest.mark.parametrize(("head", "media_type"), [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 12, "image/jpeg"),
    (b"GIF89a" + b"\0" * 10, "image/gif"),
    (b"GIF87a" + b"\0" * 10, "image/gif"),
    (b"RIFF\x10\0\0\0WEBPVP8 ", "image/webp"),
    (b"RIFF\x10\0\0\0WAVEfmt ", None),
    (b"%PDF-1.7\n", None),
    (b"", None),
])
def test_sniff_by_magic_bytes(head: bytes, media_type: str | None) -> None:
    assert assets.sniff(head) == media_type


def test_a_file_is_read_sniffed_and_hashed(place: assets.Place) -> None:
    (place.folder / "a.gif").write_bytes(b"GIF89a" + b"\1" * 20)
    asset = assets.location("a.gif", place)
    assert isinstance(asset, FileAsset)
    assert (asset.media_type, asset.size, asset.written) == ("image/gif", 26, "a.gif")
    assert asset.sha256 == hashlib.sha256(b"GIF89a" + b"\1" * 20).hexdigest()


def test_the_extension_does_not_count(place: assets.Place) -> None:
    (place.folder / "photo.png").write_bytes(b"\xff\xd8\xff" + b"\0" * 20)
    asset = assets.location("photo.png", place)
    assert isinstance(asset, FileAsset) and asset.media_type == "image/jpeg"


def test_a_file_over_50_mb_is_refused_without_reading_it(place: assets.Place) -> None:
    big = place.folder / "big.png"
    with big.open("wb") as out:  # sparse: no 50 MB written to disk
        out.write(b"\x89PNG\r\n\x1a\n")
        out.truncate(MAX_IMAGE_BYTES + 1)
    problem = assets.location("big.png", place)
    assert isinstance(problem, assets.Problem) and problem.code == "file-too-large"
    assert "52,428,801 bytes" in problem.message


@pytest.mark.parametrize(("written", "code"), [
    ("http://e.com/a.png", "insecure-url"),
    ("HTTP://e.com/a.png", "insecure-url"),
    ("ftp://e.com/a.png", "unsupported-url"),
    ("file:///etc/passwd", "unsupported-url"),
    ("https://", "bad-url"),
    ("", "empty-location"),
    ("nope.png", "file-not-found"),
    (".", "not-a-file"),
    ("a\0b.png", "bad-path"),
    ("../outside.png", "outside-project"),
    ("/etc/hostname", "outside-project"),
])
def test_refused_locations(place: assets.Place, written: str, code: str) -> None:
    problem = assets.location(written, place)
    assert isinstance(problem, assets.Problem) and problem.code == code


def test_https_url_is_kept_as_written(place: assets.Place) -> None:
    assert assets.location("https://e.com/a b.png?x=1", place) == UrlAsset(
        url="https://e.com/a b.png?x=1")


def test_generation_ids_must_be_uuids() -> None:
    uuid = "0B5A2C9E-4F3D-4E8A-9C61-2F7D1E3B8A40"
    assert assets.generation(uuid) == GenerationAsset(generation_id=uuid.lower())
    for bad in ("", "job-1", uuid[:-1], uuid + "0", "{" + uuid + "}"):
        assert isinstance(assets.generation(bad), assets.Problem)


def test_project_root_is_the_nearest_marked_ancestor(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert assets.project_root(deep / "r.lflow") == deep.resolve()  # no marker: own folder
    (tmp_path / "pyproject.toml").touch()
    assert assets.project_root(deep / "r.lflow") == tmp_path.resolve()
    (tmp_path / "a" / ".lumaflow-root").touch()
    assert assets.project_root(deep / "r.lflow") == (tmp_path / "a").resolve()


def test_save_paths(place: assets.Place) -> None:
    (place.folder / "out").mkdir()
    assert assets.save_path("out/a.png", place) == (place.folder / "out" / "a.png").resolve()
    for written, code in [("out", "bad-save-path"), ("https://e.com/a.png", "bad-save-path"),
                          ("../a.png", "save-outside-project"), ("", "bad-save-path")]:
        problem = assets.save_path(written, place)
        assert isinstance(problem, assets.Problem) and problem.code == code
    outside = assets.Place(place.folder, place.root, allow_outside=True)
    assert assets.save_path("../a.png", outside) == (place.folder.parent / "a.png").resolve()
