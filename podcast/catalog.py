"""The catalog: SQLite, one row per published episode, the single source of truth for the feed.

The schema grows by registered migrations (``PRAGMA user_version``), so a show made by an older
version opens in a newer one.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable, Iterator

from .errors import CatalogError, NotFoundError

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
    id: int | None = None

    @property
    def files(self) -> list[str]:
        return [f for f in (self.audio, self.chapters, self.vtt, self.srt) if f]


_COLUMNS = [f.name for f in fields(Episode) if f.name != "id"]


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except sqlite3.DatabaseError as err:
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

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise CatalogError(
                f"the catalog was written by a newer podcast-builder (schema {version}); upgrade", path=self.path
            )
        for number in range(version, len(MIGRATIONS)):
            with self.transaction():
                MIGRATIONS[number](self.db)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

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
        except sqlite3.OperationalError as err:
            raise CatalogError(f"catalog write failed: {err}", path=self.path) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- queries --------------------------------------------------------------------------------

    def _episode(self, row: sqlite3.Row | None) -> Episode | None:
        return Episode(**dict(row)) if row is not None else None

    def episodes(self, newest_first: bool = True) -> list[Episode]:
        order = "DESC" if newest_first else "ASC"
        rows = self.db.execute(f"SELECT * FROM episodes ORDER BY date {order}, number {order}").fetchall()
        return [Episode(**dict(r)) for r in rows]

    def by_key(self, key: str) -> Episode | None:
        return self._episode(self.db.execute("SELECT * FROM episodes WHERE key = ?", (key,)).fetchone())

    def find(self, ident: str) -> Episode:
        """An episode by number, GUID or slug, as a producer types it."""
        row = None
        if ident.isdigit():
            row = self.db.execute("SELECT * FROM episodes WHERE number = ?", (int(ident),)).fetchone()
        if row is None:
            row = self.db.execute("SELECT * FROM episodes WHERE guid = ? OR slug = ?", (ident, ident)).fetchone()
        if row is None:
            raise NotFoundError(f"no episode {ident!r} in the catalog ('podcast list' shows them)")
        return Episode(**dict(row))

    def next_number(self) -> int:
        """One more than any number ever given: a removed episode's number is not given again
        (apps show itunes:episode; two different episodes under one number would confuse them)."""
        current = self.db.execute("SELECT MAX(number) FROM episodes").fetchone()[0] or 0
        row = self.db.execute("SELECT value FROM meta WHERE name = 'last_number'").fetchone()
        return max(current, int(row[0]) if row else 0) + 1

    def changed(self) -> str | None:
        """When an episode was last added, updated or removed (ISO 8601 UTC): the feed's lastBuildDate."""
        row = self.db.execute("SELECT value FROM meta WHERE name = 'changed'").fetchone()
        return row[0] if row else None

    def show_guid(self, proposed: str) -> str:
        """The show's podcast:guid: ``proposed`` the first time, then the stored one for life,
        even if the feed moves (the namespace's rule: the GUID follows the podcast)."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('podcast_guid', ?)", (proposed,))
            return db.execute("SELECT value FROM meta WHERE name = 'podcast_guid'").fetchone()[0]

    def _touch(self, db: sqlite3.Connection, when: str) -> None:
        db.execute(
            "INSERT INTO meta (name, value) VALUES ('changed', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (when,),
        )

    def upsert(self, episode: Episode) -> None:
        """Insert or update by key; GUID, number and first publication date never change."""
        placeholders = ", ".join("?" for _ in _COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c not in ("key", "guid", "number", "pub_date"))
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
                "ON CONFLICT(name) DO UPDATE SET value = MAX(CAST(value AS INTEGER), excluded.value)",
                (episode.number,),
            )
            self._touch(db, when)
