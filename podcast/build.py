"""The pipeline: article -> structure -> segments -> speech -> mastered MP3 -> tags -> catalog -> feed.

:func:`build` runs the stages in order under the show's lock and publishes atomically: new files
land under new names, the catalog commits, then the feed is replaced, then old files go. A build
killed at any moment leaves the previous feed valid with every file it lists present.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Protocol

from . import article as article_mod
from . import catalog as catalog_mod
from . import cover, feed, master, segment, sidecars, sounds, speech, tags, voices
from .article import Issue
from .catalog import Catalog, Episode
from .config import Config
from .errors import ConfigError, InputError, PodcastError, PublishError
from .fsutil import inside, slugify, write_atomic
from .lock import show_lock
from .timeline import Mastered
from .voices.cache import CacheStats, SegmentCache

log = logging.getLogger(__name__)

EPISODES_DIR = "episodes"
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


class Reporter(Protocol):
    def stage(self, name: str, total: int | None = None) -> None: ...
    def advance(self, count: int) -> None: ...


class _Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        log.info("%s", name)

    def advance(self, count: int) -> None:
        pass


@dataclass(frozen=True)
class Plan:
    """What an article becomes before any sound is made (``podcast preview``)."""

    issue: Issue
    segments: list[segment.Segment]
    voice: voices.Voice
    reason: str
    number: int

    def to_dict(self) -> dict:
        data = self.issue.to_dict()
        data["segments"] = [{"article": s.article, "text": s.text} for s in self.segments]
        return data


@dataclass(frozen=True)
class BuildResult:
    status: str  # "built", "updated" or "skipped"
    episode: Episode
    audio_path: Path
    feed_path: Path
    voice: str
    reason: str
    cache: CacheStats | None = None


def french_date(day: str) -> str:
    d = Date.fromisoformat(day)
    return f"{'1er' if d.day == 1 else d.day} {MONTHS[d.month - 1]} {d.year}"


def _template(text: str, config: Config, issue: Issue, number: int, day: str) -> str:
    return text.format(
        show=config.show.title,
        title=issue.title,
        number=number,
        summary=segment.summary(issue),
        author=config.show.author,
        date=french_date(day),
        teaser=issue.teaser or "",
    )


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _check_date(day: str | None) -> str:
    if day is None:
        return _utc_now().date().isoformat()
    try:
        return Date.fromisoformat(day).isoformat()
    except ValueError:
        raise InputError(f"--date must be YYYY-MM-DD, not {day!r}") from None


def plan(config: Config, source: Path, *, engine: str | None = None, issue: Issue | None = None,
         number: int | None = None, day: str | None = None) -> Plan:
    """Read and segment an article for the voice that would speak it."""
    issue = issue or article_mod.read(source)
    name = engine or config.voice.engine
    origin = f"--engine {name}" if engine else f"voice.engine = {name} in podcast.toml"
    choice = voices.choose(name, config.voice, origin=origin)
    lexicon_path = config.resolve(config.voice.lexicon) if config.voice.lexicon else None
    speak = speech.speaker(speech.load_lexicon(lexicon_path))
    if number is None:
        with Catalog(config.catalog_path) as catalog:
            existing = catalog.by_key(episode_key(issue))
            number = existing.number if existing else catalog.next_number()
    day = _check_date(day)
    segments = segment.segment_issue(
        issue,
        intro=_template(config.speech.intro, config, issue, number, day),
        outro=_template(config.speech.outro, config, issue, number, day),
        limit=choice.voice.max_chars,
        speak=speak,
    )
    return Plan(issue, segments, choice.voice, choice.reason, number)


def episode_key(issue: Issue) -> str:
    """Two builds are the same episode when their issue titles slug alike. A title with nothing to
    slug (emoji, punctuation, another script) is keyed by its hash: "🎉" must not replace "🚀"."""
    digest = hashlib.sha256(issue.title.encode("utf-8")).hexdigest()[:12]
    return slugify(issue.title, max_length=120, fallback=f"episode-{digest}")


def text_hash(issue: Issue) -> str:
    import json

    return hashlib.sha256(json.dumps(issue.to_dict(), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def ensure_cover(config: Config) -> Path:
    """The show's cover in the publish folder: its own file, or a generated one for a new show."""
    if config.show.cover:
        source = config.resolve(config.show.cover)
        if not source.is_file():
            raise ConfigError("show.cover not found", path=source)
        if source.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            # feedgen silently drops an itunes:image whose URL does not end in .png or .jpg.
            raise ConfigError("show.cover must be a .png, .jpg or .jpeg file", path=source)
        data = source.read_bytes()
        reason = cover.problem(data)
        if reason:
            raise ConfigError(reason, path=source)
        target = inside(config.publish_dir, feed.cover_name(config))
        if not target.exists() or target.read_bytes() != data:
            write_atomic(target, data)
        return target
    target = config.publish_dir / feed.COVER_NAME
    if not target.exists():
        write_atomic(target, cover.png(seed=config.show.title))
    return target


