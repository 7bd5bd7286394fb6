"""The documented exit codes (README, "Exit codes"): 0 ok, 1 build failure, 2 usage or bad input,
3 locked, 4 voice. Each with CliRunner on the exact one-line error, plus real subprocess runs of
the installed ``.venv/bin/podcast`` and of ``scripts/podcast-cron``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ARTICLES, check_feed, closed_url, configure, new_show

from podcast import config as config_mod
from podcast import lock as lock_mod
from podcast.cli import cli
from podcast.lock import show_lock

ROOT = Path(__file__).resolve().parent.parent
PODCAST = Path(sys.executable).parent / "podcast"
ARTICLE = ARTICLES["03-velo.txt"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A show with one episode, and its article beside podcast.toml; copied, never changed."""
    folder = new_show(tmp_path_factory.mktemp("codes") / "show", articles={"velo.txt": ARTICLE})
    result = CliRunner().invoke(cli, ["--config", str(folder / "podcast.toml"), "build", str(folder / "velo.txt")])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def built(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the template for one test: its podcast.toml and its article."""
    shutil.copytree(template, tmp_path / "show")
    return tmp_path / "show" / "podcast.toml", tmp_path / "show" / "velo.txt"


def run(toml: Path, *args: str):
    return CliRunner(mix_stderr=False).invoke(cli, ["--config", str(toml), *args])


def test_ok_is_0(built) -> None:
    toml, article = built
    result = run(toml, "build", str(article))
    assert result.exit_code == 0
    assert result.stdout.startswith("Unchanged: episode 1 ")
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Error: give one of ARTICLE, --inbox DIR and --feed URL_OR_FILE"),
        (("x.txt", "--inbox", "in"), "Error: give one of ARTICLE, --inbox DIR and --feed URL_OR_FILE"),
        (("x.txt", "--feed", "f.xml"), "Error: give one of ARTICLE, --inbox DIR and --feed URL_OR_FILE"),
        (("--inbox", "in", "--date", "2025-01-01"), "Error: --date applies to one ARTICLE, not to an inbox or a feed"),
        (
            ("--feed", "f.xml", "--date", "2025-01-01"),
            "Error: --date applies to one ARTICLE, not to an inbox or a feed",
        ),
        (("x.txt", "--max", "2"), "Error: --max applies to --feed"),
        (("x.txt", "--no-wait", "--lock-wait", "3"), "Error: --no-wait and --lock-wait exclude each other"),
        (("x.txt", "--lock-wait", "-1"), "Error: Invalid value for '--lock-wait': -1.0 is not in the range x>=0."),
    ],
)
def test_usage_errors_are_2(built, args, message) -> None:
    result = run(built[0], "build", *args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == message


def test_bad_input_is_2_with_one_line(built, tmp_path: Path) -> None:
    toml, _ = built
    empty = tmp_path / "vide.txt"
    empty.write_text("\n", encoding="utf-8")
    for target, message in (
        (empty, f"Error: {empty}: the article is empty"),
        (tmp_path / "absent.txt", f"Error: {tmp_path / 'absent.txt'}: no such file"),
        (tmp_path / "absent", f"Error: {tmp_path / 'absent'}: no such inbox folder"),
    ):
        args = ("build", "--inbox", str(target)) if target.name == "absent" else ("build", str(target))
        result = run(toml, *args)
        assert result.exit_code == 2, result.output
        assert result.stderr == message + "\n"
        assert result.stdout == ""


def test_locked_is_3_at_once_or_after_the_wait(built) -> None:
    toml, article = built
    config = config_mod.load(toml)
    with show_lock(config.state_dir / "build.lock", 0):
        started = time.monotonic()
        result = run(toml, "build", "--no-wait", "--force", str(article))
        assert time.monotonic() - started < 5
        assert result.exit_code == 3
        assert result.stderr == (
            f"Error: {config.state_dir / 'build.lock'}: another build of this show is running "
            "(waited 0 s); try again later\n"
        )
        started = time.monotonic()
        result = run(toml, "build", "--lock-wait", "0.5", "--force", str(article))
        assert result.exit_code == 3 and "(waited 0.5 s)" in result.stderr
        assert time.monotonic() - started >= 0.5


def test_second_inbox_run_waits_then_lands(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml, article = built
    config = config_mod.load(toml)
    inbox = article.parent  # an episode is its source: the same file is unchanged
    lock = show_lock(config.state_dir / "inbox.lock", 0)
    lock.__enter__()
    assert run(toml, "build", "--inbox", str(inbox), "--no-wait").exit_code == 3
    waits: list[float] = []

    def release_while_waiting(seconds: float) -> None:  # the other run ends while this one waits
        if not waits:
            lock.__exit__(None, None, None)
        waits.append(seconds)

    monkeypatch.setattr(lock_mod.time, "sleep", release_while_waiting)
    result = run(toml, "build", "--inbox", str(inbox), "--lock-wait", "30")
    monkeypatch.undo()
    assert waits, "the run never waited for the lock"
    assert result.exit_code == 0, result.output
    assert "0 built, 0 updated, 1 skipped, 0 failed" in result.stdout


def test_unknown_engine_is_2(built) -> None:
    toml, article = built
    result = run(toml, "build", "--force", "--engine", "nope", str(article))
    assert result.exit_code == 2
    assert result.stderr == "Error: unknown engine 'nope'; choose auto or one of espeak, gtts, piper\n"


def test_voice_failure_is_4(built, tmp_path: Path) -> None:
    """An engine that exists but cannot speak: gTTS chosen, its server refusing connections."""
    toml, article = built
    closed = closed_url()
    unreachable = toml.with_name("unreachable.toml")
    unreachable.write_text(toml.read_text(encoding="utf-8"), encoding="utf-8")
    configure(unreachable, {"voice": {"gtts": {"endpoint": closed, "retries": 0, "deadline": 2.0}}})
    result = run(unreachable, "build", "--force", "--engine", "gtts", str(article))
    assert result.exit_code == 4, result.output
    announced, error = result.stderr.splitlines()
    assert announced.endswith("(--engine gtts)")
    assert error.startswith(f"Error: gTTS gave up: {closed} is unreachable")


def test_build_failure_is_1(built, tmp_path: Path) -> None:
    toml, article = built
    config = config_mod.load(toml)
    catalog = config.catalog_path
    saved = catalog.read_bytes()
    try:
        for suffix in ("-wal", "-shm"):
            Path(f"{catalog}{suffix}").unlink(missing_ok=True)
        catalog.write_bytes(b"ceci n'est pas une base SQLite" * 100)
        result = run(toml, "build", "--force", str(article))
        assert result.exit_code == 5  # a show with episodes: refused, 'podcast recover' rebuilds it
        assert result.stderr.startswith(f"Error: {catalog}: the catalog is not a SQLite database, but ")
        assert result.stderr.count("\n") == 1
    finally:
        catalog.write_bytes(saved)


def test_real_subprocess_inbox_with_a_bad_article(built, tmp_path: Path) -> None:
    """The installed console script: stdout has the results, stderr only the failures."""
    toml, article = built
    inbox = article.parent  # an episode is its source: the same file is unchanged
    (inbox / "b-casse.txt").write_bytes(b"\x00\xff\xfe binaire")
    try:
        done = subprocess.run(
            [str(PODCAST), "--config", str(toml), "build", "--inbox", str(inbox)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        (inbox / "b-casse.txt").unlink()
    assert done.returncode == 2
    assert done.stdout == "skipped  velo.txt: unchanged (episode 1)\n"
    err = done.stderr.splitlines()
    assert err[0] == "failed   b-casse.txt: the article is not text (binary data)"
    assert err[1].startswith(f"Inbox {inbox}: 0 built, 0 updated, 1 skipped, 1 failed in ")
    assert len(err) == 2


def test_cron_wrapper_passes_the_exit_code_through(built, tmp_path: Path) -> None:
    toml, _ = built
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "velo.txt").write_text(ARTICLE, encoding="utf-8")
    log = tmp_path / "logs" / "cron.log"
    env = {**os.environ, "PODCAST_BIN": str(PODCAST), "PODCAST_LOG": str(log)}
    env.pop("PODCAST_MIN_AGE", None)
    wrapper = ROOT / "scripts" / "podcast-cron"
    # By default the wrapper leaves a file changed in the last minute (an upload, perhaps) alone.
    done = subprocess.run(
        [str(wrapper), str(toml.parent), str(inbox)], capture_output=True, text=True, env=env, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert "waiting  velo.txt: changed less than 60 s ago" in log.read_text(encoding="utf-8")
    env["PODCAST_MIN_AGE"] = "0"
    done = subprocess.run(
        [str(wrapper), str(toml.parent), str(inbox)], capture_output=True, text=True, env=env, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert re.search(r"INFO (built|skipped) +velo\.txt: ", log.read_text(encoding="utf-8"))  # processed, not waiting
    (inbox / "vide.md").write_text("", encoding="utf-8")
    config = config_mod.load(toml)
    with show_lock(config.state_dir / "inbox.lock", 0):
        done = subprocess.run(
            [str(wrapper), str(toml.parent), str(inbox), "--", "--no-wait"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    assert done.returncode == 3
    assert "another build of this show is running" in done.stderr
    done = subprocess.run(
        [str(wrapper), str(toml.parent), str(inbox)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "failed   vide.md: the article is empty"
    assert "ERROR failed   vide.md: the article is empty" in log.read_text(encoding="utf-8")
    check_feed(config)


@pytest.mark.parametrize("args", [["frobnicate"], ["build"], ["build", "x.txt", "--date", "demain"]])
def test_usage_mistakes_are_one_line_from_the_installed_command(args: list[str], tmp_path: Path) -> None:
    """click's own Usage/Try/Error block is one line too, as every other mistake (cron mails, logs)."""
    done = subprocess.run([str(PODCAST), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1 and done.stderr.startswith("Error: ")
