"""The Luma API's wire format: the only module that knows its field names.

Requests are strict (we build them, `extra="forbid"`); responses are lenient
(the API may add fields, states and failure codes, as the official SDK allows).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

KNOWN_STATES = ("queued", "processing", "completed", "failed")
TERMINAL_STATES = ("completed", "failed")
RETRYABLE_FAILURES = ("generation_failed", "output_not_found", "rate_limited")
RPM_LIMIT_DETAIL = "Rate limit exceeded"
CONCURRENCY_LIMIT_DETAIL = "Too many concurrent jobs"


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ImageRef(_Request):
    """One image in a request: exactly one of url, data (+ media_type) or generation_id."""

    url: str | None = None
    data: str | None = None
    media_type: str | None = None
    generation_id: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ImageRef:
        given = [v for v in (self.url, self.data, self.generation_id) if v is not None]
        if len(given) != 1:
            raise ValueError("an ImageRef needs exactly one of url, data, generation_id")
        if self.data is not None and self.media_type is None:
            raise ValueError("an ImageRef with data needs a media_type")
        return self

    def describe(self) -> str:
        """Short and safe for messages: never the base64 payload."""
        if self.generation_id is not None:
            return f"generation {self.generation_id}"
        if self.url is not None:
            return self.url
        return f"inline {self.media_type} image"


class GenerationRequest(_Request):
    """The body of `POST /generations` for the image types lumaflow uses."""

    type: Literal["image", "image_edit"]
    model: str
    prompt: str
    style: str | None = None
    aspect_ratio: str | None = None
    output_format: str | None = None
    web_search: bool = False
    source: ImageRef | None = None
    image_ref: tuple[ImageRef, ...] = ()

    def body(self) -> dict[str, Any]:
        """The JSON body: unset optional fields are omitted, as the official SDK does."""
        body = self.model_dump(mode="json", exclude_none=True)
        if not self.image_ref:
            body.pop("image_ref", None)
        return body


class _Response(BaseModel):
    # extra="allow": the API may add fields; we must not break on them.
    model_config = ConfigDict(frozen=True, extra="allow")


class GenerationOutput(_Response):
    type: str = "image"
    url: str | None = None


class Generation(_Response):
    """A generation as `POST /generations` and `GET /generations/{id}` return it."""

    id: str
    state: str  # queued | processing | completed | failed, or a state we do not know yet
    type: str | None = None
    model: str | None = None
    created_at: str | None = None
    output: tuple[GenerationOutput, ...] = ()
    failure_code: str | None = None
    failure_reason: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def output_url(self) -> str | None:
        for item in self.output:
            if item.url is not None and item.type in ("image", ""):
                return item.url
        return None


class ErrorBody(_Response):
    detail: str | list[Any] | dict[str, Any] | None = None

    def text(self) -> str:
        """`detail` as one line: framework 422s send a list of {loc, msg, type}."""
        if isinstance(self.detail, str):
            return self.detail
        if isinstance(self.detail, list):
            return "; ".join(_field_error(item) for item in self.detail) or "(no detail)"
        if isinstance(self.detail, dict):
            return _field_error(self.detail)
        return "(no detail)"


def _field_error(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    loc = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
    msg = str(item.get("msg", item))
    return f"{loc}: {msg}" if loc else msg


def parse_generation(payload: bytes) -> Generation:
    """Parse a Generation; ValueError (with a short reason) when it is not one."""
    try:
        return Generation.model_validate_json(payload)
    except ValidationError as err:
        raise ValueError(f"unexpected generation body ({err.error_count()} problems)") from err


def parse_error_detail(payload: bytes) -> str:
    """The `detail` of an error answer, or a short excerpt when the body is not JSON."""
    detail = api_error_detail(payload)
    if detail is not None:
        return detail
    excerpt = payload[:200].decode("utf-8", errors="replace").strip()
    return excerpt or "(empty body)"


def api_error_detail(payload: bytes) -> str | None:
    """The `detail` when the body is the API's own error shape, else None.

    The API promises that an answer with a `detail` body created no job; anything
    else (a proxy's HTML page, an empty 502) promises nothing.
    """
    try:
        body = ErrorBody.model_validate_json(payload)
    except ValidationError:
        return None
    return body.text() if body.detail is not None else None


def limit_kind(detail: str) -> Literal["rpm", "concurrency"] | None:
    """Which 429 this is: the two limits are told apart by their `detail` only."""
    if CONCURRENCY_LIMIT_DETAIL.lower() in detail.lower():
        return "concurrency"
    if RPM_LIMIT_DETAIL.lower() in detail.lower():
        return "rpm"
    return None
