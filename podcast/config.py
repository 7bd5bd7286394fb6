"""The show's ``podcast.toml``: defaults, validation, one frozen dataclass per table.

Every command reads the show from here; paths in the file are relative to the file's folder, so a
show folder can be moved or cloned as a whole.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import categories, settings
from .errors import ConfigError, NoShowError, ShowExistsError
from .settings import setting
from .templates import check_template
from .voices import registry

log = logging.getLogger(__name__)

CONFIG_NAME = "podcast.toml"

DEFAULT_INTRO = "Bienvenue dans {show}, l'épisode du {date}. {contents}"
# What `podcast init` wrote before: read as the new default (it said a lone article's title three times).
OLD_DEFAULT_INTRO = "Bienvenue dans {show}. Épisode {number} : {title}. Au sommaire : {summary}."
DEFAULT_OUTRO = "C'était {show}. Merci de votre écoute, et à bientôt."
DEFAULT_TRANSITION = "Sujet suivant : {title}."
DEFAULT_TRANSITION_FIRST = "Pour commencer : {title}."
DEFAULT_TRANSITION_LAST = "Pour finir : {title}."
DEFAULT_OUTRO_LINKS = "Les liens sont dans les notes de l'épisode."


@dataclass(frozen=True)
class ShowConfig:
    """``[show]``: what the feed says about the show."""

    title: str = setting("Mon podcast", "the show's name, in the feed and every episode's tags")
    author: str = setting("Podcast Builder", "who makes the show (itunes:author)")
    email: str = setting("podcast@example.org", "the owner's address podcast directories write to")
    description: str = setting("Des articles lus à voix haute.", "the show's description in the feed")
    base_url: str = setting("http://127.0.0.1:8000/", "public URL of the publish folder; every link starts with it")
    language: str = setting("fr", "language of the show, such as fr, fr-FR or fr-CA (one the voices speak)")
    category: str = setting("Technology", "Apple Podcasts category")
    subcategory: str = setting("", "Apple Podcasts subcategory; empty: none")
    explicit: bool = setting(False, "the show contains explicit content")
    cover: str = setting("", "square cover image (JPEG or PNG); empty: one is drawn from the title")
    locked: bool = setting(True, "podcast:locked, refusing imports of the feed by other hosts")


@dataclass(frozen=True)
class VoiceConfig:
    """``[voice]``: which engine speaks; each engine's options are in its own ``[voice.NAME]`` table."""

    engine: str = setting(
        "auto",
        "auto (a French Piper voice when one is installed, else gTTS when Google answers, else espeak) or an engine",
    )
    lexicon: str = setting("", "path to a show lexicon (TOML) of pronunciations; empty: none")
    lock: bool = setting(
        False, "refuse to build an episode in another voice than the show's previous one (instead of a warning)"
    )
    title_delivery: bool = setting(
        True, "titles and headings said slower and lower than the rest (espeak rate and pitch, piper length_scale)"
    )
    engines: Mapping[str, Any] = field(default_factory=dict, compare=True)  # engine name -> its options
    host: registry.Role = field(default_factory=registry.Role)  # [voice.host]: intro, titles, transitions, outro
    reader: registry.Role = field(default_factory=registry.Role)  # [voice.reader]: the articles' body

    def options(self, name: str) -> Any:
        """Engine ``name``'s options: its ``[voice.NAME]`` table, or its defaults."""
        given = self.engines.get(name)
        return given if given is not None else registry.ENGINES[name].options()


@dataclass(frozen=True)
class SpeechConfig:
    """``[speech]``: words spoken around the articles; templates may use the fields listed below."""

    intro: str = setting(DEFAULT_INTRO, "spoken before the first article")
    outro: str = setting(DEFAULT_OUTRO, "spoken after the last article")
    transition: str = setting(
        DEFAULT_TRANSITION, "the host's words opening each article, {title} its title; empty: no transitions at all"
    )
    transition_first: str = setting(DEFAULT_TRANSITION_FIRST, "opens the first article; empty: transition")
    transition_last: str = setting(DEFAULT_TRANSITION_LAST, "opens the last article; empty: transition")
    outro_links: str = setting(DEFAULT_OUTRO_LINKS, "said before the outro when the articles have links; empty: none")

    def transitions(self, count: int) -> list[str]:
        """The transition template opening each of ``count`` articles; none for a lone article."""
        if count < 2 or not self.transition.strip():
            return [""] * count
        first = self.transition_first.strip() and self.transition_first
        last = self.transition_last.strip() and self.transition_last
        return [first or self.transition] + [self.transition] * (count - 2) + [last or self.transition]


