"""lumaflow: declarative, versioned image-edit recipes for Luma's Uni-1 API.

`lumaflow.parse`, `check`, `check_file`, `load` and `format_text` are the library
API (see `lumaflow.api`). They are imported on first use, so `import lumaflow`
(and `lumaflow --version`) stays fast: no parser or pydantic is loaded for it.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("parse", "check", "check_file", "load", "format_text")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from lumaflow import api

        return getattr(api, name)
    raise AttributeError(f"module 'lumaflow' has no attribute {name!r}")
