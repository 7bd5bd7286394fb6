"""Pronunciation lexicon: words or phrases and what to say instead, whole-word and case-aware.

The file is TOML, either top-level keys or a ``[lexicon]`` table: ``"OpenAI" = "Open A I"``.
Case-aware means: an entry written with a capital letter (``"IA"``, ``"Meta"``) matches only that
spelling, so the Spanish "ia" or the word "méta" are left alone; an entry written in lower case
(``"chatbot"``) also matches its capitalized form at the start of a sentence (``"Chatbot"``), and
the replacement gets the capital too.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import ConfigError


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[tuple[str, str], ...]
    _map: dict[str, str] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, str] = {}
        for word, say in self.entries:
            if word[:1].islower() and _capitalize(word) not in dict(self.entries):
                table[_capitalize(word)] = _capitalize(say)
        table.update(self.entries)  # explicit entries win over derived capitals
        # the rules make apostrophes plain before the lexicon runs: « aujourd’hui » is looked up as « aujourd'hui »
        table = {word.replace("\u2019", "'"): say for word, say in table.items()}
        ordered = sorted(table, key=len, reverse=True)
        object.__setattr__(self, "_map", table)
        pattern = None
        if ordered:
            words = "|".join(re.escape(word) for word in ordered)
            pattern = re.compile(rf"(?<![\w-])(?:{words})(?![\w-]|\.\w)")
        object.__setattr__(self, "_pattern", pattern)

    def apply(self, text: str) -> str:
        """Replace every whole-word occurrence, longest entry first."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._map[m.group(0)], text)

    def merged(self, other: Lexicon) -> Lexicon:
        """``other``'s entries win over ours."""
        table = dict(self.entries)
        table.update(other.entries)
        return Lexicon(tuple(table.items()))

    def __len__(self) -> int:
        return len(self.entries)


def parse_lexicon(data: str, source: Path | str = "<lexicon>") -> Lexicon:
    """TOML text -> :class:`Lexicon`; a bad file is a :class:`ConfigError` naming it."""
    try:
        table = tomllib.loads(data)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid lexicon TOML: {err}", path=source) from None
    table = table.get("lexicon", table)
    if not isinstance(table, dict):
        raise ConfigError('[lexicon] must be a table of "word" = "what to say"', path=source)
    entries = []
    for word, say in table.items():
        if not isinstance(say, str):
            raise ConfigError(f"lexicon entry {word!r} must be a string", path=source)
        if not word.strip() or word != word.strip():
            raise ConfigError(f"lexicon entry {word!r} must be a word or phrase without outer spaces", path=source)
        entries.append((word, say))
    return Lexicon(tuple(entries))


def default_lexicon() -> Lexicon:
    """The French tech lexicon shipped with podcast-builder."""
    text = resources.files(__package__).joinpath("lexicon-fr.toml").read_text(encoding="utf-8")
    return parse_lexicon(text, "podcast/speech/lexicon-fr.toml")


def load_lexicon(path: Path | None) -> Lexicon:
    """The default lexicon, overridden by the show's file when it has one."""
    base = default_lexicon()
    if path is None:
        return base
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read the lexicon: {err.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("the lexicon is not UTF-8 text", path=path) from None
    return base.merged(parse_lexicon(text, path))