KILL_ENV = "PODCAST_TEST_KILL_AT"
STAGES = ("staged", "renamed", "cataloged", "fed")
_LEFTOVER = re.compile(r"^\d{3,}-[a-z0-9-]+-[0-9a-f]{8}\.(mp3|chapters\.json|vtt|srt)$")


def _checkpoint(stage: str) -> None:
    """Test hook: ``PODCAST_TEST_KILL_AT=<stage>`` SIGKILLs this process here (tests/test_publish.py)."""
    if os.environ.get(KILL_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _write_feed(config: Config, catalog: Catalog) -> Path:
    """feed.xml from the catalog: its episodes, its last change, the show's lifelong podcast:guid."""
    guid = catalog.show_guid(feed.podcast_guid(config.feed_url))
    return feed.write(config, catalog.episodes(), catalog.changed(), guid)


def _recover(config: Config, catalog: Catalog) -> None:
    """Repair what a killed build left (called under the lock): the feed matches the catalog again,
    then staging folders, temporary files and episode files nothing refers to are deleted."""
    publish = config.publish_dir
    if not publish.is_dir():
        return
    episodes = catalog.episodes()
    if episodes or (publish / feed.FEED_NAME).exists():
        _write_feed(config, catalog)
    referenced = {name for e in episodes for name in e.files}
    for folder in (publish, publish / EPISODES_DIR):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            name = path.name
            if path.is_dir() and name.startswith(".build-"):
                shutil.rmtree(path, ignore_errors=True)
            elif name.startswith(".") and name.endswith(".tmp"):
                path.unlink(missing_ok=True)
            elif folder.name == EPISODES_DIR and _LEFTOVER.match(name) and f"{EPISODES_DIR}/{name}" not in referenced:
                log.info("removing %s: no episode refers to it (left by an interrupted build)", name)
                path.unlink(missing_ok=True)


def build(
    config: Config,
    source: Path,
    *,
    engine: str | None = None,
    day: str | None = None,
    force: bool = False,
    reporter: Reporter | None = None,
    cache: SegmentCache | None = None,
) -> BuildResult:
    """Build one article into an episode and republish the feed. Idempotent: rerun freely."""
    reporter = reporter or _Silent()
    if engine is not None:
        voices.check(engine)  # a typo is an error even when the article turns out unchanged
    issue = article_mod.read(source)
    key, digest = episode_key(issue), text_hash(issue)
    publish = config.publish_dir
    with show_lock(config.state_dir / "build.lock", config.publish.lock_timeout):
        with Catalog(config.catalog_path) as catalog:
            _recover(config, catalog)
            existing = catalog.by_key(key)
            if existing and existing.text_hash == digest and not force and (day is None or day == existing.date):
                feed_path = _write_feed(config, catalog)
                return BuildResult("skipped", existing, publish / existing.audio, feed_path, existing.voice, "unchanged")
            number = existing.number if existing else catalog.next_number()
            day = _check_date(day or (existing.date if existing else None))
            reporter.stage("Reading")
            the_plan = plan(config, source, engine=engine, issue=issue, number=number, day=day)
            voice = the_plan.voice
            sounds.check_sounds(config.audio, config.root)
            reporter.stage(f"Voice: {voice.description} ({the_plan.reason})")
            store = cache or SegmentCache(config.resolve(config.cache.folder) if config.cache.folder else None)
            try:
                made = _produce(config, issue, the_plan, number, day, reporter, store)
            except OSError as err:  # a full disk or a refused write: the published files are untouched
                raise PublishError(f"cannot write the episode: {err.strerror or err}",
                                   path=err.filename or config.publish_dir) from None
            _checkpoint("renamed")
            now = _utc_now().isoformat()
            episode = Episode(
                key=key,
                guid=existing.guid if existing else str(uuid.uuid5(uuid.UUID(catalog.show_guid(feed.podcast_guid(config.feed_url))), key)),
                number=number,
                title=issue.title,
                slug=slugify(issue.title),
                date=day,
                pub_date=existing.pub_date if existing else (now if day == now[:10] else f"{day}T06:00:00+00:00"),
                duration_ms=made.mastered.duration_ms,
                bytes=made.bytes,
                engine=voice.engine,
                voice=voice.identity,
                text_hash=digest,
                description=made.description,
                notes_html=made.notes,
                updated=now,
                marks=json.dumps([[c.start_ms, c.title] for c in made.mastered.chapters], ensure_ascii=False),
                **made.names,
            )
            catalog.upsert(episode)
            _checkpoint("cataloged")
            feed_path = _write_feed(config, catalog)
            _checkpoint("fed")
            if existing:
                for old in set(existing.files) - set(episode.files):
                    inside(publish, old).unlink(missing_ok=True)
            return BuildResult("updated" if existing else "built", episode, publish / episode.audio, feed_path,
                               voice.description, the_plan.reason, made.cache)


@dataclass(frozen=True)
class _Produced:
    """An episode's files, renamed into the publish folder but not yet in the catalog or feed."""

    names: dict[str, str]  # Episode field -> file name relative to the publish folder
    mastered: Mastered
    bytes: int
    description: str
    notes: str
    cache: CacheStats


def _produce(config: Config, issue: Issue, the_plan: Plan, number: int, day: str, reporter: Reporter,
             store: SegmentCache) -> _Produced:
    """Speech, mastering, tags and sidecars, staged in ``episodes/.build-*`` then renamed into place
    under names that carry the audio's hash, so nothing the current feed lists is overwritten."""
    publish = config.publish_dir
    texts = [s.text for s in the_plan.segments]
    reporter.stage("Synthesizing and mastering", total=len(texts))
    # A stream: segments are spoken in batches while earlier chunks are being encoded.
    audios, stats = store.synthesize(the_plan.voice, texts, reporter.advance, stream=True)
    cover_path = ensure_cover(config)
    episode_dir = publish / EPISODES_DIR
    episode_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{number:03d}-{slugify(issue.title)}"
    with tempfile.TemporaryDirectory(prefix=".build-", dir=episode_dir) as tmp:
        staging = Path(tmp)
        mp3 = staging / "episode.mp3"
        mastered = master.master(
            the_plan.segments, audios, config.audio, mp3,
            jingles=sounds.jingle_paths(config.audio, config.root), chapter_titles=[a.title for a in issue.articles],
            music_bed=sounds.music_bed_path(config.audio, config.root), store=store,
        )
        cue_list = sidecars.cues(the_plan.segments, mastered.placed)
        description = sidecars.description(issue)
        tags.write(
            mp3,
            tags.EpisodeTags(
                title=issue.title, show=config.show.title, author=config.show.author, date=day,
                number=number, description=description, transcript=sidecars.transcript_text(cue_list),
                feed_url=config.feed_url, cover=cover_path.read_bytes(),
                cover_mime="image/png" if cover_path.suffix.lower() == ".png" else "image/jpeg",
            ),
            mastered.chapters,
            version=config.audio.id3_version,
        )
        audio_bytes = mp3.read_bytes()
        version = hashlib.sha256(audio_bytes).hexdigest()[:8]
        staged = {
            "audio": (mp3, ".mp3"),
            "chapters": (staging / "chapters.json", ".chapters.json"),
            "vtt": (staging / "transcript.vtt", ".vtt"),
            "srt": (staging / "transcript.srt", ".srt"),
        }
        staged["chapters"][0].write_text(sidecars.chapters_json(mastered.chapters, issue.title), encoding="utf-8")
        staged["vtt"][0].write_text(sidecars.webvtt(cue_list), encoding="utf-8")
        staged["srt"][0].write_text(sidecars.srt(cue_list), encoding="utf-8")
        names = {field: f"{EPISODES_DIR}/{stem}-{version}{suffix}" for field, (_, suffix) in staged.items()}
        reporter.stage("Publishing")
        _checkpoint("staged")
        for field, (path, _) in staged.items():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(path, inside(publish, names[field]))
    return _Produced(names, mastered, len(audio_bytes), description, sidecars.show_notes(issue, mastered.chapters), stats)


def regenerate_feed(config: Config) -> Path:
    """``podcast feed``: the feed again from the catalog (e.g. after editing podcast.toml)."""
    with show_lock(config.state_dir / "build.lock", config.publish.lock_timeout):
        with Catalog(config.catalog_path) as catalog:
            ensure_cover(config)
            _recover(config, catalog)
            return _write_feed(config, catalog)


def list_episodes(config: Config) -> list[Episode]:
    with Catalog(config.catalog_path) as catalog:
        return catalog.episodes()


def remove(config: Config, ident: str) -> Episode:
    """Take an episode out of the catalog and the feed, then delete its files."""
    with show_lock(config.state_dir / "build.lock", config.publish.lock_timeout):
        with Catalog(config.catalog_path) as catalog:
            _recover(config, catalog)
            episode = catalog.find(ident)
            catalog.remove(episode, _utc_now().isoformat())
            _write_feed(config, catalog)
            for name in episode.files:
                inside(config.publish_dir, name).unlink(missing_ok=True)
            return episode
