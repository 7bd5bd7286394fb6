"""The feed from catalog rows: every tag an app needs, read back by feedparser, podcastparser and a
strict XML parser; hostile titles; determinism; the cover. No audio is made here (fast)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import pytest
from helpers import episode

from podcast import cover, feed

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "psc": "http://podlove.org/simple-chapters",
}


@pytest.fixture
def three():
    return [episode(3), episode(2), episode(1)]  # newest first, as the catalog gives them


def _tree(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # strict: raises on anything not well-formed


def test_channel_has_every_tag_apps_need(show_config, three) -> None:
    data = feed.render(show_config, three, changed="2025-03-04T08:00:00+00:00")
    channel = _tree(data).find("channel")
    base = show_config.base_url
    assert channel.findtext("link") == base + "index.html"  # the show's page (podcast.site)
    self_link = channel.find("atom:link", NS)
    assert self_link.get("rel") == "self" and self_link.get("href") == base + "feed.xml"
    assert channel.findtext("language") == "fr"
    assert channel.find("itunes:image", NS).get("href") == base + "cover.png"
    assert channel.find("itunes:category", NS).get("text") == "Technology"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:author", namespaces=NS) == "Équipe Test"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "test@example.org"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "Équipe Test"
    locked = channel.find("podcast:locked", NS)
    assert locked.text == "yes" and locked.get("owner") == "test@example.org"
    assert channel.findtext("podcast:guid", namespaces=NS) == feed.podcast_guid(base + "feed.xml")
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")).isoformat() == "2025-03-04T08:00:00+00:00"


def test_items_have_every_tag_apps_need(show_config, three) -> None:
    items = _tree(feed.render(show_config, three)).find("channel").findall("item")
    assert [int(i.findtext("itunes:episode", namespaces=NS)) for i in items] == [3, 2, 1]
    item, ep = items[0], three[0]
    base = show_config.base_url
    guid = item.find("guid")
    assert guid.text == ep.guid and guid.get("isPermaLink") == "false"
    assert parsedate_to_datetime(item.findtext("pubDate")).isoformat() == ep.pub_date
    enclosure = item.find("enclosure")
    assert enclosure.attrib == {"url": base + ep.audio, "length": str(ep.bytes), "type": "audio/mpeg"}
    assert item.findtext("itunes:duration", namespaces=NS) == "61"
    assert item.findtext("description") == ep.description
    assert item.findtext("content:encoded", namespaces=NS) == ep.notes_html
    assert item.find("podcast:chapters", NS).attrib == {"url": base + ep.chapters, "type": "application/json+chapters"}
    transcripts = {t.get("type"): t.get("url") for t in item.findall("podcast:transcript", NS)}
    assert transcripts == {"text/vtt": base + ep.vtt, "application/x-subrip": base + ep.srt}
    marks = [(c.get("start"), c.get("title")) for c in item.findall("psc:chapters/psc:chapter", NS)]
    assert marks == [("00:00:00.000", "Introduction"), ("00:00:05.000", "Premier sujet")]


def test_feedparser_and_podcastparser_agree(show_config, three) -> None:
    data = feed.render(show_config, three)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "fr"
    assert [int(e.enclosures[0].length) for e in parsed.entries] == [e.bytes for e in three]
    assert [e.id for e in parsed.entries] == [e.guid for e in three]

    gpodder = podcastparser.parse(show_config.feed_url, io.BytesIO(data))
    assert gpodder["title"] == "Le Fil Test"
    assert gpodder["cover_url"] == show_config.base_url + "cover.png"
    first = gpodder["episodes"][0]
    assert first["guid"] == three[0].guid and first["number"] == 3
    assert first["enclosures"][0]["file_size"] == three[0].bytes
    assert first["enclosures"][0]["mime_type"] == "audio/mpeg"
    assert first["total_time"] == 61
    # podcastparser ignores podcast:* under the current namespace URI; the inline Podlove chapters reach it.
    assert [(c["start"], c["title"]) for c in first["chapters"]] == [(0, "Introduction"), (5, "Premier sujet")]


@pytest.mark.parametrize(
    "title",
    [
        'Les <balises> & les "guillemets" d\'abord',
        "Émission 🎙️ spéciale — été 2025 ✨",
        "Contrôle\x00\x01\x07\x0b\x1b\x7f\x85 caché\ufffe",
        "]]> fin de CDATA <![CDATA[ et </item> dedans",
    ],
)
def test_hostile_titles_keep_the_feed_well_formed(show_config, title: str) -> None:
    notes = f"<p>{title}</p>"  # raw, as a careless caller could store it
    hostile = [episode(1, title=title, description=title, notes_html=notes, marks=json.dumps([[0, title]]))]
    data = feed.render(show_config, hostile)
    item = _tree(data).find("channel/item")
    expected = feed.clean(title)
    assert item.findtext("title") == expected
    assert item.find("psc:chapters/psc:chapter", NS).get("title") == expected
    assert "\x07" not in data.decode("utf-8") and "\x85" not in data.decode("utf-8")
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries[0].title == expected
    assert podcastparser.parse(show_config.feed_url, io.BytesIO(data))["episodes"][0]["title"] == " ".join(
        expected.split()
    )


def test_clean_drops_only_control_characters() -> None:
    assert feed.clean("a\x00b\x1fc\td\ne\rf\x85g\u00e9🎙") == "abc\td\ne\rfgé🎙"


def test_podcast_guid_matches_the_namespace_examples() -> None:
    # Values from the Podcasting 2.0 namespace's guid.md; scheme and trailing slashes are ignored.
    assert feed.podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed.podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_rendering_is_deterministic(show_config, three) -> None:
    first = feed.render(show_config, three)
    assert feed.render(show_config, three) == first
    stamp = parsedate_to_datetime(_tree(first).findtext("channel/lastBuildDate"))
    assert stamp.isoformat() == max(e.updated for e in three)  # from the data, not the clock


def test_write_leaves_an_identical_feed_untouched(show_config, three) -> None:
    path = feed.write(show_config, three)
    old = 1_000_000_000 * 10**9  # 2001: a rewrite now could never keep it (touch() could, within a clock tick)
    os.utime(path, ns=(old, old))
    inode = path.stat().st_ino
    assert feed.write(show_config, three) == path
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == (old, inode)  # neither rewritten nor replaced
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_explicit_and_unlocked(show_config, three) -> None:
    config = dataclasses.replace(show_config, show=dataclasses.replace(show_config.show, explicit=True, locked=False))
    channel = _tree(feed.render(config, three)).find("channel")
    assert channel.findtext("itunes:explicit", namespaces=NS) == "true"
    assert channel.findtext("podcast:locked", namespaces=NS) == "no"


def test_keep_lists_only_the_newest(show_config, three) -> None:
    config = dataclasses.replace(show_config, publish=dataclasses.replace(show_config.publish, keep=2))
    path = feed.write(config, three)
    parsed = feedparser.parse(path.read_bytes())
    assert [e.id for e in parsed.entries] == [three[0].guid, three[1].guid]


def test_empty_show_still_renders_a_valid_feed(show_config) -> None:
    parsed = feedparser.parse(feed.render(show_config, []))
    assert not parsed.bozo and parsed.entries == []


def test_default_cover_is_a_square_png_apple_accepts(tmp_path, ffprobe) -> None:
    data = cover.png(seed="Le Fil Test")
    assert cover.png(seed="Le Fil Test") == data  # deterministic
    assert cover.problem(data) is None
    path = tmp_path / "cover.png"
    path.write_bytes(data)
    stream = ffprobe(path)["streams"][0]  # an independent decoder reads it
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("png", 1400, 1400)


def test_cover_problems_are_named() -> None:
    assert "square" in cover.problem(cover.png(size=1400)[:16] + b"\x00\x00\x05\x78\x00\x00\x05\x00" + b"\x00" * 8)
    assert "1400 to 3000" in cover.problem(cover.png(size=600))
    assert "not a PNG or JPEG" in cover.problem(b"GIF89a....")
