"""Looking after a show's episodes: `podcast list` (text and JSON), `podcast remove` asking first,
numbers never given twice, and the speech cache kept under its cap (least recently used out)."""

from __future__ import annotations

import json
import os
import re
import time
import tomllib
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner
from test_cache import Counting

from podcast import cli as cli_mod
from podcast import config as config_mod
from podcast.cli import cli
from podcast.errors import EXIT_USAGE, ConfigError
from podcast.voices import cache as cache_mod
from podcast.voices.cache import CacheStats, SegmentCache


def write(folder: Path, name: str, title: str) -> Path:
    path = folder / name
    path.write_text(f"{title}\nLe sujet\nUne phrase courte à lire pour {title}.\n", encoding="utf-8")
    return path


def invoke(show: Path, *args: str, stdin: str | None = None):
    return CliRunner(mix_stderr=False).invoke(cli, ["--config", str(show / "podcast.toml"), *args], input=stdin)


def test_list_remove_and_numbers_never_reused(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, title in (("a.txt", "Le port"), ("b.txt", "La gare"), ("c.txt", "Le port")):
        assert invoke(show, "build", str(write(show, name, title))).exit_code == 0
    listing = invoke(show, "list", "--json")
    assert listing.exit_code == 0, listing.stderr
    rows = json.loads(listing.stdout)
    assert [r["number"] for r in rows] == [3, 2, 1] and [r["status"] for r in rows] == ["published"] * 3
    assert rows[0]["slug"] == rows[2]["slug"] == "le-port"  # one title, two episodes
    info = invoke(show, "cache", "info").stdout.splitlines()
    assert info[-1] == "  capped at 2000 MB after each build (cache.max_size)"
    rate = re.fullmatch(r"  hit rate \d+% \((\d+) hit\(s\), (\d+) miss\(es\) over all builds\)", info[-2])
    assert rate is not None and int(rate.group(2)) > 0  # three builds' misses at least were counted
    text = invoke(show, "list").stdout.splitlines()
    assert len(text) == 3 and "le-port  Le port" in text[0]

    # A slug two episodes share names neither: the number or the GUID does.
    ambiguous = invoke(show, "remove", "--yes", "le-port")
    assert ambiguous.exit_code == EXIT_USAGE
    assert ambiguous.stderr == "Error: episodes 1 and 3 share the slug 'le-port'; give a number or a GUID\n"

    # Not a terminal and no --yes: refused in one line, nothing changed.
    feed_before = (show / "feed" / "feed.xml").read_bytes()
    refused = invoke(show, "remove", "3")
    assert (refused.exit_code, refused.stdout) == (EXIT_USAGE, "")
    assert refused.stderr == "Error: not a terminal to ask on; add --yes to remove without asking\n"
    assert (show / "feed" / "feed.xml").read_bytes() == feed_before

    # On a terminal: asked; "n" keeps it, "y" removes it.
    monkeypatch.setattr(cli_mod.show, "_interactive", lambda: True)
    kept = invoke(show, "remove", "3", stdin="n\n")
    assert kept.exit_code == 1 and 'Remove episode 3 "Le port" and delete its files?' in kept.stdout
    assert len(json.loads(invoke(show, "list", "--json").stdout)) == 3
    removed = invoke(show, "remove", rows[0]["guid"], stdin="y\n")
    assert removed.exit_code == 0 and removed.stdout.endswith("Removed episode 3: Le port\n")
    assert not any((show / "feed" / name).exists() for name in rows[0]["files"])

    # The highest number removed is still never given again, by a build nor after --yes removals.
    assert invoke(show, "remove", "--yes", "2").exit_code == 0
    again = invoke(show, "build", str(write(show, "d.txt", "Le marché")))
    assert again.exit_code == 0 and "episode 4: Le marché" in again.stdout
    assert [r["number"] for r in json.loads(invoke(show, "list", "--json").stdout)] == [4, 1]


def _age(path: Path, seconds_ago: float) -> None:
    when = time.time() - seconds_ago
    os.utime(path, (when, when))


def test_eviction_removes_the_least_recently_used_first(tmp_path: Path) -> None:
    store = SegmentCache(tmp_path / "cache")
    voice = Counting()
    texts = ["Premier segment.", "Deuxième segment.", "Troisième segment.", "Quatrième segment."]
    store.synthesize(voice, texts)
    paths = [store.path(cache_mod.key(voice.identity, t)) for t in texts]
    for age, path in zip((400, 300, 200, 100), paths):  # written in this order, long ago
        _age(path, age)
    cache_mod.record_use(store, voice.identity, texts[:1], CacheStats(hits=1))  # the oldest used again now
    sizes = [p.stat().st_size for p in paths]
    limit = sum(sizes) - sizes[1] - sizes[2] // 2  # must drop the 2nd, then the 3rd
    freed = cache_mod.evict(store, limit)
    assert [p.exists() for p in paths] == [True, False, False, True]
    assert freed == sizes[1] + sizes[2]
    assert cache_mod.evict(store, 0) == 0 and paths[3].exists()  # 0: no cap
    voice.spoken.clear()
    store.synthesize(voice, texts)
    assert voice.spoken == texts[1:3]  # evicted ones are spoken again: misses, never errors


def test_eviction_lists_the_cache_only_when_its_counted_usage_could_pass_the_cap(tmp_path: Path) -> None:
    """Listing a full cache after every build cost ~0.5 s: the usage counted at the last listing, plus
    what was written since, decides; a count that is missing, a day old, or over the cap lists again."""
    store = SegmentCache(tmp_path / "cache")
    voice = Counting()
    store.synthesize(voice, ["Premier segment.", "Deuxième segment."])
    assert cache_mod.evict(store, 10**9) == 0  # no count yet: listed, and counted
    counted = json.loads((store.folder / cache_mod.USAGE_NAME).read_text(encoding="utf-8"))
    assert counted["bytes"] == sum(size for _, size, _ in cache_mod._entries(store))
    # Audio the count does not know of (another machine's copy, a racing build): over the cap, but not listed.
    stray = store.path("ff" * 32)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"x" * 5000)
    _age(stray, 1000)
    cap = counted["bytes"] + 10
    assert cache_mod.evict(store, cap) == 0 and stray.exists()
    # What this build writes is counted: past the cap, the folder is listed and the oldest goes.
    store.synthesize(voice, ["Troisième segment, plus long que les autres."])
    assert cache_mod.evict(store, cap) >= 5000 and not stray.exists()
    # A day-old count is not trusted.
    stray.write_bytes(b"x" * 5000)
    _age(stray, 1000)
    usage = store.folder / cache_mod.USAGE_NAME
    old = json.loads(usage.read_text(encoding="utf-8"))
    usage.write_text(json.dumps({"bytes": 0, "scanned": old["scanned"] - cache_mod.RESCAN_SECONDS}), encoding="utf-8")
    assert cache_mod.evict(store, old["bytes"] + 10) >= 5000 and not stray.exists()
    # Nor a damaged one.
    stray.write_bytes(b"x" * 5000)
    _age(stray, 1000)
    usage.write_text("{", encoding="utf-8")
    assert cache_mod.evict(store, old["bytes"] + 10) >= 5000 and not stray.exists()


