"""Speech engines behind one protocol, found by name in a registry and loaded lazily.

The engines, their ``[voice.NAME]`` options and factories are listed in :mod:`.registry`: the pipeline
never names an engine, and ``config`` checks every engine's options without importing any engine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, VoiceError
from .base import Audio, Progress, Voice
from .registry import ENGINES, Engine

if TYPE_CHECKING:
    from ..config import VoiceConfig

__all__ = [
    "Audio",
    "Progress",
    "Voice",
    "ENGINES",
    "Engine",
    "Choice",
    "UnknownEngine",
    "check",
    "load",
    "choose",
    "names",
]

log = logging.getLogger(__name__)

OFFLINE = "espeak"
ONLINE = "gtts"


class UnknownEngine(ConfigError):
    """No engine answers to this name: the producer's mistake (exit 2), not a voice that fails (exit 4)."""


def names() -> str:
    """What voice.engine and --engine accept, for messages."""
    return f"auto or one of {', '.join(sorted(ENGINES))}"


@dataclass(frozen=True)
class Choice:
    voice: Voice
    reason: str


def check(name: str) -> None:
    """Refuse an engine name nothing answers to, before any work is done."""
    if name != "auto" and name not in ENGINES:
        raise UnknownEngine(f"unknown engine {name!r}; choose {names()}")


def load(name: str, cfg: VoiceConfig, root: Path | None = None) -> Voice:
    """Engine ``name`` with the show's ``[voice.NAME]`` options; VoiceError when it cannot load."""
    engine = ENGINES.get(name)
    if engine is None:
        raise UnknownEngine(f"unknown engine {name!r}; choose {names()}")
    try:
        return engine.make(cfg.options(name), root)
    except VoiceError:
        raise
    except (ImportError, AttributeError, OSError) as err:
        raise VoiceError(f"the {name} engine cannot load: {err}") from None


def choose(
    name: str, cfg: VoiceConfig, *, probe_timeout: float = 3.0, origin: str = "", root: Path | None = None
) -> Choice:
    """The one voice that speaks a whole episode; engines are never mixed within one.

    ``origin`` says where a named engine came from (``--engine espeak``, the show's podcast.toml),
    so the announcement gives the producer the real reason. ``auto`` asks Google once, for at most
    ``probe_timeout`` seconds, before any synthesis: the answer holds for the whole episode, and a
    gTTS failure later aborts the build rather than letting the offline voice finish the episode.
    """
    if name != "auto":
        return Choice(load(name, cfg, root), origin or f"engine {name} asked for")
    online = load(ONLINE, cfg, root)
    problem = online.probe(probe_timeout)  # type: ignore[attr-defined]
    if problem is None:
        return Choice(online, f"auto: {online.host} answered")  # type: ignore[attr-defined]
    log.info("auto: %s", problem)
    try:
        offline = load(OFFLINE, cfg, root)
    except VoiceError as err:
        raise VoiceError(f"no voice can speak: {problem}, and {err}") from None
    return Choice(offline, f"auto: {problem}, so the offline voice")
