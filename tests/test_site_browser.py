"""The listeners' pages in a real headless Chromium (Debian's, driven by Playwright): served by
``podcast serve`` and from ``file://``, they load with no error and no request elsewhere, the player
plays the real MP3, chapters and transcript seek and follow it, the keyboard reaches them, a hostile
title stays text, and they read at 360 px (screenshots kept with the run's artifacts)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import LAUNCH_ARGS, Watch, artifacts_dir, chromium_path
from helpers import probe, serving
from site_support import HOSTILE, template_show

from podcast import config as config_mod
from podcast import site
from podcast.catalog import Episode
from podcast.publish import list_episodes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built show's publish folder (two real episodes), served and browsed read-only."""
    show = tmp_path_factory.mktemp("browsed") / "show"
    shutil.copytree(template_show(), show)
    return config_mod.load(show / "podcast.toml").publish_dir


@pytest.fixture(scope="module")
def episodes(folder: Path) -> list[Episode]:
    return list_episodes(config_mod.load(folder.parent / "podcast.toml"))


@pytest.fixture(scope="module")
def base(folder: Path) -> Iterator[str]:
    """``podcast serve`` on a free loopback port: its address."""
    with serving(folder) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_page(browser: Any, base: str) -> Iterator[Any]:
    """``open_page(url, width=1280, scheme="light") -> (page, watch)``: a fresh context per page."""
    contexts: list[Any] = []

    def make(url: str, width: int = 1280, scheme: str = "light", allowed: tuple[str, ...] = ()) -> tuple[Any, Watch]:
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch = Watch(allowed or (base,))
        watch.attach(page)
        page.goto(url, wait_until="load")
        return page, watch

    yield make
    for context in contexts:
        context.close()


def _ready(page: Any) -> float:
    """The player's duration once its metadata has loaded."""
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    return float(page.evaluate("document.getElementById('player').duration"))


def _record_seeks(page: Any) -> None:
    page.evaluate(
        """() => { window.seeks = []; const a = document.getElementById('player');
        a.addEventListener('seeking', () => window.seeks.push(a.currentTime)); }"""
    )


def _last_seek(page: Any) -> float:
    """The time the player seeked to since the previous call."""
    page.wait_for_function("window.seeks.length > 0")
    return float(page.evaluate("window.seeks.splice(0).pop()"))


def test_every_page_loads_with_no_error_and_no_request_elsewhere(
    open_page: Any, base: str, episodes: list[Episode]
) -> None:
    for name in ["index.html"] + [site.page_name(e) for e in episodes]:
        page, watch = open_page(base + name)
        if name != "index.html":
            _ready(page)
        page.wait_for_load_state("networkidle")
        watch.check()
        assert watch.requests and all(url.startswith(base) for url in watch.requests)
        assert page.evaluate("document.documentElement.lang") == "fr"
    page, watch = open_page(base + "index.html")
    page.click(f"a[href='{site.page_name(episodes[0])}']")  # the index leads to the episode
    page.wait_for_url(base + site.page_name(episodes[0]))
    watch.check()


def test_the_player_plays_the_mp3_for_its_real_length(
    open_page: Any, base: str, folder: Path, episodes: list[Episode]
) -> None:
    for episode in episodes:
        page, watch = open_page(base + site.page_name(episode))
        duration = _ready(page)
        expected = float(probe(folder / episode.audio)["format"]["duration"])  # ffprobe, not our code
        assert abs(duration - expected) <= 0.1, (duration, expected)
        assert abs(duration - episode.duration_ms / 1000) <= 0.1
        page.evaluate("document.getElementById('player').play()")
        page.wait_for_function("document.getElementById('player').currentTime > 0.3")
        watch.check()


