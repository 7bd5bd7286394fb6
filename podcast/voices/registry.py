"""The engines by name: each entry carries its ``[voice.NAME]`` options, their checks and a lazy factory.

This module is light on purpose (no engine is imported here): ``config`` reads it to check every
engine's table when podcast.toml is loaded, before any synthesis, and the engines import their
options from it. Adding an engine is one module (the voice and a ``from_options`` factory) and one
:class:`Engine` entry in :data:`ENGINES` below.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import settings
from ..errors import ConfigError
from ..settings import setting

if TYPE_CHECKING:
    from .base import Voice

ESPEAK_VOICES = ("fr", "fr-be", "fr-ch")


@dataclass(frozen=True)
class EspeakOptions:
    """``[voice.espeak]``: espeak-ng, the offline voice."""

    voice: str = setting("fr", "espeak-ng voice: French of France, Belgium or Switzerland", choices=ESPEAK_VOICES)
    rate: int = setting(170, "speaking rate", low=80, high=450, unit="words per minute")
    pitch: int = setting(50, "base pitch", low=0, high=100)


@dataclass(frozen=True)
class GttsOptions:
    """``[voice.gtts]``: Google Translate's voice, online."""

    tld: str = setting("fr", "Google domain the voice is asked from (translate.google.<tld>)")
    slow: bool = setting(False, "speak slowly")
    timeout: float = setting(10.0, "time allowed to each request", low=0.1, high=120, unit="seconds")
    concurrency: int = setting(4, "requests in flight at once", low=1, high=16)
    rate: float = setting(12.0, "requests started per second at most (politeness); 0: unpaced", low=0, high=1000)
    retries: int = setting(
        4, "retries after 429, 5xx, timeouts and connection errors (exponential backoff)", low=0, high=10
    )
    deadline: float = setting(
        25.0, "time before an unreachable Google aborts the build", low=0.1, high=600, unit="seconds"
    )
    endpoint: str = setting("", "base URL replacing https://translate.google.<tld> (a mirror, a test server)")


@dataclass(frozen=True)
class PiperOptions:
    """``[voice.piper]``: a Piper neural voice, offline (the optional extra ``[piper]``)."""

    model: str = setting(
        "fr_FR-siwis-medium",
        "an installed voice's name (podcast voices), or a path to a .onnx "
        "file with its .onnx.json beside it, relative to podcast.toml",
    )
    speaker: str = setting("", "a speaker's name or id, for voices with several; empty: the voice's default")
    length_scale: float | None = setting(
        None, "above 1 speaks slower; unset: the voice's own", low=0.25, high=4.0, kind=float
    )
    noise_scale: float | None = setting(
        None,
        "voice variation; 0 (with noise_w 0) makes output byte-identical; unset: the voice's own",
        low=0.0,
        high=2.0,
        kind=float,
    )
    noise_w: float | None = setting(None, "rhythm variation; unset: the voice's own", low=0.0, high=2.0, kind=float)
    workers: int = setting(0, "parallel synthesis sessions; 0: one per core", low=0, high=256)


def _piper_check(options: PiperOptions) -> str | None:
    if not options.model.strip():
        return "voice.piper.model must name an installed voice or a .onnx file"
    return None


def _espeak_headline(options: EspeakOptions) -> EspeakOptions:
    return dataclasses.replace(options, rate=max(80, round(options.rate * 0.9)), pitch=max(0, options.pitch - 8))


def _piper_headline(options: PiperOptions) -> PiperOptions:
    return dataclasses.replace(options, length_scale=min(4.0, round((options.length_scale or 1.0) * 1.1, 4)))


def _gtts_check(options: GttsOptions) -> str | None:
    if not re.fullmatch(r"[a-z]{2,3}(\.[a-z]{2,3})?", options.tld):
        return f"voice.gtts.tld must be a Google domain ending such as fr or co.uk, not {options.tld!r}"
    if options.endpoint and not re.fullmatch(r"https?://[^\s/?#]+/?", options.endpoint):
        return "voice.gtts.endpoint must be a base URL such as https://translate.google.fr"
    return None


@dataclass(frozen=True)
class Engine:
    """One speech engine: its options type (with their checks) and where its factory lives."""

    name: str
    options: type
    # (the options, the show's folder for relative paths) -> a voice; "module:function" is imported when used
    factory: str | Callable[[Any, Path | None], Voice]
    summary: str
    languages: tuple[str, ...] = ("fr",)  # ISO 639-1 codes its voices speak
    check: Callable[[Any], str | None] | None = None  # checks across options, beyond each one's bounds
    # options -> the same voice's delivery for titles and headings (slower, lower); None: the engine has none
    headline: Callable[[Any], Any] | None = None

    def make(self, options: Any, root: Path | None = None) -> Voice:
        factory = self.factory
        if isinstance(factory, str):
            module, _, function = factory.partition(":")
            factory = getattr(importlib.import_module(module), function)
        made: Voice = factory(options, root)
        return made


