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

from . import dates, feed, mp3, site
from .catalog import Catalog, Episode, keep_last_number, open_for_show
from .config import Config
from .cover import ensure_cover
from .dates import utc_now
from .diskspace import ensure_space
from .errors import AudioError
from .fsutil import inside, public_dir, publish_file
from .lock import show_lock
from .voices import espeak

log = logging.getLogger(__name__)

EPISODES_DIR = "episodes"
LOCK_NAME = "build.lock"
KILL_ENV = "PODCAST_TEST_KILL_AT"
PAUSE_PREFIX = "pause:"  # PODCAST_TEST_KILL_AT=pause:<stage>: wait there for a signal instead
MARKER_ENV = "PODCAST_TEST_MARKER"  # the file a paused run creates once it waits
STAGES = ("staged", "renamed", "cataloged", "fed")
LENGTH_TOLERANCE_MS = 50  # decoded length vs the timeline: about two MPEG frames
# The staged files an episode has, as Episode fields, and the suffix each gets when placed.
SUFFIXES = {"audio": ".mp3", "chapters": ".chapters.json", "vtt": ".vtt", "srt": ".srt"}
_LEFTOVER = re.compile(r"^\d{3,}-[a-z0-9-]+-[0-9a-f]{8,64}\.(mp3|chapters\.json|vtt|srt)$")


def checkpoint(stage: str) -> None:
    """Test hook: ``PODCAST_TEST_KILL_AT=<stage>`` SIGKILLs this process here (tests/test_publish.py);
    ``pause:<stage>`` creates the file named by ``PODCAST_TEST_MARKER`` and waits for a signal, so a
    test can send SIGTERM or SIGINT at a known point without timing anything (tests/test_cleanup.py)."""
    wanted = os.environ.get(KILL_ENV)
    if wanted == stage:
        os.kill(os.getpid(), signal.SIGKILL)
    elif wanted == PAUSE_PREFIX + stage:
        marker = os.environ.get(MARKER_ENV)
        if marker:
            Path(marker).write_text(str(os.getpid()), encoding="ascii")
        while True:
            signal.pause()  # a handler that raises ends the wait


@contextmanager
def session(config: Config) -> Iterator[Catalog]:
    """The show's catalog under the show's lock, with what a killed run left already repaired:
    the one way in for anything that changes the catalog, the feed or the episode files.
    The show's own page templates are checked first, and that no page would replace a file not ours
    (a hand-made ``index.html``): either changes nothing."""
    site.check(config, feed.cover_name(config))
    with show_lock(config.state_dir / LOCK_NAME, config.publish.lock_timeout):
        with open_for_show(config.catalog_path, config.publish_dir) as catalog:
            site.check_owned(config, site.names(catalog.episodes()))  # a hand-made page stays
            recover(config, catalog)
            yield catalog


def write_feed(config: Config, catalog: Catalog) -> Path:
    """feed.xml from the catalog (:func:`feed.write_catalog`: due episodes, the show's identity),
    with the listeners' pages (:mod:`podcast.site`): every page rendered first (a failing template
    writes nothing), written before the feed that links them, stale ones deleted after it."""
    now = dates.utc_now()  # one moment for the pages and the feed (tests move the clock here)
    pages: dict[str, bytes] = {}
    if config.site.enabled:
        pages = site.render(config, feed.listed(config, catalog.episodes(), now), feed.cover_name(config))
        site.write(config, pages)
    path = feed.write_catalog(config, catalog, now)
    site.prune(config, pages)
    return path


def recover(config: Config, catalog: Catalog) -> None:
    """Repair what a killed run left (called under the lock): the feed matches the catalog again,
    then staging folders, temporary files and episode files nothing refers to are deleted, and
    espeak's private library copies of killed processes in the system's temporary folder."""
    espeak.sweep_leftovers()
    publish = config.publish_dir
    if not publish.is_dir():
        return
    episodes = catalog.episodes()
    if episodes or (publish / feed.FEED_NAME).exists():
        write_feed(config, catalog)
    referenced = {name for e in episodes for name in e.files}
    for folder in (publish, publish / EPISODES_DIR):
        if not folder.is_dir() or publish.resolve() not in (folder.resolve(), *folder.resolve().parents):
            continue  # a symlinked episodes/ leading elsewhere: nothing there is ours to delete
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
def staging(config: Config, expected_bytes: int = 0) -> Iterator[Path]:
    """A private folder beside the episodes, for files not published yet; gone on exit, also on
    SIGTERM and SIGINT (the CLI turns them into exceptions), and if the process is killed, removed
    by the next :func:`recover`. ``expected_bytes`` (the episode's estimated size) is checked
    against the free space first."""
    episode_dir = public_dir(config.publish_dir / EPISODES_DIR)
    ensure_space(episode_dir, expected_bytes, "the episode's files")
    with tempfile.TemporaryDirectory(prefix=".build-", dir=episode_dir) as tmp:
        yield Path(tmp)


