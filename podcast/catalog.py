"""The catalog: SQLite, one row per published episode, the single source of truth for the feed.

The schema grows by registered migrations (``PRAGMA user_version``), so a show made by an older
version opens in a newer one.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import CatalogError, CatalogLostError, NotFoundError
from .fsutil import write_atomic

SQLITE_HEADER = b"SQLite format 3\x00"
MAX_NUMBER = 2**63 - 1  # SQLite's INTEGER: a larger number is no episode, not an overflow
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    """Register the next schema step; never edit one that has shipped, add another."""
    MIGRATIONS.append(fn)
    return fn


@migration
def _create_episodes(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE episodes (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,          -- what makes two builds the same episode
            guid TEXT NOT NULL UNIQUE,
            number INTEGER NOT NULL,
            title TEXT NOT NULL,
            slug TEXT NOT NULL,
            date TEXT NOT NULL,                -- YYYY-MM-DD, the episode's date
            pub_date TEXT NOT NULL,            -- ISO 8601 UTC, fixed at first publication
            duration_ms INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            audio TEXT NOT NULL,               -- file names, relative to the publish folder
            chapters TEXT,
            vtt TEXT,
            srt TEXT,
            engine TEXT NOT NULL,
            voice TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            description TEXT NOT NULL,
            notes_html TEXT NOT NULL,
            updated TEXT NOT NULL              -- ISO 8601 UTC, last time the row changed
        )
        """
    )


@migration
def _add_marks_and_meta(db: sqlite3.Connection) -> None:
    """Chapter marks (for inline Podlove chapters) and the time the catalog last changed."""
    db.execute("ALTER TABLE episodes ADD COLUMN marks TEXT NOT NULL DEFAULT '[]'")  # JSON [[start_ms, title]]
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "INSERT INTO meta (name, value) SELECT 'changed', MAX(updated) FROM episodes HAVING MAX(updated) IS NOT NULL"
    )


@migration
def _key_by_source(db: sqlite3.Connection) -> None:
    """Episodes are keyed by their source (file, id, URL), no longer by their title's slug.

    Rows made before keep their key and GUID and get ``legacy_key``: the title key under which a
    source may claim them (see :meth:`Catalog.claim`)."""
    db.execute("ALTER TABLE episodes ADD COLUMN legacy_key TEXT")  # NULL once a source owns the row
    db.execute("UPDATE episodes SET legacy_key = key")
    db.execute("CREATE INDEX episodes_legacy_key ON episodes (legacy_key) WHERE legacy_key IS NOT NULL")


@migration
def _add_link(db: sqlite3.Connection) -> None:
    """The page an episode was read from (a web page's canonical URL, a feed item's link): the
    feed item's <link>. NULL: the episode's audio, as before."""
    db.execute("ALTER TABLE episodes ADD COLUMN link TEXT")


@dataclass(frozen=True)
class Episode:
    key: str
    guid: str
    number: int
    title: str
    slug: str
    date: str
    pub_date: str
    duration_ms: int
    bytes: int
    audio: str
    chapters: str | None
    vtt: str | None
    srt: str | None
    engine: str
    voice: str
    text_hash: str
    description: str
    notes_html: str
    updated: str
    marks: str = "[]"  # JSON list of [start_ms, title]: the chapters, for the feed's inline copy
    # The title key of a row no source owns yet (made before source keys, or recovered); else None.
    legacy_key: str | None = None
    link: str | None = None  # the source page (http(s)), the feed item's <link>; None: the audio
    id: int | None = None

    @property
    def files(self) -> list[str]:
        return [f for f in (self.audio, self.chapters, self.vtt, self.srt) if f]


_COLUMNS = [f.name for f in fields(Episode) if f.name != "id"]
# The schema version that added a column (the others were in the first one).
_ADDED_IN = {"marks": 2, "legacy_key": 3, "link": 4}


