"""Every published file is readable by a user other than the builder (a web server, rsync -a), even
when the build runs under a strict umask; read for real as user nobody (65534) after a real build."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import helper_missing, load_show
from helpers import new_show as make_show

from podcast import config as config_mod
from podcast.build import build
from podcast.fsutil import PUBLIC_DIR, PUBLIC_FILE, write_atomic
from podcast.publish import regenerate_feed

ARTICLE = """La Lettre Permissions : les droits de lecture
Un serveur web lit le flux
Le serveur web tourne sous un autre compte. Il doit pouvoir lire chaque fichier publié.
"""
NOBODY = 65534


def as_nobody(*command: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``command`` as user and group nobody, without the builder's groups."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        helper_missing("reading as another user needs root and setpriv (util-linux)")
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command],
        capture_output=True,
        check=False,
    )


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A folder others may enter (pytest's tmp_path is 0700, which would hide everything below it)."""
    folder = Path(tempfile.mkdtemp(prefix="podcast-perm-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def strict_umask() -> Iterator[None]:
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def new_show(folder: Path) -> config_mod.Config:
    title = {"title": "La Lettre Permissions", "author": "Équipe", "base_url": "https://podcast.lefil-essai.fr/perm/"}
    return load_show(make_show(folder, {"show": title}))


def test_the_check_can_fail(world_dir: Path) -> None:
    """A 0600 file is refused to nobody: the reading below proves something."""
    secret = world_dir / "secret.txt"
    secret.write_text("privé")
    secret.chmod(0o600)
    assert as_nobody("cat", str(secret)).returncode != 0


def test_every_published_file_is_read_by_another_user(world_dir: Path, strict_umask: None) -> None:
    config = new_show(world_dir / "show")
    (world_dir / "show").chmod(0o755)  # made under the test's umask; the show folder itself is the producer's
    article = world_dir / "lettre.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    build(config, article)
    regenerate_feed(config)
    publish = config.publish_dir
    files = [p for p in publish.rglob("*") if p.is_file()]
    folders = [publish, *(p for p in publish.rglob("*") if p.is_dir())]
    names = {p.relative_to(publish).as_posix() for p in files}
    assert {"feed.xml", "cover.png"} <= names and any(n.endswith(".mp3") for n in names)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == PUBLIC_FILE, path
        done = as_nobody("cat", str(path))
        assert done.returncode == 0, f"{path}: {done.stderr.decode(errors='replace')}"
        assert done.stdout == path.read_bytes()
    for folder in folders:
        assert stat.S_IMODE(folder.stat().st_mode) == PUBLIC_DIR, folder
        done = as_nobody("ls", str(folder))
        assert done.returncode == 0, f"{folder}: {done.stderr.decode(errors='replace')}"
    # The show's private state keeps the producer's umask: the catalog is not published.
    assert stat.S_IMODE(config.catalog_path.stat().st_mode) & 0o077 == 0


def test_write_atomic_can_keep_a_file_private(world_dir: Path) -> None:
    target = world_dir / "state" / "manifest.json"
    write_atomic(target, "{}", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_atomic(world_dir / "public.txt", "ok")
    assert stat.S_IMODE((world_dir / "public.txt").stat().st_mode) == PUBLIC_FILE