def check_audio_length(path: Path, duration_ms: int) -> None:
    """Refuse an MP3 whose decodable length is not the timeline's ``duration_ms``.

    Every MPEG frame is walked from the first after the ID3v2 tag to the end of the file (an
    ID3v1 tag may close it): a chunk cut short, a frame broken or a join gone wrong shows as a
    wrong count, whatever the Xing/LAME header claims. The decoded length is the frames' samples
    less the encoder's delay and padding that the header records (as decoders do)."""
    try:
        found = mp3.walk(path.read_bytes())
    except AudioError as err:
        raise AudioError(f"the episode's audio is damaged ({err}); nothing was published", path=path) from None
    decoded_ms = round(found.samples * 1000 / found.rate)
    if found.frames != found.header_frames or abs(decoded_ms - duration_ms) > LENGTH_TOLERANCE_MS:
        raise AudioError(
            f"the episode's audio decodes to {decoded_ms / 1000:.2f} s, not the {duration_ms / 1000:.2f} s "
            "it was mastered to (a damaged cache?); nothing was published",
            path=path,
        )


def place(config: Config, staged: dict[str, Path], stem: str, *, duration_ms: int | None = None) -> dict[str, str]:
    """Rename staged files (Episode field -> path; ``audio`` required) into ``episodes/`` as
    ``<stem>-<audio hash>.<suffix>``: new names, so nothing the current feed lists is overwritten.
    ``stem`` holds the episode's number, so two episodes never share a name whatever their titles;
    a published file of the same name but other content (a hash prefix shared) gets the longer
    hash. With ``duration_ms``, the audio's decoded length is checked first (:func:`check_audio_length`).
    Returns Episode field -> file name relative to the publish folder."""
    if duration_ms is not None:
        check_audio_length(staged["audio"], duration_ms)
    digests = {field: hashlib.sha256(path.read_bytes()).hexdigest() for field, path in staged.items()}
    version = digests["audio"][:8]
    names = {field: f"{EPISODES_DIR}/{stem}-{version}{SUFFIXES[field]}" for field in staged}
    if any(_taken(config, names[field], digests[field]) for field in staged):
        version = digests["audio"]
        names = {field: f"{EPISODES_DIR}/{stem}-{version}{SUFFIXES[field]}" for field in staged}
    checkpoint("staged")
    for field, path in staged.items():
        publish_file(path, inside(config.publish_dir, names[field]))
    checkpoint("renamed")
    return names


def _taken(config: Config, name: str, digest: str) -> bool:
    """Whether ``name`` is already published with other content than ``digest``."""
    target = inside(config.publish_dir, name)
    try:
        return hashlib.sha256(target.read_bytes()).hexdigest() != digest
    except FileNotFoundError:
        return False


def commit(config: Config, catalog: Catalog, episode: Episode, replaced: Episode | None) -> Path:
    """Make a placed episode public: catalog row, then feed, then the replaced version's files go.
    If the catalog cannot take the row, the placed files go instead (the feed never listed them).
    Returns the feed's path."""
    try:
        catalog.upsert(episode)
    except BaseException:
        discard(config, episode, replaced)
        raise
    checkpoint("cataloged")
    feed_path = write_feed(config, catalog)
    checkpoint("fed")
    if replaced is not None:
        for old in set(replaced.files) - set(episode.files):
            inside(config.publish_dir, old).unlink(missing_ok=True)
    return feed_path


def discard(config: Config, placed: Episode, replaced: Episode | None) -> None:
    """Delete an episode's placed files that no published version refers to (a failed commit)."""
    keep = set(replaced.files) if replaced is not None else set()
    for name in set(placed.files) - keep:
        try:
            inside(config.publish_dir, name).unlink(missing_ok=True)
        except OSError as err:
            log.warning("cannot remove %s after a failed commit: %s (the next run will)", name, err)


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
        keep_last_number(config.publish_dir, episode.number)  # first: a recovered catalog numbers on from it
        catalog.remove(episode, utc_now().isoformat())
        write_feed(config, catalog)
        for name in episode.files:
            inside(config.publish_dir, name).unlink(missing_ok=True)
        return episode