@contextmanager
def _setup_lock(path: Path) -> Iterator[None]:
    """Opening is serialized between processes by a lock file beside the catalog: SQLite answers
    "database is locked" at once, without waiting, to a connection that meets another one switching
    a new database to WAL. The kernel releases the lock if the process dies."""
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _setup_lock(path):
                self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
                self.db.row_factory = sqlite3.Row
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                self._migrate()
        except CatalogError:
            self._close_quietly()
            raise
        except sqlite3.DatabaseError as err:
            self._close_quietly()
            raise CatalogError(f"the catalog is unreadable ({err}); restore it from a backup", path=path) from None
        except OSError as err:
            raise CatalogError(f"cannot open the catalog: {err.strerror}", path=path) from None

    @classmethod
    def open_read_only(cls, path: Path) -> Catalog:
        """A copy in memory of the catalog at ``path``, for looking only (``podcast preview``): no file
        is created or changed. Read as immutable unless a -wal file says another connection is open;
        an older schema is migrated in the copy."""
        catalog = cls.__new__(cls)
        catalog.path = path
        mode = "ro" if path.with_name(f"{path.name}-wal").exists() else "ro&immutable=1"
        try:
            source = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30)
            try:
                catalog.db = sqlite3.connect(":memory:", isolation_level=None)
                source.backup(catalog.db)
            finally:
                source.close()
            catalog.db.row_factory = sqlite3.Row
            catalog._migrate()
        except sqlite3.DatabaseError as err:
            raise CatalogError(f"the catalog is unreadable ({err}); restore it from a backup", path=path) from None
        return catalog

    def _close_quietly(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            db.close()

    def _version(self) -> int:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise CatalogError(
                f"the catalog was written by a newer podcast-builder (schema {version}); upgrade", path=self.path
            )
        return version

    def _migrate(self) -> None:
        """Every pending migration in one write transaction. The version is read again once the
        write lock is held: two processes opening a new show at once would otherwise both run
        the same steps (``duplicate column name``); the second now finds nothing left to do."""
        if self._version() == len(MIGRATIONS):
            return
        with self.transaction():
            for number in range(self._version(), len(MIGRATIONS)):
                MIGRATIONS[number](self.db)
            self.db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.Error as err:
            raise CatalogError(f"catalog write failed: {err}", path=self.path) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- queries --------------------------------------------------------------------------------

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """A read; a damaged page met here is one line, not a traceback."""
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise CatalogError(
                f"catalog read failed ({err}); 'podcast recover --force' rebuilds it", path=self.path
            ) from None

    def _episodes(self, sql: str, params: tuple[object, ...] = ()) -> list[Episode]:
        return [Episode(**dict(row)) for row in self._rows(sql, params)]

    def episodes(self, newest_first: bool = True) -> list[Episode]:
        order = "DESC" if newest_first else "ASC"
        return self._episodes(f"SELECT * FROM episodes ORDER BY date {order}, number {order}")

    def by_key(self, key: str) -> Episode | None:
        found = self._episodes("SELECT * FROM episodes WHERE key = ?", (key,))
        return found[0] if found else None

    def unclaimed(self, legacy_key: str) -> Episode | None:
        """The one row no source owns under this title key, or None (none, or more than one)."""
        found = self._episodes("SELECT * FROM episodes WHERE legacy_key = ?", (legacy_key,))
        return found[0] if len(found) == 1 else None

    def claim(self, legacy_key: str, key: str) -> Episode | None:
        """Give a source the episode it made before episodes were keyed by source.

        The rule: a source with no row of its own adopts the row keyed by its title (``legacy_key``)
        when exactly one such row exists and no source has claimed it yet; the row takes the
        source's key and keeps its GUID, number and first publication date. Two unclaimed rows
        with one title (recovered ones) are ambiguous: neither is adopted, the build makes a new one."""
        with self.transaction() as db:
            rows = db.execute("SELECT * FROM episodes WHERE legacy_key = ?", (legacy_key,)).fetchall()
            if len(rows) != 1:
                return None
            db.execute("UPDATE episodes SET key = ?, legacy_key = NULL WHERE id = ?", (key, rows[0]["id"]))
            row = db.execute("SELECT * FROM episodes WHERE id = ?", (rows[0]["id"],)).fetchone()
        return Episode(**dict(row))

    def find(self, ident: str) -> Episode:
        """An episode by number, GUID or slug, as a producer types it; a slug two episodes share
        (one title, two sources) is refused, naming their numbers."""
        found: list[Episode] = []
        if ident.isascii() and ident.isdigit() and int(ident) <= MAX_NUMBER:
            found = self._episodes("SELECT * FROM episodes WHERE number = ?", (int(ident),))
        if not found:
            found = self._episodes("SELECT * FROM episodes WHERE guid = ?", (ident,))
        if not found:
            found = self._episodes("SELECT * FROM episodes WHERE slug = ? ORDER BY number", (ident,))
        if not found:
            shown = ident if len(ident) <= 40 else ident[:40] + "…"
            raise NotFoundError(f"no such episode: {shown!r} is not in the catalog ('podcast list' shows them)")
        if len(found) > 1:
            numbers = " and ".join(str(e.number) for e in found)
            raise NotFoundError(f"episodes {numbers} share the slug {ident!r}; give a number or a GUID")
        return found[0]

    def next_number(self) -> int:
        """One more than any number ever given: a removed episode's number is not given again
        (apps show itunes:episode; two different episodes under one number would confuse them)."""
        current = self._rows("SELECT MAX(number) FROM episodes")[0][0] or 0
        rows = self._rows("SELECT value FROM meta WHERE name = 'last_number'")
        return max(current, int(rows[0][0]) if rows else 0) + 1

    def changed(self) -> str | None:
        """When an episode was last added, updated or removed (ISO 8601 UTC): the feed's lastBuildDate."""
        rows = self._rows("SELECT value FROM meta WHERE name = 'changed'")
        return rows[0][0] if rows else None

    def set_meta(self, name: str, value: str) -> None:
        """Store one show-level value (``podcast recover`` restores podcast_guid, changed, last_number)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    def meta(self, name: str) -> str | None:
        """One show-level value (podcast_guid, feed_url, changed, last_number), or None."""
        rows = self._rows("SELECT value FROM meta WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def show_guid(self, proposed: str, *, keep: bool = True) -> str:
        """The show's podcast:guid: ``proposed`` the first time, then the stored one for life,
        even if the feed moves (the namespace's rule: the GUID follows the podcast). With
        ``keep=False`` (the feed's URL is a placeholder) a stored GUID is used but none is stored."""
        if not keep:
            return self.meta("podcast_guid") or proposed
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('podcast_guid', ?)", (proposed,))
            return str(db.execute("SELECT value FROM meta WHERE name = 'podcast_guid'").fetchone()[0])

    def first_feed_url(self, url: str, *, keep: bool = True) -> str:
        """The feed URL the show was first published at: ``url`` the first time (when ``keep``),
        then the stored one, so a later base_url reads as a move (itunes:new-feed-url)."""
        if not keep:
            return self.meta("feed_url") or url
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('feed_url', ?)", (url,))
            return str(db.execute("SELECT value FROM meta WHERE name = 'feed_url'").fetchone()[0])

    def _touch(self, db: sqlite3.Connection, when: str) -> None:
        db.execute(
            "INSERT INTO meta (name, value) VALUES ('changed', ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (when,),
        )

    def upsert(self, episode: Episode) -> None:
        """Insert or update by key; GUID and number never change. The publication date is what the
        caller gives: a build keeps it unless the episode's date was changed (``--date``)."""
        placeholders = ", ".join("?" for _ in _COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c not in ("key", "guid", "number"))
        with self.transaction() as db:
            db.execute(
                f"INSERT INTO episodes ({', '.join(_COLUMNS)}) VALUES ({placeholders}) "
                f"ON CONFLICT(key) DO UPDATE SET {updates}",
                [getattr(episode, c) for c in _COLUMNS],
            )
            self._touch(db, episode.updated)

    def remove(self, episode: Episode, when: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM episodes WHERE key = ?", (episode.key,))
            db.execute(
                "INSERT INTO meta (name, value) VALUES ('last_number', ?) "
                # Both as integers: the column is TEXT, and SQLite orders any text above any integer.
                "ON CONFLICT(name) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                (episode.number,),
            )
            self._touch(db, when)


# --- is there a catalog this show can trust? ---------------------------------------------------

_ITEM = re.compile(rb"<item[\s>]")


def holds_episodes(publish_dir: Path) -> bool:
    """Whether the publish folder shows published work: a feed with items or files in episodes/
    (staging folders and temporary files, named with a leading dot, do not count)."""
    try:
        if _ITEM.search((publish_dir / "feed.xml").read_bytes()):
            return True
    except OSError:
        pass
    try:
        return any(not entry.name.startswith(".") for entry in (publish_dir / "episodes").iterdir())
    except OSError:
        return False


def problem(path: Path) -> str | None:
    """Why the file at ``path`` is not a usable catalog (a short phrase), or None when it is.

    Checks what opening would silently paper over: a missing or empty file (SQLite makes a new
    database of it), another file type, damaged pages (``PRAGMA quick_check``), a database without
    our tables or columns. Reads only; a missing file is not created."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "is missing"
    except OSError as err:
        return f"cannot be read ({err.strerror})"
    if not header:
        return "is empty"
    if header != SQLITE_HEADER:
        return "is not a SQLite database"
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    except sqlite3.Error as err:
        return f"cannot be opened ({err})"
    try:
        checked = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
        if checked != ["ok"]:
            return f"is damaged ({checked[0] if checked else 'quick_check gave nothing'})"
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            return "holds no catalog (schema version 0)"
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in ("episodes", "meta") if version >= 2 else ("episodes",):
            if table not in tables:
                return f"has no {table} table"
        columns = {row[1] for row in db.execute("PRAGMA table_info(episodes)")}
        wanted = {c for c in _COLUMNS if _ADDED_IN.get(c, 1) <= version}
        missing = sorted(wanted - columns)
        if missing:
            return f"lacks the column(s) {', '.join(missing)}"
    except sqlite3.Error as err:
        return f"is damaged ({err})"
    finally:
        db.close()
    return None


def check_for_show(path: Path, publish_dir: Path) -> None:
    """Refuse a catalog that would silently be a new one: when ``publish_dir`` holds episodes and
    the catalog at ``path`` is missing or unusable, raise CatalogLostError before anything is
    written (a fresh catalog would forget them, delete their files and number from 1 again)."""
    if holds_episodes(publish_dir):
        reason = problem(path)
        if reason is not None:
            raise CatalogLostError(
                f"the catalog {reason}, but {publish_dir} holds published episodes; nothing was changed: "
                "run 'podcast recover' to rebuild the catalog from them",
                path=path,
            )


def open_for_show(path: Path, publish_dir: Path) -> Catalog:
    """The show's catalog, after :func:`check_for_show`; a show without episodes gets a new one."""
    check_for_show(path, publish_dir)
    return Catalog(path)


# The highest episode number ever given, kept beside what is published: the catalog's `last_number`
# lives in the catalog, and the publish folder is what `podcast recover` rebuilds it from. Only a
# removal can take the highest number out of the feed and the MP3s, so a removal writes it here
# (atomically; hidden, so neither uploaded nor served), and recover numbers on from it.
LAST_NUMBER_FILE = ".last-episode-number"


def kept_last_number(publish_dir: Path) -> int:
    """The highest number :func:`keep_last_number` kept; 0 when none or unreadable."""
    try:
        text = (publish_dir / LAST_NUMBER_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return 0
    return int(text) if text.isdigit() and len(text) <= 18 else 0


def keep_last_number(publish_dir: Path, number: int) -> None:
    """Keep ``number`` as the highest ever given, when it is higher than the one kept."""
    if number > kept_last_number(publish_dir):
        write_atomic(publish_dir / LAST_NUMBER_FILE, f"{number}\n")
