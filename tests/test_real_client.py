"""A real podcast client, gPodder's command line (`gpo`), subscribes through `podcast serve` and
downloads the episodes. Skips where gPodder is not installed, fails instead under CI=true (.ci/run
installs Debian's gpodder; the product itself never needs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from helpers import helper_missing, load_show, new_show, serving

from podcast.build import build
from podcast.serve import url

GPO = shutil.which("gpo")
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _gpodder() -> None:
    """Skip without gPodder, but fail under CI=true, where .ci/run installs it."""
    if GPO is None:
        helper_missing("gPodder's gpo is not installed (apt-get install gpodder)")


ARTICLES = {
    "un.txt": "La Lettre du Port : les ferries changent d'horaire\n"
    "Les ferries de l'été partent plus tôt\n"
    "Dès lundi, le premier départ aura lieu à 6 h 30. La compagnie promet des bateaux plus silencieux.\n",
    "deux.txt": "La Lettre du Port : la criée se modernise\n"
    "La criée passe aux enchères en ligne\n"
    "Les pêcheurs vendront leur poisson sur une plateforme. Les acheteurs pourront enchérir à distance.\n",
}


def gpo(home: Path, downloads: Path, *args: str) -> str:
    env = dict(os.environ, GPODDER_HOME=str(home), GPODDER_DOWNLOAD_DIR=str(downloads))
    done = subprocess.run([GPO, *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_gpodder_subscribes_and_downloads_every_episode(tmp_path: Path) -> None:
    folder = tmp_path / "show"
    with serving(folder / "feed") as server:
        show = {"title": "La Lettre du Port", "author": "Équipe", "email": "port@example.org", "base_url": url(server)}
        config = load_show(new_show(folder, {"show": show}, articles=ARTICLES))
        results = [build(config, folder / name, day=date(2026, 11, n)) for n, name in enumerate(ARTICLES, 1)]

        home, downloads = tmp_path / "gpo-home", tmp_path / "gpo-downloads"
        home.mkdir()
        downloads.mkdir()
        assert "Successfully added" in gpo(home, downloads, "subscribe", config.feed_url)
        listing = gpo(home, downloads, "list")
        assert "La Lettre du Port" in listing
        gpo(home, downloads, "download")
        got = {p.name: p for p in downloads.rglob("*") if p.is_file()}
        assert not [n for n in got if n.endswith(".partial")], got
        for result in results:
            published = result.audio_path
            assert published.name in got, f"gPodder did not download {published.name}: {sorted(got)}"
            assert got[published.name].read_bytes() == published.read_bytes()
