"""A catalog missing or bad where a show exists: every command refuses with exit 5 and one line,
leaving the feed and every published file byte-identical; ``podcast recover`` then rebuilds the
catalog from the feed, sidecars and ID3 tags, and ``podcast feed`` gives back the same feed
(checked with feedparser and podcastparser, and byte for byte).

One show with three episodes (espeak) is built once; each test works on a copy of it.
"""

from __future__ import annotations

import io
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import podcastparser
import pytest
from click.testing import CliRunner
from helpers import ARTICLES, check_feed, configure, new_show

from podcast import config as config_mod
from podcast.article import Issue
from podcast.catalog import Catalog
from podcast.cli import cli
from podcast.errors import EXIT_CATALOG, EXIT_USAGE
from podcast.identity import title_key
from podcast.recover import RECOVERED_HASH

DATES = {"01-marche.txt": "2025-03-01", "02-bibliotheque.md": "2025-03-08", "03-velo.txt": "2025-03-15"}
NEW = "Le festival de cerfs-volants\n\nLa plage accueille samedi une trentaine de cerfs-volants géants.\n"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("recover") / "show"
    toml = new_show(folder) / "podcast.toml"
    for name, day in DATES.items():
        (folder / name).write_text(ARTICLES[name], encoding="utf-8")
        result = CliRunner().invoke(cli, ["--config", str(toml), "-q", "build", "--date", day, str(folder / name)])
        assert result.exit_code == 0, result.output
    (folder / "new.txt").write_text(NEW, encoding="utf-8")
    return folder


