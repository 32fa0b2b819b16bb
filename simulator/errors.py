"""The simulator's one exception: an HTTP error answer (status, `detail`, extra headers)."""

from __future__ import annotations

from typing import Any


class SimError(Exception):
    """Raised by the backend and validation; routes turn it into `{"detail": ...}`.

    `detail` is usually a string; schema errors carry a list of `{loc, msg, type}` objects,
    the shape a framework-default 422 has (luma-api.md §8.1).
    """

    def __init__(self, status: int, detail: str | list[dict[str, Any]],
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def schema_error(loc: tuple[str | int, ...], msg: str, kind: str) -> SimError:
    """A 422 for a body that does not have the documented types."""
    return SimError(422, [{"loc": ["body", *loc], "msg": msg, "type": kind}])
