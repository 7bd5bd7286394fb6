"""Speech engines behind one protocol, found by name in a registry and loaded lazily.

The engines, their ``[voice.NAME]`` options and factories are listed in :mod:`.registry`: the pipeline
never names an engine, and ``config`` checks every engine's options without importing any engine.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, VoiceError
from . import registry
from .base import Audio, Progress, Voice
from .registry import ENGINES, Engine, Role

if TYPE_CHECKING:
    from ..config import VoiceConfig

__all__ = [
    "Audio",
    "Progress",
    "Voice",
    "ENGINES",
    "Engine",
    "Cast",
    "Choice",
    "Role",
    "UnknownEngine",
    "check",
    "load",
    "cast",
    "choose",
    "installed_piper",
    "names",
]

log = logging.getLogger(__name__)

OFFLINE = "espeak"
ONLINE = "gtts"
PIPER = "piper"


class UnknownEngine(ConfigError):
    """No engine answers to this name: the producer's mistake (exit 2), not a voice that fails (exit 4)."""


@dataclass(frozen=True)
class Choice:
    voice: Voice
    reason: str
    options: Any = None  # the engine options the voice was made with


def check(name: str) -> None:
    """Refuse an engine name nothing answers to, before any work is done."""
    if name != "auto" and name not in ENGINES:
        raise UnknownEngine(f"unknown engine {name!r}; choose {names()}")


def load(name: str, cfg: VoiceConfig, root: Path | None = None, options: Any = None) -> Voice:
    """Engine ``name`` with ``options`` (default: the show's ``[voice.NAME]``); VoiceError when it cannot load."""
    engine = ENGINES.get(name)
    if engine is None:
        raise UnknownEngine(f"unknown engine {name!r}; choose {names()}")
    try:
        return engine.make(options if options is not None else cfg.options(name), root)
    except VoiceError:
        raise
    except (ImportError, AttributeError, OSError) as err:
        raise VoiceError(f"the {name} engine cannot load: {err}") from None


def installed_piper(cfg: VoiceConfig, root: Path | None = None) -> Any:
    """``[voice.piper]`` options naming a French Piper voice on this machine, or None.

    The show's ``model`` when it resolves to a file; else the first French voice of the voice store
    (``podcast voices download``). Reads no model: only whether the files are there."""
    from . import store
    from .piper import resolve_model

    options = cfg.options(PIPER)
    try:
        if resolve_model(options.model, root).is_file():
            return options
    except VoiceError:
        pass
    french = [voice for voice in store.installed() if voice.name.startswith("fr")]
    return dataclasses.replace(options, model=french[0].name) if french else None


def choose(
    name: str, cfg: VoiceConfig, *, probe_timeout: float = 3.0, origin: str = "", root: Path | None = None
) -> Choice:
    """The show's voice for a whole episode; engines are never switched within one.

    ``origin`` says where a named engine came from (``--engine espeak``, the show's podcast.toml),
    so the announcement gives the producer the real reason. ``auto`` takes a French Piper voice when
    one is installed; else it asks Google once, for at most ``probe_timeout`` seconds, before any
    synthesis: the answer holds for the whole episode, and a gTTS failure later aborts the build
    rather than letting the offline voice finish the episode; else espeak, saying why.
    """
    if name != "auto":
        return Choice(load(name, cfg, root), origin or f"engine {name} asked for", cfg.options(name))
    piper_options = installed_piper(cfg, root)
    no_piper = "no French Piper voice is installed"
    if piper_options is not None:
        try:
            voice = load(PIPER, cfg, root, piper_options)
            return Choice(voice, f"auto: the Piper voice {piper_options.model} is installed", piper_options)
        except VoiceError as err:
            no_piper = f"the installed Piper voice cannot speak ({err})"
    log.info("auto: %s", no_piper)
    online = load(ONLINE, cfg, root)
    problem = online.probe(probe_timeout)  # type: ignore[attr-defined]
    if problem is None:
        reason = f"auto: {online.host} answered ({no_piper})"  # type: ignore[attr-defined]
        return Choice(online, reason, cfg.options(ONLINE))
    log.info("auto: %s", problem)
    try:
        offline = load(OFFLINE, cfg, root)
    except VoiceError as err:
        raise VoiceError(f"no voice can speak: {no_piper}, {problem}, and {err}") from None
    return Choice(offline, f"auto: {problem} and {no_piper}, so the offline voice", cfg.options(OFFLINE))


# --- host and reader -----------------------------------------------------------------------------

HOST_ROLES = frozenset({"intro", "transition", "outro"})
HEADLINE_ROLES = frozenset({"title", "heading"})  # the host, in its headline delivery
READER_ROLES = frozenset({"body"})


