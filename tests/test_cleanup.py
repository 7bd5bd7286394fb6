"""Nothing left behind: SIGTERM and SIGINT during a build remove its staging folder and temporary
files (exit 143 and 130); after a SIGKILL the next start removes what was left, espeak's private
library copies included; a commit the catalog refuses takes its placed files back.

Signals are sent at a known point, without timing: ``PODCAST_TEST_KILL_AT=pause:staged`` makes the
build create a marker file once its files are staged, then wait for the signal."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from reliability_support import ARTICLE, built_show, copy_of, one_line, published, run, spawn

from podcast import publish
from podcast.catalog import Catalog
from podcast.errors import CatalogError

# Long enough (> espeak.PARALLEL_MIN_CHARS) for espeak to load private copies of its library.
LONG = "Les quais du port\n\n" + " ".join(
    f"Le quai numéro {n} accueillera des bateaux de passage cet été." for n in range(25)
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = built_show(tmp_path_factory.mktemp("cleanup") / "show")
    (folder / "long.txt").write_text(LONG, encoding="utf-8")
    return folder


@pytest.fixture
def show(built: Path, tmp_path: Path) -> Path:
    copy = copy_of(built, tmp_path)
    shutil.rmtree(copy / "cache")  # nothing cached: the build speaks, and loads espeak's copies
    (tmp_path / "tmp").mkdir()
    return copy


def _env(show: Path, **extra: str) -> dict[str, str]:
    return {"TMPDIR": str(show.parent / "tmp"), **extra}


def _paused(show: Path, *args: str) -> subprocess.Popen[bytes]:
    """A build waiting at its "staged" checkpoint (its marker file written)."""
    marker = show.parent / "paused"
    env = _env(show, PODCAST_TEST_KILL_AT=f"{publish.PAUSE_PREFIX}staged", PODCAST_TEST_MARKER=str(marker))
    process = spawn(show / "podcast.toml", *args, env=env)
    deadline = time.monotonic() + 300
    while not marker.exists():  # a checkpoint, not a timing: the build says where it is
        if process.poll() is not None:
            pytest.fail(f"the build ended before its checkpoint: {process.communicate()[1].decode()}")
        assert time.monotonic() < deadline, "the build never reached its checkpoint"
        time.sleep(0.05)
    return process


def _leftovers(show: Path) -> list[str]:
    episodes = show / "feed" / publish.EPISODES_DIR
    found = [p.name for p in episodes.iterdir() if p.name.startswith(".")]
    found += [p.name for p in (show.parent / "tmp").iterdir()]
    return found


@pytest.mark.parametrize(
    ("sent", "code", "said"), [(signal.SIGTERM, 143, "Stopped"), (signal.SIGINT, 130, "Interrupted")]
)
def test_a_signal_during_a_build_leaves_nothing(show: Path, sent: signal.Signals, code: int, said: str) -> None:
    toml = show / "podcast.toml"
    before = published(toml)
    process = _paused(show, "build", str(show / "long.txt"))
    assert [p for p in _leftovers(show) if p.startswith(".build-")]  # staged files are there
    process.send_signal(sent)
    _, err = process.communicate(timeout=120)
    assert process.returncode == code, err.decode()  # the signal landed, and was handled
    assert said in err.decode() and "Traceback" not in err.decode()
    assert _leftovers(show) == []
    assert published(toml) == before


def test_the_next_start_after_sigkill_removes_leftovers(show: Path) -> None:
    toml = show / "podcast.toml"
    before = published(toml)
    process = _paused(show, "build", str(show / "long.txt"))
    process.kill()
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL  # the kill landed: no handler ran
    assert [p for p in _leftovers(show) if p.startswith(".build-")]
    assert not [p for p in _leftovers(show) if p.startswith("podcast-espeak-")]  # copies deleted once loaded
    assert {k: v for k, v in published(toml).items() if "/.build-" not in k} == before
    # what a process killed while loading its copies leaves: a folder named after its (dead) pid
    dead = subprocess.Popen(["true"])
    dead.wait()
    (show.parent / "tmp" / f"podcast-espeak-{dead.pid}-x1y2z3").mkdir()
    (show.parent / "tmp" / f"podcast-espeak-{dead.pid}-x1y2z3" / "libespeak-ng-1.so").write_bytes(b"\0")
    again = spawn(toml, "build", str(show / "port.txt"), env=_env(show))
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()
    assert _leftovers(show) == []


def test_a_refused_commit_takes_its_files_back(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = show / "podcast.toml"
    before = published(toml)

    def refuse(self, episode):
        raise CatalogError("catalog write failed: disk I/O error")

    monkeypatch.setattr(Catalog, "upsert", refuse)
    one_line(run(toml, "build", str(show / "long.txt")), 1, "catalog write failed")  # a new episode
    assert published(toml) == before
    (show / "port.txt").write_text(ARTICLE + "\nUne phrase de plus.\n", encoding="utf-8")
    one_line(run(toml, "build", str(show / "port.txt")), 1, "catalog write failed")  # an update
    assert published(toml) == before


def test_no_espeak_copies_outlive_a_build(show: Path) -> None:
    """A build that ends normally leaves nothing in the temporary folder either."""
    done = spawn(show / "podcast.toml", "build", str(show / "long.txt"), env=_env(show))
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err.decode()
    assert os.listdir(show.parent / "tmp") == []
