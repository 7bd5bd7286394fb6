"""Limits: an article over ``publish.max_article_bytes`` is refused before any work, and a build
that would fill the disk (staging or cache) stops first with one line; the feed stays as it was."""

from __future__ import annotations

import shutil
from collections import namedtuple
from pathlib import Path

import pytest
from reliability_support import ARTICLE, built_show, copy_of, make_show, one_line, published, run

from podcast import diskspace

Usage = namedtuple("Usage", "total used free")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_show(tmp_path_factory.mktemp("limits") / "show")


@pytest.fixture
def show(built: Path, tmp_path: Path) -> Path:
    return copy_of(built, tmp_path)


def _huge(path: Path, size: int) -> Path:
    """One line without punctuation, as in the issue: the slowest text to cut."""
    words = "mot " * (size // 4 + 1)
    path.write_text("Un titre\n\n" + words[: size - 10], encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["build", "preview"])
def test_an_article_over_the_default_limit_is_refused_before_any_work(show: Path, command: str) -> None:
    toml = show / "podcast.toml"
    before = published(toml)
    cache_before = sorted(p.name for p in (show / "cache").rglob("*"))
    article = _huge(show / "huge.txt", 2_100_000)
    one_line(run(toml, command, str(article)), 2, "over the limit of 2 000 000", "publish.max_article_bytes")
    assert published(toml) == before
    assert sorted(p.name for p in (show / "cache").rglob("*")) == cache_before  # nothing spoken


def test_the_limit_is_a_setting(tmp_path: Path) -> None:
    toml = make_show(tmp_path / "show", publish={"max_article_bytes": 1000})
    article = _huge(tmp_path / "long.txt", 1001)
    one_line(run(toml, "build", str(article)), 2, "1 001 bytes, over the limit of 1 000")
    assert published(toml) == {}
    short = tmp_path / "short.txt"
    short.write_text(ARTICLE, encoding="utf-8")
    assert run(toml, "preview", str(short)).exit_code == 0


def _short_of_space(monkeypatch: pytest.MonkeyPatch, starved: Path, free: int) -> None:
    """shutil.disk_usage as the diskspace module sees it: ``free`` bytes under ``starved``."""
    real = shutil.disk_usage

    def disk_usage(path):
        usage = real(path)
        if Path(path).resolve().is_relative_to(starved.resolve()):
            return Usage(usage.total, usage.total - free, free)
        return usage

    monkeypatch.setattr(diskspace.shutil, "disk_usage", disk_usage)


def test_staging_stops_cleanly_when_the_publish_disk_is_nearly_full(show: Path, monkeypatch) -> None:
    toml = show / "podcast.toml"
    before = published(toml)
    _short_of_space(monkeypatch, show / "feed", 20 * 1024 * 1024)
    one_line(run(toml, "build", "--force", str(show / "port.txt")), 1, "not enough free space", "episode's files")
    assert published(toml) == before
    assert not list((show / "feed").rglob(".build-*"))


def test_cache_writes_stop_cleanly_when_the_cache_disk_is_nearly_full(show: Path, monkeypatch) -> None:
    toml = show / "podcast.toml"
    before = published(toml)
    (show / "port.txt").write_text(ARTICLE + "\nUne phrase nouvelle, jamais dite.\n", encoding="utf-8")
    _short_of_space(monkeypatch, show / "cache", diskspace.RESERVE)
    one_line(run(toml, "build", str(show / "port.txt")), 1, "not enough free space", "speech cache")
    assert published(toml) == before
    assert not list((show / "feed").rglob(".build-*"))
    assert not list((show / "cache").rglob(".tmp-*"))


def test_enough_space_builds(show: Path, monkeypatch) -> None:
    """The check can pass: the same build with room to spare publishes."""
    _short_of_space(monkeypatch, show, 10 * 1024**3)
    result = run(show / "podcast.toml", "build", "--force", str(show / "port.txt"))
    assert result.exit_code == 0, result.stderr


def test_an_inbox_refuses_a_huge_article_and_builds_the_others(tmp_path: Path) -> None:
    toml = make_show(tmp_path / "show", publish={"max_article_bytes": 5000})
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "port.txt").write_text(ARTICLE, encoding="utf-8")
    _huge(inbox / "huge.txt", 6000)
    result = run(toml, "build", "--inbox", str(inbox))
    assert result.exit_code != 0
    assert "over the limit of 5 000" in result.stderr
    assert [name for name in published(toml) if name.endswith(".mp3")]  # the other article was built