_PAUSE: dict[str, Any] = {"low": 0.0, "high": 10.0, "unit": "seconds"}


@dataclass(frozen=True)
class AudioConfig:
    """``[audio]``: the mastered MP3."""

    bitrate: int = setting(
        96,
        "MP3 bitrate, constant",
        choices=(32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
        unit="kbit/s",
    )
    sample_rate: int = setting(44100, "MP3 sample rate in Hz", choices=(22050, 24000, 32000, 44100, 48000))
    loudness: float = setting(-16.0, "integrated loudness target", low=-30.0, high=-10.0, unit="LUFS")
    true_peak: float = setting(-1.0, "true-peak ceiling", low=-9.0, high=0.0, unit="dBTP")
    id3_version: int = setting(3, "ID3v2 version of the tags", choices=(3, 4))
    pause_phrase: float = setting(0.15, "silence after a phrase (comma, semicolon)", **_PAUSE)
    pause_sentence: float = setting(0.35, "silence after a sentence", **_PAUSE)
    pause_paragraph: float = setting(0.7, "silence after a paragraph", **_PAUSE)
    pause_heading: float = setting(1.0, "silence after a heading", **_PAUSE)
    pause_article: float = setting(0.8, "silence between two articles", **_PAUSE)
    fade: float = setting(0.01, "fade in and out of each spoken segment", **_PAUSE)
    jingle_intro: str = setting("", "intro jingle, any format ffmpeg reads; empty: the one shipped")
    jingle_transition: str = setting("", "jingle between articles; empty: the one shipped")
    jingle_outro: str = setting("", "outro jingle; empty: the one shipped")
    jingle_level: float = setting(0.0, "jingles' loudness relative to the voice", low=-30.0, high=10.0, unit="LU")
    pause_jingle: float = setting(0.3, "silence after a jingle, before speech", **_PAUSE)
    music_bed: str = setting("", "music under the spoken intro, ducked; empty: none")
    music_bed_level: float = setting(
        -20.0, "music bed's loudness relative to the voice", low=-40.0, high=0.0, unit="LU"
    )
    mp3_quality: int = setting(
        7, "LAME -q: 0 slowest .. 9 fastest (7 measured 1.7x faster than 5, alike for speech)", low=0, high=9
    )


@dataclass(frozen=True)
class PublishConfig:
    """``[publish]``: where the feed and episodes are written."""

    folder: str = setting("feed", "the public folder (feed.xml, episodes, cover); not the show folder nor .podcast")
    keep: int = setting(0, "newest N episodes kept in the feed; 0 keeps all", low=0, high=100_000)
    lock_timeout: float = setting(
        600.0, "time a build waits for another one; 0 fails at once", low=0.0, high=86_400.0, unit="seconds"
    )
    max_article_bytes: int = setting(
        2_000_000,
        "an article file larger than this is refused before any work (about 30 hours of speech)",
        low=1_000,
        high=1_000_000_000,
        unit="bytes",
    )


@dataclass(frozen=True)
class CacheConfig:
    """``[cache]``: spoken segments kept between builds."""

    folder: str = setting("", "synthesis cache folder; empty: the user's cache folder (XDG_CACHE_HOME honoured)")
    max_size: Any = setting(
        2000,
        'largest size of the cache after a build, least recently used evicted: MB, or text like "2 GB"; 0: no cap',
        kind=object,
    )

    @property
    def max_bytes(self) -> int:
        """``max_size`` in bytes (0: no cap)."""
        return parse_size(self.max_size)


@dataclass(frozen=True)
class UploadConfig:
    """``[upload]``: where ``podcast publish`` sends the publish folder; secrets are never written here."""

    target: str = setting("", "sftp://user@host:port/path or s3://bucket/prefix; empty: no upload")
    endpoint_url: str = setting("", "S3-compatible service (R2, B2, MinIO, OVH); empty: AWS")
    region: str = setting("", "S3 region; empty: the SDK's default (AWS_DEFAULT_REGION)")
    credentials: str = setting("", "KEY=VALUE file outside the show (AWS_ACCESS_KEY_ID, PODCAST_SFTP_PASSWORD ...)")
    ssh_key: str = setting("", "SFTP private key file; empty: the SSH agent and ~/.ssh keys")
    known_hosts: str = setting("", "SFTP host keys to trust; empty: ~/.ssh/known_hosts")
    feed_max_age: int = setting(
        300, "Cache-Control max-age of feed.xml and other names without a hash", low=0, high=86400, unit="seconds"
    )
    retries: int = setting(
        4, "retries of a transient failure (dropped connection), exponential backoff", low=0, high=20
    )
    retry_delay: float = setting(
        1.0, "seconds before the first retry; doubled each time", low=0, high=600, unit="seconds"
    )


@dataclass(frozen=True)
class ReadConfig:
    """``[read]``: how HTML files, e-mails, web pages and feeds are read (docs/sources.md)."""

    sponsored: bool = setting(False, "read the blocks a newsletter marks as sponsored (« Sponsorisé », « Partenaire »)")
    max_bytes: int = setting(
        10_000_000, "largest page or feed fetched, once decompressed", low=10_000, high=1_000_000_000, unit="bytes"
    )
    timeout: float = setting(20.0, "time a fetch may wait for the server", low=1.0, high=300.0, unit="seconds")
    max_redirects: int = setting(5, "redirections a fetch follows", low=0, high=20)


@dataclass(frozen=True)
class SiteConfig:
    """``[site]``: the pages for listeners beside the feed (docs/site.md)."""

    enabled: bool = setting(True, "write index.html and a page per episode (player, chapters, transcript)")
    templates: str = setting(
        "", "folder of the show's own page templates; a file missing there is the built-in one; empty: built-in"
    )


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
    upload: UploadConfig = field(default_factory=UploadConfig)
    read: ReadConfig = field(default_factory=ReadConfig)
    site: SiteConfig = field(default_factory=SiteConfig)

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


_UNITS = {"": 10**6, "b": 1, "kb": 10**3, "k": 10**3, "mb": 10**6, "m": 10**6, "gb": 10**9, "g": 10**9}
_UNITS.update({"tb": 10**12, "t": 10**12})


def parse_size(value: Any) -> int:
    """A size in bytes from a number of MB or text such as "2 GB", "500 MB", "1.5G" (decimal units)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value * 10**6
    found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", value) if isinstance(value, str) else None
    if found is None or found.group(2).lower() not in _UNITS:
        raise ConfigError(f'cache.max_size must be a number of MB or a size such as "2 GB", not {value!r}')
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")


def valid_email(address: str) -> bool:
    """A plain ``local@domain.tld`` address: what podcast:locked's owner and itunes:email must be."""
    return bool(_EMAIL.fullmatch(address)) and ".." not in address and len(address) <= 254


_TABLES: dict[str, type] = {
    "show": ShowConfig,
    "voice": VoiceConfig,
    "speech": SpeechConfig,
    "audio": AudioConfig,
    "publish": PublishConfig,
    "cache": CacheConfig,
    "upload": UploadConfig,
    "read": ReadConfig,
    "site": SiteConfig,
}
_VOICE_KEYS = ("engine", "lexicon", "lock", "title_delivery")  # [voice]'s own settings; the rest are tables


def _voice(raw: Any, file: Path) -> VoiceConfig:
    """[voice] with its engines' tables checked by the registry; old flat keys (voice.espeak_rate)
    still read, each with a one-line warning saying what to write instead."""
    if not isinstance(raw, dict):
        raise ConfigError("[voice] must be a table")
    own = {key: value for key, value in raw.items() if key in _VOICE_KEYS}
    tables: dict[str, dict[str, Any]] = {}
    old: dict[str, tuple[str, str, Any]] = {}
    for key, value in raw.items():
        if key in _VOICE_KEYS:
            continue
        if key in registry.ROLES:
            continue
        if isinstance(value, dict):
            if key not in registry.ENGINES:
                raise ConfigError(f"unknown table [voice.{key}]; engines: {', '.join(sorted(registry.ENGINES))}")
            tables[key] = dict(value)
        elif (found := registry.flat(key)) is not None:
            old[key] = (*found, value)
        else:
            raise ConfigError(f"unknown setting voice.{key}")
    for key, (engine, option, value) in old.items():
        instead = f"`{option} = {_toml_value(value)}` under [voice.{engine}]"
        if engine in tables:
            raise ConfigError(f"voice.{key} (old style) and a [voice.{engine}] table are both set; write {instead}")
        log.warning("%s: voice.%s is deprecated; write %s", file, key, instead)
    for engine, option, value in old.values():
        tables.setdefault(engine, {})[option] = value
    base = settings.table("voice", VoiceConfig, own)
    engines = {name: registry.parse(name, table) for name, table in tables.items()}
    host = registry.parse_role("host", raw.get("host", {}), base.engine)
    reader = registry.parse_role("reader", raw.get("reader", {}), base.engine)
    return dataclasses.replace(base, engines=engines, host=host, reader=reader)


def validate(config: Config, path: Path | None = None) -> Config:
    """Refuse values that would only fail later, deep inside a build (or, worse, publish harm)."""
    try:
        return _validate(config)
    except ConfigError as err:
        raise ConfigError(str(err), path=path) from None


# An http(s) URL of RFC 3986 characters only: host (or [IPv6]), optional port, path.
_URL_CHARS = re.compile(r"^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$")


def _validate(config: Config) -> Config:
    for table in ("show", "speech", "audio", "publish", "cache", "site"):
        settings.check_all(table, getattr(config, table))
    show, voice = config.show, config.voice
    settings.check_all("voice", voice)
    if not show.title.strip():
        raise ConfigError("show.title must not be empty")
    if not re.match(r"^https?://[^\s/]+", show.base_url):
        raise ConfigError("show.base_url must be an http(s) URL")
    if re.search(r"[\s?#]", show.base_url):
        # Every link of the feed is base_url + a file name: a query or fragment would swallow it.
        raise ConfigError("show.base_url must be a folder URL without spaces, '?query' or '#fragment'")
    if not _URL_CHARS.match(show.base_url):
        # It is written into every page and the feed: quotes, <, > or spaces have no place in a URL.
        raise ConfigError(
            "show.base_url must be an http(s) URL made of URL characters only "
            f"(no spaces, quotes, '<' or '>'; percent-encode others): {show.base_url!r}"
        )
    _check_language(show.language)
    if show.email and not valid_email(show.email):
        raise ConfigError(f"show.email must be an e-mail address such as name@example.org, not {show.email!r}")
    categories.check(show.category, show.subcategory)
    parse_size(config.cache.max_size)
    if config.audio.sample_rate < 32000 and config.audio.bitrate > 160:  # MPEG-2: LAME would silently encode 160
        raise ConfigError("audio.bitrate must be at most 160 kbit/s at sample rates under 32000")
    publish, state = config.publish_dir, config.state_dir.resolve()
    if publish.exists() and not publish.is_dir():
        raise ConfigError(f"publish.folder is a file, not a folder: {publish}")
    if publish == config.root or publish in config.root.parents:
        # Everything in the publish folder goes public: podcast.toml, the catalog, the drafts too.
        raise ConfigError("publish.folder must not be the show folder or a folder above it")
    _check_not_foreign(publish)
    if publish == state or state in publish.parents or publish in state.parents:
        raise ConfigError("publish.folder must not be, contain or lie inside the show's private .podcast folder")
    if voice.engine != "auto" and voice.engine not in registry.ENGINES:
        raise ConfigError(
            f"voice.engine must be auto or one of {', '.join(sorted(registry.ENGINES))}, not {voice.engine!r}"
        )
    for name in voice.engines:
        if name not in registry.ENGINES:
            raise ConfigError(f"unknown table [voice.{name}]; engines: {', '.join(sorted(registry.ENGINES))}")
        registry.check(name, voice.engines[name])
    from .upload import config_problem as upload_problem  # upload imports config only for types

    problem = upload_problem(config)
    if problem:
        raise ConfigError(problem)
    for role in registry.ROLES:
        registry.check_role(role, getattr(voice, role), voice.engine, voice.options)
    if config.site.templates:
        own = config.resolve(config.site.templates)
        if not own.is_dir():
            raise ConfigError(f"site.templates: no such folder: {own}")
        if own == publish or publish in own.parents:
            raise ConfigError("site.templates must not lie inside the publish folder (it would be published)")
    for name in ("intro", "outro", "transition", "transition_first", "transition_last", "outro_links"):
        check_template(getattr(config.speech, name), f"speech.{name}")
    return config


# What a publish folder holds before its first feed: what a build writes, and a README.
_OURS = re.compile(r"^(feed\.xml|index\.html|episodes|cover\.(png|jpe?g)|README(\.\w+)?)$")


def _check_not_foreign(publish: Path) -> None:
    """Refuse an existing folder that is no show's publish folder (``/etc``, a home folder, another
    project): ``serve`` and ``publish`` make everything in it public. A folder with a feed is ours."""
    if not publish.is_dir() or (publish / "feed.xml").exists():
        return
    try:
        foreign = sorted(p.name for p in publish.iterdir() if not p.name.startswith(".") and not _OURS.match(p.name))
    except OSError:
        return  # unreadable: the build will say so when it writes there
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise ConfigError(
            f"publish.folder {publish} already holds other files ({shown}); everything in it would be "
            "published: choose a new or empty folder"
        )


def _check_language(code: str) -> None:
    """A language tag whose language the voices speak: fr, fr-FR, fr-CA; not "xx" nor "français"."""
    found = re.fullmatch(r"([a-z]{2})(?:-(?:[A-Za-z]{2}|[0-9]{3}))?", code)
    spoken = sorted(registry.languages())
    if not found or found.group(1) not in spoken:
        example = spoken[0]
        raise ConfigError(
            f"show.language must be a language the voices speak, such as {example}, "
            f"{example}-{example.upper()} or {example}-CA, not {code!r}"
        )


def load(path: Path | str | None = None) -> Config:
    """Read podcast.toml (default: the one in the current folder); every setting checked here."""
    file = Path(path) if path is not None else Path.cwd() / CONFIG_NAME
    named = path is not None and not file.is_dir()  # a file named by the caller, not a show looked for
    if file.is_dir():
        file = file / CONFIG_NAME
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if named:
            raise ConfigError("the file does not exist", path=path) from None
        raise NoShowError("no podcast.toml here; run 'podcast init' first", path=file) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read: {err}", path=file) from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid TOML: {err}", path=file) from None
    tables: dict[str, Any] = {}
    try:
        for key, raw in data.items():
            if key not in _TABLES:
                raise ConfigError(f"unknown table [{key}]")
            tables[key] = _voice(raw, file) if key == "voice" else settings.table(key, _TABLES[key], raw)
        speech = tables.get("speech")
        if speech is not None and speech.intro == OLD_DEFAULT_INTRO:
            tables["speech"] = dataclasses.replace(speech, intro=DEFAULT_INTRO)
    except ConfigError as err:
        raise ConfigError(str(err), path=file) from None
    return validate(Config(root=file.parent.resolve(), **tables), file)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _render_table(lines: list[str], name: str, values: Any) -> None:
    lines.append(f"[{name}]")
    for f in dataclasses.fields(values):
        if "doc" not in f.metadata:
            continue
        value = getattr(values, f.name)
        # TOML has no null: a setting left unset (the voice's own value) is shown commented out.
        lines.append(f"# {f.name} =  ({settings.doc(f)})" if value is None else f"{f.name} = {_toml_value(value)}")
    lines.append("")


