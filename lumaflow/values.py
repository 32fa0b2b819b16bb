"""Judge the value of a setting or step option (`model`, `aspect`, `format`, `web_search`,
`keep`, `prompt`) and collect diagnostics while checking."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lumaflow import nodes
from lumaflow.diagnostics import suggest
from lumaflow.errors import Diagnostic, Severity
from lumaflow.recipe import ASPECT_RATIOS

MODELS = ("uni-1", "uni-1-max")
FORMATS = ("png", "jpeg")
SWITCHES = {"on": True, "off": False}
SETTING_KEYS = ("model", "aspect", "format", "web_search")
OPTION_KEYS = ("keep", "prompt", *SETTING_KEYS)


@dataclass
class Report:
    """The diagnostics of one file, gathered as the checker finds them."""

    path: Path
    found: list[Diagnostic] = field(default_factory=list)

    def add(self, severity: Severity, code: str, pos: nodes.Pos, message: str,
            hint: str | None = None) -> None:
        self.found.append(Diagnostic(severity=severity, code=code, message=message,
                                     path=self.path, span=pos.span, hint=hint))

    def error(self, code: str, pos: nodes.Pos, message: str, hint: str | None = None) -> None:
        self.add("error", code, pos, message, hint)

    def warning(self, code: str, pos: nodes.Pos, message: str, hint: str | None = None) -> None:
        self.add("warning", code, pos, message, hint)

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.found)


def _word(key: str, value: nodes.Value, report: Report) -> str | None:
    if isinstance(value, nodes.Word):
        return value.text
    report.error("expected-word", value.pos, f"`{key}` takes a bare word, not a string",
                 f"write it without quotes: {key} {value.value}")
    return None


def _choice(key: str, value: nodes.Value, choices: tuple[str, ...], code: str,
            report: Report) -> str | None:
    word = _word(key, value, report)
    if word is None or word in choices:
        return word
    report.error(code, value.pos, f"unknown {key} `{word}`", suggest(word, choices, "choose"))
    return None


def _aspect(value: nodes.Value, report: Report) -> str | None:
    word = _word("aspect", value, report)
    if word is None or word in ASPECT_RATIOS:
        return word
    report.error("unknown-aspect", value.pos,
                 f"aspect ratio `{word}` is not one the API accepts",
                 "the API's nine: " + ", ".join(ASPECT_RATIOS))
    return None


def _switch(value: nodes.Value, report: Report) -> bool | None:
    word = _word("web_search", value, report)
    if word is None:
        return None
    if word in SWITCHES:
        return SWITCHES[word]
    report.error("unknown-switch", value.pos, f"web_search is `on` or `off`, not `{word}`")
    return None


def _text(key: str, value: nodes.Value, report: Report) -> str | None:
    if isinstance(value, nodes.Text):
        return value.value
    report.error("expected-string", value.pos, f"`{key}` takes a string",
                 f'write it in quotes: {key} "{value.text}"')
    return None


def setting_value(key: str, value: nodes.Value, report: Report) -> Any:
    """The parsed value of a setting or option, or None after reporting why it is bad."""
    match key:
        case "model":
            return _choice("model", value, MODELS, "unknown-model", report)
        case "aspect":
            return _aspect(value, report)
        case "format":
            return _choice("format", value, FORMATS, "unknown-format", report)
        case "web_search":
            return _switch(value, report)
        case _:
            return _text(key, value, report)

