"""Episode identity is the source, not the title; legacy catalogs migrate keeping their GUIDs;
scheduled release (a future date) and --date on an existing episode. Real builds (espeak), read back
with feedparser, podcastparser and mutagen."""

from __future__ import annotations

import json
import os
import sqlite3
import tomllib
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import feedparser
import podcastparser
import pytest
import tomli_w
from click.testing import CliRunner
from mutagen.id3 import ID3

from podcast import catalog as catalog_mod
from podcast import config as config_mod
from podcast import dates
from podcast.article import Issue, read
from podcast.build import BuildStatus, build
from podcast.catalog import Catalog
from podcast.identity import episode_key, title_key
from podcast.publish import list_episodes, regenerate_feed

TITLE = "La lettre du vendredi"
BASE = "https://podcasts.lefil-essai.fr/vendredi/"


def article(folder: Path, name: str, body: str, title: str = TITLE) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\nLe sujet de la semaine\n{body}\n", encoding="utf-8")
    return path


def new_show(folder: Path, **tables: dict[str, object]) -> config_mod.Config:
    """A show on a public base_url (its identity is fixed), espeak, the given settings as data."""
    config_mod.init(
        folder, title="Le Fil Vendredi", author="Rédaction", email="redaction@lefil-essai.fr", base_url=BASE
    )
    toml = folder / "podcast.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data["voice"]["engine"] = "espeak"
    for table, values in tables.items():
        data[table].update(values)
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    return config_mod.load(toml)


def feed_items(config: config_mod.Config) -> list[dict]:
    """The feed as gPodder reads it (podcastparser), checked against feedparser's reading."""
    path = config.publish_dir / "feed.xml"
    with open(path, "rb") as handle:
        parsed = podcastparser.parse(config.feed_url, handle)
    by_feedparser = feedparser.parse(path.read_bytes())
    assert not by_feedparser.bozo, by_feedparser.bozo_exception
    assert sorted(e.id for e in by_feedparser.entries) == sorted(e["guid"] for e in parsed["episodes"])
    return parsed["episodes"]


def podcast_guid_of(config: config_mod.Config) -> str | None:
    channel = ET.fromstring((config.publish_dir / "feed.xml").read_bytes()).find("channel")
    assert channel is not None
    return channel.findtext("{https://podcastindex.org/namespace/1.0}guid")


def test_two_issues_with_one_title_are_two_episodes_and_an_edit_updates(tmp_path: Path) -> None:
    config = new_show(tmp_path / "show")
    inbox = config.root / "numeros"
    first = build(config, article(inbox, "2025-01-03.txt", "Les vélos reviennent en ville."), day=date(2025, 1, 3))
    second = build(config, article(inbox, "2025-01-10.txt", "Le marché couvert rouvre."), day=date(2025, 1, 10))
    assert (first.status, second.status) == (BuildStatus.BUILT, BuildStatus.BUILT)
    assert first.episode.guid != second.episode.guid
    assert (first.episode.number, second.episode.number) == (1, 2)
    assert first.episode.key == "file:numeros/2025-01-03.txt"  # relative to the show folder
    items = feed_items(config)
    assert len(items) == 2 and {i["title"] for i in items} == {TITLE}
    assert {i["guid"] for i in items} == {first.episode.guid, second.episode.guid}
    for item in items:  # both audio files are there, at the size the feed says
        [enclosure] = item["enclosures"]
        assert enclosure["url"].startswith(BASE)
        path = config.publish_dir / enclosure["url"][len(BASE) :]
        assert path.stat().st_size == enclosure["file_size"]

    edited = article(inbox, "2025-01-03.txt", "Les vélos reviennent en ville, et les trottinettes aussi.")
    again = build(config, edited)
    assert again.status is BuildStatus.UPDATED
    assert (again.episode.guid, again.episode.number, again.episode.pub_date) == (
        first.episode.guid,
        1,
        first.episode.pub_date,
    )
    assert not (config.publish_dir / first.episode.audio).exists()  # replaced, not duplicated
    assert {i["guid"] for i in feed_items(config)} == {first.episode.guid, second.episode.guid}
    assert build(config, edited).status is BuildStatus.SKIPPED


def test_titles_that_slug_alike_are_two_episodes(tmp_path: Path) -> None:
    config = new_show(tmp_path / "show")
    plus = build(config, article(tmp_path, "cpp.txt", "Une nouvelle norme.", title="Le C++ progresse"))
    sharp = build(config, article(tmp_path, "cs.txt", "Une nouvelle version.", title="Le C# progresse"))
    assert sharp.status is BuildStatus.BUILT and plus.episode.guid != sharp.episode.guid
    assert plus.episode.key == "file:../cpp.txt"  # outside the show: still relative, so a move keeps it
    assert {i["title"] for i in feed_items(config)} == {"Le C++ progresse", "Le C# progresse"}


