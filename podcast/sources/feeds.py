"""Following a publication: each item of an RSS 2.0 or Atom feed not yet built becomes an episode.

The feed is parsed by feedparser from bytes (feedparser never fetches here: :mod:`.fetch` does, once,
conditionally with the ETag and Last-Modified of the previous run). Each item's HTML
(``content:encoded``, Atom ``content``, else the summary) is read like a newsletter (:mod:`.html`),
titled by the item's title, dated by its date, and identified by its guid/id (``Issue.meta["id"]``).

What was built is remembered in ``.podcast/feeds.json``: per feed, each item's id and a hash of its
content. A rerun builds only new items and items whose content changed (the episode is updated);
a feed followed twice builds each item once.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import feedparser

from ..article import Issue, _read_regular
from ..build import BuildResult, Reporter, build
from ..config import Config
from ..errors import (
    EXIT_FAILURE,
    EXIT_OK,
    CatalogError,
    ConfigError,
    InputError,
    LockedError,
    PodcastError,
    PublishError,
)
from ..fsutil import write_atomic
from ..lock import show_lock
from . import is_url
from .fetch import FEED_TYPES, fetch
from .html import read_html

log = logging.getLogger(__name__)

STATE_NAME = "feeds.json"
LOCK_NAME = "feeds.lock"
_SHOW_ERRORS = (CatalogError, ConfigError, LockedError, PublishError)


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed, read."""

    id: str
    title: str
    day: date | None
    digest: str
    issue: Issue | None
    error: PodcastError | None = None


@dataclass(frozen=True)
class ItemResult:
    """What happened to one item: built, updated, skipped (already built) or failed."""

    id: str
    title: str
    status: str
    result: BuildResult | None = None
    error: PodcastError | None = None


@dataclass
class FollowResult:
    source: str
    items: list[ItemResult] = field(default_factory=list)
    not_modified: bool = False

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILURE if self.count("failed") else EXIT_OK

    def summary(self) -> str:
        if self.not_modified:
            return f"{self.source}: not modified since the last run; nothing to build"
        parts = [f"{self.count(s)} {s}" for s in ("built", "updated", "skipped", "failed") if self.count(s)]
        return f"{self.source}: " + (", ".join(parts) if parts else "no items")


def _state_path(config: Config) -> Path:
    return config.state_dir / STATE_NAME


def load_state(config: Config) -> dict[str, Any]:
    path = _state_path(config)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        log.warning("%s is unreadable (%s): every item will be checked against the catalog again", path, err)
        return {}
    return data if isinstance(data, dict) else {}


def _save_state(config: Config, state: dict[str, Any]) -> None:
    write_atomic(_state_path(config), json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True), mode=0o600)


def _entry_day(entry: Any) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            day = datetime.fromtimestamp(calendar.timegm(parsed), UTC).date()
            return day if day.year >= 1900 else None
    return None


def _entry_html(entry: Any) -> str:
    contents = entry.get("content") or []
    for content in contents:
        if content.get("type", "text/html") in ("text/html", "application/xhtml+xml") and content.get("value"):
            return str(content["value"])
    if contents and contents[0].get("value"):
        return "<p>" + str(contents[0]["value"]) + "</p>"
    return str(entry.get("summary") or "")


def read_items(data: bytes, *, name: str, sponsored: bool = False) -> list[FeedItem]:
    """A feed's bytes -> its items, each read (an item that cannot be read carries its error)."""
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    if not parsed.get("version"):
        raise InputError("is not an RSS or Atom feed", path=name)
    if not parsed.entries:
        raise InputError("the feed has no items", path=name)
    items = []
    feed_author = str(parsed.feed.get("author") or "")
    for entry in parsed.entries:
        title = " ".join(str(entry.get("title") or "").split())
        link = str(entry.get("link") or "")
        item_id = str(entry.get("id") or link or hashlib.sha256(title.encode()).hexdigest()[:16])
        day = _entry_day(entry)
        html = _entry_html(entry)
        digest = hashlib.sha256(json.dumps([title, html, link, str(day)], ensure_ascii=False).encode()).hexdigest()
        meta: dict[str, Any] = {"id": item_id, "title": title}
        if link.startswith(("http://", "https://")):
            meta["url"] = link
        if day:
            meta["date"] = day.isoformat()
        if entry.get("author") or feed_author:
            meta["author"] = str(entry.get("author") or feed_author)
        where = f"{name} item {item_id}"
        try:
            if not html.strip():
                raise InputError("the item has no content", path=where)
            issue = read_html(html, name=where, prefix="feed item", sponsored=sponsored, title=title or None, meta=meta)
        except InputError as err:
            items.append(FeedItem(item_id, title, day, digest, None, err))
            continue
        items.append(FeedItem(item_id, title, day, digest, issue))
    return items


