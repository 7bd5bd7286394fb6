"""Publishing as a listener's app sees it: idempotent rebuilds, removal, safe file names, builds
killed with SIGKILL at every stage (and at random moments), and two builds at once.

Kills use the documented hook PODCAST_TEST_KILL_AT=<stage> (podcast.publish.STAGES) on a real
``python -m podcast build`` subprocess, plus unhooked SIGKILLs after seeded random delays.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest
from helpers import ROOT, configure, kill_after, load_show, merged
from helpers import new_show as make

from podcast import config as config_mod
from podcast import feed
from podcast.build import build
from podcast.catalog import LAST_NUMBER_FILE
from podcast.errors import NotFoundError
from podcast.publish import STAGES, list_episodes, regenerate_feed, remove
from podcast.site import page_name

LETTRE = {
    "show": {
        "title": "La Lettre Test",
        "author": "Équipe",
        "base_url": "https://podcast.lefil-essai.fr/lettre/",
    }
}

ARTICLE = """{title}
Les bibliothèques municipales prêtent désormais des outils
{body}
Crédit photos: Rédaction de test
"""
BODY = "À Rennes, on peut emprunter une perceuse comme un roman. Le service plaît aux habitants."
OTHER = """Le Petit Journal du quartier : le marché du samedi
Le marché revient place des Lices
Les maraîchers reviennent dès sept heures. La mairie promet des places de stationnement.
"""


def write_article(
    folder: Path, name: str, title: str = "La Lettre Test : les outils se prêtent", body: str = BODY
) -> Path:
    path = folder / name
    path.write_text(ARTICLE.format(title=title, body=body), encoding="utf-8")
    return path


def new_show(folder: Path, changes: dict | None = None) -> config_mod.Config:
    return load_show(make(folder, merged(LETTRE, changes or {})))


def listed_files(config: config_mod.Config) -> dict[str, int | None]:
    """Every publish-folder file the feed refers to, with the length it announces (if any)."""
    data = (config.publish_dir / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    root = ET.fromstring(data)
    found: dict[str, int | None] = {}
    for element in root.iter():
        for attr in ("url", "href"):
            value = element.get(attr)
            if value and value.startswith(config.base_url) and not value.endswith("feed.xml"):
                length = element.get("length")
                found[value[len(config.base_url) :]] = int(length) if length else None
    return found


def assert_feed_consistent(config: config_mod.Config) -> dict[str, int | None]:
    files = listed_files(config)
    assert files, "the feed lists nothing"
    for name, length in files.items():
        path = config.publish_dir / name
        assert path.is_file(), f"feed lists {name}, which is missing"
        if length is not None:
            assert path.stat().st_size == length, f"{name}: enclosure length is off"
    return files


def assert_no_leftovers(config: config_mod.Config) -> None:
    episodes = config.publish_dir / "episodes"
    listed = feed.listed(config, list_episodes(config))
    referenced = {name for e in list_episodes(config) for name in e.files} | {page_name(e) for e in listed}
    on_disk = {f"episodes/{p.name}" for p in episodes.iterdir()}
    assert on_disk == referenced
    assert not [p for p in config.publish_dir.rglob(".*") if p.name not in (".gitignore", LAST_NUMBER_FILE)]


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory) -> Path:
    """One segment cache for this module's shows: the same article is spoken once."""
    return tmp_path_factory.mktemp("publish-cache")


@pytest.fixture
def show(module_cache: Path, tmp_path: Path) -> config_mod.Config:
    """A new show for each test (kill tests change it), sharing the module's cache."""
    return new_show(tmp_path / "show", {"cache": {"folder": str(module_cache)}})