def test_an_id_names_the_episode_whatever_the_file(tmp_path: Path) -> None:
    config = new_show(tmp_path / "show")
    md = tmp_path / "brouillon.md"
    md.write_text(f"---\nid: vendredi-42\n---\n# {TITLE}\n\nLe port de commerce s'agrandit.\n", encoding="utf-8")
    first = build(config, md)
    assert first.episode.key == "id:vendredi-42"
    moved = tmp_path / "final" / "vendredi.md"
    moved.parent.mkdir()
    moved.write_text(md.read_text(encoding="utf-8").replace("s'agrandit", "s'agrandit enfin"), encoding="utf-8")
    assert build(config, moved).status is BuildStatus.UPDATED  # same id, another file: the same episode
    given = build(config, article(tmp_path, "a.txt", "Le tramway arrive."), source_id="vendredi-42")
    assert given.status is BuildStatus.UPDATED and given.episode.guid == first.episode.guid
    other = build(config, article(tmp_path, "a.txt", "Le tramway arrive."), source_id="vendredi-43")
    assert other.status is BuildStatus.BUILT and other.episode.number == 2


def _downgrade_to_title_keys(config: config_mod.Config) -> dict[str, str]:
    """The show's catalog as the old version wrote it: schema 2, every row keyed by its title slug.
    Returns title key -> GUID."""
    with Catalog(config.catalog_path) as catalog:
        rows = catalog.episodes()
        meta = {name: catalog.meta(name) for name in ("podcast_guid", "changed", "last_number")}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{config.catalog_path}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(config.catalog_path)
    catalog_mod.MIGRATIONS[0](db)
    catalog_mod.MIGRATIONS[1](db)
    db.execute("PRAGMA user_version = 2")
    keys = {}
    for row in rows:
        values = {c: getattr(row, c) for c in catalog_mod._COLUMNS if catalog_mod._ADDED_IN.get(c, 1) <= 2}
        values["key"] = title_key(Issue(title=row.title, articles=()))
        keys[values["key"]] = row.guid
        db.execute(
            f"INSERT INTO episodes ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})", list(values.values())
        )
    for name, value in meta.items():
        if value is not None:
            db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))
    db.commit()
    db.close()
    return keys


def test_a_title_keyed_catalog_migrates_and_keeps_its_guids(tmp_path: Path) -> None:
    config = new_show(tmp_path / "show")
    source = article(tmp_path, "ancien.txt", "Le pont est rouvert.")
    old = build(config, source, day=date(2025, 2, 7)).episode
    show_guid = podcast_guid_of(config)
    keys = _downgrade_to_title_keys(config)
    assert list(keys.values()) == [old.guid]

    [legacy] = list_episodes(config)  # opened: migrated to the current schema, nothing else changed
    assert legacy.legacy_key == legacy.key == next(iter(keys)) and legacy.guid == old.guid
    with Catalog(config.catalog_path) as catalog:
        assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == len(catalog_mod.MIGRATIONS)

    # The first rebuild of that title, from a source with no row of its own, adopts the legacy row.
    source.write_text(source.read_text(encoding="utf-8").replace("rouvert", "rouvert aux piétons"), encoding="utf-8")
    adopted = build(config, source)
    assert adopted.status is BuildStatus.UPDATED
    assert (adopted.episode.guid, adopted.episode.number, adopted.episode.pub_date) == (old.guid, 1, old.pub_date)
    assert adopted.episode.key == episode_key(config, source, read(source)) and adopted.episode.legacy_key is None

    # Claimed once: another file with the same title is a new episode.
    other = build(config, article(tmp_path, "nouveau.txt", "Le pont ferme en août."))
    assert other.status is BuildStatus.BUILT and other.episode.number == 2 and other.episode.guid != old.guid
    items = feed_items(config)
    assert {i["guid"] for i in items} == {old.guid, other.episode.guid}
    assert podcast_guid_of(config) == show_guid


def test_two_unclaimed_rows_of_one_title_are_adopted_by_neither(tmp_path: Path) -> None:
    """Recovered rows keep their title key; with two of one title, a build cannot tell which is its own."""
    from test_feed import episode

    with Catalog(tmp_path / "c.sqlite") as catalog:
        for number in (1, 2):
            catalog.upsert(episode(number, key=f"recovered:{number}", legacy_key="la-lettre"))
        assert catalog.unclaimed("la-lettre") is None and catalog.claim("la-lettre", "file:a.txt") is None
        catalog.remove(episode(2, key="recovered:2"), "2025-04-01T00:00:00+00:00")
        claimed = catalog.claim("la-lettre", "file:a.txt")
        assert claimed is not None and (claimed.number, claimed.key, claimed.legacy_key) == (1, "file:a.txt", None)
        assert catalog.claim("la-lettre", "file:b.txt") is None  # once only
        assert catalog.next_number() == 3  # the removed number 2 is not given again


def _clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr(dates, "utc_now", lambda: when)


