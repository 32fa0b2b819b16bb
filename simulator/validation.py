"""`POST /generations` body rules, in one place and one order, with the documented `detail`s."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from simulator.config import SimConfig
from simulator.errors import SimError, schema_error

MODELS: dict[str, frozenset[str]] = {
    "uni-1": frozenset({"image", "image_edit"}),
    "uni-1-max": frozenset({"image", "image_edit"}),
}
ASPECT_RATIOS = ("3:1", "2:1", "16:9", "3:2", "1:1", "2:3", "9:16", "1:2", "1:3")
PORTRAIT = frozenset({"2:3", "9:16", "1:2", "1:3"})
MAX_REFS = {"image": 9, "image_edit": 8}
_REF_KEYS = ("url", "data", "generation_id", "file_id")


@dataclass(frozen=True)
class ImageRef:
    """One validated reference: exactly one of the four ways to name an image."""

    kind: str  # url | data | generation_id | file_id
    value: str
    media_type: str | None
    data: bytes | None = None  # decoded, for kind "data"


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    type: str
    model: str
    aspect_ratio: str | None
    style: str
    output_format: str | None
    web_search: bool
    image_ref: tuple[ImageRef, ...]
    source: ImageRef | None
    user_id: str | None


def parse_body(body: bytes, config: SimConfig) -> GenerationRequest:
    """Validate a request body, raising the first rule it breaks as a SimError."""
    raw = _json_object(body)
    prompt = _typed(raw, "prompt", str, required=True)
    kind = _typed(raw, "type", str, default="image")
    model = _typed(raw, "model", str, default="uni-1")
    aspect = _typed(raw, "aspect_ratio", str, default=None)
    style = _enum(raw, "style", ("auto", "manga"), "auto")
    output_format = _enum(raw, "output_format", ("png", "jpeg"), None)
    web_search = _typed(raw, "web_search", bool, default=False)
    user_id = _typed(raw, "user_id", str, default=None)
    refs = _typed(raw, "image_ref", list, default=[])
    _check_model_and_type(model, kind)
    _check_prompt(prompt)
    _check_aspect(aspect, style, config)
    if user_id is not None and len(user_id) > 256:
        too_long = "String should have at most 256 characters"
        raise schema_error(("user_id",), too_long, "string_too_long")
    source = _check_source_presence(raw, kind)
    _check_ref_count(kind, refs, config)
    return GenerationRequest(
        prompt=prompt, type=kind, model=model, aspect_ratio=aspect, style=style,
        output_format=output_format, web_search=web_search, user_id=user_id,
        source=None if source is None else _image_ref("source", source, config),
        image_ref=tuple(_image_ref(f"image_ref[{i}]", r, config) for i, r in enumerate(refs)),
    )


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise schema_error((), "JSON decode error", "json_invalid") from None
    if not isinstance(raw, dict):
        raise schema_error((), "Input should be a valid dictionary", "dict_type")
    return raw


def _typed(raw: dict[str, Any], name: str, kind: type, *, required: bool = False,
           default: Any = None) -> Any:
    if name not in raw:
        if required:
            raise schema_error((name,), "Field required", "missing")
        return default
    value = raw[name]
    if value is None and not required and default is None:
        return None
    # bool is an int subclass in Python; JSON true is not a string, and 1 is not a boolean.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        expected = kind.__name__
        raise schema_error((name,), f"Input should be a valid {expected}", f"{expected}_type")
    return value


def _enum(raw: dict[str, Any], name: str, allowed: tuple[str, ...], default: str | None) -> Any:
    value = raw.get(name, default)
    if value is None and default is None:
        return None
    if value not in allowed:
        expected = " or ".join(repr(a) for a in allowed)
        raise schema_error((name,), f"Input should be {expected}", "literal_error")
    return value


def _check_model_and_type(model: str, kind: str) -> None:
    if model not in MODELS:
        raise SimError(400, f"Unknown model: {model}")
    if kind not in MODELS[model]:
        raise SimError(400, f"Type '{kind}' is not supported for model '{model}'")


def _check_prompt(prompt: str) -> None:
    if not 1 <= len(prompt) <= 6000:
        raise SimError(400, "Prompt must be between 1 and 6000 characters")


def _check_aspect(aspect: str | None, style: str, config: SimConfig) -> None:
    if aspect is not None and aspect not in ASPECT_RATIOS:
        # The documented text sorts "W:H" as pairs of strings: 1:3 before 16:9 before 2:1.
        valid = ", ".join(sorted(ASPECT_RATIOS, key=lambda r: r.split(":")))
        raise SimError(400, f"Invalid aspect_ratio '{aspect}'. Valid: {valid}")
    if style == "manga" and aspect is not None and aspect not in PORTRAIT:
        raise SimError(config.manga_status, config.manga_detail)


def _check_source_presence(raw: dict[str, Any], kind: str) -> Any:
    source = raw.get("source")
    if source is not None and kind != "image_edit":
        raise SimError(400, "source is only valid for type 'image_edit'")
    if source is None and kind == "image_edit":
        raise SimError(400, "source is required for type 'image_edit'")
    return source


def _check_ref_count(kind: str, refs: list[Any], config: SimConfig) -> None:
    if len(refs) <= MAX_REFS[kind]:
        return
    if kind == "image_edit":
        detail = "image_edit supports up to 8 reference images (source occupies one slot)"
        raise SimError(400, detail)
    raise SimError(400, config.image_ref_limit_detail)


def _image_ref(field: str, raw: Any, config: SimConfig) -> ImageRef:
    if not isinstance(raw, dict):
        raise schema_error((field,), "Input should be a valid dictionary", "dict_type")
    given = [k for k in _REF_KEYS if raw.get(k) is not None]
    if len(given) > 1:
        raise SimError(400, f"{field}: provide either 'url' or 'data', not both")
    if not given:
        raise SimError(400, f"{field}: provide either 'url' or 'data', not neither")
    kind, value, media_type = given[0], raw[given[0]], raw.get("media_type")
    if not isinstance(value, str) or not (media_type is None or isinstance(media_type, str)):
        raise schema_error((field, kind), "Input should be a valid string", "string_type")
    if kind == "data":
        return ImageRef(kind, "", media_type, _decode(field, value, media_type, config))
    if kind == "url":
        _check_url(field, value, config)
    return ImageRef(kind, value, media_type)


def _decode(field: str, value: str, media_type: str | None, config: SimConfig) -> bytes:
    if media_type is None:
        raise SimError(400, f"{field}: 'media_type' is required with 'data'")
    # Decoded size is at most 3/4 of the text: refuse the obviously huge before decoding.
    if len(value) // 4 * 3 > config.max_image_bytes + 3:
        raise SimError(413, f"{field}: image exceeds 50 MB limit")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SimError(422, f"{field}: invalid base64 data") from None
    if len(data) > config.max_image_bytes:
        raise SimError(413, f"{field}: image exceeds 50 MB limit")
    return data


def _check_url(field: str, url: str, config: SimConfig) -> None:
    """Judge a URL by its text only: the simulator never fetches anything."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise SimError(422, config.http_url_detail.format(field=field))
    if parts.hostname == "localhost" or _private_ip(parts.hostname):
        raise SimError(422, f"{field}: failed to fetch URL")


def _private_ip(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global
