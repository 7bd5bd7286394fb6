"""A real podcast client, gPodder's command line (`gpo`), subscribes through `podcast serve` and
downloads the episodes. Skips where gPodder is not installed (.ci/run installs Debian's gpodder;
the product itself never needs it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest

from podcast import config as config_mod
from podcast.build import build
from podcast.serve import make_server, url

GPO = shutil.which("gpo")
pytestmark = pytest.mark.skipif(GPO is None, reason="gPodder's gpo is not installed (apt-get install gpodder)")

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
    config_mod.init(folder, title="La Lettre du Port", author="Équipe", email="port@example.org")
    (folder / "feed").mkdir()
    server = make_server(folder / "feed", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        toml = folder / "podcast.toml"
        text = toml.read_text(encoding="utf-8").replace('engine = "auto"', 'engine = "espeak"')
        toml.write_text(re.sub(r'base_url = "[^"]*"', f'base_url = "{url(server)}"', text), encoding="utf-8")
        config = config_mod.load(toml)
        results = []
        for number, (name, body) in enumerate(ARTICLES.items(), 1):
            (folder / name).write_text(body, encoding="utf-8")
            results.append(build(config, folder / name, day=date(2026, 11, number)))

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
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
