"""Fault injection: whatever goes wrong in a build, the published feed stays valid (feedparser reads
it, every enclosure is present with its exact length) and the error is one clear line with the
documented exit code.

Faults: SIGKILL at each named publishing stage (publish.py's ``PODCAST_TEST_KILL_AT`` hook) and after
timed delays; the voice failing mid-episode; a full disk (patched ``os.replace``, and a real tiny
tmpfs when ``mount`` works); a corrupted and a locked catalog; a read-only publish folder.
One show with one episode is built once; each test works on a copy of it.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import check_feed, configure, kill_after, new_show

from podcast import config as config_mod
from podcast import feed, publish, voices
from podcast.catalog import Catalog
from podcast.cli import cli
from podcast.config import VoiceConfig
from podcast.errors import VoiceError
from podcast.site import page_name
from podcast.voices.registry import EspeakOptions

PODCAST = Path(sys.executable).parent / "podcast"
V1 = (
    "Le port de plaisance s'agrandit\n\n"
    "Quarante anneaux supplémentaires seront créés pour les voiliers de passage.\n\n"
    "La capitainerie promet des tarifs inchangés pour les habitants.\n"
)
V2 = V1 + "\nLes travaux dureront tout l'hiver, sans fermer le quai principal.\n"
OTHER = "La fête de la musique\n\nTrois scènes accueilleront les groupes du quartier sur les quais.\n"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A show folder with episode 1 published (V1), and the V2 and OTHER articles beside it."""
    folder = tmp_path_factory.mktemp("faults")
    # One segment cache for the module (outside the show, so every copy shares it), never the user's.
    toml = new_show(folder / "show", {"cache": {"folder": str(folder / "cache")}}) / "podcast.toml"
    (folder / "show" / "port.txt").write_text(V1, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(toml), "-q", "build", str(folder / "show" / "port.txt")])
    assert result.exit_code == 0, result.output
    (folder / "show" / "port.txt").write_text(V2, encoding="utf-8")
    (folder / "show" / "fete.txt").write_text(OTHER, encoding="utf-8")
    # Synthesize V2's and OTHER's segments once into that cache, in a throwaway copy.
    scratch = folder / "scratch"
    shutil.copytree(folder / "show", scratch)
    for name in ("port.txt", "fete.txt"):
        assert (
            CliRunner()
            .invoke(cli, ["--config", str(scratch / "podcast.toml"), "-q", "build", str(scratch / name)])
            .exit_code
            == 0
        )
    return folder / "show"


