"""Pronunciation lexicon: words or phrases and what to say instead, whole-word and case-aware."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import ConfigError


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        ordered = sorted(self.entries, key=lambda e: len(e[0]), reverse=True)
        object.__setattr__(self, "entries", tuple(ordered))
        if ordered:
            pattern = "|".join(re.escape(word) for word, _ in ordered)
            object.__setattr__(self, "_pattern", re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])"))
            object.__setattr__(self, "_map", dict(ordered))

    def apply(self, text: str) -> str:
        if not self.entries:
            return text
        return self._pattern.sub(lambda m: self._map[m.group(0)], text)  # type: ignore[attr-defined]

    def merged(self, other: "Lexicon") -> "Lexicon":
        """``other``'s entries win over ours."""
        table = dict(self.entries)
        table.update(other.entries)
        return Lexicon(tuple(table.items()))


def _parse(data: str, source: Path | str) -> Lexicon:
    try:
        table = tomllib.loads(data)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid lexicon TOML: {err}", path=source) from None
    table = table.get("lexicon", table)
    entries = []
    for word, say in table.items():
        if not isinstance(say, str):
            raise ConfigError(f"lexicon entry {word!r} must be a string", path=source)
        entries.append((word, say))
    return Lexicon(tuple(entries))


def default_lexicon() -> Lexicon:
    """The French tech lexicon shipped with podcast-builder."""
    text = resources.files(__package__).joinpath("lexicon-fr.toml").read_text(encoding="utf-8")
    return _parse(text, "podcast/speech/lexicon-fr.toml")


def load_lexicon(path: Path | None) -> Lexicon:
    """The default lexicon, overridden by the show's file when it has one."""
    base = default_lexicon()
    if path is None:
        return base
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read the lexicon: {err.strerror}", path=path) from None
    return base.merged(_parse(text, path))
