"""Catalog -> RSS 2.0 with iTunes tags and the Podcasting 2.0 namespace, written atomically.

feedgen writes the RSS and the iTunes tags; :class:`PodcastIndexExtension` adds what feedgen does
not know (``podcast:*`` tags, and ``itunes:explicit`` as Apple now documents it: true/false).
Nothing depends on the clock: the same catalog gives the same bytes.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .catalog import Episode
from .config import Config
from .fsutil import write_atomic

log = logging.getLogger(__name__)

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
FEED_NAME = "feed.xml"
COVER_NAME = "cover.png"


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without scheme and trailing slashes (the namespace's rule)."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), bare))


class PodcastIndexExtension(BaseExtension):
    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked: bool | None = None
        self.owner_email: str = ""
        self.explicit: bool = False

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

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
        return rss_feed


@dataclass
class _ItemExtras:
    chapters: str | None = None
    transcripts: list[tuple[str, str]] = field(default_factory=list)  # (url, mime)


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
        return entry


def _hms(ms: int) -> str:
    return str(round(ms / 1000))


def render(config: Config, episodes: Sequence[Episode]) -> bytes:
    """The RSS document for these episodes (newest first)."""
    show = config.show
    base = config.base_url
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension, atom=False)
    fg.title(show.title)
    fg.description(show.description or show.title)
    fg.link(href=base, rel="alternate")
    fg.link(href=config.feed_url, rel="self")
    fg.language(show.language)
    fg.author({"name": show.author, "email": show.email})
    fg.generator("podcast-builder")
    cover = show.cover and Path(show.cover).name or COVER_NAME
    fg.image(url=base + cover, title=show.title, link=base)
    fg.podcast.itunes_image(base + cover)
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_owner(name=show.author, email=show.email)
    fg.podcast.itunes_summary(show.description or show.title)
    fg.podcast.itunes_type("episodic")
    if show.subcategory:
        fg.podcast.itunes_category(show.category, show.subcategory)
    else:
        fg.podcast.itunes_category(show.category)
    fg.podcastindex.guid = podcast_guid(config.feed_url)
    fg.podcastindex.locked = show.locked
    fg.podcastindex.owner_email = show.email
    fg.podcastindex.explicit = show.explicit
    if episodes:
        fg.lastBuildDate(max(e.updated for e in episodes))
    # feedgen prepends each new entry; add the oldest first so the newest is on top.
    for episode in reversed(list(episodes)):
        entry = fg.add_entry()
        entry.guid(episode.guid, permalink=False)
        entry.title(episode.title)
        entry.description(episode.description)
        entry.content(episode.notes_html, type="CDATA")
        entry.pubDate(episode.pub_date)
        entry.enclosure(base + episode.audio, str(episode.bytes), "audio/mpeg")
        entry.link(href=base + episode.audio)
        entry.podcast.itunes_duration(_hms(episode.duration_ms))
        entry.podcast.itunes_episode(episode.number)
        entry.podcast.itunes_episode_type("full")
        extras = entry.podcastindex.extras
        if episode.chapters:
            extras.chapters = base + episode.chapters
        if episode.vtt:
            extras.transcripts.append((base + episode.vtt, "text/vtt"))
        if episode.srt:
            extras.transcripts.append((base + episode.srt, "application/x-subrip"))
    return fg.rss_str(pretty=True)


def write(config: Config, episodes: Sequence[Episode]) -> Path:
    """Regenerate feed.xml in the publish folder, atomically (readers see the old or the new one)."""
    target = config.publish_dir / FEED_NAME
    keep = config.publish.keep
    listed = list(episodes)[:keep] if keep else list(episodes)
    write_atomic(target, render(config, listed))
    return target
