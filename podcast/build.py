"""The pipeline: read -> segment -> speak -> master -> tag -> publish.

:func:`plan` reads and segments an article (all ``podcast preview`` needs); :func:`build` runs the
stages in order, each a function from one typed value to the next, inside the publish transaction
of :mod:`podcast.publish` (the show's lock, its catalog, atomic replacement of files and feed).

An episode is its source, not its title (:func:`episode_key`): the same file, front-matter ``id``,
``--id`` or URL updates its episode; another source with the same title is another episode.
"""

from __future__ import annotations

import json
import logging
import os
import string
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

# The stages that make sound (speech rules with num2words, mastering, mutagen's ID3) are imported
# by the functions that run them: an unchanged article is skipped without loading them (~40 ms).
from . import article as article_mod
from . import catalog as catalog_mod
from . import feed, publish, segment, sidecars, voices
from .article import Issue
from .catalog import Catalog, Episode
from .config import Config
from .cover import check_cover, draw_ahead, place_cover
from .dates import check as check_date
from .dates import french_date, meta_day, today, utc_now
from .errors import InputError, PublishError, VoiceError
from .fsutil import slugify
from .identity import episode_key, placeholders, text_hash, title_key
from .voices import cache as cache_mod
from .voices.base import Audio
from .voices.cache import CacheStats, SegmentCache

