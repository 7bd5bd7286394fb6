"""``podcast recover``: rebuild a lost or damaged catalog from what the show has published.

The feed says most of it (GUIDs, numbers, titles, dates, enclosures, descriptions, show notes,
inline chapters, sidecar links, the show's podcast:guid); the MP3s' ID3 tags give the episode's
own date and, for episodes the feed no longer lists (``publish.keep``), title, number, description
and chapters. The sidecars are found by the audio's file stem when the feed does not link them.

What nothing published keeps is filled in so the next build does the right thing:

- the source that made an episode is not published: a recovered row is unclaimed (keyed
  ``recovered:<guid>``, its title key in ``legacy_key``), and the next build of that title adopts
  it when it is the only unclaimed row of that title (see ``Catalog.claim``);
- ``text_hash`` is ``"recovered"``, never a real digest: that build is an update (same GUID,
  number and first publication date) and not a duplicate or a skip;
- ``engine`` and ``voice`` come from the MP3's TXXX frames (written since they were added to
  :mod:`podcast.tags`); an older MP3's are ``"unknown"`` until that update;
- the source page an episode was read from is the feed item's ``<link>`` when it is neither the
  audio's own address nor its page, else the MP3's WOAS frame;
- an episode known only from its MP3 gets the GUID a build gives (UUIDv5 of the show's
  podcast:guid and its number; episodes made before source keys had their title key instead, so
  theirs differs), ``{date}T06:00:00+00:00`` as first publication and its description as show notes.

- the highest number ever given: that of an episode found, or the one a removal kept in the
  publish folder (``catalog.LAST_NUMBER_FILE``), whichever is higher, so that a removed last
  episode's number is not given again.

The new catalog is written beside the old one and renamed into place; the old file (with its
``-wal`` and ``-shm``) is kept as ``catalog.sqlite.broken-<time>``. Nothing in the publish folder
is written: ``podcast feed`` then republishes from the recovered catalog.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from lxml import etree
from mutagen import MutagenError
from mutagen.id3 import ID3, ID3NoHeaderError
from mutagen.mp3 import MP3

from . import feed, tags
from .article import Issue
from .catalog import Catalog, Episode, kept_last_number, problem
from .config import Config
from .errors import CatalogError, InputError
from .fsutil import inside, slugify
from .identity import title_key
from .lock import show_lock
from .publish import EPISODES_DIR

log = logging.getLogger(__name__)

RECOVERED_HASH = "recovered"  # never a sha256: the next build of the article updates the episode
UNKNOWN = "unknown"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_NUMBERED = re.compile(r"^(\d{1,18})-")
_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$")


@dataclass
class Recovered:
    """What ``recover`` did: the episodes now in the catalog and what it had to leave out."""

    catalog: Path
    episodes: list[Episode] = field(default_factory=list)
    backup: Path | None = None
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Found:
    """One episode as the published files describe it; None where they say nothing."""

    audio: str
    guid: str | None = None
    number: int | None = None
    title: str | None = None
    date: str | None = None
    pub_date: str | None = None
    duration_s: int | None = None
    description: str | None = None
    notes_html: str | None = None
    chapters: str | None = None
    vtt: str | None = None
    srt: str | None = None
    marks: list[tuple[int, str]] | None = None
    engine: str | None = None
    voice: str | None = None
    link: str | None = None


def _iso(rfc2822: str | None) -> str | None:
    if not rfc2822:
        return None
    try:
        when = parsedate_to_datetime(rfc2822.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat()


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        return None
    return int(text)


def _seconds(text: str | None) -> int | None:
    """itunes:duration: seconds, or [h:]mm:ss."""
    parts = (text or "").strip().split(":")
    numbers = [_int(p) for p in parts]
    if not parts or len(parts) > 3 or any(n is None for n in numbers):
        return None
    total = 0
    for n in numbers:
        total = total * 60 + (n or 0)
    return total


def _ms(clock: str) -> int | None:
    match = _CLOCK.match(clock.strip())
    if not match:
        return None
    hours, minutes, seconds, millis = match.groups()
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int((millis or "0").ljust(3, "0"))


def _relative(url: str | None, base: str) -> str | None:
    """A feed URL as a file name relative to the publish folder (``episodes/NAME``)."""
    if not url:
        return None
    if url.startswith(base):
        name = url[len(base) :]
    else:  # the show moved (base_url changed): the file keeps its name under episodes/
        name = f"{EPISODES_DIR}/{unquote(urlsplit(url).path).rsplit('/', 1)[-1]}"
    return unquote(name) if name.startswith(f"{EPISODES_DIR}/") else None


def _read_feed(config: Config) -> tuple[list[_Found], str | None, str | None]:
    """The feed's items, the show's podcast:guid and lastBuildDate (ISO); nothing when it has no feed."""
    path = config.publish_dir / feed.FEED_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], None, None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise CatalogError(f"the feed cannot be read to recover from ({err})", path=path) from None
    channel = root.find("channel")
    if channel is None:
        return [], None, None
    base = config.base_url
    podcast, itunes = f"{{{feed.PODCAST_NS}}}", f"{{{feed.ITUNES_NS}}}"
    items: list[_Found] = []
    for item in channel.iter("item"):
        enclosure = item.find("enclosure")
        audio = _relative(enclosure.get("url") if enclosure is not None else None, base)
        if audio is None:
            log.warning("feed item %r: no enclosure under episodes/; left out", item.findtext("title"))
            continue
        link = (item.findtext("link") or "").strip()
        ours = {audio, str(PurePosixPath(audio).with_suffix(".html"))}  # its MP3, or its page (podcast.site)
        found = _Found(
            audio=audio,
            link=link if link.startswith(("http://", "https://")) and _relative(link, base) not in ours else None,
            guid=(item.findtext("guid") or "").strip() or None,
            number=_int(item.findtext(f"{itunes}episode")),
            title=item.findtext("title"),
            pub_date=_iso(item.findtext("pubDate")),
            duration_s=_seconds(item.findtext(f"{itunes}duration")),
            description=item.findtext("description"),
            notes_html=item.findtext(f"{{{CONTENT_NS}}}encoded"),
        )
        chapters = item.find(f"{podcast}chapters")
        if chapters is not None:
            found.chapters = _relative(chapters.get("url"), base)
        for transcript in item.iter(f"{podcast}transcript"):
            kind = "vtt" if transcript.get("type") == "text/vtt" else "srt"
            setattr(found, kind, _relative(transcript.get("url"), base))
        inline = item.find(f"{{{feed.PSC_NS}}}chapters")
        if inline is not None:
            points = inline.iter(f"{{{feed.PSC_NS}}}chapter")
            marks = [(_ms(c.get("start") or ""), c.get("title") or "") for c in points]
            found.marks = [(start, title) for start, title in marks if start is not None]
        items.append(found)
    guid = (channel.findtext(f"{podcast}guid") or "").strip() or None
    return items, guid, _iso(channel.findtext("lastBuildDate"))


def _read_tags(config: Config, found: _Found) -> int | None:
    """Fill what the feed did not say from the MP3's ID3 tag; returns the audio's length in ms."""
    path = inside(config.publish_dir, found.audio)
    try:
        length_ms = round(MP3(path).info.length * 1000)  # type: ignore[attr-defined]
    except (MutagenError, OSError):
        length_ms = None
    try:
        tag = ID3(path)  # ID3v2.3's TYER + TDAT are read back as TDRC
    except (ID3NoHeaderError, MutagenError, OSError):
        return length_ms
    text = {key: str(frame.text[0]) for key, frame in tag.items() if getattr(frame, "text", None)}
    found.title = found.title or text.get("TIT2")
    found.number = found.number if found.number is not None else _int((text.get("TRCK") or "").split("/")[0])
    tdrc = text.get("TDRC", "")
    found.date = tdrc[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", tdrc) else None
    comments = [str(f.text[0]) for f in tag.getall("COMM") if f.desc == "" and f.text]
    found.engine = text.get(f"TXXX:{tags.ENGINE_DESC}") or None
    found.voice = text.get(f"TXXX:{tags.VOICE_DESC}") or None
    sources = [str(f.url) for f in tag.getall("WOAS") if str(f.url).startswith(("http://", "https://"))]
    found.link = found.link or (sources[0] if sources else None)
    found.description = found.description or (comments[0] if comments else text.get("TDES"))
    if found.marks is None:
        chaps = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
        found.marks = [
            (c.start_time, str(c.sub_frames["TIT2"].text[0]) if "TIT2" in c.sub_frames else "") for c in chaps
        ]
    return length_ms


def _sidecars(config: Config, found: _Found) -> None:
    """Sidecars the feed did not link, found beside the audio by its stem; links to missing files dropped."""
    stem = found.audio[: -len(".mp3")] if found.audio.endswith(".mp3") else found.audio
    for name, suffix in (("chapters", ".chapters.json"), ("vtt", ".vtt"), ("srt", ".srt")):
        current = getattr(found, name) or stem + suffix
        setattr(found, name, current if inside(config.publish_dir, current).is_file() else None)
    if found.marks is None and found.chapters:
        try:
            doc = json.loads(inside(config.publish_dir, found.chapters).read_text(encoding="utf-8"))
            found.marks = [(round(float(c["startTime"]) * 1000), str(c.get("title", ""))) for c in doc["chapters"]]
        except (OSError, ValueError, KeyError, TypeError):
            found.marks = None


def _episode(config: Config, found: _Found, show_guid: str, changed: str | None) -> Episode | str:
    """The catalog row for what was found, or why it cannot be one."""
    path = inside(config.publish_dir, found.audio)
    if not path.is_file():
        return f"{found.audio}: listed by the feed but missing; left out"
    length_ms = _read_tags(config, found)
    _sidecars(config, found)
    if not found.title or found.number is None:
        return f"{found.audio}: no title or episode number in the feed or the ID3 tag; left out"
    if found.number > 2**63 - 1:
        return f"{found.audio}: episode number out of range; left out"
    # The feed does not say which source made an episode: a recovered row is unclaimed, under its
    # title key, and the next build of that title adopts it (Catalog.claim) when it is the only one.
    legacy = title_key(Issue(title=found.title, articles=()))
    day = found.date or (found.pub_date or "")[:10]
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", day):
        return f"{found.audio}: no date in the feed or the ID3 tag; left out"
    # The feed rounds to seconds: keep the MP3's own length where it rounds to what the feed said.
    duration_ms = length_ms or 0
    if found.duration_s is not None and round(duration_ms / 1000) != found.duration_s:
        duration_ms = found.duration_s * 1000
    pub_date = found.pub_date or f"{day}T06:00:00+00:00"
    notes = found.notes_html
    if notes is None:
        notes = f"<p>{html.escape(found.description or found.title)}</p>"
    guid = found.guid or str(uuid.uuid5(uuid.UUID(show_guid), f"number:{found.number}"))  # as build.item_guid
    return Episode(
        key=f"recovered:{guid}",
        guid=guid,
        number=found.number,
        title=found.title,
        slug=slugify(found.title),
        date=day,
        pub_date=pub_date,
        duration_ms=duration_ms,
        bytes=path.stat().st_size,
        audio=found.audio,
        chapters=found.chapters,
        vtt=found.vtt,
        srt=found.srt,
        engine=found.engine or UNKNOWN,
        voice=found.voice or UNKNOWN,
        link=found.link,
        text_hash=RECOVERED_HASH,
        description=found.description or "",
        notes_html=notes,
        updated=changed or pub_date,
        marks=json.dumps([[start, title] for start, title in found.marks or []], ensure_ascii=False),
        legacy_key=legacy,
    )


def _unlisted_audio(config: Config, listed: set[str]) -> list[_Found]:
    """MP3s under episodes/ the feed does not list (older than ``publish.keep``), highest number first."""
    folder = config.publish_dir / EPISODES_DIR
    try:
        names = sorted(
            (p.name for p in folder.iterdir() if p.suffix == ".mp3" and not p.name.startswith(".")), reverse=True
        )
    except OSError:
        return []
    found = []
    for name in names:
        audio = f"{EPISODES_DIR}/{name}"
        if audio not in listed:
            number = _NUMBERED.match(name)
            found.append(_Found(audio=audio, number=int(number.group(1)) if number else None))
    return found


def collect(config: Config) -> tuple[list[Episode], str, str | None, list[str]]:
    """Everything recoverable: episodes (the feed's first), the show's podcast:guid, the last
    change (ISO) and what had to be left out. Reads only."""
    items, show_guid, changed = _read_feed(config)
    show_guid = show_guid or feed.podcast_guid(config.feed_url)
    try:
        uuid.UUID(show_guid)
    except ValueError:
        show_guid = feed.podcast_guid(config.feed_url)
    episodes: list[Episode] = []
    skipped: list[str] = []
    seen: dict[str, set[object]] = {"key": set(), "guid": set(), "number": set()}
    for found in items + _unlisted_audio(config, {f.audio for f in items}):
        made = _episode(config, found, show_guid, changed)
        if isinstance(made, str):
            skipped.append(made)
            continue
        clash = [name for name in seen if getattr(made, name) in seen[name]]
        if clash:  # a leftover of an interrupted update, or a second copy: the feed's (or newest) wins
            skipped.append(f"{made.audio}: same {clash[0]} as an episode already recovered; left out")
            continue
        for name in seen:
            seen[name].add(getattr(made, name))
        episodes.append(made)
    for reason in skipped:
        log.warning("%s", reason)
    return episodes, show_guid, changed, skipped


def _backup(path: Path) -> Path | None:
    """Move the old catalog and its WAL files aside (a stale -wal would be replayed into the new one)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.broken-{stamp}")
    moved = None
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if os.path.lexists(source):
            os.replace(source, f"{backup}{suffix}")
            moved = backup
    return moved


def recover(config: Config, *, force: bool = False) -> Recovered:
    """Rebuild the show's catalog from its feed, sidecars and ID3 tags, under the build lock.

    Refuses to replace a usable catalog unless ``force`` (the old one is then kept as a backup)."""
    path = config.catalog_path
    with show_lock(config.state_dir / "build.lock", config.publish.lock_timeout):
        if problem(path) is None and not force:
            raise InputError(
                "the catalog is usable; 'podcast recover --force' replaces it (keeping a backup)", path=path
            )
        episodes, show_guid, changed, skipped = collect(config)
        temporary = path.with_name(f".{path.name}.recover-{os.getpid()}")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{temporary}{suffix}").unlink(missing_ok=True)
        try:
            with Catalog(temporary) as catalog:
                for episode in sorted(episodes, key=lambda e: e.number):
                    catalog.upsert(episode)
                if feed.public(config) or show_guid != feed.podcast_guid(config.feed_url):
                    # as a build does: a placeholder base_url's GUID is shown, never kept
                    catalog.set_meta("podcast_guid", show_guid)
                # A removed episode's number is not in the feed nor in the MP3s: its file keeps it.
                last = max([kept_last_number(config.publish_dir), *(e.number for e in episodes)])
                if last:
                    catalog.set_meta("last_number", str(last))
                stamp = changed or max((e.updated for e in episodes), default=None)
                if stamp:
                    catalog.set_meta("changed", stamp)
            backup = _backup(path)
            os.replace(temporary, path)
        except BaseException:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{temporary}{suffix}").unlink(missing_ok=True)
            raise
    log.info("recovered %d episode(s) into %s", len(episodes), path)
    return Recovered(path, sorted(episodes, key=lambda e: e.number, reverse=True), backup, skipped)
