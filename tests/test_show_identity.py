"""Show identity: podcast:guid fixed only on a public base_url, a moved show announces its new feed
URL, placeholder settings warned about, e-mail and Apple categories checked."""

from __future__ import annotations

import dataclasses
import sqlite3
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import podcastparser
import pytest
import tomli_w
from click.testing import CliRunner

from podcast import categories, feed, identity
from podcast import config as config_mod
from podcast.cli import cli
from podcast.errors import ConfigError

PODCAST = "{https://podcastindex.org/namespace/1.0}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def set_show(toml: Path, **values: object) -> config_mod.Config:
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data["show"].update(values)
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    return config_mod.load(toml)


def channel(config: config_mod.Config) -> ET.Element:
    found = ET.fromstring((config.publish_dir / "feed.xml").read_bytes()).find("channel")
    assert found is not None
    return found


def stored_meta(config: config_mod.Config, name: str) -> str | None:
    db = sqlite3.connect(f"{config.catalog_path.as_uri()}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    finally:
        db.close()
    return row[0] if row else None


def test_a_placeholder_show_warns_and_fixes_its_identity_only_when_public(tmp_path: Path) -> None:
    folder = tmp_path / "show"
    config_mod.init(folder)  # every placeholder: title, author, e-mail, loopback base_url
    toml = folder / "podcast.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data["voice"]["engine"] = "espeak"
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Un essai\nLe sujet\nUne phrase à lire.\n", encoding="utf-8")
    runner = CliRunner(mix_stderr=False)
    built = runner.invoke(cli, ["--config", str(toml), "build", str(article)])
    assert built.exit_code == 0, built.output
    warnings = [line for line in built.stderr.splitlines() if line.startswith("WARNING: ")]
    assert len(warnings) == 4
    for name in ("show.title", "show.author", "show.email", "show.base_url"):
        assert sum(name in line for line in warnings) == 1, name
    config = config_mod.load(toml)
    loopback_guid = feed.podcast_guid(config.feed_url)
    assert channel(config).findtext(f"{PODCAST}guid") == loopback_guid  # computed, shown...
    assert stored_meta(config, "podcast_guid") is None  # ...but not frozen
    assert stored_meta(config, "feed_url") is None
    recovered = runner.invoke(cli, ["--config", str(toml), "recover", "--force"])
    assert recovered.exit_code == 0, recovered.output
    assert stored_meta(config, "podcast_guid") is None  # recover keeps the same rule

    public = set_show(toml, base_url="https://ondes.lefil-essai.fr/podcast/")
    assert runner.invoke(cli, ["--config", str(toml), "feed"]).exit_code == 0
    guid = feed.podcast_guid("https://ondes.lefil-essai.fr/podcast/feed.xml")
    assert guid != loopback_guid and stored_meta(public, "podcast_guid") == guid
    assert channel(public).findtext(f"{PODCAST}guid") == guid
    assert channel(public).find(f"{ITUNES}new-feed-url") is None  # first public feed: no move

    moved = set_show(toml, base_url="https://nouveau.lefil-essai.fr/")
    assert runner.invoke(cli, ["--config", str(toml), "feed"]).exit_code == 0
    assert channel(moved).findtext(f"{PODCAST}guid") == guid  # the GUID follows the show
    with open(moved.publish_dir / "feed.xml", "rb") as handle:
        parsed = podcastparser.parse(moved.feed_url, handle)
    assert parsed["new_url"] == "https://nouveau.lefil-essai.fr/feed.xml"
    assert parsed["episodes"][0]["enclosures"][0]["url"].startswith("https://nouveau.lefil-essai.fr/episodes/")

    trial = set_show(toml, base_url="http://localhost:8000/")  # a local trial run is not a move
    assert runner.invoke(cli, ["--config", str(toml), "feed"]).exit_code == 0
    assert channel(trial).find(f"{ITUNES}new-feed-url") is None
    assert channel(trial).findtext(f"{PODCAST}guid") == guid


@pytest.mark.parametrize(
    ("url", "placeholder"),
    [
        ("http://127.0.0.1:8000/", True),
        ("http://localhost/", True),
        ("http://[::1]:8000/", True),
        ("http://0.0.0.0/", True),
        ("http://192.168.1.20/podcast/", True),
        ("https://podcast.example.org/show/", True),
        ("https://example.com/", True),
        ("https://radio.test/", True),
        ("https://ondes.lefil-essai.fr/", False),
        ("https://examples.org/", False),
        ("https://8.8.8.8/", False),
    ],
)
def test_placeholder_hosts(url: str, placeholder: bool) -> None:
    assert identity.placeholder_host(url) is placeholder


def test_placeholders_lists_each_default_once(tmp_path: Path) -> None:
    assert len(identity.placeholders(config_mod.Config(root=tmp_path))) == 4
    show = config_mod.ShowConfig(
        title="Ondes", author="Rédaction", email="ondes@lefil-essai.fr", base_url="https://ondes.lefil-essai.fr/"
    )
    assert identity.placeholders(config_mod.Config(root=tmp_path, show=show)) == []


def load_with(show: Path, **values: object) -> config_mod.Config:
    return set_show(show / "podcast.toml", **values)


@pytest.mark.parametrize("email", ["pas une adresse", "a@b", "a@@b.fr", "a b@c.fr", "a@b.fr\nBcc: x@y.fr", "<a@b.fr>"])
def test_a_bad_email_is_one_line(show: Path, email: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_with(show, email=email)
    message = str(caught.value)
    assert "show.email must be an e-mail address" in message and "\n" not in message.replace(repr(email), "")


@pytest.mark.parametrize("email", ["redaction@lefil-essai.fr", "j.dupont+podcast@mail.example.org", ""])
def test_good_emails_load(show: Path, email: str) -> None:
    assert load_with(show, email=email).show.email == email


def test_an_invalid_email_is_never_the_locked_owner(tmp_path: Path) -> None:
    """A library caller can build a Config without load(): the feed still never publishes it."""
    show = dataclasses.replace(config_mod.ShowConfig(), email="pas une adresse", base_url="https://ondes.fr/")
    rss = feed.render(config_mod.Config(root=tmp_path, show=show), [])
    root = ET.fromstring(rss).find("channel")
    assert root is not None
    locked = root.find(f"{PODCAST}locked")
    assert locked is not None and locked.text == "yes" and "owner" not in locked.attrib
    assert b"pas une adresse" not in rss


@pytest.mark.parametrize(
    ("category", "subcategory", "said"),
    [
        ("Tech", "", "show.category 'Tech' is not an Apple Podcasts category; did you mean 'Technology'?"),
        ("technology", "", "did you mean 'Technology'?"),
        ("Technologie", "", "did you mean 'Technology'?"),
        ("Technology", "Podcasting", "show.subcategory 'Podcasting': Technology has no subcategories; leave it empty"),
        (
            "News",
            "Tech",
            "show.subcategory 'Tech' is not an Apple Podcasts subcategory of News; did you mean 'Tech News'?",
        ),
        ("Arts", "Poésie", "one of: Books, Design, Fashion & Beauty, Food, Performing Arts, Visual Arts"),
    ],
)
def test_apple_categories_are_checked(show: Path, category: str, subcategory: str, said: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        load_with(show, category=category, subcategory=subcategory)
    assert said in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("category", "subcategory"), [("Technology", ""), ("News", "Tech News"), ("Leisure", "Video Games")]
)
def test_apple_categories_on_the_list_load(show: Path, category: str, subcategory: str) -> None:
    config = load_with(show, category=category, subcategory=subcategory)
    assert (config.show.category, config.show.subcategory) == (category, subcategory)


def test_the_shipped_list_is_apples_current_one() -> None:
    assert len(categories.APPLE) == 19
    assert sum(len(subs) for subs in categories.APPLE.values()) == 91  # 110 categories in all
    assert "Podcasting" not in categories.APPLE["Technology"] and "Tech News" in categories.APPLE["News"]
