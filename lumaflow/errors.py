"""One exception tree for every failure a user can cause, and the Diagnostic value.

    LumaflowError                 anything the user caused; never shown with a traceback
    ├── UsageError                bad command-line arguments or options          exit 2
    ├── RecipeError               a recipe (or saved plan) is invalid; carries
    │                             Diagnostics, all of a file's errors at once    exit 2
    ├── StateError                lock file / journal unreadable, or another
    │                             apply holds the lock                           exit 1
    ├── ApiError                  the API (or simulator) answered with an error  exit 1
    │   │                         (status, detail, request id; never the key)
    │   └── TransportError        no answer: connection failed, dropped, timed out
    └── RunError                  apply finished with failed jobs                exit 1

A bug (anything else) keeps its traceback: it is ours to fix, not the user's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from lumaflow.text import Span

Severity = Literal["error", "warning"]


class Diagnostic(BaseModel):
    """One finding about a recipe, located precisely enough to draw a caret under it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    severity: Severity
    code: str  # stable, kebab-case identifier, e.g. "unknown-ref"; tests and --json rely on it
    message: str
    path: Path
    span: Span
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.path), self.span.line, self.span.column, self.code)


class LumaflowError(Exception):
    """Base of every error a user can cause. `str(err)` is a complete, human message."""

    exit_code = 1


class UsageError(LumaflowError):
    exit_code = 2


class RecipeError(LumaflowError):
    """A recipe or plan is invalid. Holds every diagnostic found, errors and warnings."""

    exit_code = 2

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else self.diagnostics[0]
        where = f"{first.path}:{first.span.line}:{first.span.column}"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{where}: {first.message}{more}")

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


class StateError(LumaflowError):
    exit_code = 1


class ApiError(LumaflowError):
    """The API answered with an error status. Safe to show: carries no credentials."""

    exit_code = 1

    def __init__(self, status: int, detail: str, *, request_id: str | None = None,
                 retry_after: float | None = None) -> None:
        self.status = status
        self.detail = detail
        self.request_id = request_id
        self.retry_after = retry_after
        super().__init__(self._describe())

    def _describe(self) -> str:
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"HTTP {self.status}: {self.detail}{rid}"


class TransportError(ApiError):
    """No usable answer: the connection failed, dropped or timed out.

    For a POST this means the job may or may not exist; `status` is 0.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(0, detail)

    def _describe(self) -> str:
        return self.detail  # there was no HTTP status to speak of


class RunError(LumaflowError):
    exit_code = 1