def test_a_future_date_is_built_now_and_listed_from_that_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from podcast.cli import cli

    config = new_show(tmp_path / "show", cache={"folder": "cache", "max_size": "100 KB"})
    day = dates.today() + timedelta(days=9)
    now = build(config, article(tmp_path, "a.txt", "La halle ouvre aujourd'hui."))
    later = build(config, article(tmp_path, "b.txt", "La halle ouvrira bientôt."), day=day)
    assert later.status is BuildStatus.BUILT and later.scheduled and not now.scheduled
    assert later.episode.pub_date == f"{day.isoformat()}T06:00:00+00:00"
    assert (config.publish_dir / later.episode.audio).is_file()  # built, kept, not listed
    assert [i["guid"] for i in feed_items(config)] == [now.episode.guid]
    runner = CliRunner()
    listing = runner.invoke(cli, ["--config", str(config.root / "podcast.toml"), "list", "--json"])
    assert listing.exit_code == 0, listing.output
    rows = {row["number"]: row for row in json.loads(listing.output)}
    assert rows[2]["status"] == "scheduled" and rows[1]["status"] == "published"
    assert set(rows[2]) == {
        "number", "guid", "slug", "title", "date", "pub_date", "duration", "files", "engine", "voice", "status",
    }  # fmt: skip
    assert rows[2]["guid"] == later.episode.guid and rows[2]["files"] == later.episode.files

    # The cache was capped after each build (100 KB: the least recently used audio went).
    cache_bytes = sum(p.stat().st_size for p in (config.root / "cache").rglob("*") if p.suffix in (".pcm", ".mp3"))
    assert cache_bytes <= 100_000

    _clock(monkeypatch, datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=5, minutes=59))
    regenerate_feed(config)
    assert len(feed_items(config)) == 1  # 05:59 UTC: not yet
    _clock(monkeypatch, datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6))
    fed = runner.invoke(cli, ["--config", str(config.root / "podcast.toml"), "feed"])
    assert fed.exit_code == 0, fed.output
    items = feed_items(config)
    assert [i["guid"] for i in sorted(items, key=lambda i: -i["published"])] == [later.episode.guid, now.episode.guid]
    parsed = feedparser.parse((config.publish_dir / "feed.xml").read_bytes())
    assert parsed.feed.updated_parsed[:3] == day.timetuple()[:3]  # lastBuildDate: when it joined


def test_date_on_an_existing_episode_moves_every_date(tmp_path: Path) -> None:
    config = new_show(tmp_path / "show")
    source = article(tmp_path, "a.txt", "Le festival commence.")
    first = build(config, source, day=date(2025, 3, 1)).episode
    moved = build(config, source, day=date(2025, 3, 8))
    assert moved.status is BuildStatus.UPDATED and moved.episode.guid == first.guid
    assert moved.episode.date == "2025-03-08" and moved.episode.pub_date == "2025-03-08T06:00:00+00:00"
    assert str(ID3(config.publish_dir / moved.episode.audio)["TDRC"].text[0]).startswith("2025-03-08")
    [item] = feed_items(config)
    assert datetime.fromtimestamp(item["published"], UTC) == datetime(2025, 3, 8, 6, tzinfo=UTC)
    [row] = list_episodes(config)
    assert (row.date, row.pub_date) == ("2025-03-08", "2025-03-08T06:00:00+00:00")
    assert os.path.exists(config.publish_dir / row.audio)


class MemoryRemote:
    """The upload protocol over a dict: what the remote holds, to read the feed it would serve."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def list(self) -> dict[str, int]:
        return {name: len(data) for name, data in self.files.items()}

    def put(self, local: Path, name: str, headers: dict[str, str], progress) -> None:  # type: ignore[no-untyped-def]
        self.files[name] = local.read_bytes()
        progress(len(self.files[name]))

    def delete(self, name: str) -> None:
        self.files.pop(name, None)

    def close(self) -> None:
        pass


def test_publish_after_the_date_puts_a_scheduled_episode_in_the_remote_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podcast.upload import publish

    def remote_enclosures(remote: MemoryRemote) -> set[str]:
        """The files the remote feed's enclosures name, each present remotely at its stated size."""
        names = set()
        for entry in feedparser.parse(remote.files["feed.xml"]).entries:
            [enclosure] = entry.enclosures
            name = enclosure.href.removeprefix(BASE)
            assert len(remote.files[name]) == int(enclosure.length) and name in remote.files
            names.add(name)
        return names

    config = new_show(tmp_path / "show", upload={"target": "s3://emissions/vendredi"})
    day = dates.today() + timedelta(days=3)
    now = build(config, article(tmp_path, "a.txt", "La halle ouvre aujourd'hui."))
    later = build(config, article(tmp_path, "b.txt", "La halle ouvrira bientôt."), day=day)
    remote = MemoryRemote()
    publish(config, remote=remote)
    assert feedparser.parse(remote.files["feed.xml"]).entries[0].id == now.episode.guid
    assert len(feedparser.parse(remote.files["feed.xml"]).entries) == 1
    assert remote_enclosures(remote) == {now.episode.audio}

    _clock(monkeypatch, datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6, seconds=1))
    publish(config, remote=remote)  # no build, no `podcast feed`: publishing alone releases it
    remote_ids = [e.id for e in feedparser.parse(remote.files["feed.xml"]).entries]
    assert remote_ids == [later.episode.guid, now.episode.guid]
    assert remote_enclosures(remote) == {now.episode.audio, later.episode.audio}
