"""The pipeline: read -> segment -> speak -> master -> tag -> publish.

:func:`plan` reads and segments an article (all ``podcast preview`` needs); :func:`build` runs the
stages in order, each a function from one typed value to the next, inside the publish transaction
of :mod:`podcast.publish` (the show's lock, its catalog, atomic replacement of files and feed).

An episode is its source, not its title (:func:`episode_key`): the same file, front-matter ``id``,
``--id`` or URL updates its episode; another source with the same title is another episode.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from . import article as article_mod
from . import catalog as catalog_mod
from . import feed, master, publish, segment, sidecars, sounds, sources, speech, tags, voices
from .article import Issue
from .catalog import Catalog, Episode
from .chunks import CHUNK_SECONDS
from .config import Config, placeholders
from .cover import check_cover, ensure_cover
from .dates import check as check_date
from .dates import french_date, today, utc_now
from .errors import InputError, PublishError
from .fsutil import slugify
from .timeline import Mastered
from .voices import cache as cache_mod
from .voices.base import Audio
from .voices.cache import CacheStats, SegmentCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceChoice:
    """Which voice speaks an episode and why: an event for the caller to show as it likes."""

    engine: str  # registry name: "espeak", "gtts"
    identity: str  # what the catalog records, e.g. "espeak-ng:fr:175:50"
    description: str  # for people, e.g. "espeak-ng fr (offline)"
    reason: str  # why this voice, in library words (never a command-line flag)
    fallback: bool  # "auto" could not reach the online voice and took the offline one
    requested: str | None = None  # the engine name the caller asked for; None: the show's voice.engine


class Reporter(Protocol):
    """Where a build tells its progress (the CLI draws bars and prints the voice line)."""

    def stage(self, name: str, total: int | None = None) -> None: ...
    def advance(self, count: int) -> None: ...
    def voice(self, choice: VoiceChoice) -> None: ...


class _Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        log.info("%s", name)

    def advance(self, count: int) -> None:
        pass

    def voice(self, choice: VoiceChoice) -> None:
        log.info("voice: %s (%s)", choice.description, choice.reason)


class BuildStatus(StrEnum):
    """What a build did with the article."""

    BUILT = "built"  # a new episode
    UPDATED = "updated"  # an existing episode, rebuilt in place (same GUID and number)
    SKIPPED = "skipped"  # unchanged: nothing spoken, nothing replaced


@dataclass(frozen=True)
class Plan:
    """What an article becomes before any sound is made (``podcast preview``)."""

    issue: Issue
    segments: list[segment.Segment]
    voice: voices.Voice
    choice: VoiceChoice
    number: int
    day: date

    def to_dict(self) -> dict[str, object]:
        data = self.issue.to_dict()
        origins = [a.source for a in self.issue.articles]
        data["segments"] = [
            {"article": s.article, "text": s.text}
            | ({"source": origins[s.article]} if s.article is not None and origins[s.article] else {})
            for s in self.segments
        ]
        return data


@dataclass(frozen=True)
class BuildResult:
    """The episode as published after this build. Which voice spoke it is ``episode.engine`` and
    ``episode.voice`` (its identity) whatever the status; ``voice`` is the choice made by this run,
    None when skipped (nothing was spoken)."""

    status: BuildStatus
    episode: Episode
    audio_path: Path
    feed_path: Path
    voice: VoiceChoice | None = None
    cache: CacheStats | None = None

    @property
    def scheduled(self) -> bool:
        """Built but not in the feed yet: its publication time (a future date) has not come."""
        return not feed.due(self.episode)


def _template(text: str, config: Config, issue: Issue, number: int, day: date) -> str:
    return text.format(
        show=config.show.title,
        title=issue.title,
        number=number,
        summary=segment.summary(issue),
        author=config.show.author,
        date=french_date(day),
        teaser=issue.teaser or "",
    )


def choose_voice(config: Config, engine: str | None = None) -> tuple[voices.Voice, VoiceChoice]:
    """The voice for a whole episode: ``engine`` when the caller names one, else the show's."""
    name = engine or config.voice.engine
    origin = f"engine {name} asked for" if engine else f"voice.engine = {name} in podcast.toml"
    chosen = voices.choose(name, config.voice, origin=origin, root=config.root)
    voice = chosen.voice
    event = VoiceChoice(
        engine=voice.engine,
        identity=voice.identity,
        description=voice.description,
        reason=chosen.reason,
        fallback=name == "auto" and voice.engine != voices.ONLINE,
        requested=engine,
    )
    return voice, event


