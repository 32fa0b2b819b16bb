"""The HTTP mapping, framework-free: (method, path, headers, body) → (status, headers, body)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from simulator.backend import Backend, DroppedError
from simulator.control import control
from simulator.errors import SimError
from simulator.jobs import iso, request_uuid
from simulator.validation import parse_body

API_VERSION = "2026-04-01"
_GENERATION = re.compile(r"^/v1/generations/([^/]+)$")
_STORAGE = re.compile(r"^/storage/([0-9a-f-]{36})/output\.(png|jpg)$")


@dataclass(frozen=True)
class SimRequest:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes = b""
    query: str = ""
    base_url: str = "http://simulator.local"  # scheme://host[:port], for output URLs
    oversize: bool = False  # the body passed the cap and was not read in full


@dataclass
class SimResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    drop: bool = False  # close the connection without sending anything
    delay: float = 0.0  # simulator seconds to wait before the body (slow downloads)
    extra: dict[str, Any] = field(default_factory=dict)


def handle(backend: Backend, request: SimRequest) -> SimResponse:
    """Answer one request. Never raises for anything a client can send."""
    if request.path.startswith("/v1/") or request.path == "/v1":
        return _api(backend, request)
    if request.path.startswith("/storage/"):
        return _storage(backend, request)
    if request.path.startswith("/_sim/"):
        status, body = control(backend, request.method, request.path, request.body)
        return json_response(status, body)
    return json_response(404, {"detail": "Not Found"})


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> SimResponse:
    pairs = [("content-type", "application/json"), *(headers or {}).items()]
    return SimResponse(status, pairs, json.dumps(body, separators=(",", ":")).encode())


def _api(backend: Backend, request: SimRequest) -> SimResponse:
    number = backend.request_count + 1
    request_id = request.headers.get("x-request-id") or request_uuid(backend.config.seed, number)
    common = {"X-Request-Id": request_id, "X-API-Version": API_VERSION}
    client = None
    try:
        backend.next_request(request.method)
        client = backend.keys.authenticate(request.headers.get("authorization"))
        status, body, headers = _api_route(backend, request, client, number)
        response = json_response(status, body, {**common, **headers})
    except SimError as err:
        response = json_response(err.status, {"detail": err.detail}, {**common, **err.headers})
    except DroppedError as dropped:
        response = SimResponse(0, [], b"", drop=True,
                               extra={"job": dropped.job.id if dropped.job else None})
    backend.record(_journal_entry(backend, request, number, request_id, client, response))
    return response


def _api_route(backend: Backend, request: SimRequest, client: str,
               number: int) -> tuple[int, Any, dict[str, str]]:
    method, path = request.method, request.path
    if path == "/v1/generations":
        if method != "POST":
            raise SimError(405, "Method Not Allowed")
        if request.oversize or len(request.body) > backend.config.max_body_bytes:
            raise SimError(413, "Image exceeds 50 MB size limit")
        job, headers = backend.create(client, parse_body(request.body, backend.config), number)
        return 201, backend.view(job, request.base_url), headers
    match = _GENERATION.match(path)
    if match is None:
        raise SimError(404, "Not Found")
    if method != "GET":
        raise SimError(405, "Method Not Allowed")
    return 200, backend.view(backend.get(client, match.group(1)), request.base_url), {}


def _storage(backend: Backend, request: SimRequest) -> SimResponse:
    match = _STORAGE.match(request.path)
    if match is None or request.method != "GET":
        return json_response(404, {"detail": "Not Found"})
    try:
        data, media_type, delay = backend.download(match.group(1), dict(parse_qsl(request.query)))
    except SimError as err:
        return json_response(err.status, {"detail": err.detail})
    headers = [("content-type", media_type), ("cache-control", "private, max-age=0")]
    return SimResponse(200, headers, data, delay=delay)


def _journal_entry(backend: Backend, request: SimRequest, number: int, request_id: str,
                   client: str | None, response: SimResponse) -> dict[str, Any]:
    now = backend.clock.now()
    entry: dict[str, Any] = {
        "n": number, "at": iso(now), "t": now, "method": request.method, "path": request.path,
        "request_id": request_id, "client": client,
        "status": None if response.drop else response.status, "dropped": response.drop,
    }
    if request.method == "POST":
        entry["body"] = _summarise(request.body)
    if response.drop and response.extra.get("job"):
        entry["job_created"] = response.extra["job"]
    return entry


def _summarise(body: bytes) -> Any:
    """The request body as sent, with long base64 payloads replaced by their length."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {"unparsed_bytes": len(body)}
    return _shorten(value)


def _shorten(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (f"<{len(v)} base64 chars>" if k == "data" and isinstance(v, str) and len(v) > 64
                    else _shorten(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v) for v in value]
    return value
