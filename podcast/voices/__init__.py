"""Speech engines behind one protocol, found by name in a registry and loaded lazily.

Adding an engine is one entry in :data:`ENGINES` and a factory taking the show's VoiceConfig: the
pipeline never names an engine.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Callable

from ..config import VoiceConfig
from ..errors import ConfigError, VoiceError
from .base import Audio, Progress, Voice

__all__ = ["Audio", "Progress", "Voice", "ENGINES", "Choice", "UnknownEngine", "check", "load", "choose", "names"]

log = logging.getLogger(__name__)


def _espeak(cfg: VoiceConfig) -> Voice:
    from .espeak import EspeakVoice

    return EspeakVoice(voice=cfg.espeak_voice, words_per_minute=cfg.espeak_rate, pitch=cfg.espeak_pitch)


def _gtts(cfg: VoiceConfig) -> Voice:
    from .gtts import GttsVoice

    return GttsVoice(
        tld=cfg.gtts_tld, slow=cfg.gtts_slow, timeout=cfg.gtts_timeout, concurrency=cfg.gtts_concurrency,
        requests_per_second=cfg.gtts_rate, retries=cfg.gtts_retries, deadline=cfg.gtts_deadline,
        endpoint=cfg.gtts_endpoint,
    )


def _piper(cfg: VoiceConfig) -> Voice:
    from .piper import PiperOptions, PiperVoice

    return PiperVoice(PiperOptions.from_table(getattr(cfg, "piper", {})))


ENGINES: dict[str, Callable[[VoiceConfig], Voice]] = {"espeak": _espeak, "gtts": _gtts, "piper": _piper}
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


def load(name: str, cfg: VoiceConfig) -> Voice:
    factory = ENGINES.get(name)
    if factory is None:
        raise UnknownEngine(f"unknown engine {name!r}; choose {names()}")
    try:
        return factory(cfg)
    except VoiceError:
        raise
    except (ImportError, OSError) as err:
        raise VoiceError(f"the {name} engine cannot load: {err}") from None


def choose(name: str, cfg: VoiceConfig, *, probe_timeout: float = 3.0, origin: str = "") -> Choice:
    """The one voice that speaks a whole episode; engines are never mixed within one.

    ``origin`` says where a named engine came from (``--engine espeak``, the show's podcast.toml),
    so the announcement gives the producer the real reason. ``auto`` asks Google once, for at most
    ``probe_timeout`` seconds, before any synthesis: the answer holds for the whole episode, and a
    gTTS failure later aborts the build rather than letting the offline voice finish the episode.
    """
    if name != "auto":
        return Choice(load(name, cfg), origin or f"engine {name} asked for")
    online = load(ONLINE, cfg)
    problem = online.probe(probe_timeout)  # type: ignore[attr-defined]
    if problem is None:
        return Choice(online, f"auto: {online.host} answered")  # type: ignore[attr-defined]
    log.info("auto: %s", problem)
    try:
        offline = load(OFFLINE, cfg)
    except VoiceError as err:
        raise VoiceError(f"no voice can speak: {problem}, and {err}") from None
    return Choice(offline, f"auto: {problem}, so the offline voice")