@pytest.fixture
def show(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "show"
    shutil.copytree(base, copy)
    return copy


def cli_run(show: Path, *args: str):
    return CliRunner(mix_stderr=False).invoke(cli, ["--config", str(show / "podcast.toml"), "-q", *args])


def consistent(show: Path) -> tuple[config_mod.Config, list[str]]:
    """Feed valid and complete; the catalog readable and every file it lists present. Returns the
    feed's enclosure URLs."""
    config = config_mod.load(show / "podcast.toml")
    parsed = check_feed(config)
    with Catalog(config.catalog_path) as catalog:
        for episode in catalog.episodes():
            for name in episode.files:
                assert (config.publish_dir / name).is_file(), name
    return config, [e.enclosures[0].href for e in parsed.entries]


def one_error_line(result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    print(lines[0])  # shown with -s: what a producer reads
    return lines[0]


def no_leftovers(config: config_mod.Config) -> None:
    """After a successful rerun: no staging folder, temporary file or unreferenced episode file."""
    with Catalog(config.catalog_path) as catalog:
        referenced = {name for e in catalog.episodes() for name in e.files}
        referenced |= {page_name(e) for e in feed.listed(config, catalog.episodes())}  # the listeners' pages
    episodes = config.publish_dir / publish.EPISODES_DIR
    on_disk = {f"{publish.EPISODES_DIR}/{p.name}" for p in episodes.iterdir()}
    assert on_disk == referenced
    assert not [p for p in config.publish_dir.iterdir() if p.name.endswith(".tmp")]


# --- SIGKILL -------------------------------------------------------------------------------------


def _podcast(show: Path, *args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [str(PODCAST), "--config", str(show / "podcast.toml"), "-q", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


@pytest.mark.parametrize("stage", publish.STAGES)
@pytest.mark.parametrize("article", ["port.txt", "fete.txt"], ids=["update", "new"])
def test_sigkill_at_each_publishing_stage(show: Path, stage: str, article: str) -> None:
    _, before = consistent(show)
    proc = _podcast(show, "build", str(show / article), env={publish.KILL_ENV: stage})
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    _, after = consistent(show)
    assert len(after) == len(before) + (stage == "fed" and article == "fete.txt")  # listed once the feed is written
    rerun = _podcast(show, "build", str(show / article))
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    config, final = consistent(show)
    assert len(final) == 1 + (article == "fete.txt")
    no_leftovers(config)


@pytest.mark.parametrize("delay", [0.05, 0.25, 0.5, 0.8])
def test_sigkill_after_a_delay(show: Path, delay: float) -> None:
    kill_after(lambda: _podcast(show, "build", "--force", str(show / "port.txt")), delay)  # asserts it landed
    consistent(show)
    rerun = _podcast(show, "build", str(show / "port.txt"))
    assert rerun.wait(timeout=120) == 0
    config, _ = consistent(show)
    no_leftovers(config)


# --- the voice -----------------------------------------------------------------------------------


class FlakyVoice:
    """The offline voice, failing on the Nth segment it is asked for (counted across calls)."""

    engine = "flaky"

    def __init__(self, inner: voices.Voice, fail_at: int) -> None:
        self.inner, self.fail_at, self.spoken = inner, fail_at, 0
        self.max_chars, self.rate = inner.max_chars, inner.rate

    @property
    def identity(self) -> str:
        return f"flaky-{uuid.uuid4()}"  # never a cache hit

    @property
    def description(self) -> str:
        return "flaky test voice"

    def synthesize(self, texts, progress=None):
        out = []
        for text in texts:
            self.spoken += 1
            if self.spoken == self.fail_at:
                raise VoiceError(f"the test voice failed on segment {self.spoken}")
            out.extend(self.inner.synthesize([text]))
            if progress:
                progress(1)
        return out


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch):
    voice: dict[str, FlakyVoice] = {}

    def factory(options, root=None):
        voice.setdefault("v", FlakyVoice(voices.load("espeak", VoiceConfig()), fail_at=3))
        return voice["v"]

    monkeypatch.setitem(voices.ENGINES, "flaky", voices.Engine("flaky", EspeakOptions, factory, "test voice"))
    return voice


def test_voice_failing_mid_episode(show: Path, flaky) -> None:
    config, before = consistent(show)
    feed_bytes = (config.publish_dir / "feed.xml").read_bytes()
    result = cli_run(show, "build", "--engine", "flaky", str(show / "port.txt"))
    one_error_line(result, 4, "the test voice failed on segment 3")
    assert (config.publish_dir / "feed.xml").read_bytes() == feed_bytes
    assert consistent(show)[1] == before


def test_voice_failing_in_an_inbox_spares_the_next_article(show: Path, flaky) -> None:
    inbox = show / "inbox"
    inbox.mkdir()
    shutil.copy(show / "port.txt", inbox / "a-port.txt")
    shutil.copy(show / "fete.txt", inbox / "b-fete.txt")
    result = cli_run(show, "build", "--engine", "flaky", "--inbox", str(inbox))
    assert result.exit_code == 4  # the only failure was the voice
    err = result.stderr.splitlines()
    assert err[0] == "failed   a-port.txt: the test voice failed on segment 3"
    assert ": 1 built, 0 updated, 0 skipped, 1 failed in " in err[1]
    assert len(consistent(show)[1]) == 2


# --- the disk ------------------------------------------------------------------------------------


def _refusing_replace(monkeypatch: pytest.MonkeyPatch, publish: Path, code: int, name_part: str = "") -> None:
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).startswith(str(publish)) and name_part in Path(dst).name:
            raise OSError(code, os.strerror(code), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("target", [".mp3", ".srt", "feed.xml"], ids=["audio", "sidecar", "feed"])
def test_full_disk_while_publishing(show: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    config, before = consistent(show)
    feed_bytes = (config.publish_dir / "feed.xml").read_bytes()
    _refusing_replace(monkeypatch, config.publish_dir, errno.ENOSPC, target)
    result = cli_run(show, "build", str(show / "port.txt"))
    one_error_line(result, 1, os.strerror(errno.ENOSPC))  # the system's words, whatever they are
    monkeypatch.undo()
    assert (config.publish_dir / "feed.xml").read_bytes() == feed_bytes
    assert consistent(show)[1] == before
    assert cli_run(show, "build", str(show / "port.txt")).exit_code == 0
    no_leftovers(consistent(show)[0])


@pytest.fixture
def mounted(tmp_path: Path):
    """Mount something for the test, skipping where mount is not allowed; always unmounted."""
    points: list[Path] = []

    def mount(*args: str, point: Path) -> None:
        point.mkdir(exist_ok=True)
        done = subprocess.run(["mount", *args, str(point)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount here: {done.stderr.strip()}")
        points.append(point)

    yield mount
    for point in reversed(points):
        subprocess.run(["umount", "-l", str(point)], check=False)


def _publish_on(show: Path, folder: Path) -> None:
    configure(show, {"publish": {"folder": str(folder)}})


def test_full_disk_on_a_tiny_tmpfs(show: Path, tmp_path: Path, mounted) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount")
    used = sum(p.stat().st_size for p in (show / "feed").rglob("*") if p.is_file())
    disk = tmp_path / "tiny"
    mounted("-t", "tmpfs", "-o", f"size={used // 1024 + 120}k", "tmpfs", point=disk)
    shutil.copytree(show / "feed", disk, dirs_exist_ok=True)
    _publish_on(show, disk)
    config, before = consistent(show)
    result = cli_run(show, "build", str(show / "port.txt"))
    line = one_error_line(result, 1)
    # the cause, never only "Conversion failed!": refused by the free-space check, or the disk's own error
    assert "not enough free space" in line.lower() or os.strerror(errno.ENOSPC).lower() in line.lower()
    assert consistent(show)[1] == before


def test_read_only_publish_folder(show: Path, mounted) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount")
    feed_dir = show / "feed"
    mounted("--bind", str(feed_dir), point=feed_dir)
    mounted("-o", "remount,ro,bind", point=feed_dir)
    config, before = consistent(show)
    result = cli_run(show, "build", str(show / "port.txt"))
    one_error_line(result, 1, os.strerror(errno.EROFS))
    assert consistent(show)[1] == before


def test_unwritable_publish_folder_patched(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores chmod, so the refusal is injected: every rename into the publish folder fails."""
    config, before = consistent(show)
    _refusing_replace(monkeypatch, config.publish_dir, errno.EACCES)
    result = cli_run(show, "build", str(show / "fete.txt"))
    one_error_line(result, 1, os.strerror(errno.EACCES))
    monkeypatch.undo()
    assert consistent(show)[1] == before


# --- the catalog ---------------------------------------------------------------------------------


def test_corrupted_catalog(show: Path) -> None:
    config, before = consistent(show)
    feed_bytes = (config.publish_dir / "feed.xml").read_bytes()
    for suffix in ("-wal", "-shm"):
        Path(f"{config.catalog_path}{suffix}").unlink(missing_ok=True)
    config.catalog_path.write_bytes(os.urandom(8192))
    result = cli_run(show, "build", str(show / "fete.txt"))
    one_error_line(result, 5, "the catalog is not a SQLite database", "run 'podcast recover'")
    assert (config.publish_dir / "feed.xml").read_bytes() == feed_bytes
    assert len(check_feed(config).entries) == len(before)
    inbox = show / "inbox"
    inbox.mkdir()
    for name in ("a.txt", "b.txt"):
        shutil.copy(show / "fete.txt", inbox / name.replace(".", "-fete."))
    shutil.copy(show / "port.txt", inbox / "c-port.txt")
    (inbox / "a-fete.txt").unlink()
    result = cli_run(show, "build", "--inbox", str(inbox))
    assert result.exit_code == 5
    lines = result.stderr.splitlines()
    assert lines[0].startswith("failed   b-fete.txt: ") and "run 'podcast recover'" in lines[0]
    assert lines[1] == "not attempted c-port.txt"
    assert ": 0 built, 0 updated, 0 skipped, 1 failed, 1 not attempted in " in lines[2]


def test_locked_catalog(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, before = consistent(show)
    feed_bytes = (config.publish_dir / "feed.xml").read_bytes()
    holder = sqlite3.connect(config.catalog_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real(*a, **{**k, "timeout": 0.3}))  # not 30 s
    try:
        result = cli_run(show, "build", str(show / "port.txt"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    one_error_line(result, 1, "database is locked")
    assert (config.publish_dir / "feed.xml").read_bytes() == feed_bytes
    assert consistent(show)[1] == before
    monkeypatch.undo()
    assert cli_run(show, "build", str(show / "port.txt")).exit_code == 0
    no_leftovers(consistent(show)[0])