ENGINES: dict[str, Engine] = {
    "espeak": Engine(
        "espeak",
        EspeakOptions,
        "podcast.voices.espeak:from_options",
        "espeak-ng, offline",
        headline=_espeak_headline,
    ),
    "gtts": Engine(
        "gtts", GttsOptions, "podcast.voices.gtts:from_options", "Google Translate, online", check=_gtts_check
    ),
    "piper": Engine(
        "piper",
        PiperOptions,
        "podcast.voices.piper:from_options",
        "Piper neural voices, offline",
        check=_piper_check,
        headline=_piper_headline,
    ),
}
FLAT = ("espeak", "gtts")  # engines whose options were once flat keys of [voice] (voice.espeak_rate)


def defaults() -> dict[str, Any]:
    """Every engine's default options, by engine name."""
    return {name: engine.options() for name, engine in ENGINES.items()}


def languages() -> set[str]:
    return {code for engine in ENGINES.values() for code in engine.languages}


def check(name: str, options: Any) -> None:
    """Raise ConfigError, naming the setting, when ``options`` are not acceptable for engine ``name``."""
    engine = ENGINES[name]
    settings.check_all(f"voice.{name}", options)
    problem = engine.check(options) if engine.check else None
    if problem:
        raise ConfigError(problem)


def parse(name: str, raw: Mapping[str, Any]) -> Any:
    """Engine ``name``'s options from its ``[voice.NAME]`` table, checked (ConfigError otherwise)."""
    options: Any = settings.table(f"voice.{name}", ENGINES[name].options, raw)
    check(name, options)
    return options


def flat(key: str) -> tuple[str, str] | None:
    """(engine, option) an old flat ``[voice]`` key stood for ("espeak_rate" -> espeak, rate), or None."""
    engine, _, option = key.partition("_")
    if engine in FLAT and option in {f.name for f in dataclasses.fields(ENGINES[engine].options)}:
        return engine, option
    return None


# --- roles: [voice.host] and [voice.reader] ------------------------------------------------------

ROLES = ("host", "reader")


@dataclass(frozen=True)
class Role:
    """``[voice.host]`` says the intro, transitions, titles, headings and outro; ``[voice.reader]`` the
    articles' body. Each speaks with the show's voice unless its table names an ``engine``; any other key
    is one of that engine's options, overriding its ``[voice.ENGINE]`` table for this role alone (with no
    ``engine``, the options are those of ``voice.engine``, which must then name one)."""

    engine: str = setting("", "this role's engine; empty: the show's voice (voice.engine, or what auto picks)")
    options: tuple[tuple[str, Any], ...] = ()  # overrides of the engine's options, in the order given
    target: str = ""  # the engine the overrides were checked for

    def apply(self, engine: str, base: Any) -> Any:
        """``base`` (engine ``engine``'s options) with this role's overrides, when they are for it."""
        if not self.options or engine != self.target:
            return base
        return dataclasses.replace(base, **dict(self.options))


def parse_role(role: str, raw: Any, show_engine: str) -> Role:
    """A role's table, each key checked against the engine it is for (ConfigError otherwise)."""
    where = f"voice.{role}"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[{where}] must be a table")
    engine = raw.get("engine", "")
    if not isinstance(engine, str) or (engine and engine not in ENGINES):
        raise ConfigError(f"{where}.engine must be empty (the show's voice) or one of {', '.join(sorted(ENGINES))}")
    overrides = {key: value for key, value in raw.items() if key != "engine"}
    target = engine or show_engine
    if not overrides:
        return Role(engine)
    if target == "auto":
        key = next(iter(overrides))
        raise ConfigError(f"{where}.{key}: name the engine it is for ({where}.engine), voice.engine is auto")
    if target not in ENGINES:
        return Role(engine)  # voice.engine itself is wrong: its own check says so
    fields = {f.name: f for f in dataclasses.fields(ENGINES[target].options)}
    for key, value in overrides.items():
        if key not in fields:
            raise ConfigError(f"unknown setting {where}.{key} (the {target} engine's options: {', '.join(fields)})")
        overrides[key] = settings.check_value(f"{where}.{key}", fields[key], value)
    return Role(engine, tuple(overrides.items()), target)


def check_role(role: str, value: Role, show_engine: str, options: Callable[[str], Any]) -> None:
    """The role's options, once applied to its engine's table, pass that engine's own checks."""
    if value.engine and value.engine not in ENGINES:
        raise ConfigError(f"voice.{role}.engine must be empty or one of {', '.join(sorted(ENGINES))}")
    if value.target in ENGINES:
        check(value.target, value.apply(value.target, options(value.target)))


def headline(name: str, options: Any) -> Any:
    """Engine ``name``'s options for titles and headings: its headline delivery, or the same options."""
    change = ENGINES[name].headline
    return change(options) if change else options
