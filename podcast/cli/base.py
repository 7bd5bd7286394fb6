"""The command line's frame: the ``podcast`` group, its options, and the one way a command calls the
library (:func:`_run`: a PodcastError becomes one line and its exit code)."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import config as config_mod
from ..dates import FIRST_YEAR, out_of_range
from ..dates import parse as parse_date
from ..errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, NoShowError, PodcastError, ShowExistsError, Terminated

if TYPE_CHECKING:
    from ..build import VoiceChoice

log = logging.getLogger("podcast")


class _State:
    def __init__(self, config_path: Path | None, debug: bool) -> None:
        self.config_path = config_path
        self.debug = debug

    def config(self) -> config_mod.Config:
        return config_mod.load(self.config_path)


# Lines for the log file only (results and summaries the terminal gets through click.echo).
_file_log = logging.getLogger("podcast.run")


def _setup_logging(verbose: int, quiet: bool, debug: bool, log_file: Path | None = None) -> None:
    level = logging.DEBUG if debug or verbose > 1 else logging.INFO if verbose else logging.WARNING
    if quiet:
        level = logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    line_format = "%(name)s %(levelname)s: %(message)s" if debug else "%(levelname)s: %(message)s"
    handler.setFormatter(logging.Formatter(line_format))
    root = logging.getLogger("podcast")
    root.handlers[:] = [handler]
    root.setLevel(level)
    _file_log.handlers[:] = [logging.NullHandler()]  # no file: no output (not logging's last resort)
    _file_log.propagate = False
    if log_file is not None:
        # Appends, one timestamped line per event, INFO even with --quiet: the record of a cron run.
        try:
            file_handler = logging.FileHandler(log_file, mode="a", encoding="utf-8")
        except OSError as err:
            raise click.UsageError(f"cannot open the log file {log_file}: {err.strerror}") from None
        file_handler.setLevel(logging.DEBUG if debug or verbose > 1 else logging.INFO)
        file_handler.setFormatter(logging.Formatter("%(asctime)s [%(process)d] %(levelname)s %(message)s"))
        root.handlers.append(file_handler)
        root.setLevel(min(level, file_handler.level))
        _file_log.addHandler(file_handler)
        _file_log.setLevel(logging.INFO)


def _duration(ms: int) -> str:
    """m:ss, as producers read an episode's length."""
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes}:{seconds:02d}"


def _when(iso: str) -> str:
    """A catalog timestamp as producers read it: 2025-06-02 06:00 UTC."""
    return iso[:16].replace("T", " ") + " UTC" if "T" in iso else iso


def _interactive() -> bool:
    """Whether someone can answer a question: stdin is a terminal (tests replace this)."""
    return sys.stdin.isatty()


def _say(message: str, *, err: bool = False, quiet: bool = False) -> None:
    """A result line: on the terminal (unless quiet and not an error) and in the log file."""
    if err or not quiet:
        click.echo(message, err=err)
    _file_log.log(logging.ERROR if err else logging.INFO, "%s", message)


class _OneLineUsage(click.ClickException):
    """A usage error said in one line (no usage text): the producer typed a value, not a command."""

    exit_code = EXIT_USAGE


class _DateType(click.ParamType):
    """``--date``: parsed here, once, into a date; the library never sees the text."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        flag = param.opts[0] if param is not None and param.opts else "the date"
        try:
            day = parse_date(str(value))
        except ValueError:
            raise _OneLineUsage(f"{flag} must be YYYY-MM-DD, {FIRST_YEAR} or later, not {value!r}") from None
        why = out_of_range(day)  # as the library and the front matter say it
        if why is not None:
            raise _OneLineUsage(f"{flag} must be {why}, not {value!r}")
        return day


def _voice_text(choice: VoiceChoice) -> str:
    """The voice and why, in command-line words: an engine asked for by name was asked by --engine."""
    why = f"--engine {choice.requested}" if choice.requested not in (None, "auto") else choice.reason
    return f"{choice.description} ({why})"


class _Reporter:
    """Progress for long work: a bar on a terminal, nothing (or log lines) elsewhere."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty() and not quiet
        self.bar: Any = None

    def stage(self, name: str, total: int | None = None) -> None:
        self.close()
        log.info("%s", name)
        if total and self.tty:
            self.bar = click.progressbar(length=total, label=name, file=sys.stderr, show_pos=True)
            self.bar.__enter__()

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def voice(self, choice: VoiceChoice) -> None:
        self.close()
        if not self.quiet:
            click.echo(f"Voice: {_voice_text(choice)}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


# The library never names a flag; the command line says which of its flags would help.
_HINTS: dict[type[PodcastError], str] = {
    NoShowError: " (or pass --config FILE)",
    ShowExistsError: " (use --force to overwrite)",
}


def _run(ctx: click.Context, action: Callable[[], Any]) -> Any:
    """Call the library; a PodcastError becomes one line on stderr and its exit code."""
    state: _State = ctx.obj
    try:
        return action()
    except PodcastError as err:
        if state.debug:
            raise
        hint = next((words for kind, words in _HINTS.items() if isinstance(err, kind)), "")
        _say(f"Error: {err}{hint}", err=True)
        ctx.exit(err.exit_code)
    except OSError as err:  # the machine refused (disk full, permission): not a bug, one line too
        if state.debug:
            raise
        _say(f"Error: {err.filename + ': ' if err.filename else ''}{err.strerror or err}", err=True)
        ctx.exit(EXIT_FAILURE)
    except KeyboardInterrupt as err:  # Ctrl-C, or SIGTERM (Terminated): cleaned up on the way out
        what = "Stopped (SIGTERM)" if isinstance(err, Terminated) else "Interrupted"
        _say(f"{what}; temporary files were removed, the feed is as the last finished command left it.", err=True)
        ctx.exit(err.exit_code if isinstance(err, Terminated) else EXIT_INTERRUPTED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="podcast.toml to use (default: ./podcast.toml)."
)
@click.option("-v", "--verbose", count=True, help="Say more (-vv for debug logs).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append timestamped log lines to this file (for cron and systemd).",
)
@click.version_option(package_name="podcast-builder")
@click.pass_context
def cli(
    ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool, debug: bool, log_file: Path | None
) -> None:
    """Turn French articles and newsletters into podcast episodes and an RSS feed."""
    _setup_logging(verbose, quiet, debug, log_file)
    ctx.obj = _State(config_path, debug)
    ctx.meta["quiet"] = quiet


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM as an exception in the main thread, so cleanup runs as for Ctrl-C (exit 143)."""
    raise Terminated()


def main() -> None:
    """The ``podcast`` command. Usage mistakes are one line too (click's own Usage/Try/Error block
    becomes "Error: ... (podcast build --help)"), so a cron mail or a log holds one line per failure."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        code = cli.main(prog_name="podcast", standalone_mode=False)
    except click.UsageError as err:
        where = err.ctx.command_path if err.ctx is not None else "podcast"
        click.echo(f"Error: {err.format_message()} ({where} --help)", err=True)
        sys.exit(err.exit_code)
    except click.ClickException as err:
        click.echo(f"Error: {err.format_message()}", err=True)
        sys.exit(err.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_FAILURE)
    except PodcastError as err:  # pragma: no cover - raised outside a command (e.g. --debug)
        click.echo(f"Error: {err}", err=True)
        sys.exit(err.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
