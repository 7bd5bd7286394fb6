"""Docs that cannot rot: every command has help text and is named in the README; the docs the README
links to exist; the benchmark script writes its table where the docs keep it."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import click
import pytest

from podcast.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Written by other changes, merged separately: the README may link them before they exist here.
ELSEWHERE = {"docs/operations.md", "docs/publishing.md", "docs/voices.md", "docs/sources.md"}


def _commands(group: click.Group, prefix: str = "podcast") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, full))
    return found


COMMANDS = _commands(cli)


def test_there_are_commands() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"podcast init", "podcast build", "podcast preview", "podcast feed", "podcast list"} <= names


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"{name} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts[0]} has no help text"


@pytest.mark.parametrize("name", [n for n, _ in COMMANDS])
def test_command_in_readme(name: str) -> None:
    assert f"`{name}" in README, f"README does not mention `{name}`"


def test_readme_names_the_two_commands() -> None:
    assert "scripts/demo" in README and "scripts/test" in README


def _doc_links(text: str) -> set[str]:
    """The docs/*.md files a Markdown text links to, anchors dropped."""
    return set(re.findall(r"\]\((docs/[\w.-]+\.md)(?:#[\w-]*)?\)", text))


def test_doc_links_are_found() -> None:
    found = _doc_links("see [a](docs/a.md), [b](docs/b-c.md#part) and [x](https://example.org/docs/x.md)")
    assert found == {"docs/a.md", "docs/b-c.md"}


def test_readme_links_the_architecture_and_configuration() -> None:
    links = _doc_links(README)
    assert {"docs/architecture.md", "docs/configuration.md"} <= links


@pytest.mark.parametrize("link", sorted(_doc_links(README) - ELSEWHERE))
def test_readme_doc_link_exists(link: str) -> None:
    assert (ROOT / link).is_file(), f"README links {link}, which does not exist"


def test_docs_link_each_other_to_files_that_exist() -> None:
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for name in re.findall(r"\]\(([\w.-]+\.md)(?:#[\w-]*)?\)", text):
            if f"docs/{name}" not in ELSEWHERE:
                assert (ROOT / "docs" / name).is_file(), f"{doc.name} links {name}, which does not exist"


def test_readme_stays_short() -> None:
    assert len(README.splitlines()) <= 260, "README is for users: move details to docs/"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench", module)
    spec.loader.exec_module(module)
    return module


def test_bench_updates_the_table_in_docs(tmp_path: Path) -> None:
    bench = _bench()
    assert bench.BENCH_DOC == ROOT / "docs" / "benchmarks.md"
    shipped = bench.BENCH_DOC.read_text(encoding="utf-8")
    assert shipped.count(bench.TABLE_START) == 1 and shipped.count(bench.TABLE_END) == 1
    copy = tmp_path / "benchmarks.md"
    copy.write_text(shipped, encoding="utf-8")
    bench.update_doc("| measure | x |\n| --- | --- |\n| new | 1 s |", copy)
    updated = copy.read_text(encoding="utf-8")
    assert "| new | 1 s |" in updated and "cold build (empty cache" not in updated
    before, after = shipped.split(bench.TABLE_START)[0], shipped.split(bench.TABLE_END)[1]
    assert updated.startswith(before) and updated.endswith(after)
