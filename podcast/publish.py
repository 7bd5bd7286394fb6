"""The publish transaction: an episode's files and the feed change together or not at all.

Everything happens in a :func:`session`: the show's lock held, its catalog open, and whatever a
killed run left behind repaired first. A build then stages its files in ``episodes/.build-*``,
:func:`place` renames them into the publish folder under new names (the audio's hash in each), and
:func:`commit` writes the catalog, then the feed, then deletes the files the episode replaced. A
run killed at any moment leaves the previous feed valid with every file it lists present.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import feed
from .catalog import Catalog, Episode, open_for_show
from .config import Config
from .cover import ensure_cover
from .dates import utc_now
from .fsutil import inside, public_dir, publish_file
from .lock import show_lock

log = logging.getLogger(__name__)

EPISODES_DIR = "episodes"
LOCK_NAME = "build.lock"
KILL_ENV = "PODCAST_TEST_KILL_AT"
STAGES = ("staged", "renamed", "cataloged", "fed")
# The staged files an episode has, as Episode fields, and the suffix each gets when placed.
SUFFIXES = {"audio": ".mp3", "chapters": ".chapters.json", "vtt": ".vtt", "srt": ".srt"}
_LEFTOVER = re.compile(r"^\d{3,}-[a-z0-9-]+-[0-9a-f]{8}\.(mp3|chapters\.json|vtt|srt)$")


def checkpoint(stage: str) -> None:
    """Test hook: ``PODCAST_TEST_KILL_AT=<stage>`` SIGKILLs this process here (tests/test_publish.py)."""
    if os.environ.get(KILL_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def session(config: Config) -> Iterator[Catalog]:
    """The show's catalog under the show's lock, with what a killed run left already repaired:
    the one way in for anything that changes the catalog, the feed or the episode files."""
    with show_lock(config.state_dir / LOCK_NAME, config.publish.lock_timeout):
        with open_for_show(config.catalog_path, config.publish_dir) as catalog:
            recover(config, catalog)
            yield catalog


def write_feed(config: Config, catalog: Catalog) -> Path:
    """feed.xml from the catalog (:func:`feed.write_catalog`: due episodes, the show's identity)."""
    return feed.write_catalog(config, catalog)


def recover(config: Config, catalog: Catalog) -> None:
    """Repair what a killed run left (called under the lock): the feed matches the catalog again,
    then staging folders, temporary files and episode files nothing refers to are deleted."""
    publish = config.publish_dir
    if not publish.is_dir():
        return
    episodes = catalog.episodes()
    if episodes or (publish / feed.FEED_NAME).exists():
        write_feed(config, catalog)
    referenced = {name for e in episodes for name in e.files}
    for folder in (publish, publish / EPISODES_DIR):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            name = path.name
            if path.is_dir() and name.startswith(".build-"):
                shutil.rmtree(path, ignore_errors=True)
            elif name.startswith(".") and name.endswith(".tmp"):
                path.unlink(missing_ok=True)
            elif folder.name == EPISODES_DIR and _LEFTOVER.match(name) and f"{EPISODES_DIR}/{name}" not in referenced:
                log.info("removing %s: no episode refers to it (left by an interrupted build)", name)
                path.unlink(missing_ok=True)


@contextmanager
def staging(config: Config) -> Iterator[Path]:
    """A private folder beside the episodes, for files not published yet; gone on exit (and, if
    the process dies, removed by the next :func:`recover`)."""
    episode_dir = public_dir(config.publish_dir / EPISODES_DIR)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=episode_dir) as tmp:
        yield Path(tmp)


def place(config: Config, staged: dict[str, Path], stem: str) -> dict[str, str]:
    """Rename staged files (Episode field -> path; ``audio`` required) into ``episodes/`` as
    ``<stem>-<audio hash>.<suffix>``: new names, so nothing the current feed lists is overwritten.
    Returns Episode field -> file name relative to the publish folder."""
    version = hashlib.sha256(staged["audio"].read_bytes()).hexdigest()[:8]
    names = {field: f"{EPISODES_DIR}/{stem}-{version}{SUFFIXES[field]}" for field in staged}
    checkpoint("staged")
    for field, path in staged.items():
        publish_file(path, inside(config.publish_dir, names[field]))
    checkpoint("renamed")
    return names


def commit(config: Config, catalog: Catalog, episode: Episode, replaced: Episode | None) -> Path:
    """Make a placed episode public: catalog row, then feed, then the replaced version's files go.
    Returns the feed's path."""
    catalog.upsert(episode)
    checkpoint("cataloged")
    feed_path = write_feed(config, catalog)
    checkpoint("fed")
    if replaced is not None:
        for old in set(replaced.files) - set(episode.files):
            inside(config.publish_dir, old).unlink(missing_ok=True)
    return feed_path


def regenerate_feed(config: Config) -> Path:
    """``podcast feed``: the feed again from the catalog (e.g. after editing podcast.toml)."""
    with session(config) as catalog:
        ensure_cover(config)
        return write_feed(config, catalog)


def list_episodes(config: Config) -> list[Episode]:
    """The published episodes, newest first."""
    with open_for_show(config.catalog_path, config.publish_dir) as catalog:
        return catalog.episodes()


def find_episode(config: Config, ident: str) -> Episode:
    """One episode by number, slug or GUID, read only (``podcast remove`` shows it before asking)."""
    with open_for_show(config.catalog_path, config.publish_dir) as catalog:
        return catalog.find(ident)


def remove(config: Config, ident: str) -> Episode:
    """Take an episode (number, slug or GUID) out of the catalog and the feed, then delete its files."""
    with session(config) as catalog:
        episode = catalog.find(ident)
        catalog.remove(episode, utc_now().isoformat())
        write_feed(config, catalog)
        for name in episode.files:
            inside(config.publish_dir, name).unlink(missing_ok=True)
        return episode
