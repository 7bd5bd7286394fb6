"""Realistic producer and cron mistakes found by trying to break the CLI: each one must give one
line on stderr, the documented exit code, no traceback, and leave the published show untouched.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import configure, new_show

from podcast.cli import cli

BODY = "La commune trace deux kilomètres de piste protégée le long du canal.\n"


def run(toml: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(toml), *args])


def one_error_line(result, code: int, *fragments: str) -> str:
    """The result failed with ``code`` and one ``Error:`` line naming every fragment."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def toml(tmp_path: Path) -> Path:
    return new_show(tmp_path / "show") / "podcast.toml"


def test_a_fifo_is_refused_at_once_instead_of_hanging(toml: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(run(toml, "preview", str(fifo))), daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # unblock the reader so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    one_error_line(outcome[0], 2, "not a regular file")


def test_a_device_and_a_folder_are_refused(toml: Path, tmp_path: Path) -> None:
    one_error_line(run(toml, "preview", "/dev/zero"), 2, "/dev/zero", "not a regular file")
    one_error_line(run(toml, "preview", str(tmp_path)), 2, "is a folder")


def test_titles_with_nothing_to_slug_are_distinct_episodes_with_titles(toml: Path, tmp_path: Path) -> None:
    """Emoji-only titles used to share the key "episode": the second build replaced the first
    episode; a title of punctuation became an empty <title>."""
    import feedparser

    from podcast import config as config_mod

    for name, title in (("a.txt", "🎉🎉"), ("b.txt", "🚀"), ("c.txt", "!!! ??? ...")):
        (tmp_path / name).write_text(f"{title}\n{BODY}", encoding="utf-8")
        result = run(toml, "build", str(tmp_path / name))
        assert result.exit_code == 0 and "Built episode" in result.output, result.output
    config = config_mod.load(toml)
    entries = feedparser.parse((config.publish_dir / "feed.xml").read_bytes()).entries
    assert sorted(e.title for e in entries) == sorted(["🎉🎉", "🚀", "!!! ??? ..."])
    assert len({e.id for e in entries}) == 3
    for name in os.listdir(config.publish_dir / "episodes"):
        assert name.isascii() and "-episode-" in name, name


@pytest.mark.parametrize(
    "url", ["https://ex.org/show/?a=1&b=2", "https://ex.org/show/#notes", "https://ex.org/ma show/"]
)
def test_a_base_url_that_cannot_prefix_file_names_is_refused(toml: Path, url: str) -> None:
    configure(toml, {"show": {"base_url": url}})
    one_error_line(run(toml, "feed"), 2, "show.base_url")
    assert not (toml.parent / "feed").exists()


def test_a_base_url_without_trailing_slash_still_makes_good_links(toml: Path) -> None:
    from podcast import config as config_mod

    configure(toml, {"show": {"base_url": "https://ex.org/show"}})
    assert run(toml, "feed").exit_code == 0
    feed = (config_mod.load(toml).publish_dir / "feed.xml").read_text(encoding="utf-8")
    assert "https://ex.org/show/feed.xml" in feed and "https://ex.org/showfeed" not in feed


@pytest.mark.parametrize("setting", ["jingle_intro", "music_bed"])
def test_a_custom_sound_that_is_missing_or_not_audio_is_a_settings_error(
    toml: Path, tmp_path: Path, setting: str
) -> None:
    """Used to be exit 1 'measuring loudness failed: ...' after the whole synthesis, naming nothing."""
    from podcast import config as config_mod

    article = tmp_path / "a.txt"
    article.write_text(f"Une piste cyclable\n{BODY}", encoding="utf-8")
    assert run(toml, "build", str(article)).exit_code == 0
    feed = config_mod.load(toml).publish_dir / "feed.xml"
    before = feed.read_bytes()
    (toml.parent / "notes.wav").write_text("pas du son", encoding="utf-8")
    configure(toml, {"audio": {setting: "notes.wav"}})
    one_error_line(run(toml, "build", "--force", str(article)), 2, f"audio.{setting}", "notes.wav")
    configure(toml, {"audio": {setting: "absent.wav"}})
    one_error_line(run(toml, "build", "--force", str(article)), 2, f"audio.{setting}", "absent.wav")
    assert feed.read_bytes() == before


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ({"folder": "podcast.toml"}, "publish.folder is a file"),
        ({"folder": "."}, "publish.folder must not be the show folder"),
        ({"folder": ".."}, "publish.folder must not be the show folder"),
        ({"lock_timeout": -5}, "publish.lock_timeout"),
        ({"lock_timeout": float("nan")}, "publish.lock_timeout"),
    ],
)
def test_a_publish_table_that_cannot_work_is_refused(toml: Path, setting: dict, fragment: str) -> None:
    """A file as publish folder used to fail (exit 1) with 'cover.png: cannot write: File exists';
    '.' published podcast.toml; a negative or nan lock_timeout was taken as is."""
    configure(toml, {"publish": setting})
    one_error_line(run(toml, "feed"), 2, fragment)
    assert not (toml.parent / "feed").exists() and not (toml.parent / "feed.xml").exists()


