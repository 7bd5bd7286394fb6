"""Docs that cannot rot: every command has help text and is named in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from podcast.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


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
