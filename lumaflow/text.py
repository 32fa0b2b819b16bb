"""Recipe source text and positions inside it."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Span(BaseModel):
    """A region of a recipe: 1-based line and column, end exclusive (like Lark tokens)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        """A one-character span, for errors that sit at a single position."""
        return cls(line=line, column=column, end_line=line, end_column=column + 1)


class Source(BaseModel):
    """A recipe's text as read from disk: BOM stripped, line ends normalised to \\n."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    text: str

    @classmethod
    def from_text(cls, path: Path, raw: str) -> Source:
        text = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        return cls(path=path, text=text)

    @classmethod
    def read(cls, path: Path) -> Source:
        """Read a recipe file; OSError and UnicodeDecodeError are the caller's to report."""
        return cls.from_text(path, path.read_bytes().decode("utf-8"))

    def line(self, number: int) -> str:
        """The text of 1-based line `number`, without its line end ('' past the end)."""
        lines = self.text.split("\n")
        return lines[number - 1] if 1 <= number <= len(lines) else ""