def run_build(config: config_mod.Config, article: Path, *extra: str, kill_at: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("PODCAST_TEST_KILL_AT", None)
    if kill_at:
        env["PODCAST_TEST_KILL_AT"] = kill_at
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "podcast",
            "-q",
            "--config",
            str(config.root / "podcast.toml"),
            "build",
            str(article),
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_same_article_is_skipped_then_updated_in_place(tmp_path) -> None:
    show = new_show(tmp_path / "show")  # its own: the module's show may already hold this article
    article = write_article(tmp_path, "a.txt")
    first = build(show, article)
    assert first.status == "built"
    again = build(show, article)
    assert (again.status, again.episode.guid) == ("skipped", first.episode.guid)

    article.write_text(
        ARTICLE.format(title="La Lettre Test : les outils se prêtent", body=BODY + " Une grainothèque ouvre aussi."),
        encoding="utf-8",
    )
    updated = build(show, article)
    assert updated.status == "updated"
    assert (updated.episode.guid, updated.episode.number, updated.episode.pub_date) == (
        first.episode.guid,
        first.episode.number,
        first.episode.pub_date,
    )
    assert updated.episode.audio != first.episode.audio
    assert not (show.publish_dir / first.episode.audio).exists()  # the old version is gone
    forced = build(show, article, force=True)
    assert (forced.status, forced.episode.guid) == ("updated", first.episode.guid)

    parsed = feedparser.parse((show.publish_dir / "feed.xml").read_bytes())
    assert [e.id for e in parsed.entries] == [first.episode.guid]
    assert int(parsed.entries[0].enclosures[0].length) == (show.publish_dir / forced.episode.audio).stat().st_size
    assert_feed_consistent(show)
    assert_no_leftovers(show)


def test_feed_bytes_do_not_change_when_nothing_changed(show, tmp_path, monkeypatch) -> None:
    from podcast import build as build_mod
    from podcast import dates
    from podcast import publish as publish_mod

    article = write_article(tmp_path, "a.txt")
    build(show, article, day=date(2025, 1, 1))
    before = (show.publish_dir / "feed.xml").read_bytes()
    later = dates.utc_now() + timedelta(days=1, seconds=1)  # a clock-based lastBuildDate would now differ
    for module in (dates, build_mod, publish_mod):
        monkeypatch.setattr(module, "utc_now", lambda: later)
    assert build(show, article, day=date(2025, 1, 1)).status == "skipped"

    regenerate_feed(show)
    assert (show.publish_dir / "feed.xml").read_bytes() == before


def test_hostile_titles_make_safe_names_and_a_valid_feed(tmp_path) -> None:
    config = new_show(tmp_path / "show")
    hostile = write_article(tmp_path, "h.txt", title='../../etc/passwd <div>& "Salut" 🎙️ l\'été\x07')
    dots = write_article(tmp_path, "d.txt", title="..")
    results = [build(config, hostile), build(config, dots)]
    for result in results:
        for name in result.episode.files:
            path = (config.publish_dir / name).resolve()
            assert path.parent == config.publish_dir / "episodes"
            assert name.isascii() and len(Path(name).name) <= 100 and "/.." not in name
    assert results[0].episode.slug == "etc-passwd-div-salut-l-ete"
    assert results[1].episode.slug == "episode"
    assert not (tmp_path / "etc").exists()
    entries = feedparser.parse((config.publish_dir / "feed.xml").read_bytes()).entries
    assert entries[1].title.startswith('../../etc/passwd <div>& "Salut" 🎙️')
    assert_feed_consistent(config)


def test_remove_takes_an_episode_out(tmp_path) -> None:
    config = new_show(tmp_path / "show")
    kept = build(config, write_article(tmp_path, "a.txt"))
    other = tmp_path / "o.txt"
    other.write_text(OTHER, encoding="utf-8")
    gone = build(config, other)
    removed = remove(config, str(gone.episode.number))
    assert removed.guid == gone.episode.guid
    assert not any((config.publish_dir / name).exists() for name in gone.episode.files)
    assert [e.id for e in feedparser.parse((config.publish_dir / "feed.xml").read_bytes()).entries] == [
        kept.episode.guid
    ]
    with pytest.raises(NotFoundError):
        remove(config, str(gone.episode.number))
    assert_feed_consistent(config)
    assert_no_leftovers(config)


def test_podcast_guid_survives_a_move_of_the_feed(show, tmp_path) -> None:
    from podcast import feed

    build(show, write_article(tmp_path, "a.txt"))  # the GUID is assigned at first publication
    original = feed.podcast_guid(show.feed_url)
    moved = config_mod.Config(
        root=show.root,
        show=config_mod.ShowConfig(
            **{
                **{f: getattr(show.show, f) for f in show.show.__dataclass_fields__},
                "base_url": "https://ailleurs.example.net/",
            }
        ),
    )
    regenerate_feed(moved)
    channel = ET.fromstring((moved.publish_dir / "feed.xml").read_bytes()).find("channel")
    assert channel.findtext("{https://podcastindex.org/namespace/1.0}guid") == original
    assert channel.find("{http://www.w3.org/2005/Atom}link").get("href") == "https://ailleurs.example.net/feed.xml"
    regenerate_feed(show)


def test_keep_lists_the_newest_and_keeps_older_files(tmp_path) -> None:
    config = new_show(tmp_path / "show")
    build(config, write_article(tmp_path, "a.txt"), day=date(2025, 1, 1))
    other = tmp_path / "o.txt"
    other.write_text(OTHER, encoding="utf-8")
    newest = build(config, other, day=date(2025, 1, 8))
    config = load_show(configure(config.root, {"publish": {"keep": 1}}))

    regenerate_feed(config)
    assert [e.id for e in feedparser.parse((config.publish_dir / "feed.xml").read_bytes()).entries] == [
        newest.episode.guid
    ]
    assert len(list_episodes(config)) == 2
    assert_no_leftovers(config)  # the older episode stays in the catalog and on disk


@pytest.mark.slow
def test_sigkill_at_every_stage_loses_nothing(show, tmp_path) -> None:
    article = write_article(tmp_path, "a.txt")
    build(show, article)
    count = len(list_episodes(show))  # the module's show holds other tests' episodes too
    for round_, stage in enumerate(STAGES):
        before = assert_feed_consistent(show)
        write_article(tmp_path, "a.txt", body=f"{BODY} Variante {round_} : {stage}.")
        killed = run_build(show, article, kill_at=stage)
        killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL, f"the build did not reach stage {stage}"
        after = assert_feed_consistent(show)  # the old feed, or the new one, each complete
        if stage != "fed":
            assert after == before
        finished = run_build(show, article)
        _, err = finished.communicate(timeout=120)
        assert finished.returncode == 0, err.decode()
        assert_feed_consistent(show)
        assert_no_leftovers(show)
        assert len(list_episodes(show)) == count


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(show, tmp_path) -> None:
    article = write_article(tmp_path, "a.txt")
    build(show, article)
    rng = random.Random(6)
    for round_ in range(3):
        write_article(tmp_path, "a.txt", body=f"{BODY} Tirage {round_}.")
        kill_after(lambda: run_build(show, article, "--force"), rng.uniform(0.3, 2.0))  # asserts it landed
        assert_feed_consistent(show)
    finished = run_build(show, article)
    finished.communicate(timeout=120)
    assert finished.returncode == 0
    assert_feed_consistent(show)
    assert_no_leftovers(show)


def test_two_builds_at_once_both_land(tmp_path) -> None:
    config = new_show(tmp_path / "show")
    first = write_article(tmp_path, "a.txt")
    second = tmp_path / "o.txt"
    second.write_text(OTHER, encoding="utf-8")
    runs = [run_build(config, first), run_build(config, second)]
    for run in runs:
        _, err = run.communicate(timeout=180)
        assert run.returncode == 0, err.decode()
    episodes = list_episodes(config)
    assert sorted(e.number for e in episodes) == [1, 2]
    assert len({e.guid for e in episodes}) == 2
    assert len(feedparser.parse((config.publish_dir / "feed.xml").read_bytes()).entries) == 2
    assert_feed_consistent(config)
    assert_no_leftovers(config)