@dataclass(frozen=True)
class Cast:
    """Who says what in an episode: the host (intro, transitions, outro), the host's headline delivery
    (titles, headings) and the reader (the body). One object may hold all three parts.

    ``engine``, ``identity`` and ``description`` name the episode's voice as the catalog records it:
    the reader's alone when host and reader are one voice, else both. The headline delivery is left
    out of it (it is in the headline voice's own identity, so the segment cache tells deliveries apart):
    switching it on or off is not a change of voice."""

    host: Voice
    reader: Voice
    headline: Voice
    notes: tuple[str, ...] = ()  # what happened to a role that could not get its own engine

    def voice(self, role: str) -> Voice:
        """The voice of a segment's role (a :class:`podcast.segment.Kind` value)."""
        if role in READER_ROLES:
            return self.reader
        return self.headline if role in HEADLINE_ROLES else self.host

    @property
    def voices(self) -> list[Voice]:
        """Each distinct voice once (the same object, or the same identity), host first."""
        found: list[Voice] = []
        for voice in (self.host, self.headline, self.reader):
            if not any(voice is known or voice.identity == known.identity for known in found):
                found.append(voice)
        return found

    def slots(self, roles: Iterable[str]) -> list[int]:
        """For each role, the index in :attr:`voices` of the voice that says it."""
        distinct = self.voices
        where: dict[str, int] = {}
        for role in set(roles := list(roles)):
            voice = self.voice(role)
            where[role] = next(i for i, v in enumerate(distinct) if v is voice or v.identity == voice.identity)
        return [where[role] for role in roles]

    @property
    def single(self) -> bool:
        return self.host is self.reader or self.host.identity == self.reader.identity

    @property
    def engine(self) -> str:
        engines = dict.fromkeys((self.host.engine, self.reader.engine))
        return "+".join(engines)

    @property
    def identity(self) -> str:
        if self.single:
            return self.reader.identity
        return f"host={self.host.identity};reader={self.reader.identity}"

    @property
    def description(self) -> str:
        if self.single:
            return self.reader.description
        return f"{self.host.description} hosting, {self.reader.description} reading"

    @property
    def rate(self) -> int:
        """The episode's speech rate: the highest of its voices' (the others are resampled to it)."""
        return max(voice.rate for voice in self.voices)

    @property
    def max_chars(self) -> int | None:
        limits = [voice.max_chars for voice in self.voices if voice.max_chars is not None]
        return min(limits) if limits else None


def cast(
    name: str,
    cfg: VoiceConfig,
    *,
    probe_timeout: float = 3.0,
    origin: str = "",
    root: Path | None = None,
) -> tuple[Cast, Choice]:
    """The host, headline and reader voices of an episode, and the show's voice they start from.

    A role whose table names no engine speaks with the show's voice (``name``, or what ``auto``
    picked), with its table's options when it has some. A role naming an engine gets that engine;
    when it cannot speak and the show's voice is ``auto``, the role takes the show's voice instead,
    so the fallback covers the whole episode: never a host on one side of auto's choice and a reader
    on the other. With a named show voice, a role's failure is the build's (VoiceError).
    """
    show = choose(name, cfg, probe_timeout=probe_timeout, origin=origin, root=root)
    notes: list[str] = []

    def role(which: str) -> tuple[Voice, Any]:
        table: Role = getattr(cfg, which)
        engine = table.engine or show.voice.engine
        base = show.options if engine == show.voice.engine else cfg.options(engine)
        options = table.apply(engine, base)
        if engine == show.voice.engine and options == show.options:
            return show.voice, show.options
        try:
            voice = load(engine, cfg, root, options)
            problem = voice.probe(probe_timeout) if name == "auto" and hasattr(voice, "probe") else None
            if problem is None:
                return voice, options
        except VoiceError as err:
            if name != "auto":
                raise VoiceError(f"voice.{which}: {err}") from None
            problem = str(err)
        notes.append(f"the {which} speaks with the show's voice: {engine}: {problem}")
        log.warning("voice.%s: %s cannot speak (%s); the show's voice speaks instead", which, engine, problem)
        return show.voice, show.options

    host, host_options = role("host")
    reader, _ = role("reader")
    headline = host
    if cfg.title_delivery:
        slower = registry.headline(host.engine, host_options)
        if slower != host_options:
            headline = load(host.engine, cfg, root, slower)
    return Cast(host, reader, headline, tuple(notes)), show


def names() -> str:
    """What voice.engine and --engine accept, for messages."""
    return f"auto or one of {', '.join(sorted(ENGINES))}"