@pytest.fixture
def show(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "show"
    shutil.copytree(base, copy)
    return copy


def run(show: Path, *args: str):
    return CliRunner(mix_stderr=False).invoke(cli, ["--config", str(show / "podcast.toml"), "-q", *args])


def published(config: config_mod.Config) -> dict[str, bytes]:
    """Every file of the publish folder, by relative name."""
    root = config.publish_dir
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def identity(config: config_mod.Config) -> list[tuple]:
    """What apps key on, read by two independent parsers: GUID, number, enclosure URL and length."""
    data = (config.publish_dir / "feed.xml").read_bytes()
    by_feedparser = [
        (e.id, int(e.itunes_episode), e.enclosures[0].href, int(e.enclosures[0].length))
        for e in check_feed(config).entries
    ]
    parsed = podcastparser.parse(config.feed_url, io.BytesIO(data))
    by_podcastparser = [
        (e["guid"], e["number"], e["enclosures"][0]["url"], e["enclosures"][0]["file_size"]) for e in parsed["episodes"]
    ]
    assert sorted(by_feedparser) == sorted(by_podcastparser)
    return sorted(by_feedparser)


def _drop_wal(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def deleted(path: Path) -> None:
    path.unlink()
    _drop_wal(path)


def emptied(path: Path) -> None:  # `: > .podcast/catalog.sqlite`
    path.write_bytes(b"")
    _drop_wal(path)


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _drop_wal(path)


def garbage_in_the_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    assert len(data) >= 3 * 4096
    noise = random.Random(12).randbytes(4096)
    data[4096:8192] = noise  # page 2 onwards: the header is intact, the pages are not
    path.write_bytes(bytes(data))
    _drop_wal(path)


def not_sqlite(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(8192))
    _drop_wal(path)


def wrong_schema(path: Path) -> None:
    path.unlink()
    _drop_wal(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (body TEXT)")
    db.commit()
    db.close()


def missing_table(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("DROP TABLE episodes")
    db.commit()
    db.close()
    _drop_wal(path)


FAULTS: dict[str, Callable[[Path], None]] = {
    f.__name__: f for f in (deleted, emptied, truncated, garbage_in_the_middle, not_sqlite, wrong_schema, missing_table)
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_lost_catalog_is_refused_then_recovered(show: Path, fault: str) -> None:
    config = config_mod.load(show / "podcast.toml")
    before_ids = identity(config)
    assert sorted(n for _, n, _, _ in before_ids) == [1, 2, 3]
    before = published(config)
    FAULTS[fault](config.catalog_path)
    catalog_before = config.catalog_path.read_bytes() if config.catalog_path.exists() else None
    commands = [
        ("feed",),
        ("build", str(show / "new.txt")),
        ("build", "--force", str(show / "01-marche.txt")),
        ("list",),
        ("remove", "1"),
        ("preview", str(show / "new.txt")),
    ]
    for command in commands:
        result = run(show, *command)
        assert result.exit_code == EXIT_CATALOG, (command, result.output, result.stderr)
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith(f"Error: {config.catalog_path}: the catalog ") and "run 'podcast recover'" in line
        assert published(config) == before, command  # feed.xml and every episode file byte-identical
        now = config.catalog_path.read_bytes() if config.catalog_path.exists() else None
        assert now == catalog_before, command  # not recreated, not migrated
    result = run(show, "recover")
    assert result.exit_code == 0, (result.output, result.stderr)
    assert result.stdout.startswith("Recovered 3 episode(s) into ")
    assert published(config) == before  # recover writes only the catalog
    assert run(show, "feed").exit_code == 0
    assert identity(config) == before_ids
    assert published(config) == before  # the same feed, byte for byte (lastBuildDate and podcast:guid too)


def test_a_show_copied_without_its_state_folder(show: Path, tmp_path: Path) -> None:
    config = config_mod.load(show / "podcast.toml")
    before = published(config)
    shutil.rmtree(config.state_dir)
    result = run(show, "build", str(show / "new.txt"))
    assert result.exit_code == EXIT_CATALOG and "the catalog is missing" in result.stderr
    assert published(config) == before
    assert run(show, "recover").exit_code == 0
    assert run(show, "feed").exit_code == 0
    assert published(config) == before


def test_after_recovery_builds_update_in_place_and_number_on(show: Path) -> None:
    config = config_mod.load(show / "podcast.toml")
    with Catalog(config.catalog_path) as catalog:
        original = {e.number: e for e in catalog.episodes()}
    deleted(config.catalog_path)
    assert run(show, "recover").exit_code == 0
    with Catalog(config.catalog_path) as catalog:
        recovered = {e.number: e for e in catalog.episodes()}
        assert catalog.next_number() == 4
    for number, episode in original.items():
        again = recovered[number]
        assert again.key == f"recovered:{episode.guid}"  # unclaimed, under its title key:
        assert again.legacy_key == title_key(Issue(title=episode.title, articles=()))
        for name in (
            "guid",
            "title",
            "slug",
            "date",
            "pub_date",
            "bytes",
            "audio",
            "chapters",
            "vtt",
            "srt",
            "description",
            "notes_html",
            "marks",
        ):
            assert getattr(again, name) == getattr(episode, name), (number, name)
        assert round(again.duration_ms / 1000) == round(episode.duration_ms / 1000)
        assert again.text_hash == RECOVERED_HASH
        assert (again.engine, again.voice) == (episode.engine, episode.voice)  # from the MP3's TXXX frames
        assert again.engine != "unknown" and again.voice != "unknown"
    # The article of episode 1 again: an update keeping GUID and number, not a duplicate or a skip.
    result = run(show, "build", "--date", DATES["01-marche.txt"], str(show / "01-marche.txt"))
    assert result.exit_code == 0, result.stderr
    result = run(show, "build", str(show / "new.txt"))
    assert result.exit_code == 0, result.stderr
    with Catalog(config.catalog_path) as catalog:
        after = {e.number: e for e in catalog.episodes()}
    assert sorted(after) == [1, 2, 3, 4]
    assert after[1].guid == original[1].guid and after[1].text_hash == original[1].text_hash
    assert after[1].pub_date == original[1].pub_date
    assert len(check_feed(config).entries) == 4


def test_episodes_beyond_the_feed_are_recovered_from_their_id3_tags(show: Path) -> None:
    """publish.keep = 1 lists only the newest; the two older ones are known from their MP3s."""
    toml = configure(show, {"publish": {"keep": 1}})
    config = config_mod.load(toml)
    assert config.publish.keep == 1
    assert run(show, "feed").exit_code == 0
    with Catalog(config.catalog_path) as catalog:
        original = {e.number: e for e in catalog.episodes()}
    before = published(config)
    deleted(config.catalog_path)
    assert run(show, "recover").exit_code == 0
    with Catalog(config.catalog_path) as catalog:
        recovered = {e.number: e for e in catalog.episodes()}
    assert sorted(recovered) == [1, 2, 3]
    for number in (1, 2):  # from ID3 and sidecars only: the GUID a build gives, the ID3 date and chapters
        for name in ("guid", "title", "date", "audio", "chapters", "vtt", "srt", "marks", "bytes"):
            assert getattr(recovered[number], name) == getattr(original[number], name), (number, name)
    assert run(show, "feed").exit_code == 0
    assert published(config) == before


def test_recover_keeps_a_usable_catalog_unless_forced(show: Path) -> None:
    config = config_mod.load(show / "podcast.toml")
    saved = config.catalog_path.read_bytes()
    result = run(show, "recover")
    assert result.exit_code == EXIT_USAGE
    [line] = result.stderr.splitlines()
    assert "the catalog is usable; 'podcast recover --force' replaces it" in line
    assert config.catalog_path.read_bytes() == saved
    result = run(show, "recover", "--force")
    assert result.exit_code == 0, result.stderr
    [backup] = config.state_dir.glob("catalog.sqlite.broken-*")
    assert "old catalog kept as" in result.stdout and str(backup) in result.stdout
    with Catalog(backup) as old:
        assert [e.number for e in old.episodes()] == [3, 2, 1]


def test_a_new_show_still_gets_a_new_catalog(tmp_path: Path) -> None:
    toml = new_show(tmp_path / "fresh") / "podcast.toml"
    config = config_mod.load(toml)
    assert not config.catalog_path.exists()
    result = CliRunner(mix_stderr=False).invoke(cli, ["--config", str(toml), "feed"])
    assert result.exit_code == 0, result.stderr
    with Catalog(config.catalog_path) as catalog:
        assert catalog.episodes() == []


def test_remove_an_overflowing_number_is_one_line(show: Path) -> None:
    config = config_mod.load(show / "podcast.toml")
    before = published(config)
    result = run(show, "remove", "99999999999999999999999")
    assert result.exit_code == EXIT_USAGE, (result.stderr, result.exception)
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: no such episode: '99999999999999999999999'")
    assert published(config) == before


LINKED = "---\nurl: https://journal.example.org/fil/42\n---\n# Le marché couvert\n\nLe marché ouvre le dimanche.\n"


def test_voice_and_source_link_are_recovered_from_the_feed_and_the_id3_tag(show: Path) -> None:
    """``podcast list`` showed "unknown" for every recovered episode, and the feed lost the link to
    the page an episode was read from: both are in the MP3 (TXXX, WOAS) and the link in the feed."""
    (show / "lie.md").write_text(LINKED, encoding="utf-8")
    for name in ("lie.md", "new.txt"):
        assert run(show, "build", str(show / name)).exit_code == 0
    config = config_mod.load(show / "podcast.toml")
    with Catalog(config.catalog_path) as catalog:
        original = {e.number: e for e in catalog.episodes()}
    assert original[4].link == "https://journal.example.org/fil/42"
    for keep in (None, 1):  # listed by the feed; then known from its MP3 only
        toml = configure(show, {"publish": {"keep": keep}})
        assert run(show, "feed").exit_code == 0
        deleted(config_mod.load(toml).catalog_path)
        assert run(show, "recover").exit_code == 0
        with Catalog(config.catalog_path) as catalog:
            recovered = {e.number: e for e in catalog.episodes()}
        assert recovered[4].link == original[4].link, keep
        assert recovered[5].link is None and recovered[1].link is None  # not the audio's address
        for number, episode in original.items():
            assert (recovered[number].engine, recovered[number].voice) == (episode.engine, episode.voice)
        listed = run(show, "list")
        assert listed.exit_code == 0 and "unknown" not in listed.stdout


def test_a_removed_highest_number_is_not_given_again_after_recovery(show: Path) -> None:
    """Episode 3 removed, then the catalog lost: nothing published lists 3 any more, but a listener's
    app may still hold it, so the next episode is 4. The highest number given is kept in the
    publish folder (a hidden file: neither uploaded nor served)."""
    config = config_mod.load(show / "podcast.toml")
    assert run(show, "remove", "--yes", "3").exit_code == 0
    kept = config.publish_dir / ".last-episode-number"
    assert kept.read_text(encoding="utf-8").strip() == "3"
    deleted(config.catalog_path)
    result = run(show, "recover")
    assert result.exit_code == 0 and result.stdout.startswith("Recovered 2 episode(s) into ")
    with Catalog(config.catalog_path) as catalog:
        assert catalog.next_number() == 4
    assert run(show, "build", str(show / "new.txt")).exit_code == 0
    with Catalog(config.catalog_path) as catalog:
        assert sorted(e.number for e in catalog.episodes()) == [1, 2, 4]
    kept.write_text("not a number\n", encoding="utf-8")  # damaged: the episodes found decide
    deleted(config.catalog_path)
    assert run(show, "recover").exit_code == 0
    with Catalog(config.catalog_path) as catalog:
        assert catalog.next_number() == 5
