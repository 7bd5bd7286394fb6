"""The show's ``podcast.toml``: defaults, validation, one frozen dataclass per table.

Every command reads the show from here; paths in the file are relative to the file's folder, so a
show folder can be moved or cloned as a whole.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

CONFIG_NAME = "podcast.toml"

DEFAULT_INTRO = (
    "Bienvenue dans {show}. Épisode {number} : {title}. "
    "Au sommaire : {summary}."
)
DEFAULT_OUTRO = "C'était {show}. Merci de votre écoute, et à bientôt."
DEFAULT_TRANSITION = ""


@dataclass(frozen=True)
class ShowConfig:
    title: str = "Mon podcast"
    author: str = "Podcast Builder"
    email: str = "podcast@example.org"
    description: str = "Des articles lus à voix haute."
    base_url: str = "http://127.0.0.1:8000/"
    language: str = "fr"
    category: str = "Technology"
    subcategory: str = ""
    explicit: bool = False
    cover: str = ""
    locked: bool = True


@dataclass(frozen=True)
class VoiceConfig:
    engine: str = "auto"  # auto | espeak | gtts | any registered engine
    espeak_voice: str = "fr"
    espeak_rate: int = 170  # words per minute
    espeak_pitch: int = 50  # 0-100
    gtts_tld: str = "fr"
    gtts_slow: bool = False
    gtts_timeout: float = 10.0  # seconds, each request
    gtts_concurrency: int = 4  # requests in flight at once
    gtts_rate: float = 12.0  # requests started per second at most (politeness); 0: unpaced
    gtts_retries: int = 4  # retries after 429, 5xx, timeouts, connection errors (exponential backoff)
    gtts_deadline: float = 25.0  # seconds before an unreachable Google aborts the build
    gtts_endpoint: str = ""  # empty: https://translate.google.<gtts_tld>; a mirror or test server otherwise
    lexicon: str = ""  # path to a show lexicon (TOML), relative to podcast.toml


@dataclass(frozen=True)
class SpeechConfig:
    intro: str = DEFAULT_INTRO
    outro: str = DEFAULT_OUTRO
    transition: str = DEFAULT_TRANSITION


@dataclass(frozen=True)
class AudioConfig:
    bitrate: int = 96  # kbit/s, CBR
    sample_rate: int = 44100
    loudness: float = -16.0  # LUFS, integrated
    true_peak: float = -1.0  # dBTP
    id3_version: int = 3
    pause_phrase: float = 0.15
    pause_sentence: float = 0.35
    pause_paragraph: float = 0.7
    pause_heading: float = 1.0
    pause_article: float = 0.8
    fade: float = 0.01
    jingle_intro: str = ""  # empty: the jingles shipped with podcast-builder; any format ffmpeg reads
    jingle_transition: str = ""
    jingle_outro: str = ""
    jingle_level: float = 0.0  # LU relative to the voice (0: jingles as loud as the voice)
    pause_jingle: float = 0.3  # seconds of silence after a jingle, before speech
    music_bed: str = ""  # optional music under the spoken intro, ducked
    music_bed_level: float = -20.0  # LU relative to the voice
    mp3_quality: int = 7  # LAME -q (0 slowest .. 9 fastest); 7 measured 1.7x faster than 5, alike for speech


@dataclass(frozen=True)
class PublishConfig:
    folder: str = "feed"
    keep: int = 0  # newest N episodes in the feed; 0 keeps all
    lock_timeout: float = 600.0  # seconds a build waits for another one; 0 fails at once


@dataclass(frozen=True)
class CacheConfig:
    folder: str = ""  # empty: the user's cache folder (XDG_CACHE_HOME honoured)


@dataclass(frozen=True)
class Config:
    """A show: where it lives and everything podcast.toml says about it."""

    root: Path
    show: ShowConfig = field(default_factory=ShowConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    speech: SpeechConfig = field(default_factory=SpeechConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)

    @property
    def publish_dir(self) -> Path:
        return self.resolve(self.publish.folder)

    @property
    def state_dir(self) -> Path:
        """Private state of the show: the catalog and the build lock (never published)."""
        return self.root / ".podcast"

    @property
    def catalog_path(self) -> Path:
        return self.state_dir / "catalog.sqlite"

    @property
    def feed_url(self) -> str:
        return self.base_url + "feed.xml"

    @property
    def base_url(self) -> str:
        return self.show.base_url.rstrip("/") + "/"

    def resolve(self, relative: str) -> Path:
        """A path written in podcast.toml, relative to the show folder."""
        return (self.root / Path(relative).expanduser()).resolve()


_TABLES: dict[str, type] = {
    "show": ShowConfig,
    "voice": VoiceConfig,
    "speech": SpeechConfig,
    "audio": AudioConfig,
    "publish": PublishConfig,
    "cache": CacheConfig,
}


def _coerce(table: str, cls: type, raw: Any, path: Path) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{table}] must be a table", path=path)
    known = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"unknown setting {table}.{key}", path=path)
        default = known[key].default
        expected = type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"{table}.{key} must be {expected.__name__}, not {type(value).__name__}", path=path
            )
        values[key] = value
    return cls(**values)


def validate(config: Config, path: Path | None = None) -> Config:
    """Refuse values that would only fail later, deep inside a build."""
    show, audio, voice = config.show, config.audio, config.voice
    if not show.title.strip():
        raise ConfigError("show.title must not be empty", path=path)
    if not re.match(r"^https?://[^\s/]+", show.base_url):
        raise ConfigError("show.base_url must be an http(s) URL", path=path)
    if re.search(r"[\s?#]", show.base_url):
        # Every link of the feed is base_url + a file name: a query or fragment would swallow it.
        raise ConfigError("show.base_url must be a folder URL without spaces, '?query' or '#fragment'", path=path)
    if not re.match(r"^[a-z]{2}(-[A-Za-z]{2})?$", show.language):
        raise ConfigError("show.language must be a language code such as fr or fr-CA", path=path)
    if audio.bitrate not in (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320):
        raise ConfigError("audio.bitrate must be an MP3 bitrate in kbit/s, such as 96", path=path)
    if audio.sample_rate not in (22050, 24000, 32000, 44100, 48000):
        raise ConfigError("audio.sample_rate must be 22050, 24000, 32000, 44100 or 48000", path=path)
    if audio.sample_rate < 32000 and audio.bitrate > 160:  # MPEG-2: LAME would silently encode 160
        raise ConfigError("audio.bitrate must be at most 160 kbit/s at sample rates under 32000", path=path)
    if audio.id3_version not in (3, 4):
        raise ConfigError("audio.id3_version must be 3 or 4", path=path)
    if not -30.0 <= audio.loudness <= -10.0:
        raise ConfigError("audio.loudness must be between -30 and -10 LUFS", path=path)
    if not -9.0 <= audio.true_peak <= 0.0:
        raise ConfigError("audio.true_peak must be between -9 and 0 dBTP", path=path)
    if not 0 <= audio.mp3_quality <= 9:
        raise ConfigError("audio.mp3_quality must be between 0 (best) and 9 (fastest)", path=path)
    if not -30.0 <= audio.jingle_level <= 10.0 or not -40.0 <= audio.music_bed_level <= 0.0:
        raise ConfigError("audio.jingle_level must be -30..10 LU and audio.music_bed_level -40..0 LU", path=path)
    for name in ("pause_phrase", "pause_sentence", "pause_paragraph", "pause_heading", "pause_article",
                 "pause_jingle", "fade"):
        if not 0.0 <= getattr(audio, name) <= 10.0:
            raise ConfigError(f"audio.{name} must be between 0 and 10 seconds", path=path)
    if config.publish.keep < 0:
        raise ConfigError("publish.keep must be 0 (all) or a positive number", path=path)
    if not config.publish.lock_timeout >= 0:  # also refuses nan, which would wait forever
        raise ConfigError("publish.lock_timeout must be 0 or more seconds", path=path)
    publish = config.publish_dir
    if publish.exists() and not publish.is_dir():
        raise ConfigError(f"publish.folder is a file, not a folder: {publish}", path=path)
    if publish == config.root or publish in config.root.parents:
        # Everything in the publish folder goes public: podcast.toml, the catalog, the drafts too.
        raise ConfigError("publish.folder must not be the show folder or a folder above it", path=path)
    # The registry is the one list of engines, each engine's module the one judge of its options;
    # they import this module, hence here.
    from .voices import ENGINES, names
    from .voices.espeak import options_problem as espeak_problem
    from .voices.gtts import options_problem as gtts_problem

    if voice.engine != "auto" and voice.engine not in ENGINES:
        raise ConfigError(f"voice.engine must be {names()}, not {voice.engine!r}", path=path)
    problem = espeak_problem(voice.espeak_voice, voice.espeak_rate, voice.espeak_pitch)
    if problem:
        raise ConfigError(problem, path=path)
    problem = gtts_problem(voice.gtts_timeout, voice.gtts_deadline, voice.gtts_concurrency, voice.gtts_retries,
                           voice.gtts_rate)
    if problem:
        raise ConfigError(problem, path=path)
    if voice.gtts_endpoint and not re.match(r"^https?://[^\s/]+/?$", voice.gtts_endpoint):
        raise ConfigError("voice.gtts_endpoint must be a base URL such as https://translate.google.fr", path=path)
    for name in ("intro", "outro", "transition"):
        _check_template(getattr(config.speech, name), f"speech.{name}", path)
    return config


TEMPLATE_FIELDS = ("show", "title", "number", "summary", "author", "date", "teaser")


def _check_template(template: str, name: str, path: Path | None) -> None:
    try:
        template.format(**{key: "" for key in TEMPLATE_FIELDS})
    except (KeyError, IndexError, ValueError) as err:
        allowed = ", ".join("{" + key + "}" for key in TEMPLATE_FIELDS)
        raise ConfigError(f"{name} is not a valid template ({err}); use {allowed}", path=path) from None


def load(path: Path | str | None = None) -> Config:
    """Read podcast.toml (default: the one in the current folder)."""
    file = Path(path) if path is not None else Path.cwd() / CONFIG_NAME
    if file.is_dir():
        file = file / CONFIG_NAME
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "no podcast.toml here; run 'podcast init' first or pass --config", path=file
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read: {err}", path=file) from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid TOML: {err}", path=file) from None
    tables: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in _TABLES:
            raise ConfigError(f"unknown table [{key}]", path=file)
        tables[key] = _coerce(key, _TABLES[key], raw, file)
    return validate(Config(root=file.parent.resolve(), **tables), file)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render(config: Config) -> str:
    """podcast.toml text for a config: every setting written out, so producers see what they can change."""
    lines = ["# podcast-builder show settings. Paths are relative to this file.", ""]
    for table in _TABLES:
        lines.append(f"[{table}]")
        for f in dataclasses.fields(getattr(config, table)):
            lines.append(f"{f.name} = {_toml_value(getattr(getattr(config, table), f.name))}")
        lines.append("")
    return "\n".join(lines)


def init(
    folder: Path,
    *,
    title: str | None = None,
    author: str | None = None,
    email: str | None = None,
    base_url: str | None = None,
    language: str | None = None,
    force: bool = False,
) -> Path:
    """Write a new podcast.toml in ``folder``; refuses to overwrite one unless ``force``."""
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigError("a show already lives here (use --force to overwrite)", path=target)
    given = {"title": title, "author": author, "email": email, "base_url": base_url, "language": language}
    show = ShowConfig(**{k: v for k, v in given.items() if v is not None})
    config = validate(Config(root=folder.resolve(), show=show), target)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(render(config), encoding="utf-8")
    return target
