"""The CLI as a producer meets it: exact output, one-line errors, exit codes (click's CliRunner)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from helpers import configure, merged, settings

from podcast.cli import cli


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_init_writes_config_without_prompting(tmp_path: Path) -> None:
    result = run(
        "init",
        "--title",
        "Ma lettre",
        "--author",
        "Jeanne",
        "--email",
        "j@example.org",
        "--base-url",
        "https://example.org/pod",
        cwd=tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Created {tmp_path / 'podcast.toml'}\n"
    data = tomllib.loads((tmp_path / "podcast.toml").read_text(encoding="utf-8"))
    assert data["show"]["title"] == "Ma lettre"
    assert data["show"]["base_url"] == "https://example.org/pod"
    assert data["show"]["language"] == "fr"
    assert data["voice"]["engine"] == "auto"
    assert "{date}" in data["speech"]["intro"] and "{contents}" in data["speech"]["intro"]


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).exit_code == 0
    result = run("init", "--title", "Autre", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "already" in result.output
    assert "Autre" not in (tmp_path / "podcast.toml").read_text(encoding="utf-8")


def test_init_rejects_bad_base_url(tmp_path: Path) -> None:
    result = run("init", "--base-url", "ftp://nope", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {tmp_path / 'podcast.toml'}: show.base_url must be an http(s) URL"
    assert not (tmp_path / "podcast.toml").exists()


def test_no_config_is_one_line_usage_error(tmp_path: Path) -> None:
    result = run("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "run 'podcast init' first" in result.output


def test_bad_config_value_is_named(show: Path) -> None:
    path = show / "podcast.toml"
    configure(show, {"audio": {"bitrate": "fast"}})
    result = run("--config", str(path), "list")
    assert result.exit_code == 2
    assert "audio.bitrate must be int, not str" in result.output


def test_unknown_setting_is_refused(show: Path) -> None:
    path = show / "podcast.toml"
    configure(show, {"voice2": {"x": 1}})
    result = run("--config", str(path), "feed")
    assert result.exit_code == 2 and "unknown table [voice2]" in result.output


def test_missing_article_is_one_line(show: Path) -> None:
    result = run("--config", str(show / "podcast.toml"), "build", str(show / "absent.txt"))
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {show / 'absent.txt'}: no such file"
    assert not (show / "feed" / "feed.xml").exists()


def test_build_list_remove(show: Path, example_path: Path) -> None:
    config = str(show / "podcast.toml")
    built = run("--config", config, "build", str(example_path), "--date", "2026-11-20")
    assert built.exit_code == 0, built.output
    lines = built.output.splitlines()
    assert lines[0] == "Voice: espeak-ng fr (offline) (voice.engine = espeak in podcast.toml)"
    assert lines[1] == "Built episode 1: Le Fil Tech : les data centers face à la chaleur de l'été"
    assert lines[2].startswith("  duration ") and lines[3].startswith("  audio ") and lines[3].endswith(".mp3")
    mp3 = Path(lines[3].split(maxsplit=1)[1])
    assert mp3.is_file()

    again = run("--config", config, "build", str(example_path))
    assert again.exit_code == 0 and again.output.startswith("Unchanged: episode 1 ")

    listed = run("--config", config, "list")
    assert listed.exit_code == 0
    assert "2026-11-20" in listed.output and "espeak" in listed.output

    removed = run("--config", config, "remove", "--yes", "1")
    assert removed.exit_code == 0
    assert removed.output == "Removed episode 1: Le Fil Tech : les data centers face à la chaleur de l'été\n"
    assert not mp3.exists()
    assert "<item>" not in (show / "feed" / "feed.xml").read_text(encoding="utf-8")
    parsed = feedparser.parse((show / "feed" / "feed.xml").read_bytes())  # still a feed, now empty
    assert not parsed.bozo and parsed.feed.title == "Le Fil Test" and parsed.entries == []
    assert run("--config", config, "remove", "1").exit_code == 2


@pytest.mark.parametrize(
    "value", ["28/11/2026", "20261128", "2026-W48-6", "2026-02-30", "0999-01-01", "1899-12-31", ""]
)
def test_bad_date_is_a_one_line_usage_error(show: Path, example_path: Path, value: str) -> None:
    """Parsed once, at the edge: only YYYY-MM-DD, 1900 or later (RFC 2822 pubDates); nothing is built."""
    result = run("--config", str(show / "podcast.toml"), "build", str(example_path), "--date", value)
    assert result.exit_code == 2
    assert result.output == f"Error: --date must be YYYY-MM-DD, 1900 or later, not {value!r}\n"
    assert not (show / ".podcast").exists() and not (show / "feed").exists()


def test_date_beyond_a_year_ahead_is_a_one_line_usage_error(show: Path, example_path: Path) -> None:
    """As front matter's date: a year ahead at most (a typo's 9999 would hide the episode for ever)."""
    result = run("--config", str(show / "podcast.toml"), "build", str(example_path), "--date", "9999-12-31")
    assert result.exit_code == 2
    assert result.output.startswith("Error: --date must be at most a year from today (")
    assert result.output.endswith("), not '9999-12-31'\n") and result.output.count("\n") == 1
    assert not (show / ".podcast").exists() and not (show / "feed").exists()


def test_front_matter_date_beyond_a_year_ahead_is_one_line_naming_the_file(show: Path, tmp_path: Path) -> None:
    article = tmp_path / "lettre.md"
    article.write_text("---\ndate: 9999-12-31\n---\n# Titre\n\nUn texte.\n", encoding="utf-8")
    result = run("--config", str(show / "podcast.toml"), "build", str(article))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {article}: front matter 'date' must be at most a year from today")
    assert result.output.count("\n") == 1
    assert not (show / "feed").exists()


def test_unknown_engine(show: Path, example_path: Path) -> None:
    result = run("--config", str(show / "podcast.toml"), "preview", str(example_path), "--engine", "robot")
    assert result.exit_code == 2  # a usage mistake, not a voice that cannot speak (4)
    assert "unknown engine 'robot'" in result.output


def test_python_m_podcast(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "podcast", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Turn French articles" in done.stdout


def test_espeak_settings_are_checked_when_read(show: Path) -> None:
    path = show / "podcast.toml"
    original = settings(show)
    for wrong in ({"rate": 20}, {"voice": "de"}, {"pitch": 101}):
        configure(show, merged(original, {"voice": {"espeak": wrong}}))
        result = run("--config", str(path), "list")
        assert result.exit_code == 2, (wrong, result.output)
        assert result.output.count("\n") == 1 and "voice.espeak." in result.output


def test_unknown_engine_is_refused_even_when_unchanged(show: Path, example_path: Path) -> None:
    config = str(show / "podcast.toml")
    assert run("--config", config, "build", str(example_path)).exit_code == 0
    result = run("--config", config, "build", str(example_path), "--engine", "robot")
    assert result.exit_code == 2
    assert result.output.startswith("Error: unknown engine 'robot'") and result.output.count("\n") == 1


@pytest.mark.parametrize(
    "command",
    [
        ["build", "ARTICLE"],
        ["preview", "ARTICLE"],
        ["feed"],
        ["list"],
        ["recover"],
        ["publish"],
        ["remove", "1"],
        ["serve"],
        ["cache", "info"],
        ["cache", "clear"],
    ],
)
def test_missing_config_file_is_named(tmp_path: Path, example_path: Path, command: list[str]) -> None:
    """--config names a file that is not there: that file is what is wrong, not "no show here"."""
    args = [str(example_path) if arg == "ARTICLE" else arg for arg in command]
    result = run("--config", "nope.toml", *args, cwd=tmp_path)
    assert (result.exit_code, result.output) == (2, "Error: nope.toml: the file does not exist\n")
    without = run(*args, cwd=tmp_path)  # no --config: no show here, and how to name one
    if command[0] != "cache":  # the cache without a show is the user's own
        assert without.exit_code == 2
        assert without.output.endswith("no podcast.toml here; run 'podcast init' first (or pass --config FILE)\n")
    assert list(tmp_path.iterdir()) == []


def test_init_writes_the_file_config_names(tmp_path: Path) -> None:
    result = run("--config", "show.toml", "init", "--title", "Le Fil", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["show.toml"]
    assert run("--config", "show.toml", "list", cwd=tmp_path).exit_code == 0