def test_hit_rate_is_kept_across_builds_and_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)  # no show here: the user's cache
    store = SegmentCache()
    cache_mod.record_use(store, "count:v1", [], CacheStats(hits=3, misses=1))
    cache_mod.record_use(store, "count:v1", [], CacheStats(hits=0, misses=1))
    assert cache_mod.stats(store) == CacheStats(hits=3, misses=2)
    info = CliRunner().invoke(cli, ["cache", "info"])
    assert info.exit_code == 0
    assert info.output.splitlines()[-1] == "  hit rate 60% (3 hit(s), 2 miss(es) over all builds)"
    (store.folder / cache_mod.STATS_NAME).write_text("{broken", encoding="utf-8")
    assert cache_mod.stats(store) == CacheStats()  # damaged totals start again, never an error


@pytest.mark.parametrize(
    ("value", "size"),
    [(2000, 2_000_000_000), (0, 0), ("2 GB", 2_000_000_000), ("500MB", 500_000_000), ("1.5G", 1_500_000_000)],
)
def test_max_size_reads_mb_or_text(value: object, size: int) -> None:
    assert config_mod.parse_size(value) == size


@pytest.mark.parametrize("value", ["lots", "2 PB", -5, True, "", 1.5])
def test_a_bad_max_size_is_one_line(show: Path, value: object) -> None:
    toml = show / "podcast.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data["cache"]["max_size"] = value
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_mod.load(toml)
    assert "cache.max_size must be a number of MB or a size such as" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_highest_number_given_survives_any_order_of_removals(tmp_path: Path) -> None:
    """meta.value is TEXT: compared as text, '2' would beat 3 and number 3 would come back."""
    from test_feed import episode

    from podcast.catalog import Catalog

    with Catalog(tmp_path / "c.sqlite") as catalog:
        for number in (1, 2, 3, 10):
            catalog.upsert(episode(number))
        for number in (10, 3, 2):
            catalog.remove(episode(number), "2025-04-01T00:00:00+00:00")
        assert catalog.next_number() == 11
