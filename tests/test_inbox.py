"""Inbox runs on real French articles: new, unchanged, changed and broken files, through the CLI.

One show is built once for the module (three short articles, two broken files); every other test
works on its own copy of it, most from a settled inbox (``settle``: the broken files gone).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ARTICLES, check_feed, new_show

from podcast import config as config_mod
from podcast.cli import cli
from podcast.errors import InputError, VoiceError
from podcast.inbox import InboxResult, Item, articles

GAZETTE = {
    "show": {
        "title": "La Gazette du Canal",
        "author": "Rédaction",
        "email": "redaction@example.org",
        "base_url": "https://podcast.lefil-essai.fr/gazette/",
    }
}
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"


def invoke(toml: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--config", str(toml), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory):
    """The first inbox run over three articles and two broken files: a template, never changed."""
    folder = tmp_path_factory.mktemp("inbox-show")
    toml = new_show(folder / "show", GAZETTE) / "podcast.toml"
    inbox = folder / "inbox"
    inbox.mkdir()
    for name, text in ARTICLES.items():
        (inbox / name).write_text(text, encoding="utf-8")
    (inbox / "04-photo.txt").write_bytes(BINARY)  # a broken article: binary data
    (inbox / "05-vide.md").write_text("  \n\n", encoding="utf-8")  # a broken article: empty
    (inbox / ".brouillon.txt").write_text("Brouillon\n\nPas encore prêt.\n", encoding="utf-8")  # hidden: ignored
    (inbox / "notes.pdf").write_bytes(b"%PDF-1.4")  # not an article type: ignored
    (inbox / "archives").mkdir()  # folders are ignored
    first = invoke(toml, "build", "--inbox", str(inbox))
    return toml, inbox, first


@pytest.fixture
def inbox_show(first_run, tmp_path: Path):
    """A copy of the first run's show and inbox, for one test to change."""
    toml, inbox, first = first_run
    copy = tmp_path / "copy"
    shutil.copytree(toml.parent.parent, copy)
    return copy / "show" / "podcast.toml", copy / "inbox", first


def settle(toml: Path, inbox: Path) -> None:
    """The inbox after the first run's bad files are gone: only the three articles (and the files
    the inbox ignores), each published as it stands."""
    for path in inbox.iterdir():
        if (
            path.is_file()
            and path.suffix in (".txt", ".md")
            and not path.name.startswith(".")
            and path.name not in ARTICLES
        ):
            path.unlink()
    result = invoke(toml, "-q", "build", "--inbox", str(inbox))
    assert result.exit_code == 0 and result.output == "", result.output


def test_first_run_builds_good_articles_and_reports_bad_ones(first_run) -> None:
    toml, inbox, result = first_run
    assert result.exit_code == 2, result.output  # only bad input failed
    lines = [line for line in result.output.splitlines() if not line.startswith("Voice:")]
    assert [line.split()[0:2] for line in lines[:5]] == [
        ["built", "01-marche.txt:"],
        ["built", "02-bibliotheque.md:"],
        ["built", "03-velo.txt:"],
        ["failed", "04-photo.txt:"],
        ["failed", "05-vide.md:"],
    ]
    assert lines[3] == "failed   04-photo.txt: the article is not text (binary data)"
    assert lines[4] == "failed   05-vide.md: the article is empty"
    assert re.fullmatch(
        rf"Inbox {re.escape(str(inbox))}: 3 built, 0 updated, 0 skipped, 2 failed in \d+\.\d s", lines[5]
    )
    assert len(lines) == 6
    config = config_mod.load(toml)
    parsed = check_feed(config)
    # Sorted names give episode numbers in that order.
    by_number = {int(e.itunes_episode): e.title for e in parsed.entries}
    assert by_number == {1: "Le marché du samedi", 2: "La bibliothèque rouvre", 3: "Une piste cyclable vers la gare"}


def test_rerun_over_unchanged_inbox_synthesizes_nothing(inbox_show, monkeypatch) -> None:
    toml, inbox, _ = inbox_show
    config = config_mod.load(toml)
    feed_before = (config.publish_dir / "feed.xml").read_bytes()

    def no_synthesis(*args, **kwargs):
        raise AssertionError("an unchanged article was synthesized")

    monkeypatch.setattr("podcast.voices.cache.SegmentCache.synthesize", no_synthesis)
    (inbox / "04-photo.txt").unlink(missing_ok=True)
    (inbox / "05-vide.md").unlink(missing_ok=True)
    result = invoke(toml, "build", "--inbox", str(inbox))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "skipped  01-marche.txt: unchanged (episode 1)",
        "skipped  02-bibliotheque.md: unchanged (episode 2)",
        "skipped  03-velo.txt: unchanged (episode 3)",
    ]
    assert ": 0 built, 0 updated, 3 skipped, 0 failed in " in result.output
    assert (config.publish_dir / "feed.xml").read_bytes() == feed_before


def test_changed_article_is_updated_in_place(inbox_show) -> None:
    toml, inbox, _ = inbox_show
    settle(toml, inbox)
    config = config_mod.load(toml)
    guids = {e.title: e.id for e in check_feed(config).entries}
    audio = {e.title: e.enclosures[0].href for e in check_feed(config).entries}
    velo = inbox / "03-velo.txt"
    velo.write_text(ARTICLES["03-velo.txt"] + "\nLes travaux commencent en septembre.\n", encoding="utf-8")
    result = invoke(toml, "-q", "build", "--inbox", str(inbox))
    assert result.exit_code == 0
    assert result.output == ""  # --quiet and nothing failed: cron sends no mail
    parsed = check_feed(config)
    assert {e.title: e.id for e in parsed.entries} == guids  # same GUIDs: no duplicate for subscribers
    assert len(parsed.entries) == 3
    changed = {e.title for e in parsed.entries if e.enclosures[0].href != audio[e.title]}
    assert changed == {"Une piste cyclable vers la gare"}  # really re-published (quiet output says nothing)


