"""Judge the value of a setting or step option (`model`, `aspect`, `format`, `web_search`,
`keep`, `prompt`) and collect diagnostics while checking."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
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
# Roles are free-form and go into the prompt as written, but these are the ones people
# mean most often: a near miss of one ("lightning") is more likely a typo than a new role.
USUAL_ROLES = ("background", "character", "color", "colour", "composition", "face", "layout",
               "lighting", "logo", "material", "mood", "palette", "placement", "pose", "style",
               "subject", "texture", "typography")


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



def role(word: nodes.Word | None, report: Report) -> str | None:
    """A role as written; a warning when it looks like a misspelt usual role."""
    if word is None:
        return None
    close = _near_miss(word.text)
    if close is not None:
        report.warning("unusual-role", word.pos, f"role `{word.text}` goes into the prompt as "
                       "written", f"did you mean `{close}`?")
    return word.text


@lru_cache(maxsize=1024)  # a recipe repeats its few roles; difflib is slow
def _near_miss(text: str) -> str | None:
    if text in USUAL_ROLES:
        return None
    close = difflib.get_close_matches(text, USUAL_ROLES, n=1, cutoff=0.85)
    return close[0] if close else None