def _load(
    config: Config, source: str, known: dict[str, Any], *, conditional: bool
) -> tuple[bytes | None, dict[str, Any]]:
    """The feed's bytes (None: not modified since the validators in ``known``) and its new validators."""
    if is_url(source):
        fetched = fetch(
            source,
            accept=FEED_TYPES,
            max_bytes=config.read.max_bytes,
            timeout=config.read.timeout,
            redirects=config.read.max_redirects,
            etag=known.get("etag") if conditional else None,
            last_modified=known.get("last_modified") if conditional else None,
        )
        if fetched.not_modified:
            return None, {}
        return fetched.body, {"etag": fetched.etag, "last_modified": fetched.last_modified}
    try:
        return _read_regular(Path(source)), {}
    except FileNotFoundError:
        raise InputError("no such feed file", path=source) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", path=source) from None


def _key(source: str) -> str:
    return source if is_url(source) else str(Path(source).resolve())


def inspect(config: Config, source: str) -> list[tuple[FeedItem, str]]:
    """Every item of the feed and what ``follow`` would do with it ("new", "changed" or "built").
    Writes nothing (``podcast preview --feed``)."""
    known = load_state(config).get(_key(source), {})
    seen = known.get("items", {})
    data, _ = _load(config, source, known, conditional=False)
    items = read_items(data or b"", name=source, sponsored=config.read.sponsored)
    return [
        (item, "built" if seen.get(item.id) == item.digest else "changed" if item.id in seen else "new")
        for item in items
    ]


def follow(
    config: Config,
    source: str,
    *,
    max_items: int | None = None,
    engine: str | None = None,
    force: bool = False,
    reporter: Reporter | None = None,
    on_item: Callable[[ItemResult], None] | None = None,
) -> FollowResult:
    """Build every item of the feed at ``source`` (an http(s) URL or a file) not built yet.

    ``max_items``: at most that many of the newest unbuilt items (built oldest first, so that
    episode numbers follow the publication). The ETag and Last-Modified are kept only once every
    item was handled, so that an item that failed is tried again by the next run."""
    key = _key(source)
    result = FollowResult(source)

    def record(item: ItemResult) -> None:
        result.items.append(item)
        if on_item is not None:
            on_item(item)

    with show_lock(config.state_dir / LOCK_NAME, config.publish.lock_timeout):
        state = load_state(config)
        known = state.setdefault(key, {})
        seen: dict[str, str] = known.setdefault("items", {})
        loaded, validators = _load(config, source, known, conditional=not force)
        if loaded is None:
            result.not_modified = True
            return result
        data = loaded
        items = read_items(data, name=source, sponsored=config.read.sponsored)
        pending = [item for item in items if force or seen.get(item.id) != item.digest]
        pending_ids = {item.id for item in pending}
        for item in items:
            if item.id not in pending_ids:
                record(ItemResult(item.id, item.title, "skipped"))
        pending.sort(key=lambda item: (item.day or date.max, item.id))
        left_out = 0
        if max_items is not None and len(pending) > max_items:
            left_out = len(pending) - max_items
            pending = pending[left_out:]  # the newest
            log.info("%s: %d older unbuilt item(s) left for --max", source, left_out)
        complete = left_out == 0
        for item in pending:
            try:
                if item.issue is None:
                    raise item.error or InputError("cannot be read", path=item.id)
                where = f"{source}#{item.id}"
                built = build(
                    config, where, issue=item.issue, day=item.day, engine=engine, force=force, reporter=reporter
                )
            except PodcastError as err:
                complete = False
                record(ItemResult(item.id, item.title, "failed", error=err))
                if isinstance(err, _SHOW_ERRORS):
                    break
                continue
            seen[item.id] = item.digest
            _save_state(config, state)
            record(ItemResult(item.id, item.title, str(built.status), result=built))
        if complete:
            known.update({k: v for k, v in validators.items() if v})
        known["checked"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        _save_state(config, state)
    return result