def test_a_publish_folder_under_home_is_expanded(toml: Path, tmp_path: Path, monkeypatch) -> None:
    from podcast import config as config_mod

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    configure(toml, {"publish": {"folder": "~/site/gazette"}})
    assert run(toml, "feed").exit_code == 0
    assert config_mod.load(toml).publish_dir == tmp_path / "home" / "site" / "gazette"
    assert (tmp_path / "home" / "site" / "gazette" / "feed.xml").is_file()
    assert not (toml.parent / "~").exists()


def test_a_few_windows_bytes_in_utf8_text_leave_the_rest_intact() -> None:
    """A stray cp1252 'é' used to make the whole file cp1252: every correct 'é' became 'Ã©'."""
    from podcast.article import decode

    text, warnings = decode(
        "Le café de l'été\n".encode() + b"Un caf\xe9 \x93noir\x94, l'\xc3\xa9t\xc3\xa9 d\xc3\xa9j\xc3\xa0.\n"
    )
    assert text == "Le café de l'été\nUn café “noir”, l'été déjà.\n"
    assert len(warnings) == 1 and "3 byte(s) not UTF-8" in warnings[0]
    pure, warnings = decode("Un caf\u00e9 \u201cnoir\u201d, d\u00e9j\u00e0.\n".encode("cp1252"))
    assert pure == "Un café “noir”, déjà.\n" and "not UTF-8, read as Windows-1252" in warnings[0]


def test_an_inbox_link_to_a_file_outside_is_not_published(toml: Path, tmp_path: Path) -> None:
    """A link dropped into a shared inbox used to publish whatever it pointed at (/etc/passwd)."""
    from podcast import config as config_mod

    secret = tmp_path / "brouillon-prive.txt"
    secret.write_text(f"Note interne confidentielle\n{BODY}", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "01-piste.txt").write_text(f"Une piste cyclable\n{BODY}", encoding="utf-8")
    (inbox / "02-lien.txt").symlink_to(secret)
    (inbox / ".source.txt").write_text(f"La passerelle du canal\n{BODY}", encoding="utf-8")
    (inbox / "03-passerelle.txt").symlink_to(inbox / ".source.txt")  # inside the inbox: followed
    result = run(toml, "build", "--inbox", str(inbox))
    assert result.exit_code == 2, result.output
    assert "failed   02-lien.txt: is a link to" in result.output and "outside the inbox" in result.output
    assert "built    03-passerelle.txt" in result.output and "built    01-piste.txt" in result.output
    feed = (config_mod.load(toml).publish_dir / "feed.xml").read_text(encoding="utf-8")
    assert "confidentielle" not in feed


def test_an_inbox_file_removed_after_the_listing_is_not_a_failure(toml: Path, tmp_path: Path, monkeypatch) -> None:
    """It used to be 'failed ...: no such file' and exit 2: a cron mail for a file the producer moved away."""
    from podcast import inbox

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "01-piste.txt").write_text(f"Une piste cyclable\n{BODY}", encoding="utf-8")
    listed = inbox.articles(folder) + [folder / "02-parti.txt"]  # listed, then gone
    monkeypatch.setattr(inbox, "articles", lambda _folder: listed)
    result = run(toml, "build", "--inbox", str(folder))
    assert result.exit_code == 0, result.output
    assert "built    01-piste.txt" in result.output and "02-parti" not in result.output
    assert "1 built, 0 updated, 0 skipped, 0 failed" in result.output


def test_a_lock_wait_of_nan_is_refused(toml: Path, tmp_path: Path) -> None:
    """click's FloatRange(min=0) lets nan through; a locked show would then be waited for forever."""
    article = tmp_path / "a.txt"
    article.write_text(f"Une piste cyclable\n{BODY}", encoding="utf-8")
    one_error_line(run(toml, "build", "--lock-wait", "nan", str(article)), 2, "lock wait")


def test_an_unpunctuated_text_is_cut_for_engines_without_a_limit() -> None:
    """A pasted text with no sentence ends used to be one espeak segment (28 min: 415 MB peak)."""
    from podcast.article import parse
    from podcast.segment import LONGEST_SEGMENT, segment_issue, words

    body = " ".join(["la chaleur monte dans les serveurs, et les villes cherchent de l'eau"] * 300)
    issue = parse(f"Titre long\n{body}\n")
    segments = segment_issue(issue, limit=None)
    assert len(segments) > 15 and max(len(s.text) for s in segments) <= LONGEST_SEGMENT
    assert words(s.text for s in segments) == words(["Titre long.", body])
