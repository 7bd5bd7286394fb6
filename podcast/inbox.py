"""Inbox runs: build every new or changed article of a folder, for a timer with nobody watching.

One bad article must not stop the others, so each file is built on its own and its failure is
recorded, not raised. Failures that concern the whole show (catalog unreadable, lock held, publish
folder unwritable) stop the run instead: the remaining files would only fail the same way.

A file maps to an episode exactly as in ``podcast build FILE``: by its source (the file, or the
``id``/``url`` of its front matter; see :func:`podcast.build.episode_key`). Unchanged files are
recognised by the catalog's text hash before any synthesis, so a rerun over an unchanged inbox only
reads and hashes the files. Two files of one run naming the same id would overwrite each other's
episode; both are refused as bad input.

Only one inbox run per show at a time: ``.podcast/inbox.lock`` is held for the whole run (each
article still takes the build lock, so a manual ``podcast build`` slips in between two articles).
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import article as article_mod
from .build import BuildResult, Reporter, build
from .config import Config
from .errors import (
    EXIT_FAILURE,
    EXIT_OK,
    CatalogError,
    ConfigError,
    InputError,
    LockedError,
    PodcastError,
    PublishError,
)
from .identity import episode_key
from .lock import show_lock
from .publish import regenerate_feed

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm", ".eml")
LOCK_NAME = "inbox.lock"
# Errors about the show rather than the article: after one of these the run stops.
SHOW_ERRORS = (CatalogError, ConfigError, LockedError, PublishError)


@dataclass(frozen=True)
class Item:
    """What happened to one inbox file."""

    path: Path
    status: str  # "built", "updated", "skipped", "waiting", "failed" or "not attempted"
    result: BuildResult | None = None
    error: PodcastError | None = None
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def reason(self) -> str:
        """The error without the file name the caller already prints."""
        if self.error is None:
            return ""
        if self.error.path is not None and self.error.path.name == self.path.name:
            return str(self.error.args[0])
        return str(self.error)


@dataclass
class InboxResult:
    folder: Path
    items: list[Item] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def failures(self) -> list[Item]:
        return [item for item in self.items if item.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when nothing failed; else the failures' common exit code (2: only bad articles), else 1."""
        codes = {item.error.exit_code for item in self.failures if item.error is not None}
        if not codes:
            return EXIT_OK
        return codes.pop() if len(codes) == 1 else EXIT_FAILURE

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("built", "updated", "skipped", "failed")]
        for extra in ("waiting", "not attempted"):
            if self.count(extra):
                parts.append(f"{self.count(extra)} {extra}")
        return f"Inbox {self.folder}: {', '.join(parts)} in {self.seconds:.1f} s"