def test_a_chapter_click_seeks_to_its_start_and_marks_it(open_page: Any, base: str, episodes: list[Episode]) -> None:
    page, watch = open_page(base + site.page_name(episodes[0]))
    _ready(page)
    _record_seeks(page)
    buttons = page.locator("button.seek")
    assert buttons.count() == 3
    for index in reversed(range(buttons.count())):
        button = buttons.nth(index)
        start = float(button.get_attribute("data-start"))
        button.click()
        assert abs(_last_seek(page) - start) <= 0.1
        assert button.get_attribute("aria-current") == "true" and "current" in button.get_attribute("class")
        assert page.locator("button.seek[aria-current]").count() == 1
    watch.check()


def test_the_transcript_follows_the_playing_time(open_page: Any, base: str, episodes: list[Episode]) -> None:
    page, watch = open_page(base + site.page_name(episodes[1]))
    _ready(page)
    cues = page.locator("button.cue")
    spans = [
        (float(cues.nth(i).get_attribute("data-start")), float(cues.nth(i).get_attribute("data-end")))
        for i in range(cues.count())
    ]
    assert len(spans) >= 5
    for index in (len(spans) - 1, 0, len(spans) // 2, 2):
        start, end = spans[index]
        page.evaluate(f"document.getElementById('player').currentTime = {(start + end) / 2}")
        page.wait_for_function(
            f"document.querySelectorAll('button.cue')[{index}].getAttribute('aria-current') === 'true'"
        )
        assert page.locator("button.cue.current").count() == 1
        assert page.locator("button.cue[aria-current]").count() == 1
    # While playing, the sentence marked is the one whose span holds the time.
    start, end = spans[3]
    page.evaluate(f"const a = document.getElementById('player'); a.currentTime = {start}; a.play();")
    page.wait_for_function(f"document.getElementById('player').currentTime > {start + 0.2}")
    now, marked = page.evaluate(
        """() => { const a = document.getElementById('player'); a.pause();
        const c = document.querySelector('button.cue[aria-current]');
        return [a.currentTime, [parseFloat(c.dataset.start), parseFloat(c.dataset.end)]]; }"""
    )
    following = [s for s in spans if s[0] > marked[0]]
    assert marked[0] <= now and (now < marked[1] or (following and now < following[0][0])), (now, marked)
    # A sentence clicked seeks to it.
    _record_seeks(page)
    cues.nth(1).click()
    assert abs(_last_seek(page) - spans[1][0]) <= 0.1
    watch.check()


def test_the_keyboard_reaches_the_chapters_and_enter_seeks(open_page: Any, base: str, episodes: list[Episode]) -> None:
    page, watch = open_page(base + site.page_name(episodes[0]))
    _ready(page)
    _record_seeks(page)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('button.seek')"):
            break
    else:
        raise AssertionError("Tab never reached a chapter button")
    page.keyboard.press("Tab")  # the second chapter: its start is not 0
    focused = page.evaluate("[document.activeElement.className, document.activeElement.dataset.start]")
    assert focused[0].startswith("seek") and float(focused[1]) > 0
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # :focus-visible shows where the keyboard is
    page.keyboard.press("Enter")
    assert abs(_last_seek(page) - float(focused[1])) <= 0.1
    watch.check()


def test_a_hostile_title_stays_text(open_page: Any, base: str, episodes: list[Episode]) -> None:
    [hostile] = [e for e in episodes if e.title == HOSTILE]
    for name in (site.page_name(hostile), "index.html"):
        page, watch = open_page(base + name)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.scripts.length") == 1
        assert HOSTILE in page.inner_text("body")
        watch.check()  # no alert: no dialog opened
    assert page.evaluate("document.title") == "La Lettre Écoute"
    page, _ = open_page(base + site.page_name(hostile))
    assert page.inner_text("h1") == HOSTILE and HOSTILE in page.evaluate("document.title")


def test_the_copy_button_copies_the_feed_address(browser: Any, base: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        watch = Watch((base,))
        watch.attach(page)
        page.goto(base + "index.html")
        page.click("#copy")
        page.wait_for_function("document.getElementById('copy-status').textContent.length > 0")
        assert page.inner_text("#copy-status") == "Adresse copiée."
        assert page.evaluate("navigator.clipboard.readText()") == config_mod.load(template_show()).feed_url
        watch.check()
    finally:
        context.close()


def test_an_episode_page_works_from_a_file_url(open_page: Any, folder: Path, episodes: list[Episode]) -> None:
    path = folder / site.page_name(episodes[0])
    page, watch = open_page(path.as_uri(), allowed=("file://",))
    duration = _ready(page)
    assert abs(duration - episodes[0].duration_ms / 1000) <= 0.1
    _record_seeks(page)
    last = page.locator("button.seek").last
    last.click()
    assert abs(_last_seek(page) - float(last.get_attribute("data-start"))) <= 0.1
    watch.check()
    assert all(url.startswith("file://") for url in watch.requests)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_read_at_360_px_and_screenshots_are_kept(
    open_page: Any, base: str, episodes: list[Episode], scheme: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = artifacts_dir(tmp_path_factory)
    for name in ("index.html", site.page_name(episodes[0])):
        for width in (360, 1280):
            page, watch = open_page(base + name, width=width, scheme=scheme)
            if name != "index.html":
                _ready(page)
            page.wait_for_load_state("networkidle")
            if width == 360:
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
            shot = out / f"{Path(name).stem[:24]}-{width}-{scheme}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 1000
            watch.check()
    print(f"screenshots of the pages: {out}")


# For each element matched, its text and the line boxes its text takes: a Range's rects, one per line
# whatever the element's display (a flex item's own box is one rect however many lines it holds).
_LINES = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const range = document.createRange(); range.selectNodeContents(el);
  const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
  return [el.textContent, tops.size];
})"""


def _broken(page: Any, selector: str) -> list[Any]:
    found = page.evaluate(_LINES, selector)
    assert found, selector
    return [item for item in found if item[1] != 1]


def test_chapter_times_keep_one_line_at_360_px(open_page: Any, base: str, episodes: list[Episode]) -> None:
    page, watch = open_page(base + site.page_name(episodes[0]), width=360)
    _ready(page)
    # Chapter titles as long as a real newsletter's: the time beside them keeps its one line.
    page.evaluate(
        """document.querySelectorAll('.chapters .seek span:not(.time)').forEach((s) => {
        s.textContent = 'Un titre de chapitre très long, comme ceux des articles de la lettre, ' + s.textContent; })"""
    )
    assert not _broken(page, ".chapters .time")
    watch.check()


def test_durations_and_dates_keep_one_line_at_360_px(open_page: Any, base: str, episodes: list[Episode]) -> None:
    # Whatever falls before it on its line, a duration (« 6 min 36 s ») or a date is never cut.
    for name in ("index.html", site.page_name(episodes[0])):
        page, watch = open_page(base + name, width=360)
        broken = []
        for length in range(0, 48, 3):
            page.evaluate(
                """(n) => document.querySelectorAll('p.muted').forEach((p) => {
                if (!p.dataset.text) { p.dataset.text = p.innerHTML; }
                p.innerHTML = 'é'.repeat(n) + ' ' + p.dataset.text; })""",
                length,
            )
            broken += _broken(page, "p.muted time")
        assert not broken, broken
        watch.check()


def test_the_page_shows_the_duration_the_player_shows(open_page: Any, base: str, episodes: list[Episode]) -> None:
    for episode in episodes:
        page, watch = open_page(base + site.page_name(episode))
        _ready(page)
        shown, player = page.evaluate(
            """() => { const s = Math.floor(document.getElementById('player').duration);
            const m = Math.floor(s / 60), r = s % 60;
            return [document.querySelectorAll('p.muted time')[1].textContent,
                    m ? m + '\\u00a0min\\u00a0' + String(r).padStart(2, '0') + '\\u00a0s' : r + '\\u00a0s']; }"""
        )
        assert shown == player, (shown, player, episode.duration_ms)
        watch.check()