def render(config: Config) -> str:
    """podcast.toml text for a config: every setting written out, so producers see what they can change."""
    lines = [
        "# podcast-builder show settings. Paths are relative to this file.",
        "# Every setting is described in docs/configuration.md.",
        "",
    ]
    for table in _TABLES:
        _render_table(lines, table, getattr(config, table))
        if table == "voice":
            for role in registry.ROLES:
                _render_table(lines, f"voice.{role}", getattr(config.voice, role))
                lines[-1:-1] = [f"{key} = {_toml_value(value)}" for key, value in getattr(config.voice, role).options]
            for name in registry.ENGINES:
                _render_table(lines, f"voice.{name}", config.voice.options(name))
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
    name: str = CONFIG_NAME,
) -> Path:
    """Write a new podcast.toml (or ``name``) in ``folder``; refuses to overwrite one unless ``force``."""
    target = folder / name
    if target.exists() and not force:
        raise ShowExistsError("a show already lives here", path=target)
    given: dict[str, Any] = {
        "title": title,
        "author": author,
        "email": email,
        "base_url": base_url,
        "language": language,
    }
    show = ShowConfig(**{k: v for k, v in given.items() if v is not None})
    config = validate(Config(root=folder.resolve(), show=show), target)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(render(config), encoding="utf-8")
    return target
