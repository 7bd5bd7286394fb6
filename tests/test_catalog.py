"""The catalog: real SQLite, migrations from an older schema, upserts that keep identity."""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from helpers import episode

from podcast import catalog as catalog_mod
from podcast.catalog import Catalog
from podcast.errors import EXIT_CATALOG, CatalogError, CatalogLostError, NotFoundError


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
    del row["marks"], row["id"], row["legacy_key"], row["link"]  # columns added after version 1
    db.execute(f"INSERT INTO episodes ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
    db.commit()
    db.close()
    with Catalog(path) as cat:
        [old] = cat.episodes()
        assert old.guid == row["guid"] and old.marks == "[]"
        assert old.legacy_key == old.key == row["key"]  # unclaimed: the next build of its title adopts it
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
            first,
            guid="someone-else",
            number=42,
            pub_date="2030-01-01T00:00:00+00:00",
            title="Titre corrigé",
            bytes=1,
            updated="2025-04-01T00:00:00+00:00",
        )
        cat.upsert(changed)
        [stored] = cat.episodes()
        assert (stored.guid, stored.number) == (first.guid, first.number)
        assert stored.pub_date == changed.pub_date  # the build decides (kept unless --date moved it)
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


def _open_at_once(path: str, barrier: Any, results: Any) -> None:
    """A child process: wait for the others, then open (and so migrate) the same new catalog."""
    barrier.wait()
    try:
        with Catalog(Path(path)) as cat:
            results.put(("ok", cat.db.execute("PRAGMA user_version").fetchone()[0]))
    except Exception as err:  # reported to the parent, which asserts on it
        results.put(("error", str(err)))


@pytest.mark.slow
@pytest.mark.parametrize("start", ["new", "version-1"])
def test_migrations_run_once_when_processes_start_together(tmp_path, start: str) -> None:
    """Real processes released by one barrier: before the fix the losers of the race failed with
    'catalog write failed: duplicate column name: marks' (or 'table episodes already exists')."""
    context = multiprocessing.get_context("spawn")
    rounds, count = 4, 6
    for attempt in range(rounds):
        path = tmp_path / f"{start}-{attempt}.sqlite"
        if start == "version-1":
            db = sqlite3.connect(path)
            catalog_mod.MIGRATIONS[0](db)
            db.execute("PRAGMA user_version = 1")
            db.commit()
            db.close()
        barrier, results = context.Barrier(count), context.Queue()
        workers = [context.Process(target=_open_at_once, args=(str(path), barrier, results)) for _ in range(count)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
        assert outcomes == [("ok", len(catalog_mod.MIGRATIONS))] * count, outcomes
        with Catalog(path) as cat:
            columns = [row[1] for row in cat.db.execute("PRAGMA table_info(episodes)")]
            assert columns.count("marks") == 1


def test_a_huge_episode_number_is_no_such_episode(tmp_path) -> None:
    with Catalog(tmp_path / "c.sqlite") as cat:
        cat.upsert(episode(1))
        for ident in ("99999999999999999999999", str(2**63), "١", "²"):
            with pytest.raises(NotFoundError, match="no such episode"):
                cat.find(ident)
        assert cat.find(str(1)).number == 1


def test_garbage_in_the_middle_is_one_catalog_error(tmp_path) -> None:
    """A header that looks right over damaged pages: queries fail as CatalogError, never a traceback."""
    path = tmp_path / "c.sqlite"
    with Catalog(path) as cat:
        for n in range(1, 40):
            cat.upsert(dataclasses.replace(episode(n), notes_html="x" * 2000))
    data = bytearray(path.read_bytes())
    assert len(data) > 5 * 4096
    data[4096:] = random.Random(3).randbytes(len(data) - 4096)  # the schema page intact, every table page not
    path.write_bytes(bytes(data))
    assert catalog_mod.problem(path) is not None
    with pytest.raises(CatalogError), Catalog(path) as cat:
        cat.episodes()


@pytest.mark.parametrize(
    "damage, reason",
    [
        ("missing", "is missing"),
        ("empty", "is empty"),
        ("text", "is not a SQLite database"),
        ("schema-0", "holds no catalog"),
        ("no-table", "has no episodes table"),
    ],
)
def test_open_for_show_refuses_only_where_episodes_are_published(tmp_path, damage: str, reason: str) -> None:
    path, publish = tmp_path / ".podcast" / "catalog.sqlite", tmp_path / "feed"
    path.parent.mkdir()
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "text":
        path.write_bytes(b"hello" * 1000)
    elif damage == "schema-0":
        sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.close()
    elif damage == "no-table":
        with Catalog(path) as cat:
            cat.db.execute("DROP TABLE episodes")
    assert catalog_mod.problem(path) == reason or catalog_mod.problem(path).startswith(reason)
    (publish / "episodes").mkdir(parents=True)
    (publish / "episodes" / ".build-x").mkdir()  # staging does not count as published
    if damage != "text":  # (a text file is never a catalog, episodes or not: Catalog refuses it too)
        catalog_mod.open_for_show(path, publish).close()
        path.unlink()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if damage == "empty":
            path.write_bytes(b"")
        elif damage == "schema-0":
            sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.close()
        elif damage == "no-table":
            with Catalog(path) as cat:
                cat.db.execute("DROP TABLE episodes")
    (publish / "episodes" / "001-a-0123abcd.mp3").write_bytes(b"ID3")
    with pytest.raises(CatalogLostError, match="run 'podcast recover'") as caught:
        catalog_mod.open_for_show(path, publish)
    assert caught.value.exit_code == EXIT_CATALOG
    assert path.exists() == (damage != "missing")  # a missing catalog is not created