if TYPE_CHECKING:
    from .timeline import Mastered

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceChoice:
    """Which voice speaks an episode and why: an event for the caller to show as it likes."""

    engine: str  # registry name: "espeak", "gtts"
    identity: str  # what the catalog records, e.g. "espeak-ng:fr:175:50"
    description: str  # for people, e.g. "espeak-ng fr (offline)"
    reason: str  # why this voice, in library words (never a command-line flag)
    fallback: bool  # "auto" found neither a Piper voice nor Google, and took the offline one
    requested: str | None = None  # the engine name the caller asked for; None: the show's voice.engine
    # the voice differs from the show's previous episode's: what changed, in a sentence; None: no change
    change: str | None = None


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
    voice: voices.Cast  # who says what: the host, its headline delivery, the reader
    choice: VoiceChoice
    number: int
    day: date

    def to_dict(self) -> dict[str, object]:
        data = self.issue.to_dict()
        origins = [a.source for a in self.issue.articles]
        data["segments"] = [
            {"article": s.article, "role": s.role, "text": s.text}
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


def _fields(config: Config, issue: Issue, number: int, day: date) -> dict[str, object]:
    """What templates may say (config.TEMPLATE_FIELDS): a transition's {title} is its article's."""
    summary = segment.summary(issue)
    return {
        "show": config.show.title,
        "title": issue.title,
        "number": number,
        "summary": summary,
        "author": config.show.author,
        "date": french_date(day),
        "teaser": issue.teaser or "",
        "contents": f"Au sommaire : {summary}." if len(issue.articles) > 1 else "",
    }


def _template(text: str, config: Config, issue: Issue, number: int, day: date) -> str:
    return text.format(**_fields(config, issue, number, day))


def _transitions(config: Config, issue: Issue, number: int, day: date) -> list[segment.Transition]:
    """Per article, the host's words before and after its title (the template cut at {title})."""
    fields = _fields(config, issue, number, day)
    found: list[segment.Transition] = []
    for template in config.speech.transitions(len(issue.articles)):
        before: list[str] = []
        after: list[str] = []
        seen = False
        for text, name, spec, conversion in string.Formatter().parse(template):
            (after if seen else before).append(text)
            if name == "title" and not seen:
                seen = True
            elif name is not None:
                value = f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
                (after if seen else before).append(value.format(**fields))
        found.append(("".join(before), "".join(after)))
    return found


def choose_voice(
    config: Config, engine: str | None = None, previous: Episode | None = None
) -> tuple[voices.Cast, VoiceChoice]:
    """The voices for a whole episode: ``engine`` when the caller names one, else the show's.

    ``previous`` is the show's latest other episode: a voice unlike its voice is announced (a
    warning and ``VoiceChoice.change``), or refused with ``voice.lock`` (VoiceError, before any sound)."""
    name = engine or config.voice.engine
    origin = f"engine {name} asked for" if engine else f"voice.engine = {name} in podcast.toml"
    the_cast, show = voices.cast(name, config.voice, origin=origin, root=config.root)
    reason = "; ".join((show.reason, *the_cast.notes))
    change = None
    known = previous is not None and previous.voice != "unknown"  # "unknown": recovered, not yet rebuilt
    if previous is not None and known and previous.voice != the_cast.identity:
        change = (
            f"episode {previous.number} was spoken by {previous.engine} ({previous.voice}); "
            f"this one would be by {the_cast.engine} ({the_cast.identity}): {reason}"
        )
        if config.voice.lock:
            raise VoiceError(f"voice.lock: the show's voice would change: {change}; nothing was built")
        log.warning("the show's voice changes: %s", change)
    event = VoiceChoice(
        engine=the_cast.engine,
        identity=the_cast.identity,
        description=the_cast.description,
        reason=reason,
        fallback=name == "auto" and show.voice.engine == voices.OFFLINE,
        requested=engine,
        change=change,
    )
    return the_cast, event


def _number(config: Config, key: str, issue: Issue) -> tuple[int, Episode | None]:
    """The number the episode has or would get, and the show's latest other episode, read without
    writing anything (no catalog yet: 1 and None)."""
    catalog_mod.check_for_show(config.catalog_path, config.publish_dir)
    if not config.catalog_path.exists():
        return 1, None
    with Catalog.open_read_only(config.catalog_path) as catalog:
        existing = catalog.by_key(key) or catalog.unclaimed(title_key(issue))
        number = existing.number if existing else catalog.next_number()
        return number, latest_other(catalog, key)


def latest_other(catalog: Catalog, key: str) -> Episode | None:
    """The show's newest episode other than this one (``key``): whose voice the new one should keep."""
    return next((e for e in catalog.episodes(newest_first=True) if e.key != key), None)


def plan(
    config: Config,
    source: Path | str,
    *,
    engine: str | None = None,
    issue: Issue | None = None,
    number: int | None = None,
    day: date | None = None,
    source_id: str | None = None,
    catalog: Catalog | None = None,
) -> Plan:
    """Read and segment an article for the voices that would speak it. Writes nothing.

    ``catalog`` (the build's open catalog) gives the previous episode whose voice is kept; without
    it the catalog is read, if there is one."""
    from . import speech

    issue = issue or article_mod.read(source, settings=config.read, max_bytes=config.publish.max_article_bytes)
    key = episode_key(config, source, issue, source_id)
    if catalog is not None:
        previous = latest_other(catalog, key)
        if number is None:
            existing = catalog.by_key(key) or catalog.unclaimed(title_key(issue))
            number = existing.number if existing else catalog.next_number()
    else:
        found, previous = _number(config, key, issue)
        number = found if number is None else number
    the_cast, choice = choose_voice(config, engine, previous)
    lexicon_path = config.resolve(config.voice.lexicon) if config.voice.lexicon else None
    speak = speech.speaker(speech.load_lexicon(lexicon_path))
    day = check_date(day) if day is not None else (meta_day(issue.meta.get("date")) or today())
    links = any(article.links for article in issue.articles)
    outro = " ".join(
        _template(t, config, issue, number, day)
        for t in ((config.speech.outro_links if links else ""), config.speech.outro)
        if t.strip()
    )
    segments = segment.segment_issue(
        issue,
        intro=_template(config.speech.intro, config, issue, number, day),
        outro=outro,
        limit=the_cast.max_chars,
        speak=speak,
        transitions=_transitions(config, issue, number, day),
    )
    return Plan(issue, segments, the_cast, choice, number, day)


def item_guid(config: Config, show_guid: str, number: int) -> str:
    """A new episode's GUID, kept for life: from the show's podcast:guid and its number (never
    reused), so ``podcast recover`` finds it again from an MP3's track number. A show not public
    yet gets a random one: every such show shares the loopback podcast:guid."""
    if not feed.public(config):
        return str(uuid.uuid4())
    return str(uuid.uuid5(uuid.UUID(show_guid), f"number:{number}"))  # no title key has a colon


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
    cover = check_cover(config)  # a bad cover fails before any sound is made
    key, digest = episode_key(config, source, issue, source_id), text_hash(issue)
    with publish.session(config) as catalog:
        existing = catalog.by_key(key) or catalog.claim(title_key(issue), key)
        same_day = day is None or (existing is not None and day.isoformat() == existing.date)
        if existing and existing.text_hash == digest and not force and same_day:
            # The session's repair has just written the feed and pages from this catalog: not again.
            feed_path = config.publish_dir / feed.FEED_NAME
            if not feed_path.exists():
                feed_path = publish.write_feed(config, catalog)
            return BuildResult(BuildStatus.SKIPPED, existing, config.publish_dir / existing.audio, feed_path)
        from . import sounds

        sounds.prefetch(config.audio, config.root)  # decoded while the article is read and segmented
        drawn = draw_ahead(config, cover)  # a new show's cover, drawn meanwhile too
        number = existing.number if existing else catalog.next_number()
        if day is None:
            day = date.fromisoformat(existing.date) if existing else (meta_day(issue.meta.get("date")) or today())
        reporter.stage("Reading")
        the_plan = plan(
            config, source, engine=engine, issue=issue, number=number, day=day, source_id=source_id, catalog=catalog
        )
        sounds.check_sounds(config.audio, config.root)
        reporter.voice(the_plan.choice)
        store = cache or SegmentCache(config.resolve(config.cache.folder) if config.cache.folder else None)
        try:
            made = _produce(config, the_plan, reporter, store, cover, drawn)
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
    """Stage "speak": every segment's audio, from the cache or its role's voice. A stream: segments
    are spoken in batches, per voice, while earlier chunks are being encoded."""
    reporter.stage("Synthesizing and mastering", total=len(the_plan.segments))
    cast = the_plan.voice
    slots = cast.slots(s.role for s in the_plan.segments)
    streams: dict[int, Iterator[Audio]] = {}
    stats = CacheStats()
    for slot, voice in enumerate(cast.voices):
        texts = [s.text for s, who in zip(the_plan.segments, slots) if who == slot]
        if texts:
            audios, found = store.synthesize(voice, texts, reporter.advance, stream=True)
            streams[slot] = iter(audios)
            stats.hits, stats.misses = stats.hits + found.hits, stats.misses + found.misses
    return (next(streams[who]) for who in slots), stats


def master_audio(
    config: Config, the_plan: Plan, audios: Iterable[Audio], store: SegmentCache, target: Path
) -> Mastered:
    """Stage "master": segments and the show's sounds -> one loudness-normalized MP3 at ``target``."""
    from . import master, sounds

    return master.master(
        the_plan.segments,
        audios,
        config.audio,
        target,
        jingles=sounds.jingle_paths(config.audio, config.root),
        chapter_titles=[a.title for a in the_plan.issue.articles],
        music_bed=sounds.music_bed_path(config.audio, config.root),
        store=store,
        rate=the_plan.voice.rate,
    )


def tag(config: Config, the_plan: Plan, mastered: Mastered, mp3: Path, cover_path: Path) -> dict[str, Path]:
    """Stage "tag": ID3 tags and chapters on the MP3, chapters and transcripts beside it.
    Returns Episode field -> file, ready for :func:`publish.place`."""
    from . import tags

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
            engine=the_plan.voice.engine,
            voice=the_plan.voice.identity,
            link=_link(issue) or "",
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


def _produce(
    config: Config,
    the_plan: Plan,
    reporter: Reporter,
    store: SegmentCache,
    cover: bytes | None,
    drawn: Future[bytes] | None = None,
) -> _Produced:
    """speak -> master -> tag in a staging folder, then the files placed under new names. ``cover``:
    the show's own cover as :func:`check_cover` read it (None: the default, ``drawn`` ahead)."""
    issue = the_plan.issue
    audios, stats = speak(the_plan, store, reporter)
    cover_path = place_cover(config, cover, drawn)
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
    from .chunks import CHUNK_SECONDS

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