def _number(config: Config, key: str, issue: Issue) -> int:
    """The number the episode has or would get, read without writing anything (no catalog yet: 1)."""
    catalog_mod.check_for_show(config.catalog_path, config.publish_dir)
    if not config.catalog_path.exists():
        return 1
    with Catalog.open_read_only(config.catalog_path) as catalog:
        existing = catalog.by_key(key) or catalog.unclaimed(title_key(issue))
        return existing.number if existing else catalog.next_number()


def plan(
    config: Config,
    source: Path | str,
    *,
    engine: str | None = None,
    issue: Issue | None = None,
    number: int | None = None,
    day: date | None = None,
    source_id: str | None = None,
) -> Plan:
    """Read and segment an article for the voice that would speak it. Writes nothing."""
    issue = issue or article_mod.read(source, settings=config.read, max_bytes=config.publish.max_article_bytes)
    voice, choice = choose_voice(config, engine)
    lexicon_path = config.resolve(config.voice.lexicon) if config.voice.lexicon else None
    speak = speech.speaker(speech.load_lexicon(lexicon_path))
    if number is None:
        number = _number(config, episode_key(config, source, issue, source_id), issue)
    day = check_date(day) if day is not None else (sources.issue_day(issue) or today())
    segments = segment.segment_issue(
        issue,
        intro=_template(config.speech.intro, config, issue, number, day),
        outro=_template(config.speech.outro, config, issue, number, day),
        limit=voice.max_chars,
        speak=speak,
    )
    return Plan(issue, segments, voice, choice, number, day)


def episode_key(config: Config, source: Path | str, issue: Issue, source_id: str | None = None) -> str:
    """What makes two builds the same episode: its source, not its title. In order: ``source_id``
    (``--id``), the ``id`` of the front matter (a feed item's guid), a canonical ``url``, else the
    file: its path relative to the show folder when inside it, else its resolved absolute path.
    The prefixes keep the kinds apart, and no title key (a slug) contains a colon."""
    for kind, value in (("id", source_id), ("id", issue.meta.get("id")), ("url", issue.meta.get("url"))):
        text = str(value).strip() if value is not None else ""
        if text:
            return f"{kind}:{text}"
    if isinstance(source, str) and "://" in source:  # a page that names no canonical URL
        return f"url:{source}"
    path = Path(source).resolve()
    try:
        return f"file:{path.relative_to(config.root).as_posix()}"
    except ValueError:
        return f"file:{path.as_posix()}"


def title_key(issue: Issue) -> str:
    """How episodes were keyed before sources were (their title's slug): the key of legacy rows,
    which the first build of the same title from a new source adopts (:meth:`Catalog.claim`).
    A title with nothing to slug (emoji, another script) is keyed by its hash."""
    digest = hashlib.sha256(issue.title.encode("utf-8")).hexdigest()[:12]
    return slugify(issue.title, max_length=120, fallback=f"episode-{digest}")


def item_guid(config: Config, show_guid: str, number: int) -> str:
    """A new episode's GUID, kept for life: from the show's podcast:guid and its number (never
    reused), so ``podcast recover`` finds it again from an MP3's track number. A show not public
    yet gets a random one: every such show shares the loopback podcast:guid."""
    if not feed.public(config):
        return str(uuid.uuid4())
    return str(uuid.uuid5(uuid.UUID(show_guid), f"number:{number}"))  # no title key has a colon


