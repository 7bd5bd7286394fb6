"""Helpers of the reliability tests (test_integrity, test_limits, test_cleanup): a show stated as
data, the CLI run in and out of process, and a snapshot of everything published."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from click.testing import CliRunner, Result

from podcast import config as config_mod
from podcast.cli import cli

PODCAST = Path(sys.executable).parent / "podcast"
ARTICLE = (
    "Le port de plaisance s'agrandit\n\n"
    "Quarante anneaux supplémentaires seront créés pour les voiliers de passage.\n\n"
    "La capitainerie promet des tarifs inchangés pour les habitants.\n"
)


def make_show(folder: Path, **sections: dict[str, Any]) -> Path:
    """A new show with the offline voice, its own cache folder, and ``sections`` merged into
    podcast.toml (written as data). Returns podcast.toml's path."""
    config_mod.init(folder, title="La Gazette", author="Rédaction", email="r@example.org", base_url="https://x.org/g/")
    toml = folder / "podcast.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data.setdefault("voice", {})["engine"] = "espeak"
    data.setdefault("cache", {})["folder"] = "cache"  # private: damage done here reaches no other test
    for section, values in sections.items():
        data.setdefault(section, {}).update(values)
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    return toml


def built_show(folder: Path) -> Path:
    """A show in ``folder`` with ARTICLE built into its own cache (segments and chunks): each module
    builds one and copies it per test (:func:`copy_of`). Returns the show's folder."""
    toml = make_show(folder)
    (folder / "port.txt").write_text(ARTICLE, encoding="utf-8")
    result = run(toml, "build", str(folder / "port.txt"))
    assert result.exit_code == 0, result.stderr
    return folder


def copy_of(show: Path, tmp_path: Path) -> Path:
    """A test's own copy of a module's show, to damage freely."""
    copy = tmp_path / "show"
    shutil.copytree(show, copy)
    return copy


def run(toml: Path, *args: str) -> Result:
    return CliRunner(mix_stderr=False).invoke(cli, ["--config", str(toml), "-q", *args])


def one_line(result: Result, code: int, *fragments: str) -> str:
    """The command failed with ``code`` and said so in one line containing every fragment."""
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def published(toml: Path) -> dict[str, str]:
    """Every file of the publish folder (hidden ones too) -> its sha256: "untouched" means equal."""
    folder = config_mod.load(toml).publish_dir
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def spawn(toml: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``podcast`` in its own process (for signals)."""
    return subprocess.Popen(
        [str(PODCAST), "--config", str(toml), "-q", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
