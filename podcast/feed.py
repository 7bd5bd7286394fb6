"""Catalog -> RSS 2.0 with iTunes tags and the Podcasting 2.0 namespace, written atomically.

feedgen writes the RSS and the iTunes tags; :class:`PodcastIndexExtension` adds what feedgen does
not know (``podcast:*`` tags, and ``itunes:explicit`` as Apple now documents it: true/false).
The clock decides one thing only: which episodes are due (a future ``--date`` schedules an
episode, which the feed lists from its publication time on). Otherwise the same catalog gives the
same bytes, and ``lastBuildDate`` is the latest of the catalog's last change and the newest listed
publication.

The show's identity: ``podcast:guid`` is derived from the feed URL and then kept for life in the
catalog, but only once ``base_url`` is a public address (a show built on the loopback default must
not freeze the GUID every such show shares). The first public feed URL is remembered too; when
``base_url`` changes later the feed carries ``itunes:new-feed-url`` so apps follow the move.

gPodder's ``podcastparser`` only maps the namespace's old GitHub URI to ``podcast:``, so it does
not see ``podcast:chapters`` or ``podcast:transcript`` under the current URI. Declaring both URIs
and writing every tag twice would hand spec-following clients (which must treat the two URIs as
one) a duplicate ``podcast:chapters``, a single-count tag. Instead each item also carries its
chapters inline as Podlove Simple Chapters (``psc:``), a separate standard that podcastparser,
gPodder and AntennaPod read; transcripts stay ``podcast:transcript`` only (VTT and SRT).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from . import dates
from .catalog import Episode
from .config import Config, valid_email
from .fsutil import slugify, write_atomic
from .identity import placeholder_host
from .sidecars import clock
from .site import INDEX_NAME, page_name

if TYPE_CHECKING:
    from .catalog import Catalog

log = logging.getLogger(__name__)

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_NAME = "feed.xml"
COVER_NAME = "cover.png"

# XML 1.0 forbids most C0 controls; C1 controls and non-characters are legal but break readers.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    """Text safe for an XML document: control characters dropped (escaping is lxml's job)."""
    return _NOT_XML.sub("", text)


def cover_name(config: Config) -> str:
    """The cover's file name in the publish folder: a slug of the show's own file, or the default."""
    if not config.show.cover:
        return COVER_NAME
    own = Path(config.show.cover)
    return slugify(own.stem) + own.suffix.lower()


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without scheme and trailing slashes (the namespace's rule)."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


class PodcastIndexExtension(BaseExtension):
    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked: bool | None = None
        self.owner_email: str = ""
        self.explicit: bool = False
        self.new_feed_url: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "psc": PSC_NS}

    def extend_rss(self, rss_feed):  # type: ignore[no-untyped-def]
        channel = rss_feed[0]
        explicit = xml_elem(f"{{{ITUNES_NS}}}explicit", channel)
        explicit.text = "true" if self.explicit else "false"
        if self.locked is not None:
            locked = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            locked.text = "yes" if self.locked else "no"
            if self.owner_email:
                locked.attrib["owner"] = self.owner_email
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.guid
        if self.new_feed_url:
            xml_elem(f"{{{ITUNES_NS}}}new-feed-url", channel).text = self.new_feed_url
        return rss_feed


@dataclass
class _ItemExtras:
    chapters: str | None = None
    transcripts: list[tuple[str, str]] = field(default_factory=list)  # (url, mime)
    marks: list[tuple[int, str]] = field(default_factory=list)  # (start_ms, title)


class PodcastIndexEntryExtension(BaseEntryExtension):
    def __init__(self) -> None:
        self.extras = _ItemExtras()

    def extend_rss(self, entry):  # type: ignore[no-untyped-def]
        for url, mime in self.extras.transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry).attrib.update({"url": url, "type": mime, "language": "fr"})
        if self.extras.chapters:
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry).attrib.update(
                {"url": self.extras.chapters, "type": "application/json+chapters"}
            )
        if self.extras.marks:
            inline = xml_elem(f"{{{PSC_NS}}}chapters", entry)
            inline.attrib["version"] = "1.2"
            for start_ms, title in self.extras.marks:
                xml_elem(f"{{{PSC_NS}}}chapter", inline).attrib.update({"start": clock(start_ms), "title": title})
        return entry


def _marks(episode: Episode) -> list[tuple[int, str]]:
    try:
        raw = json.loads(episode.marks or "[]")
        return [(int(start), clean(str(title))) for start, title in raw]
    except (ValueError, TypeError):
        log.warning(
            "episode %s: unreadable chapter marks in the catalog; feed lists no inline chapters", episode.number
        )
        return []


def _rfc2822_source(iso: str) -> str:
    # feedgen parses ISO 8601 with dateutil and prints RFC 2822; a bare date gets a fixed hour.
    return iso if "T" in iso else f"{iso}T06:00:00+00:00"


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(_rfc2822_source(iso))


