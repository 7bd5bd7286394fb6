"""The segment cache: content-addressed, atomic, shared by concurrent builds; a one-paragraph edit
re-synthesizes only that paragraph's segments."""

from __future__ import annotations

import multiprocessing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import configure

from podcast import config as config_mod
from podcast.build import build, plan
from podcast.voices.base import Audio
from podcast.voices.cache import SegmentCache, default_folder, for_config, key

EDITED = "Marseille"  # a word of the example's first body paragraph, replaced by the edit


class Counting:
    """A real voice's protocol with a counter, to see what reaches the engine."""

    engine = "count"
    max_chars = None
    rate = 8000
    identity = "count:v1"
    description = "counting"

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def synthesize(self, texts, progress=None):
        self.spoken.extend(texts)
        return [
            Audio(text.encode("utf-8").ljust(len(text) * 2 + 2, b"\0")[: (len(text) + 1) * 2], self.rate)
            for text in texts
        ]


def test_key_depends_on_identity_and_exact_text() -> None:
    assert key("espeak-ng:fr", "Bonjour.") == key("espeak-ng:fr", "Bonjour.")
    assert (
        len({key("espeak-ng:fr", "Bonjour."), key("espeak-ng:fr-be", "Bonjour."), key("espeak-ng:fr", "Bonjour !")})
        == 3
    )


def test_only_missing_texts_reach_the_voice(tmp_path: Path) -> None:
    store, voice = SegmentCache(tmp_path), Counting()
    audios, stats = store.synthesize(voice, ["Un.", "Deux.", "Un."])
    assert voice.spoken == ["Un.", "Deux."] and (stats.hits, stats.misses) == (0, 2)  # a repeat is spoken once
    again, stats = store.synthesize(voice, ["Deux.", "Trois."])
    assert voice.spoken[2:] == ["Trois."] and (stats.hits, stats.misses) == (1, 1)
    assert again[0] == audios[1]
    assert store.info()[0] == 3
    assert not list(tmp_path.rglob(".tmp-*"))


def test_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    store, voice = SegmentCache(tmp_path), Counting()
    store.synthesize(voice, ["Un."])
    path = store.path(key(voice.identity, "Un."))
    path.write_bytes(path.read_bytes()[:-1])  # an odd size cannot be 16-bit PCM
    _, stats = store.synthesize(voice, ["Un."])
    assert stats.misses == 1


def _writer(folder: str, worker: int) -> None:
    store = SegmentCache(Path(folder))
    for round_ in range(200):
        store.put(key("v", f"t{round_ % 5}"), bytes([worker]) * 20000)


def test_concurrent_writers_never_leave_half_a_segment(tmp_path: Path) -> None:
    processes = [
        multiprocessing.get_context("spawn").Process(target=_writer, args=(str(tmp_path), n)) for n in (1, 2, 3)
    ]
    for process in processes:
        process.start()
    store = SegmentCache(tmp_path)
    seen = 0
    while any(p.is_alive() for p in processes):
        for n in range(5):
            data = store.get(key("v", f"t{n}"))
            if data is not None:
                seen += 1
                assert len(data) == 20000 and len(set(data)) == 1  # whole, from one writer
    for process in processes:
        process.join()
        assert process.exitcode == 0
    assert store.info()[0] == 5 and not list(tmp_path.rglob(".tmp-*"))


def test_folder_xdg_and_config_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, show: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_folder() == tmp_path / "xdg" / "podcast-builder" / "segments"
    configure(show, {"cache": {"folder": ""}})  # podcast init's default: the user's cache
    assert for_config(config_mod.load(show)).folder == default_folder()
    configure(show, {"cache": {"folder": "my-cache"}})
    assert for_config(config_mod.load(show)).folder == show.resolve() / "my-cache"