def articles(folder: Path) -> list[Path]:
    """The inbox's article files in a stable order: sorted names, no hidden files, no folders."""
    if not folder.is_dir():
        raise InputError("no such inbox folder" if not folder.exists() else "the inbox is not a folder", path=folder)
    try:
        entries = list(folder.iterdir())
    except OSError as err:
        raise InputError(f"cannot list the inbox: {err.strerror}", path=folder) from None
    return sorted(
        (p for p in entries if p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~")) and p.is_file()),
        key=lambda p: p.name,
    )


def _as_podcast_error(err: OSError, path: Path) -> PodcastError:
    """A system refusal (disk full, permission) during a build, as one sentence."""
    where = err.filename or path
    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC:
        reason = "the disk is full (no space left on device)"
    return PublishError(f"cannot write {where}: {reason}; the published feed was left as it was")


def with_lock_wait(config: Config, seconds: float | None) -> Config:
    """The show with another lock timeout (``--lock-wait``/``--no-wait``), or unchanged."""
    if seconds is None:
        return config
    if not seconds >= 0:  # nan too: it would wait forever
        raise InputError("the lock wait must be 0 or more seconds")
    return dataclasses.replace(config, publish=dataclasses.replace(config.publish, lock_timeout=float(seconds)))


def _unreadable_or_ambiguous(config: Config, files: list[Path], max_bytes: int) -> dict[Path, InputError]:
    """Files refused before anything is built: unreadable ones, and every file whose id another
    file of the inbox shares (which one should the episode be? neither, until a producer decides)."""
    refused: dict[Path, InputError] = {}
    by_key: dict[str, list[Path]] = {}
    for path in files:
        target = path.resolve()
        if path.parent.resolve() not in target.parents:
            # Nobody watches what a timer publishes: a link dropped into a shared inbox must not
            # put /etc/passwd or a private draft on the web. `podcast build FILE` still follows it.
            refused[path] = InputError(
                f"is a link to {target}, outside the inbox; copy the file in instead", path=path.name
            )
            continue
        try:
            issue = article_mod.read(path, settings=config.read, max_bytes=max_bytes)
            by_key.setdefault(episode_key(config, path, issue), []).append(path)
        except InputError as err:
            refused[path] = err
    for paths in by_key.values():
        for path in paths if len(paths) > 1 else ():
            others = ", ".join(p.name for p in paths if p != path)
            refused[path] = InputError(f"same id as {others}: both would be one episode", path=path.name)
    return refused


def _too_fresh(files: list[Path], min_age: float) -> list[Path]:
    """The files changed within the last ``min_age`` seconds (still being written, perhaps)."""
    if min_age <= 0:
        return []
    now = time.time()
    fresh = []
    for path in files:
        try:
            if now - path.stat().st_mtime < min_age:
                fresh.append(path)
        except OSError:
            continue  # gone: the build loop says so
    return fresh


def _repair_feed(config: Config) -> None:
    """The feed again from the catalog (a no-op when identical): a build killed between the catalog
    commit and the feed write left an older feed that a skipped rebuild would never refresh."""
    try:
        regenerate_feed(config)
    except PodcastError as err:
        log.warning("could not refresh the feed from the catalog: %s", err)


def run(
    config: Config,
    folder: Path,
    *,
    engine: str | None = None,
    force: bool = False,
    on_item: Callable[[Item], None] | None = None,
    reporter: Reporter | None = None,
    min_age: float = 0.0,
) -> InboxResult:
    """Build every new or changed article in ``folder``; never raises for one article's failure.

    A file modified less than ``min_age`` seconds ago is left for a later run ("waiting"): it may
    still be being uploaded, and a half-written article must never be published."""
    if not min_age >= 0:  # nan too
        raise InputError("the minimum age must be 0 or more seconds")
    started = time.monotonic()
    folder = Path(folder)
    files = articles(folder)
    result = InboxResult(folder)

    def record(item: Item) -> None:
        result.items.append(item)
        # DEBUG only: the caller reports each item (the CLI prints and logs one line per file).
        log.debug("%s: %s%s", item.name, item.status, f" ({item.error})" if item.error else "")
        if on_item is not None:
            on_item(item)

    with show_lock(config.state_dir / LOCK_NAME, config.publish.lock_timeout):
        log.info("inbox %s: %d article file(s)", folder, len(files))
        fresh = _too_fresh(files, min_age)
        for path in fresh:
            record(Item(path, "waiting"))
        files = [path for path in files if path not in fresh]
        refused = _unreadable_or_ambiguous(config, files, config.publish.max_article_bytes)
        for index, path in enumerate(files):
            begun = time.monotonic()
            try:
                if path in refused:
                    raise refused[path]
                built = build(config, path, engine=engine, force=force, reporter=reporter)
            except PodcastError as err:
                if isinstance(err, InputError) and not os.path.lexists(path):
                    # Moved away by the producer since the listing: not a failure to mail about.
                    log.info("%s: removed from the inbox during the run; nothing to build", path.name)
                    continue
                record(Item(path, "failed", error=err, seconds=time.monotonic() - begun))
                if isinstance(err, SHOW_ERRORS):
                    for rest in files[index + 1 :]:
                        record(Item(rest, "not attempted"))
                    break
            except OSError as err:
                record(Item(path, "failed", error=_as_podcast_error(err, path), seconds=time.monotonic() - begun))
                for rest in files[index + 1 :]:
                    record(Item(rest, "not attempted"))
                break
            else:
                record(Item(path, built.status, result=built, seconds=time.monotonic() - begun))
        if result.count("skipped") and not result.count("not attempted"):
            _repair_feed(config)
    result.seconds = time.monotonic() - started
    return result