def render(
    config: Config,
    episodes: Sequence[Episode],
    changed: str | None = None,
    guid: str | None = None,
    moved_from: str | None = None,
) -> bytes:
    """The RSS document for these episodes (newest first). ``changed``: the catalog's last change;
    ``guid``: the show's podcast:guid as the catalog keeps it (default: derived from the feed URL);
    ``moved_from``: the feed URL first published, when it is not the current one."""
    show = config.show
    base = config.base_url
    title = clean(show.title).strip() or "Podcast"
    description = clean(show.description or show.title).strip() or title
    author = clean(show.author).strip() or title
    email = clean(show.email) if valid_email(show.email) else ""  # never an invalid owner
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension, atom=False)
    fg.title(title)
    fg.description(description)
    pages = config.site.enabled  # the show's page and the episodes' (podcast.site), else the folder and audio
    home = base + INDEX_NAME if pages else base
    fg.link(href=config.feed_url, rel="self")
    fg.link(href=home, rel="alternate")  # feedgen's RSS <link> is the last one given
    fg.language(show.language)
    fg.author({"name": author, "email": email} if email else {"name": author})
    fg.generator("podcast-builder")
    cover = cover_name(config)
    fg.image(url=base + cover, title=title, link=home)
    fg.podcast.itunes_image(base + cover)
    fg.podcast.itunes_author(author)
    if email:  # itunes:owner needs both; without an address there is no owner to name
        fg.podcast.itunes_owner(name=author, email=email)
    fg.podcast.itunes_summary(description)
    fg.podcast.itunes_type("episodic")
    if show.subcategory:
        fg.podcast.itunes_category(show.category, show.subcategory)
    else:
        fg.podcast.itunes_category(show.category)
    fg.podcastindex.guid = guid or podcast_guid(config.feed_url)
    fg.podcastindex.locked = show.locked
    fg.podcastindex.owner_email = email
    fg.podcastindex.explicit = show.explicit
    if moved_from and moved_from != config.feed_url:
        fg.podcastindex.new_feed_url = config.feed_url
    stamps = [s for s in (changed or max((e.updated for e in episodes), default=None),) if s]
    stamps += [e.pub_date for e in episodes]  # a scheduled episode that became due changes the feed
    stamp = max(stamps, key=_when, default=None)
    if stamp:
        fg.lastBuildDate(_rfc2822_source(stamp))
    # feedgen prepends each new entry; add the oldest first so the newest is on top.
    for episode in reversed(list(episodes)):
        entry = fg.add_entry()
        entry.guid(episode.guid, permalink=False)
        entry.title(clean(episode.title).strip() or f"Épisode {episode.number}")
        entry.description(clean(episode.description))
        # html.escape in the notes already turns "]]>" into "]]&gt;", so CDATA cannot be cut short.
        entry.content(clean(episode.notes_html).replace("]]>", "]]&gt;"), type="CDATA")
        entry.pubDate(_rfc2822_source(episode.pub_date))
        entry.enclosure(base + episode.audio, str(episode.bytes), "audio/mpeg")
        # Its page (which links the article it was read from); without pages, that article or the audio.
        entry.link(href=base + page_name(episode) if pages else episode.link or base + episode.audio)
        entry.podcast.itunes_duration(str(round(episode.duration_ms / 1000)))
        entry.podcast.itunes_episode(episode.number)
        entry.podcast.itunes_episode_type("full")
        extras = entry.podcastindex.extras
        if episode.chapters:
            extras.chapters = base + episode.chapters
        if episode.vtt:
            extras.transcripts.append((base + episode.vtt, "text/vtt"))
        if episode.srt:
            extras.transcripts.append((base + episode.srt, "application/x-subrip"))
        extras.marks = _marks(episode)
    return fg.rss_str(pretty=True)


def due(episode: Episode, now: datetime | None = None) -> bool:
    """Whether an episode's publication time has come (a future ``--date`` schedules it)."""
    return _when(episode.pub_date) <= (now or dates.utc_now())


def listed(config: Config, episodes: Sequence[Episode], now: datetime | None = None) -> list[Episode]:
    """The episodes the feed shows: those due by ``now`` (default: the clock), the newest
    ``publish.keep`` of them (all when 0). Scheduled ones stay in the catalog, unlisted."""
    moment = now or dates.utc_now()
    shown = [e for e in episodes if due(e, moment)]
    keep = config.publish.keep
    return shown[:keep] if keep else shown


def write(
    config: Config,
    episodes: Sequence[Episode],
    changed: str | None = None,
    guid: str | None = None,
    *,
    moved_from: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Regenerate feed.xml atomically (readers see the old or the new one); untouched if identical."""
    target = config.publish_dir / FEED_NAME
    data = render(config, listed(config, episodes, now), changed, guid, moved_from)
    try:
        if target.read_bytes() == data:
            return target
    except OSError:
        pass
    write_atomic(target, data)
    return target


def public(config: Config) -> bool:
    """Whether the show's base_url is a public address: only then is its identity fixed."""
    return not placeholder_host(config.base_url)


def show_guid(config: Config, catalog: Catalog) -> str:
    """The show's podcast:guid: the catalog's, else derived from the feed URL (and stored if public)."""
    return catalog.show_guid(podcast_guid(config.feed_url), keep=public(config))


def write_catalog(config: Config, catalog: Catalog, now: datetime | None = None) -> Path:
    """feed.xml from the catalog: its episodes, its last change, the show's lifelong podcast:guid,
    and ``itunes:new-feed-url`` when the show has moved since its feed was first published."""
    guid = show_guid(config, catalog)
    first = catalog.first_feed_url(config.feed_url, keep=public(config))
    moved_from = first if public(config) else None  # a local trial run is no move
    return write(config, catalog.episodes(), catalog.changed(), guid, moved_from=moved_from, now=now)