def text_hash(issue: Issue) -> str:
    return hashlib.sha256(json.dumps(issue.to_dict(), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


_WARNED: set[tuple[Path, str]] = set()


def _warn_placeholders(config: Config) -> None:
    """One warning line per placeholder setting, once per show and process (an inbox run builds
    many articles of one show: its log says it once)."""
    for warning in placeholders(config):
        if (config.root, warning) not in _WARNED:
            _WARNED.add((config.root, warning))
            log.warning("%s", warning)


def build(
    config: Config,
    source: Path | str,
    *,
    issue: Issue | None = None,
    engine: str | None = None,
    day: date | None = None,
    force: bool = False,
    reporter: Reporter | None = None,
    cache: SegmentCache | None = None,
    source_id: str | None = None,
) -> BuildResult:
    """Build one article into an episode and republish the feed. Idempotent: rerun freely.

    ``source``: a file or an http(s) page (:mod:`podcast.sources`); ``issue``: already read (a feed item).
    ``source_id`` names the episode's source when the file does not (``--id``): see :func:`episode_key`.
    A ``day`` in the future schedules the episode: built and cataloged now, in the feed from that day."""
    reporter = reporter or _Silent()
    if engine is not None:
        voices.check(engine)  # a typo is an error even when the article turns out unchanged
    if day is not None:
        check_date(day)
    if source_id is not None and not source_id.strip():
        raise InputError("the episode id must not be empty")
    _warn_placeholders(config)
    issue = issue or article_mod.read(source, settings=config.read, max_bytes=config.publish.max_article_bytes)
    check_cover(config)  # a bad cover fails before any sound is made
    key, digest = episode_key(config, source, issue, source_id), text_hash(issue)
    with publish.session(config) as catalog:
        existing = catalog.by_key(key) or catalog.claim(title_key(issue), key)
        same_day = day is None or (existing is not None and day.isoformat() == existing.date)
        if existing and existing.text_hash == digest and not force and same_day:
            feed_path = publish.write_feed(config, catalog)
            return BuildResult(BuildStatus.SKIPPED, existing, config.publish_dir / existing.audio, feed_path)
        number = existing.number if existing else catalog.next_number()
        if day is None:
            day = date.fromisoformat(existing.date) if existing else (sources.issue_day(issue) or today())
        reporter.stage("Reading")
        the_plan = plan(config, source, engine=engine, issue=issue, number=number, day=day)  # segment
        sounds.check_sounds(config.audio, config.root)
        reporter.voice(the_plan.choice)
        store = cache or SegmentCache(config.resolve(config.cache.folder) if config.cache.folder else None)
        try:
            made = _produce(config, the_plan, reporter, store)
            cache_mod.record_use(store, the_plan.voice.identity, [s.text for s in the_plan.segments], made.cache)
        except OSError as err:  # a full disk or a refused write: the published files are untouched
            raise PublishError(
                f"cannot write the episode: {err.strerror or err}", path=err.filename or config.publish_dir
            ) from None
        episode = _episode(catalog, config, the_plan, made, key, digest, existing)
        feed_path = publish.commit(config, catalog, episode, existing)  # publish
        status = BuildStatus.UPDATED if existing else BuildStatus.BUILT
        cache_mod.evict(store, config.cache.max_bytes)
        return BuildResult(status, episode, config.publish_dir / episode.audio, feed_path, the_plan.choice, made.cache)


@dataclass(frozen=True)
class _Produced:
    """An episode's files, placed in the publish folder but not yet in the catalog or feed."""

    names: dict[str, str]  # Episode field -> file name relative to the publish folder
    mastered: Mastered
    bytes: int
    description: str
    notes: str
    cache: CacheStats


def speak(the_plan: Plan, store: SegmentCache, reporter: Reporter) -> tuple[Iterable[Audio], CacheStats]:
    """Stage "speak": every segment's audio, from the cache or the voice. A stream: segments are
    spoken in batches while earlier chunks are being encoded."""
    texts = [s.text for s in the_plan.segments]
    reporter.stage("Synthesizing and mastering", total=len(texts))
    return store.synthesize(the_plan.voice, texts, reporter.advance, stream=True)


def master_audio(
    config: Config, the_plan: Plan, audios: Iterable[Audio], store: SegmentCache, target: Path
) -> Mastered:
    """Stage "master": segments and the show's sounds -> one loudness-normalized MP3 at ``target``."""
    return master.master(
        the_plan.segments,
        audios,
        config.audio,
        target,
        jingles=sounds.jingle_paths(config.audio, config.root),
        chapter_titles=[a.title for a in the_plan.issue.articles],
        music_bed=sounds.music_bed_path(config.audio, config.root),
        store=store,
    )


def tag(config: Config, the_plan: Plan, mastered: Mastered, mp3: Path, cover_path: Path) -> dict[str, Path]:
    """Stage "tag": ID3 tags and chapters on the MP3, chapters and transcripts beside it.
    Returns Episode field -> file, ready for :func:`publish.place`."""
    issue, folder = the_plan.issue, mp3.parent
    cue_list = sidecars.cues(the_plan.segments, mastered.placed)
    tags.write(
        mp3,
        tags.EpisodeTags(
            title=issue.title,
            show=config.show.title,
            author=config.show.author,
            date=the_plan.day.isoformat(),
            number=the_plan.number,
            description=sidecars.description(issue),
            transcript=sidecars.transcript_text(cue_list),
            feed_url=config.feed_url,
            cover=cover_path.read_bytes(),
            cover_mime="image/png" if cover_path.suffix.lower() == ".png" else "image/jpeg",
        ),
        mastered.chapters,
        version=config.audio.id3_version,
    )
    files = {
        "audio": mp3,
        "chapters": folder / "chapters.json",
        "vtt": folder / "transcript.vtt",
        "srt": folder / "transcript.srt",
    }
    files["chapters"].write_text(sidecars.chapters_json(mastered.chapters, issue.title), encoding="utf-8")
    files["vtt"].write_text(sidecars.webvtt(cue_list), encoding="utf-8")
    files["srt"].write_text(sidecars.srt(cue_list), encoding="utf-8")
    return files


def _produce(config: Config, the_plan: Plan, reporter: Reporter, store: SegmentCache) -> _Produced:
    """speak -> master -> tag in a staging folder, then the files placed under new names."""
    issue = the_plan.issue
    audios, stats = speak(the_plan, store, reporter)
    cover_path = ensure_cover(config)
    with publish.staging(config, _expected_bytes(config, the_plan)) as folder:
        mp3 = folder / "episode.mp3"
        mastered = master_audio(config, the_plan, audios, store, mp3)
        files = tag(config, the_plan, mastered, mp3, cover_path)
        size = files["audio"].stat().st_size
        reporter.stage("Publishing")
        stem = f"{the_plan.number:03d}-{slugify(issue.title)}"
        names = publish.place(config, files, stem, duration_ms=mastered.duration_ms)
    return _Produced(
        names, mastered, size, sidecars.description(issue), sidecars.show_notes(issue, mastered.chapters), stats
    )


SPOKEN_CHARS_PER_SECOND = 12  # slower than any voice reads: the estimate errs on the large side


def _expected_bytes(config: Config, the_plan: Plan) -> int:
    """About how much the episode's staging holds at most: the MP3 at its bitrate, and the speech
    and music tracks of the chunks being encoded at once (one per core)."""
    seconds = sum(len(s.text) for s in the_plan.segments) / SPOKEN_CHARS_PER_SECOND + 60
    chunk_tracks = (os.cpu_count() or 1) * CHUNK_SECONDS * 4 * (the_plan.voice.rate + config.audio.sample_rate)
    return int(seconds * config.audio.bitrate * 125) + chunk_tracks


def _episode(
    catalog: Catalog, config: Config, the_plan: Plan, made: _Produced, key: str, digest: str, existing: Episode | None
) -> Episode:
    """The catalog row for a placed episode; GUID and number are kept, and the publication date
    too unless the episode's date changed: then it moves with it (ID3, catalog and feed agree)."""
    issue, day, now = the_plan.issue, the_plan.day.isoformat(), utc_now().isoformat()
    show_guid = feed.show_guid(config, catalog)
    if existing is not None and existing.date == day:
        pub_date = existing.pub_date
    else:  # today: now; another day (past, or future: scheduled until then): that day's morning
        pub_date = now if day == now[:10] else f"{day}T06:00:00+00:00"
    return Episode(
        key=key,
        guid=existing.guid if existing else item_guid(config, show_guid, the_plan.number),
        number=the_plan.number,
        title=issue.title,
        slug=slugify(issue.title),
        date=day,
        pub_date=pub_date,
        duration_ms=made.mastered.duration_ms,
        bytes=made.bytes,
        engine=the_plan.voice.engine,
        voice=the_plan.voice.identity,
        text_hash=digest,
        description=made.description,
        notes_html=made.notes,
        updated=now,
        marks=json.dumps([[c.start_ms, c.title] for c in made.mastered.chapters], ensure_ascii=False),
        audio=made.names["audio"],
        chapters=made.names.get("chapters"),
        vtt=made.names.get("vtt"),
        srt=made.names.get("srt"),
        link=_link(issue),
    )


def _link(issue: Issue) -> str | None:
    """The canonical address of the page or feed item the issue was read from (http(s) only)."""
    url = str(issue.meta.get("url") or "")
    return url if url.startswith(("http://", "https://")) and len(url) < 2000 else None
