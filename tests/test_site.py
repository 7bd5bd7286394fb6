"""The listeners' pages without a browser: what they hold, where they link, how they follow the catalog
(rebuilt byte for byte, removed with an episode, replaced with it), a show's own templates, the
upload order, and the colours' contrast. tests/test_site_browser.py drives them in Chromium."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, timedelta
from pathlib import Path

import feedparser
import podcastparser
import pytest
from click.testing import CliRunner
from helpers import configure, published
from site_support import BASE_URL, HOSTILE, Page, copy_show, template_show

from podcast import config as config_mod
from podcast import site
from podcast.build import build
from podcast.catalog import Episode
from podcast.cli import cli
from podcast.errors import EXIT_USAGE
from podcast.publish import list_episodes, regenerate_feed
from podcast.sidecars import Cue, webvtt
from podcast.upload import publish

PAGES = Path(site.__file__).with_name("pages")


def _config() -> config_mod.Config:
    return config_mod.load(template_show() / "podcast.toml")


def _pages(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in published(folder).items() if name.endswith(".html")}


def _invoke(config: config_mod.Config, *args: str):  # type: ignore[no-untyped-def]
    runner = CliRunner(mix_stderr=False)
    return runner.invoke(cli, ["--config", str(config.root / "podcast.toml"), *args], catch_exceptions=False)


# --- what the pages hold -------------------------------------------------------------------------


def test_index_lists_the_episodes_newest_first_and_how_to_subscribe() -> None:
    config = _config()
    episodes = list_episodes(config)
    page = Page((config.publish_dir / "index.html").read_text(encoding="utf-8"))
    assert ("html", {"lang": "fr"}) in page.tags
    links = [a["href"] for a in page.all("a")]
    assert [link for link in links if link.startswith("episodes/")] == [site.page_name(e) for e in episodes]
    assert [e.number for e in episodes] == [2, 1]
    text = " ".join(" ".join(page.text).split())
    assert "S'abonner" in text and "1er mars 2025" in text and "2 mars 2025" in text
    assert [i["value"] for i in page.all("input")] == [BASE_URL + "feed.xml"]
    feed = "ecoute.example.org/lettre/feed.xml"
    quoted = "https%3A%2F%2Fecoute.example.org%2Flettre%2Ffeed.xml"
    assert f"podcasts://{feed}" in links and f"pktc://subscribe/{feed}" in links
    assert f"https://antennapod.org/deeplink/subscribe?url={quoted}" in links
    assert f"overcast://x-callback-url/add?url={quoted}" in links
    assert page.meta("og:image") == BASE_URL + "cover.png" and page.meta("og:url") == BASE_URL + "index.html"


def test_episode_page_has_player_chapters_transcript_notes_and_open_graph() -> None:
    config = _config()
    newest = list_episodes(config)[0]
    page = Page((config.publish_dir / site.page_name(newest)).read_text(encoding="utf-8"))
    [audio] = page.all("audio")
    assert audio["src"] == Path(newest.audio).name and audio["preload"] == "metadata" and "controls" in audio
    chapters = [b for b in page.all("button") if b.get("class") == "seek"]
    assert [float(b["data-start"]) * 1000 for b in chapters] == [start for start, _ in json.loads(newest.marks)]
    assert len(chapters) == 3  # introduction and two articles
    cues = [b for b in page.all("button") if b.get("class") == "cue"]
    vtt = site.parse_vtt((config.publish_dir / newest.vtt).read_text(encoding="utf-8"))
    assert [(float(b["data-start"]), float(b["data-end"])) for b in cues] == [
        (c.start_ms / 1000, c.end_ms / 1000) for c in vtt
    ]
    text = " ".join(" ".join(page.text).split())
    assert "Une piste cyclable vers la gare" in text and "Notes de l'épisode" in text
    assert "2 mars 2025" in text
    assert page.meta("og:title") == newest.title
    assert page.meta("og:audio") == BASE_URL + newest.audio
    assert page.meta("og:image") == BASE_URL + "cover.png"
    assert page.meta("og:type") == "article"
    assert page.meta("og:url") == BASE_URL + site.page_name(newest)


def test_every_relative_link_of_every_page_is_a_file_and_nothing_is_fetched_elsewhere() -> None:
    folder = _config().publish_dir
    pages = _pages(folder)
    assert len(pages) == 3  # index and two episodes
    for name, data in pages.items():
        page = Page(data.decode("utf-8"))
        for url in page.urls():
            if re.match(r"^[a-z]+:", url):  # absolute: only links a listener follows, never loaded
                assert url.startswith(("podcasts:", "pktc:", "overcast:", "https://antennapod.org/", "data:")), url
                continue
            if url.startswith("#"):
                assert any(attrs.get("id") == url[1:] for _, attrs in page.tags), f"{name} links {url}, absent"
                continue
            target = (folder / name).parent / url.split("#", 1)[0]
            assert target.resolve().is_file(), f"{name} links {url}, absent"
        loaded = [a.get("src", "") for tag, a in page.tags if tag in ("img", "audio", "script", "source")]
        loaded += [a["href"] for a in page.all("link") if a.get("rel") in ("stylesheet", "icon")]
        assert all(not re.match(r"^[a-z]+://", url) for url in loaded), loaded


def test_pages_are_small() -> None:
    folder = _config().publish_dir
    for name, data in _pages(folder).items():
        transcript = data.split(b'<div class="transcript"', 1)
        outside = len(transcript[0]) + (len(transcript[1].split(b"</div>", 1)[1]) if len(transcript) > 1 else 0)
        assert outside < 60_000, f"{name}: {outside} bytes besides the transcript"


def test_a_hostile_title_is_text_in_the_page_the_open_graph_tags_and_the_index() -> None:
    config = _config()
    first = [e for e in list_episodes(config) if e.number == 1][0]
    assert first.title == HOSTILE
    for name in (site.page_name(first), "index.html"):
        raw = (config.publish_dir / name).read_text(encoding="utf-8")
        assert "<script>alert" not in raw
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; « Cie »" in raw
        page = Page(raw)
        assert len(page.all("script")) == 1  # ours, inline, and only ours
        assert HOSTILE in " ".join(page.text)
    page = Page((config.publish_dir / site.page_name(first)).read_text(encoding="utf-8"))
    assert page.meta("og:title") == HOSTILE


def test_feed_links_the_pages_for_feedparser_and_podcastparser() -> None:
    config = _config()
    data = (config.publish_dir / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo and parsed.feed.link == BASE_URL + "index.html"
    pages = {e.link for e in parsed.entries}
    assert pages == {BASE_URL + site.page_name(e) for e in list_episodes(config)}
    for link in pages:
        assert (config.publish_dir / link.removeprefix(BASE_URL)).is_file()
    gpodder = podcastparser.parse(BASE_URL + "feed.xml", __import__("io").BytesIO(data))
    assert gpodder["link"] == BASE_URL + "index.html"
    assert {e["link"] for e in gpodder["episodes"]} == pages


# --- following the catalog -----------------------------------------------------------------------


def test_rebuilds_give_the_same_bytes(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    before = _pages(config.publish_dir)
    regenerate_feed(config)
    for index, name in enumerate(["lettre-1.txt", "lettre-2.txt"]):
        build(config, config.root / name, day=date(2025, 3, index + 1), force=True)  # synthesized again
    assert _pages(config.publish_dir) == before


def test_a_removed_episode_takes_its_page_and_the_index_forgets_it(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    first = [e for e in list_episodes(config) if e.number == 1][0]
    page = config.publish_dir / site.page_name(first)
    assert page.is_file()
    result = _invoke(config, "remove", "--yes", "1")
    assert result.exit_code == 0, result.output
    assert not page.exists()
    index = (config.publish_dir / "index.html").read_text(encoding="utf-8")
    assert site.page_name(first).split("/")[1] not in index and "alert(1)" not in index


def test_an_updated_episode_replaces_its_page(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    old = [e for e in list_episodes(config) if e.number == 2][0]
    article = config.root / "lettre-2.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("cent ans", "cent un ans"), encoding="utf-8")
    new = build(config, article, day=date(2025, 3, 2)).episode
    assert new.audio != old.audio
    assert not (config.publish_dir / site.page_name(old)).exists()
    assert "cent un ans" in (config.publish_dir / site.page_name(new)).read_text(encoding="utf-8")
    assert sorted(_pages(config.publish_dir)) == sorted(
        ["index.html", site.page_name(new), site.page_name([e for e in list_episodes(config) if e.number == 1][0])]
    )


def test_a_scheduled_episode_has_no_page_until_its_day(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    article = config.root / "prochain.txt"
    article.write_text("Le prochain numéro\nUn sujet\nIl sortira plus tard.\n", encoding="utf-8")
    later = build(config, article, day=date.today() + timedelta(days=30)).episode
    assert not (config.publish_dir / site.page_name(later)).exists()
    assert "prochain" not in (config.publish_dir / "index.html").read_text(encoding="utf-8")


def test_pages_can_be_turned_off_and_then_ours_are_deleted(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    config = config_mod.load(configure(config.root, {"site": {"enabled": False}}))
    regenerate_feed(config)
    assert _pages(config.publish_dir) == {}
    parsed = feedparser.parse((config.publish_dir / "feed.xml").read_bytes())
    assert parsed.feed.link == BASE_URL
    assert all(e.link.endswith(".mp3") for e in parsed.entries)


def test_a_hand_made_index_is_never_deleted(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    config = config_mod.load(configure(config.root, {"site": {"enabled": False}}))
    (config.publish_dir / "index.html").write_text("<p>Ma page</p>", encoding="utf-8")
    regenerate_feed(config)
    assert (config.publish_dir / "index.html").read_text(encoding="utf-8") == "<p>Ma page</p>"


def test_prune_deletes_only_our_pages_never_a_hand_made_one_named_like_ours(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    mine = config.publish_dir / "episodes" / "007-ma-page-0123abcd.html"  # our names' pattern, not ours
    mine.write_text("<p>Ma page</p>", encoding="utf-8")
    config = config_mod.load(configure(config.root, {"site": {"enabled": False}}))
    regenerate_feed(config)
    assert _pages(config.publish_dir) == {"episodes/007-ma-page-0123abcd.html": b"<p>Ma page</p>"}


def test_prune_never_follows_a_symlinked_episodes_folder_out_of_the_publish_folder(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    elsewhere = tmp_path / "elsewhere"
    (config.publish_dir / "episodes").rename(elsewhere)
    (config.publish_dir / "episodes").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "008-autre-0123abcd.html").write_bytes(site.GENERATOR.encode())  # even one that looks ours
    (elsewhere / "009-autre-0123abcd.mp3").write_bytes(b"not an episode")  # nor a leftover MP3 (recover)
    before = published(elsewhere)
    assert sum(name.endswith(".html") for name in before) == 3
    config = config_mod.load(configure(config.root, {"site": {"enabled": False}}))
    assert site.prune(config, {}) == [config.publish_dir / "index.html"]  # ours, inside: deleted
    assert published(elsewhere) == before
    regenerate_feed(config)  # recover's sweep of leftovers too
    assert published(elsewhere) == before


@pytest.mark.parametrize("name", ["index.html", "episode"])
def test_a_hand_made_page_is_never_overwritten_and_nothing_is_done(tmp_path: Path, name: str) -> None:
    config = copy_show(tmp_path / "show")
    if name == "episode":
        name = site.page_name(list_episodes(config)[0])
    (config.publish_dir / name).write_text("<p>Ma page à moi</p>", encoding="utf-8")
    before = published(config.publish_dir)
    for args in (["feed"], ["build", str(config.root / "lettre-2.txt"), "--force"], ["remove", "--yes", "1"]):
        result = _invoke(config, *args)
        assert result.exit_code == EXIT_USAGE == site.ForeignPageError.exit_code, (args, result.stderr)
        [line] = [row for row in result.stderr.splitlines() if not row.startswith("WARNING")]  # build warns
        assert name in line and "move it away" in line and "[site] enabled = false" in line, line
        assert published(config.publish_dir) == before
    with pytest.raises(site.ForeignPageError):  # the writer itself refuses too
        site.write(config, {name: b"x"})
    # Pages off: the hand-made page stays, and the show builds.
    configure(config.root, {"site": {"enabled": False}})
    assert _invoke(config, "feed").exit_code == 0
    assert (config.publish_dir / name).read_text(encoding="utf-8") == "<p>Ma page à moi</p>"


def test_a_hand_made_index_stops_a_new_show_s_first_build_before_any_sound(make_show) -> None:  # type: ignore[no-untyped-def]
    show = make_show(articles={"lettre.txt": "Le titre\nUn sujet\nUne phrase.\n"})
    index = show / "feed" / "index.html"
    index.parent.mkdir()
    index.write_text("<h1>Bienvenue</h1>", encoding="utf-8")
    config = config_mod.load(show / "podcast.toml")
    result = _invoke(config, "build", str(show / "lettre.txt"))
    assert result.exit_code == EXIT_USAGE and "index.html" in result.stderr, result.stderr
    assert published(show / "feed") == {"index.html": b"<h1>Bienvenue</h1>"}


# --- a show's own templates ----------------------------------------------------------------------


def test_a_show_template_overrides_the_built_in_one_and_the_others_stay(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    own = config.root / "site-templates"
    own.mkdir()
    (own / "index.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block body %}<p id="own">{{ show.title }} : '
        "{{ show.episodes|length }} épisodes</p>{% endblock %}",
        encoding="utf-8",
    )
    config = config_mod.load(configure(config.root, {"site": {"templates": "site-templates"}}))
    regenerate_feed(config)
    index = (config.publish_dir / "index.html").read_text(encoding="utf-8")
    assert '<p id="own">La Lettre Écoute : 2 épisodes</p>' in index
    assert '<html lang="fr">' in index  # base.html.j2: the built-in one
    newest = list_episodes(config)[0]
    assert "Transcription" in (config.publish_dir / site.page_name(newest)).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{% if %}", "line 1"),  # a syntax error
        ("{{ episode.nothing_here }}", "nothing_here"),  # a name the pages do not have
        ('{% include "absent.html" %}', "absent.html"),
        ('{% extends "base.html.j2" %}{% block body %}\n{{ 1 // 0 }}{% endblock %}', "line 2"),  # a Python error
    ],
)
def test_a_broken_show_template_is_one_line_and_changes_nothing(tmp_path: Path, text: str, words: str) -> None:
    config = copy_show(tmp_path / "show")
    own = config.root / "site-templates"
    own.mkdir()
    (own / "episode.html.j2").write_text(text, encoding="utf-8")
    configure(config.root, {"site": {"templates": "site-templates"}})
    before = published(config.publish_dir)
    result = _invoke(config, "feed")
    assert result.exit_code == EXIT_USAGE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "page template" in lines[0], result.stderr
    assert str(own / "episode.html.j2") in lines[0]
    assert "Traceback" not in result.stderr
    assert published(config.publish_dir) == before
    # A build stops too, before any sound is made.
    result = _invoke(config, "build", str(config.root / "lettre-2.txt"), "--force")
    assert result.exit_code == EXIT_USAGE and published(config.publish_dir) == before


def test_a_show_template_must_keep_the_generator_mark(tmp_path: Path) -> None:
    # Without it, the next run could not tell the page from a hand-made one (and would refuse it).
    config = copy_show(tmp_path / "show")
    own = config.root / "site-templates"
    own.mkdir()
    (own / "index.html.j2").write_text("<!doctype html><title>{{ show.title }}</title>", encoding="utf-8")
    configure(config.root, {"site": {"templates": "site-templates"}})
    before = published(config.publish_dir)
    result = _invoke(config, "feed")
    assert result.exit_code == EXIT_USAGE and "generator" in result.stderr and "index.html.j2" in result.stderr
    assert published(config.publish_dir) == before


def test_a_missing_template_folder_is_a_config_error(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    configure(config.root, {"site": {"templates": "nowhere"}})
    result = _invoke(config, "feed")
    assert result.exit_code == EXIT_USAGE and "site.templates" in result.stderr


# --- upload --------------------------------------------------------------------------------------


class _Recorder:
    """A remote folder in memory that records what was put, in order, with its headers."""

    def __init__(self) -> None:
        self.files: dict[str, int] = {}
        self.puts: list[tuple[str, dict[str, str]]] = []

    def list(self) -> dict[str, int]:
        return dict(self.files)

    def put(self, local: Path, name: str, headers: dict[str, str], progress: object) -> None:
        self.files[name] = local.stat().st_size
        self.puts.append((name, headers))

    def delete(self, name: str) -> None:
        self.files.pop(name, None)

    def close(self) -> None:
        pass


def test_publish_sends_media_then_episode_pages_then_index_then_feed(tmp_path: Path) -> None:
    config = copy_show(tmp_path / "show")
    config = config_mod.load(configure(config.root, {"upload": {"target": "sftp://u@127.0.0.1:22/srv/lettre"}}))
    remote = _Recorder()
    publish(config, remote=remote)
    order = [name for name, _ in remote.puts]
    kinds = [
        "4feed" if n == "feed.xml" else "3index" if n == "index.html" else "2page" if n.endswith(".html") else "1file"
        for n in order
    ]
    assert kinds == sorted(kinds) and kinds.count("2page") == 2 and kinds[-2:] == ["3index", "4feed"]
    headers = dict(remote.puts)
    assert all("immutable" not in h["Cache-Control"] for n, h in headers.items() if n.endswith(".html"))
    assert all(h["Content-Type"] == "text/html; charset=utf-8" for n, h in headers.items() if n.endswith(".html"))


# --- units ---------------------------------------------------------------------------------------


def test_times_are_whole_seconds_as_the_player_shows_them_and_never_break() -> None:
    # Chromium's player shows 396.8 s as 6:36: the pages drop the fraction too.
    assert [site.clock(ms) for ms in (0, 999, 4_600, 396_800, 3_723_999)] == ["0:00", "0:00", "0:04", "6:36", "1:02:03"]
    page = site.sample(_config(), "cover.png").episodes[0]
    for ms, text, iso in [
        (396_800, "6 min 36 s", "PT6M36S"),
        (59_999, "59 s", "PT0M59S"),
        (3_723_999, "1 h 02 min", "PT1H2M3S"),
    ]:
        timed = dataclasses.replace(page, duration_ms=ms)
        assert timed.duration_text == text.replace(" ", "\u00a0") and timed.duration_iso == iso
        assert " " not in timed.duration_text  # no-break spaces only: « 6 min » never ends a line
    assert site.Chapter(396_800, 400_000, "x").clock == "6:36"


@pytest.mark.parametrize(
    ("title", "description", "expected"),
    [
        ("La lettre", "La lettre. Au sommaire : A ; B.", "Au sommaire : A ; B."),
        (
            "La lettre du canal : deuxième numéro",
            "La lettre du canal :  Deuxième numéro ! Et aussi : x.",
            "Et aussi : x.",
        ),
        ("Vol. 2 de la lettre", "Vol. 2 de la lettre. Au sommaire : A.", "Au sommaire : A."),
        ("La lettre", "La lettre de mars. Au sommaire : A.", "La lettre de mars. Au sommaire : A."),
        ("La lettre", "Au sommaire : La lettre.", "Au sommaire : La lettre."),
        ("La lettre", "La lettre.", ""),
    ],
)
def test_the_summary_drops_a_first_sentence_that_repeats_the_title(title: str, description: str, expected: str) -> None:
    assert site.summary(title, description) == expected


def test_the_index_does_not_repeat_each_title_under_it() -> None:
    config = _config()
    index = (config.publish_dir / "index.html").read_text(encoding="utf-8")
    for episode in list_episodes(config):
        assert episode.description.startswith(episode.title)  # what the feed says
        summary = index.split(f'href="{site.page_name(episode)}"', 1)[1].split("</li>", 1)[0]
        paragraphs = [" ".join(Page(p).text).strip() for p in re.findall(r"<p>.*?</p>", summary, re.S)]
        assert paragraphs and paragraphs[-1].startswith("Au sommaire"), paragraphs


@pytest.mark.parametrize(
    "url",
    [
        'https://example.org/a"b/',
        "https://example.org/<script>/",
        "https://example.org/a>b/",
        "https://exa mple.org/",
        "https://example.org/a`b/",
        "https://exämple.org/",
        "https://example.org/a\\b/",
    ],
)
def test_a_base_url_with_characters_no_url_has_is_refused(make_show, url: str) -> None:  # type: ignore[no-untyped-def]
    show = make_show({"show": {"base_url": url}})
    with pytest.raises(config_mod.ConfigError) as raised:
        config_mod.load(show / "podcast.toml")
    assert "show.base_url" in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "url", ["https://example.org/podcast/", "http://127.0.0.1:8000/", "http://[::1]:8000/a/", "https://x.org/a%20b/~c/"]
)
def test_a_plain_base_url_is_accepted(make_show, url: str) -> None:  # type: ignore[no-untyped-def]
    show = make_show({"show": {"base_url": url}})
    assert config_mod.load(show / "podcast.toml").base_url == url


def test_vtt_is_read_back_as_written() -> None:
    cues = [Cue(0, 1500, "Bonjour <à> & vous."), Cue(3_723_004, 3_725_000, "Une heure plus tard.")]
    lines = site.parse_vtt(webvtt(cues))
    assert [(line.start_ms, line.end_ms, line.text) for line in lines] == [(c.start_ms, c.end_ms, c.text) for c in cues]
    assert lines[1].start == "3723.004" and lines[0].start == "0" and lines[0].end == "1.5"


def test_show_notes_keep_plain_structure_and_drop_anything_else() -> None:
    notes = site.notes(
        '<p onclick="x()">Bonjour <script>alert(1)</script></p><ol><li>(0:05) A &amp; B '
        '<img src="https://pixel.example/x.gif"></li></ol><p>Lire https://example.org/a?b=1&amp;c=2.</p>'
    )
    assert notes == (
        "<p>Bonjour alert(1)</p><ol><li>(0:05) A &amp; B </li></ol>"
        '<p>Lire <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>.</p>'
    )


def test_transcript_lines_go_under_the_chapter_they_start_in() -> None:
    episode = Episode(
        **{
            **{f: "" for f in ("key", "guid", "title", "slug", "date", "pub_date", "audio", "engine", "voice")},
            **{"text_hash": "", "description": "", "notes_html": "", "updated": ""},
            "number": 1,
            "duration_ms": 9000,
            "bytes": 1,
            "chapters": None,
            "vtt": None,
            "srt": None,
            "marks": '[[4000, "B"], [0, "A"]]',
        }
    )
    chapters = site.chapters(episode)
    assert [(c.start_ms, c.end_ms, c.title) for c in chapters] == [(0, 4000, "A"), (4000, 9000, "B")]
    lines = [site.Line(100, 900, "un"), site.Line(3900, 4300, "deux"), site.Line(4000, 5000, "trois")]
    grouped = site.sections(chapters, lines)
    assert [(s.title, [line.text for line in s.lines]) for s in grouped] == [("A", ["un", "deux"]), ("B", ["trois"])]


# --- contrast ------------------------------------------------------------------------------------

# The colour pairs the style sheet uses: (text, background).
PAIRS = [
    ("fg", "bg"),
    ("muted", "bg"),
    ("link", "bg"),
    ("focus", "bg"),
    ("fg", "panel"),
    ("muted", "panel"),
    ("mark-fg", "mark-bg"),
    ("button-fg", "button-bg"),
]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _schemes() -> dict[str, dict[str, str]]:
    css = (PAGES / "site.css").read_text(encoding="utf-8")
    light, dark = css.split("@media (prefers-color-scheme: dark)", 1)

    def variables(text: str) -> dict[str, str]:
        return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", text))

    return {"light": variables(light), "dark": {**variables(light), **variables(dark.split("}", 1)[0])}}


def test_contrast_helper_can_fail() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0 and contrast("#777777", "#888888") < 4.5


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_colour_pairs_meet_wcag_aa(scheme: str, text: str, background: str) -> None:
    colours = _schemes()[scheme]
    assert len(_schemes()["dark"]) == len(_schemes()["light"]) >= 10
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{scheme}: {text} on {background} is {ratio:.2f}:1"


def test_the_built_in_templates_ship_as_package_data() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    declared = pyproject["tool"]["setuptools"]["package-data"]["podcast.pages"]
    assert "podcast.pages" in pyproject["tool"]["setuptools"]["packages"]
    for name in site.TEMPLATES:
        assert (PAGES / name).is_file()
        assert any(Path(name).match(pattern) for pattern in declared), name


def test_a_publish_folder_left_with_only_pages_is_still_the_show_s(make_show) -> None:  # type: ignore[no-untyped-def]
    # A first build killed after the pages, before the feed: the folder is ours, not foreign.
    show = make_show()
    (show / "feed").mkdir()
    (show / "feed" / "index.html").write_text(site.GENERATOR, encoding="utf-8")
    assert config_mod.load(show / "podcast.toml").site.enabled


def test_a_template_folder_inside_the_publish_folder_is_refused(make_show) -> None:  # type: ignore[no-untyped-def]
    show = make_show()
    (show / "feed" / "pages").mkdir(parents=True)
    (show / "feed" / "feed.xml").write_text("", encoding="utf-8")  # a show's folder already
    configure(show, {"site": {"templates": "feed/pages"}})
    with pytest.raises(config_mod.ConfigError, match="site.templates must not lie inside the publish folder"):
        config_mod.load(show / "podcast.toml")


def test_compiled_templates_are_kept_per_user_and_a_broken_cache_never_costs_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiling the templates cost ~45 ms a run: Jinja's bytecode goes to the user's cache folder.
    Damaged entries are recompiled, and a cache folder that cannot be made leaves pages as they were."""
    config = copy_show(tmp_path / "show")
    index = config.publish_dir / "index.html"

    def pages() -> bytes:
        site.environment.cache_clear()
        regenerate_feed(config)
        return index.read_bytes()

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    try:
        expected = pages()
        kept = list((tmp_path / "xdg" / "podcast-builder" / "pages").iterdir())
        assert kept
        for entry in kept:
            entry.write_bytes(b"\x00 damaged")
        assert pages() == expected
        (tmp_path / "xdg").rename(tmp_path / "gone")
        (tmp_path / "xdg").write_text("a file where the cache folder would go", encoding="utf-8")
        assert pages() == expected
    finally:
        site.environment.cache_clear()


def test_show_notes_time_a_chapter_as_its_page_and_the_player_do(tmp_path: Path) -> None:
    """The notes said (0:21) under a chapter list and a player saying 0:20 for a start at 20.6 s."""
    from podcast.article import read
    from podcast.sidecars import show_notes
    from podcast.timeline import Chapter

    source = tmp_path / "lettre.txt"
    source.write_text("La lettre\nPremier sujet\nUn texte.\nSecond sujet\nUn autre texte.\n", encoding="utf-8")
    issue = read(source)
    starts = [Chapter(a.title, ms, ms + 5000, index) for index, (a, ms) in enumerate(zip(issue.articles, (0, 20_600)))]
    notes = show_notes(issue, starts)
    assert "(0:20)" in notes and "(0:21)" not in notes
    assert site.Chapter(20_600, 25_600, "x").clock == "0:20"
