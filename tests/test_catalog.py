"""The catalog: real SQLite, migrations from an older schema, upserts that keep identity."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from podcast import catalog as catalog_mod
from podcast.catalog import Catalog
from podcast.errors import CatalogError, NotFoundError

from test_feed import episode


def test_new_catalog_is_wal_at_latest_schema(tmp_path) -> None:
    with Catalog(tmp_path / "c.sqlite") as cat:
        assert cat.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cat.db.execute("PRAGMA user_version").fetchone()[0] == len(catalog_mod.MIGRATIONS)
        assert cat.episodes() == [] and cat.changed() is None and cat.next_number() == 1


def test_a_version_1_catalog_opens_and_keeps_its_rows(tmp_path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    catalog_mod.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    row = dataclasses.asdict(episode(1))
    del row["marks"], row["id"]
    db.execute(f"INSERT INTO episodes ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
    db.commit()
    db.close()
    with Catalog(path) as cat:
        [old] = cat.episodes()
        assert old.guid == row["guid"] and old.marks == "[]"
        assert cat.changed() == row["updated"]  # lastBuildDate stays what it was


def test_newer_schema_is_refused(tmp_path) -> None:
    path = tmp_path / "new.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(CatalogError, match="newer podcast-builder"):
        Catalog(path)


def test_garbage_file_is_a_catalog_error(tmp_path) -> None:
    path = tmp_path / "bad.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CatalogError, match="unreadable"):
        Catalog(path)


def test_upsert_updates_in_place_keeping_identity(tmp_path) -> None:
    with Catalog(tmp_path / "c.sqlite") as cat:
        first = episode(1)
        cat.upsert(first)
        changed = dataclasses.replace(
            first, guid="someone-else", number=42, pub_date="2030-01-01T00:00:00+00:00",
            title="Titre corrigé", bytes=1, updated="2025-04-01T00:00:00+00:00",
        )
        cat.upsert(changed)
        [stored] = cat.episodes()
        assert (stored.guid, stored.number, stored.pub_date) == (first.guid, first.number, first.pub_date)
        assert (stored.title, stored.bytes) == ("Titre corrigé", 1)
        assert cat.changed() == "2025-04-01T00:00:00+00:00"


def test_find_by_number_slug_or_guid_and_remove(tmp_path) -> None:
    with Catalog(tmp_path / "c.sqlite") as cat:
        for n in (1, 2, 3):
            cat.upsert(episode(n))
        assert [e.number for e in cat.episodes()] == [3, 2, 1]
        assert cat.find("2").key == "essai-2"
        assert cat.find("essai-3").number == 3
        assert cat.find(episode(1).guid).number == 1
        with pytest.raises(NotFoundError):
            cat.find("99")
        cat.remove(cat.find("2"), "2025-05-01T00:00:00+00:00")
        assert [e.number for e in cat.episodes()] == [3, 1]
        assert cat.changed() == "2025-05-01T00:00:00+00:00"
        assert cat.next_number() == 4  # a number is never reused while a later one exists
        cat.remove(cat.find("3"), "2025-05-02T00:00:00+00:00")
        assert [e.number for e in cat.episodes()] == [1]
        assert cat.next_number() == 4  # nor once the newest is removed: 3 was given already


def test_a_second_connection_sees_committed_rows(tmp_path) -> None:
    path = tmp_path / "c.sqlite"
    with Catalog(path) as writer, Catalog(path) as reader:
        writer.upsert(episode(1))
        assert [e.number for e in reader.episodes()] == [1]


def test_show_guid_is_assigned_once_for_life(tmp_path) -> None:
    with Catalog(tmp_path / "c.sqlite") as cat:
        first = cat.show_guid("917393e3-1b1e-5cef-ace4-edaa54e1f810")
        assert cat.show_guid("9b024349-ccf0-5f69-a609-6b82873eab3c") == first == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