def test_same_id_twice_is_refused_without_stopping_others(inbox_show) -> None:
    """Episodes are keyed by source: two files naming one id in their front matter would be one
    episode; both are refused. (Two files with one title are two episodes: tests/test_identity.py.)"""
    toml, inbox, _ = inbox_show
    settle(toml, inbox)
    twins = [inbox / "00-doublon.md", inbox / "00-jumeau.md"]
    for path in twins:
        path.write_text("---\nid: marche-samedi\n---\n# Le marché du samedi\n\nUn autre texte.\n", encoding="utf-8")
    try:
        result = invoke(toml, "build", "--inbox", str(inbox))
    finally:
        for path in twins:
            path.unlink()
    assert result.exit_code == 2
    assert "failed   00-doublon.md: same id as 00-jumeau.md: both would be one episode" in result.output
    assert "failed   00-jumeau.md: same id as 00-doublon.md: both would be one episode" in result.output
    assert "0 built, 0 updated, 3 skipped, 2 failed" in result.output


def test_log_file_appends_timestamped_lines(inbox_show, tmp_path: Path) -> None:
    toml, inbox, _ = inbox_show
    settle(toml, inbox)
    log = tmp_path / "cron.log"
    for _ in range(2):
        result = invoke(toml, "-q", "--log-file", str(log), "build", "--inbox", str(inbox))
        assert result.exit_code == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[\d+\] "
    assert all(re.match(stamp, line) for line in lines), lines
    summaries = [line for line in lines if "Inbox " in line]
    assert len(summaries) == 2 and all(
        re.search(r"INFO Inbox .*: 0 built, 0 updated, 3 skipped, 0 failed in ", s) for s in summaries
    )


def test_no_progress_bar_or_colour_off_a_terminal(inbox_show) -> None:
    toml, inbox, _ = inbox_show
    settle(toml, inbox)
    (inbox / "03-velo.txt").write_text(
        ARTICLES["03-velo.txt"] + "\nLa piste sera éclairée la nuit.\n", encoding="utf-8"
    )
    result = invoke(toml, "-v", "build", "--inbox", str(inbox))
    assert result.exit_code == 0
    assert "\r" not in result.output and "\x1b[" not in result.output and "[#" not in result.output
    assert "updated  03-velo.txt: episode 3" in result.output


def test_articles_are_listed_in_name_order(tmp_path: Path) -> None:
    for name in ("b.md", "A.txt", "a.TXT", "c.pdf", ".x.txt", "~y.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in articles(tmp_path)] == ["A.txt", "a.TXT", "b.md"]
    with pytest.raises(InputError, match="no such inbox folder"):
        articles(tmp_path / "absent")


@pytest.mark.parametrize(
    ("errors", "code"),
    [
        ((), 0),
        ((InputError("x"),), 2),
        ((InputError("x"), InputError("y")), 2),
        ((VoiceError("x"),), 4),
        ((InputError("x"), VoiceError("y")), 1),
    ],
)
def test_exit_code_is_the_failures_common_code(errors, code) -> None:
    result = InboxResult(Path("inbox"), [Item(Path("ok.txt"), "skipped")])
    result.items += [Item(Path(f"{i}.txt"), "failed", error=e) for i, e in enumerate(errors)]
    assert result.exit_code == code


def test_a_file_still_being_written_waits_for_a_later_run(inbox_show) -> None:
    """With --min-age, a file changed moments ago (an upload in progress) is not built: a half-
    written article must never be published. Once it is old enough, the next run builds it."""
    toml, inbox, _ = inbox_show
    settle(toml, inbox)
    config = config_mod.load(toml)
    before = (config.publish_dir / "feed.xml").read_bytes()
    old = time.time() - 120
    for name in ARTICLES:
        os.utime(inbox / name, (old, old))  # written two minutes ago
    upload = inbox / "06-piscine.txt"
    upload.write_text("La piscine rouvre\n\nAprès deux ans de tra", encoding="utf-8")  # cut mid-upload
    waiting = invoke(toml, "build", "--inbox", str(inbox), "--min-age", "60")
    assert waiting.exit_code == 0, waiting.output
    assert "waiting  06-piscine.txt: changed less than 60 s ago; built by a later run" in waiting.output
    assert re.search(r": 0 built, 0 updated, 3 skipped, 0 failed, 1 waiting in ", waiting.output)
    assert (config.publish_dir / "feed.xml").read_bytes() == before
    upload.write_text(
        "La piscine rouvre\n\nAprès deux ans de travaux, le bassin accueille les nageurs.\n", encoding="utf-8"
    )
    os.utime(upload, (old, old))  # the upload finished two minutes ago
    done = invoke(toml, "build", "--inbox", str(inbox), "--min-age", "60")
    assert done.exit_code == 0 and "built    06-piscine.txt:" in done.output, done.output
    titles = [e.title for e in check_feed(config).entries]
    assert "La piscine rouvre" in titles
    upload.unlink()


def test_min_age_needs_an_inbox_and_a_number(inbox_show) -> None:
    toml, inbox, _ = inbox_show
    article = inbox / "01-marche.txt"
    assert invoke(toml, "build", str(article), "--min-age", "5").exit_code == 2
    refused = invoke(toml, "build", "--inbox", str(inbox), "--min-age", "nan")
    assert refused.exit_code == 2 and "minimum age" in refused.output