def test_cli_cache_info_and_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from podcast.cli import cli

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)  # no show here: the user's cache
    SegmentCache().synthesize(Counting(), ["Un.", "Deux."])
    runner = CliRunner()
    info = runner.invoke(cli, ["cache", "info"])
    assert info.exit_code == 0
    assert info.output.splitlines() == [
        f"Cache: {tmp_path / 'xdg' / 'podcast-builder' / 'segments'}",
        "  2 segment(s), 0.0 MB",
        "  hit rate none yet (0 hit(s), 0 miss(es) over all builds)",
    ]
    cleared = runner.invoke(cli, ["cache", "clear"])
    assert cleared.exit_code == 0 and cleared.output.startswith("Removed 2 segment(s)")
    assert runner.invoke(cli, ["cache", "info"]).output.splitlines()[1] == "  0 segment(s), 0.0 MB"


def test_one_paragraph_edit_synthesizes_only_its_segments(show_config, example_path: Path, tmp_path: Path) -> None:
    original = example_path.read_text(encoding="utf-8")
    assert original.count(EDITED) == 1
    article = tmp_path / "lettre.txt"
    article.write_text(original, encoding="utf-8")
    store = SegmentCache(tmp_path / "cache")
    first = build(show_config, article, day=date(2024, 6, 3), cache=store)
    assert first.cache.hits == 0 and first.cache.misses > 10

    article.write_text(original.replace(EDITED, "Toulon"), encoding="utf-8")
    changed = [s.text for s in plan(show_config, article, day=date(2024, 6, 3)).segments if "Toulon" in s.text]
    second = build(show_config, article, day=date(2024, 6, 3), cache=store)
    assert second.status == "updated"
    assert 1 <= second.cache.misses == len(changed) <= 3
    assert second.cache.hits == len(plan(show_config, article, day=date(2024, 6, 3)).segments) - len(changed)


def test_progress_counts_every_segment_once_even_repeated(tmp_path) -> None:
    """The build's progress bar ends exactly at its total: a repeated text is spoken once but is
    two segments of the episode."""
    from podcast.voices.cache import SegmentCache
    from podcast.voices.espeak import EspeakVoice

    store = SegmentCache(tmp_path / "cache")
    texts = ["Bonjour.", "Au revoir.", "Bonjour.", "Une phrase un peu plus longue."] * 5
    counted: list[int] = []
    audios, stats = store.synthesize(EspeakVoice(workers=1), texts, counted.append, stream=True)
    assert len(list(audios)) == len(texts) and stats.misses == 3
    assert sum(counted) == len(texts)
    counted.clear()
    audios, _ = store.synthesize(EspeakVoice(workers=1), [*texts, "Nouveau."], counted.append, stream=True)
    assert len(list(audios)) == len(texts) + 1 and sum(counted) == len(texts) + 1


def test_stale_temporary_files_are_swept_when_the_cache_is_first_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build killed with SIGKILL leaves ``.tmp-*`` files; the next one to write removes those
    older than an hour (never a concurrent build's file in progress), once, not at every lookup."""
    import os
    import time

    cache = SegmentCache(tmp_path / "cache")
    cache.put(key("v", "un"), b"\x00\x01" * 100)
    digest = key("v", "deux")
    old, fresh = time.time() - 2 * 3600, time.time() - 60
    stale = [
        cache.folder / ".tmp-abc.json",
        cache.path(digest).parent / ".tmp-def.seg",
        cache.folder / "chunks" / ".tmp-ghi.mp3",
    ]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
        os.utime(path, (old, old))
    in_progress = cache.path(digest).parent / ".tmp-jkl.seg"
    in_progress.write_bytes(b"half")
    os.utime(in_progress, (fresh, fresh))
    kept = cache.folder / "chunks" / "notes.txt"  # not ours: never touched
    kept.write_bytes(b"x")
    os.utime(kept, (old, old))

    reopened = SegmentCache(cache.folder)
    scans: list[object] = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p=".": scans.append(p) or real_scandir(p))
    assert reopened.get(digest) is None and scans == []  # a lookup does not sweep
    reopened.put(digest, b"\x00\x01" * 10)
    assert [p for p in stale if p.exists()] == []
    assert in_progress.exists() and kept.exists()
    swept = len(scans)
    assert swept > 0
    reopened.put(key("v", "trois"), b"\x00\x01" * 10)
    assert len(scans) == swept  # once per cache opened
    assert reopened.get(digest) == b"\x00\x01" * 10
