"""Cache keys: a hash of what a job asks the API for, independent of machine and path.

Every image input is replaced by what identifies its content (a file by its sha256 and
media type, a URL by itself, a generation by its id) and a chained parent by the
parent's own key, so a change anywhere upstream changes every key below it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lumaflow.planmodel import FileInput, GenerationInput, ImageInput, JobRequest, UrlInput

KEY_SCHEME = "lumaflow-cache-1"  # bump to invalidate every key if the scheme changes


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def input_identity(image: ImageInput | None, parent_key: str | None) -> dict[str, str] | None:
    """What identifies an input's content; a parent (chained or cached) is its key."""
    match image:
        case None:
            return None
        case FileInput():
            return {"sha256": image.sha256, "media_type": image.media_type}
        case UrlInput():
            return {"url": image.url}
        case GenerationInput() if image.from_job is None:
            return {"generation_id": image.generation_id}
    # A ParentInput, or a cached parent's generation: both stand for the parent job.
    assert parent_key is not None, "a chained input needs its parent's key"
    return {"parent": parent_key}


def cache_key(request: JobRequest, parent_key: str | None) -> str:
    payload = {
        "scheme": KEY_SCHEME,
        "type": request.type,
        "model": request.model,
        "prompt": request.prompt,
        "style": request.style,
        "aspect_ratio": request.aspect_ratio,
        "output_format": request.output_format,
        "web_search": request.web_search,
        "source": input_identity(request.source, parent_key),
        "image_ref": [input_identity(i, None) for i in request.image_ref],
    }
    return sha256_hex(canonical_json(payload))


def input_digest(image: ImageInput) -> str:
    """A short, printable identity for the lock's fingerprint ("sha256:…", "url:…")."""
    identity = input_identity(image, "")
    assert identity is not None
    if "sha256" in identity:
        return f"sha256:{identity['sha256']}"
    if "url" in identity:
        return f"url:{identity['url']}"
    if "generation_id" in identity:
        return f"gen:{identity['generation_id']}"
    return "parent"
