"""Shared by tests/test_upload*.py (a helper module, not a test module; the show factory is helpers.py's):
a built show to copy with its [upload] settings, a TCP proxy that drops
connections on demand (a real network fault between the client and a real server), and the check
that a remote feed names only complete files."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import feedparser
from helpers import configure, new_show

from podcast import config as config_mod
from podcast.build import build

BASE_URL = "https://cdn.example.org/lettre/"
ARTICLES = [
    """La Lettre Envoi : premier numéro
Les bibliothèques prêtent des outils
À Rennes, on peut emprunter une perceuse comme un roman. Le service plaît aux habitants.
""",
    """La Lettre Envoi : deuxième numéro
Le marché revient place des Lices
Les maraîchers reviennent dès sept heures. La mairie promet des places de stationnement.
""",
]
_TEMPLATE: list[Path] = []


def template_show() -> Path:
    """A show with two real episodes, built once per test session; copy it, never change it."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="podcast-upload-template-"))
        atexit.register(shutil.rmtree, folder, True)
        show = new_show(
            folder / "show", {"show": {"title": "La Lettre Envoi", "author": "Équipe", "base_url": BASE_URL}}
        )
        for index, text in enumerate(ARTICLES):
            article = folder / f"lettre-{index}.txt"
            article.write_text(text, encoding="utf-8")
            build(config_mod.load(show / "podcast.toml"), article, day=date(2025, 3, index + 1))
        _TEMPLATE.append(show)
    return _TEMPLATE[0]


def copy_show(destination: Path, **upload: str | float) -> config_mod.Config:
    """A copy of the template show with these ``[upload]`` settings."""
    shutil.copytree(template_show(), destination)
    return config_mod.load(configure(destination, {"upload": upload}))


def assert_remote_feed_complete(files: dict[str, bytes], local: Path | None = None) -> set[str]:
    """The remote ``feed.xml`` (parsed by feedparser) names only files present remotely, each as
    long as its enclosure says; with ``local``, each equal to the built file. Returns the names."""
    data = files["feed.xml"]
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries, "the remote feed lists no episode"
    named: set[str] = set()
    for entry in parsed.entries:
        for enclosure in entry.enclosures:
            name = enclosure.href[len(BASE_URL) :]
            assert enclosure.href.startswith(BASE_URL) and name in files, f"feed names {enclosure.href}, absent"
            assert len(files[name]) == int(enclosure.length), (
                f"{name}: {len(files[name])} bytes, feed says {enclosure.length}"
            )
            named.add(name)
    for element in ET.fromstring(data).iter():  # chapters, transcripts, cover: every URL of ours
        for attr in ("url", "href"):
            value = element.get(attr) or ""
            if value.startswith(BASE_URL) and not value.endswith("feed.xml"):
                name = value[len(BASE_URL) :]
                assert name in files, f"feed names {name}, absent remotely"
                named.add(name)
    if local is not None:
        for name in named:
            assert files[name] == (local / name).read_bytes(), f"{name} differs from the built file"
    return named


class FlakyProxy:
    """127.0.0.1:<port> forwarding to a server; ``cut_after(n)`` drops the connection that carries
    the n-th byte sent to the server (once), and with ``stay_down`` refuses every connection from
    then on, as an unreachable host would, until ``down`` is set back to False."""

    def __init__(self, server_port: int) -> None:
        self.server_port = server_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.cuts = 0
        self._budget: int | None = None
        self._stay_down = False
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_after(self, sent_bytes: int, stay_down: bool = False) -> None:
        with self._lock:
            self._budget = sent_bytes
            self._stay_down = stay_down

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.server_port))
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, upstream: bool) -> None:
        try:
            while data := source.recv(65536):
                if upstream:
                    with self._lock:
                        if self._budget is not None:
                            self._budget -= len(data)
                            if self._budget <= 0:
                                self._budget = None
                                self.cuts += 1
                                self.down = self._stay_down
                                raise ConnectionResetError("cut by the test")
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()


def publish_in_a_process(config: config_mod.Config) -> subprocess.CompletedProcess[str]:
    """``python -m podcast publish`` for this show, as a producer runs it: its exit code and stderr."""
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "-m", "podcast", "--config", str(config.root / "podcast.toml"), "publish"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
