"""The ``podcast`` command: parse, call one library function, turn PodcastError into one line.

Logging and progress bars are configured here only; a progress bar appears only on a terminal.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import config as config_mod
from .dates import FIRST_YEAR
from .dates import parse as parse_date
from .errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, NoShowError, PodcastError, ShowExistsError, Terminated

if TYPE_CHECKING:
    from .build import VoiceChoice

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
        try:
            return parse_date(str(value))
        except ValueError:
            flag = param.opts[0] if param is not None and param.opts else "the date"
            raise _OneLineUsage(f"{flag} must be YYYY-MM-DD, {FIRST_YEAR} or later, not {value!r}") from None


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


@cli.command()
@click.option("--title", help="The show's title.")
@click.option("--author", help="The show's author (also the ID3 artist).")
@click.option("--email", help="The owner's e-mail, for podcast directories.")
@click.option("--base-url", help="Public URL where the publish folder is served.")
@click.option("--language", help="Language code of the show (default: fr).")
@click.option("--force", is_flag=True, help="Overwrite an existing podcast.toml.")
@click.pass_context
def init(ctx: click.Context, **options: Any) -> None:
    """Create podcast.toml for a new show in the current folder."""
    folder = ctx.obj.config_path.parent if ctx.obj.config_path else Path.cwd()
    target = _run(ctx, lambda: config_mod.init(folder, **options))
    click.echo(f"Created {target}")


def _source(text: str) -> Path | str:
    """ARTICLE as the library takes it: an http(s) address stays text (a Path would fold its //)."""
    from .sources.fetch import is_url

    return text if is_url(text) else Path(text)


@cli.command()
@click.argument("article", required=False, metavar="ARTICLE|URL")
@click.option(
    "--inbox",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build every new or changed *.txt/*.md/*.html/*.eml article in this folder (sorted by name).",
)
@click.option(
    "--feed",
    "feed_source",
    metavar="URL_OR_FILE",
    help="Build each item of this RSS or Atom feed not built yet (docs/sources.md).",
)
@click.option(
    "--max",
    "max_items",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --feed: build at most the N newest unbuilt items.",
)
@click.option("--engine", help="auto, espeak, gtts or piper (default: the show's voice.engine).")
@click.option(
    "--date",
    "day",
    type=_DateType(),
    metavar="YYYY-MM-DD",
    help=f"The episode's date, {FIRST_YEAR} or later (default: today).",
)
@click.option(
    "--id",
    "source_id",
    metavar="ID",
    help="The episode's identity when the file is not (a stable name): the same ID updates its episode.",
)
@click.option("--force", is_flag=True, help="Rebuild even if the article did not change.")
@click.option(
    "--lock-wait",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="How long to wait for another build of this show (default: publish.lock_timeout).",
)
@click.option("--no-wait", is_flag=True, help="Exit at once (code 3) if another build is running.")
@click.option(
    "--min-age",
    type=float,
    default=0.0,
    metavar="SECONDS",
    show_default=True,
    help="With --inbox: leave files changed less than SECONDS ago for a later run (uploads in progress).",
)
@click.option("--publish", "then_publish", is_flag=True, help="Then upload the show, as 'podcast publish' does.")
@click.pass_context
def build(
    ctx: click.Context,
    article: str | None,
    inbox: Path | None,
    feed_source: str | None,
    max_items: int | None,
    engine: str | None,
    day: date | None,
    source_id: str | None,
    force: bool,
    lock_wait: float | None,
    no_wait: bool,
    min_age: float,
    then_publish: bool,
) -> None:
    """Build ARTICLE (a file or a web page's URL), every article of --inbox DIR or the new items of
    --feed URL_OR_FILE into episodes and republish the feed."""
    from .build import BuildStatus
    from .build import build as run_build
    from .inbox import with_lock_wait

    if sum(given is not None for given in (article, inbox, feed_source)) != 1:
        raise click.UsageError("give one of ARTICLE, --inbox DIR and --feed URL_OR_FILE")
    if (inbox is not None or feed_source is not None) and day is not None:
        raise click.UsageError("--date applies to one ARTICLE, not to an inbox or a feed")
    if max_items is not None and feed_source is None:
        raise click.UsageError("--max applies to --feed")
    if (inbox is not None or feed_source is not None) and source_id is not None:
        raise click.UsageError("--id applies to one ARTICLE, not to an inbox or a feed")
    if source_id is not None and not source_id.strip():
        raise _OneLineUsage("--id must not be empty")
    if no_wait and lock_wait is not None:
        raise click.UsageError("--no-wait and --lock-wait exclude each other")
    if min_age and inbox is None:
        raise click.UsageError("--min-age applies to --inbox")
    wait = 0.0 if no_wait else lock_wait
    quiet = ctx.meta.get("quiet", False)
    reporter = _Reporter(quiet)
    if inbox is not None:
        _build_inbox(ctx, inbox, engine, force, wait, reporter, min_age, then_publish)
        return
    if feed_source is not None:
        _build_feed(ctx, feed_source, max_items, engine, force, wait, reporter, then_publish)
        return
    assert article is not None  # checked above: exactly one of ARTICLE, --inbox and --feed
    source = _source(article)
    started = time.monotonic()
    try:
        result = _run(
            ctx,
            lambda: run_build(
                with_lock_wait(ctx.obj.config(), wait),
                source,
                engine=engine,
                day=day,
                force=force,
                reporter=reporter,
                source_id=source_id,
            ),
        )
    finally:
        reporter.close()
    episode = result.episode
    if result.status is BuildStatus.SKIPPED:
        _say(f'Unchanged: episode {episode.number} "{episode.title}" ({result.audio_path}); use --force to rebuild')
    else:
        _say(f"{result.status.capitalize()} episode {episode.number}: {episode.title}")
        seconds = time.monotonic() - started
        click.echo(f"  duration {_duration(episode.duration_ms)}, {episode.bytes / 1e6:.1f} MB, in {seconds:.1f} s")
        click.echo(f"  audio {result.audio_path}")
        click.echo(f"  feed  {result.feed_path}")
    if result.scheduled:
        _say(f"  scheduled: joins the feed on the first build, feed or publish from {_when(episode.pub_date)}")
    if then_publish:
        _publish(ctx)


def _build_inbox(
    ctx: click.Context,
    folder: Path,
    engine: str | None,
    force: bool,
    wait: float | None,
    reporter: _Reporter,
    min_age: float,
    then_publish: bool = False,
) -> None:
    """One line per article as it finishes, then the summary; the exit code says how it went."""
    from .inbox import Item, run, with_lock_wait

    quiet = ctx.meta.get("quiet", False)

    def line(item: Item) -> None:
        reporter.close()
        if item.status == "failed":
            _say(f"failed   {item.name}: {item.reason}", err=True)
        elif item.status == "not attempted":
            _say(f"not attempted {item.name}", err=True)
        elif item.status == "waiting":
            _say(f"waiting  {item.name}: changed less than {min_age:g} s ago; built by a later run", quiet=quiet)
        elif item.result is None:  # no other status comes without a build result
            _say(f"{item.status:<8} {item.name}", quiet=quiet)
        elif item.status == "skipped":
            _say(f"skipped  {item.name}: unchanged (episode {item.result.episode.number})", quiet=quiet)
        else:
            episode = item.result.episode
            _say(
                f'{item.status:<8} {item.name}: episode {episode.number} "{episode.title}" '
                f"({_duration(episode.duration_ms)}, {episode.bytes / 1e6:.1f} MB, {item.seconds:.1f} s)",
                quiet=quiet,
            )

    _file_log.info("podcast build --inbox %s: start", folder)
    try:
        result = _run(
            ctx,
            lambda: run(
                with_lock_wait(ctx.obj.config(), wait),
                folder,
                engine=engine,
                force=force,
                on_item=line,
                reporter=reporter,
                min_age=min_age,
            ),
        )
    finally:
        reporter.close()
    code = result.exit_code
    _say(result.summary(), err=code != 0, quiet=quiet)
    if then_publish:  # what was built is consistent even when another article failed
        _publish(ctx)
    ctx.exit(code)


def _build_feed(
    ctx: click.Context,
    source: str,
    max_items: int | None,
    engine: str | None,
    force: bool,
    wait: float | None,
    reporter: _Reporter,
    then_publish: bool,
) -> None:
    """One line per item built or failed, then the summary; exit 1 when an item failed."""
    from .inbox import with_lock_wait
    from .sources.feeds import ItemResult, follow

    quiet = ctx.meta.get("quiet", False)

    def line(item: ItemResult) -> None:
        reporter.close()
        if item.status == "failed":
            _say(f"failed   {item.title or item.id}: {item.error}", err=True)
        elif item.status != "skipped" and item.result is not None:
            episode = item.result.episode
            _say(f'{item.status:<8} episode {episode.number} "{episode.title}"', quiet=quiet)

    try:
        result = _run(
            ctx,
            lambda: follow(
                with_lock_wait(ctx.obj.config(), wait),
                source,
                max_items=max_items,
                engine=engine,
                force=force,
                reporter=reporter,
                on_item=line,
            ),
        )
    finally:
        reporter.close()
    code = result.exit_code
    _say(result.summary(), err=code != 0, quiet=quiet)
    if then_publish:
        _publish(ctx)
    ctx.exit(code)


@cli.command()
@click.argument("article", metavar="ARTICLE|URL", required=False)
@click.option("--feed", "feed_source", metavar="URL_OR_FILE", help="Show each item of this feed and what a build does.")
@click.option("--engine", help="auto, espeak, gtts or piper: whose length limit applies.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (a stable contract).")
@click.pass_context
def preview(
    ctx: click.Context, article: str | None, feed_source: str | None, as_json: bool, engine: str | None
) -> None:
    """Show how ARTICLE (a file or a web page's URL) is read and what the voice will say, without synthesis."""
    from .build import plan

    if (article is None) == (feed_source is None):
        raise click.UsageError("give either ARTICLE or --feed URL_OR_FILE")
    if feed_source is not None:
        _preview_feed(ctx, feed_source, as_json)
        return
    assert article is not None
    the_plan = _run(ctx, lambda: plan(ctx.obj.config(), _source(article), engine=engine))
    if as_json:
        click.echo(json.dumps(the_plan.to_dict(), ensure_ascii=False, indent=2))
        return
    issue = the_plan.issue
    click.echo(f"Title:   {issue.title}")
    if issue.meta.get("source"):
        where = " ".join(str(issue.meta[k]) for k in ("source", "url", "date", "author") if issue.meta.get(k))
        click.echo(f"Source:  {where}")
    if issue.teaser:
        click.echo(f"Teaser:  {issue.teaser}")
    for index, art in enumerate(issue.articles, 1):
        click.echo(f"Article {index}: {art.title}" + (f"  [{art.source}]" if art.source else ""))
        for section in art.sections:
            click.echo(f"  - {section.heading or '(lead)'}: {len(section.paragraphs)} paragraph(s)")
        for link in art.links:
            click.echo(f"  link: {link}")
    if issue.credits:
        click.echo(f"Credits: {issue.credits}")
    click.echo(f"Voice:   {_voice_text(the_plan.choice)}")
    click.echo(f"Segments ({len(the_plan.segments)}):")
    for seg in the_plan.segments:
        where = "-" if seg.article is None else str(seg.article + 1)
        click.echo(f"  [{where}] {seg.text}")


def _preview_feed(ctx: click.Context, source: str, as_json: bool) -> None:
    """Each item: what ``build --feed`` would do with it, and how it is read."""
    from .sources.feeds import inspect

    found = _run(ctx, lambda: inspect(ctx.obj.config(), source))
    if as_json:
        items = [
            {
                "id": item.id,
                "title": item.title,
                "date": item.day.isoformat() if item.day else None,
                "status": status,
                **({"issue": item.issue.to_dict()} if item.issue else {"error": str(item.error)}),
            }
            for item, status in found
        ]
        click.echo(json.dumps({"feed": source, "items": items}, ensure_ascii=False, indent=2))
        return
    for item, status in found:
        day = item.day.isoformat() if item.day else "no date"
        click.echo(f"{status:<8} {day} {item.title}  [{item.id}]")
        if item.issue is None:
            click.echo(f"  error: {item.error}")
            continue
        for index, art in enumerate(item.issue.articles, 1):
            click.echo(f"  Article {index}: {art.title}  [{art.source}]")


@cli.command("feed")
@click.pass_context
def feed_command(ctx: click.Context) -> None:
    """Regenerate feed.xml from the catalog."""
    from .publish import regenerate_feed

    path = _run(ctx, lambda: regenerate_feed(ctx.obj.config()))
    click.echo(f"Feed written: {path}")


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (a stable contract).")
@click.pass_context
def list_command(ctx: click.Context, as_json: bool) -> None:
    """List the episodes, newest first (scheduled ones too, marked)."""
    from .feed import due
    from .publish import list_episodes

    episodes = _run(ctx, lambda: list_episodes(ctx.obj.config()))
    if as_json:
        rows = [
            {
                "number": e.number,
                "guid": e.guid,
                "slug": e.slug,
                "title": e.title,
                "date": e.date,
                "pub_date": e.pub_date,
                "duration": round(e.duration_ms / 1000, 3),
                "files": e.files,
                "engine": e.engine,
                "voice": e.voice,
                "status": "published" if due(e) else "scheduled",
            }
            for e in episodes
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not episodes:
        click.echo("No episodes yet: 'podcast build ARTICLE' makes one.")
        return
    for e in episodes:
        mark = "" if due(e) else f"  (scheduled: {_when(e.pub_date)})"
        click.echo(f"{e.number:>4}  {e.date}  {_duration(e.duration_ms):>6}  {e.engine:<7} {e.slug}  {e.title}{mark}")


@cli.command()
@click.argument("episode")
@click.option("-y", "--yes", is_flag=True, help="Do not ask (scripts): remove at once.")
@click.pass_context
def remove(ctx: click.Context, episode: str, yes: bool) -> None:
    """Remove EPISODE (number, slug or GUID) from the feed and delete its files; asks first."""
    from .publish import find_episode
    from .publish import remove as run_remove

    config = _run(ctx, ctx.obj.config)
    found = _run(ctx, lambda: find_episode(config, episode))
    if not yes:
        if not _interactive():
            _say("Error: not a terminal to ask on; add --yes to remove without asking", err=True)
            ctx.exit(EXIT_USAGE)
        if not click.confirm(f'Remove episode {found.number} "{found.title}" and delete its files?', default=False):
            click.echo("Nothing removed.")
            ctx.exit(EXIT_FAILURE)
    removed = _run(ctx, lambda: run_remove(config, found.guid))
    click.echo(f"Removed episode {removed.number}: {removed.title}")


@cli.command()
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port (0: any free one)."
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; loopback unless you choose otherwise."
)
@click.option(
    "--directory",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to serve (default: the show's publish folder).",
)
@click.pass_context
def serve(ctx: click.Context, port: int, host: str, directory: Path | None) -> None:
    """Serve the publish folder over HTTP (feed, episodes, byte ranges) until Ctrl-C."""
    from .serve import serve as run_serve

    def ready(address: str) -> None:
        click.echo(f"Serving {folder} at {address} (feed: {address}feed.xml); Ctrl-C stops", err=True)

    folder, base_url = directory, None
    if folder is None:
        config = _run(ctx, ctx.obj.config)
        folder, base_url = config.publish_dir, config.base_url
    _run(ctx, lambda: run_serve(folder, host, port, base_url=base_url, on_ready=ready))


@cli.group()
def cache() -> None:
    """Inspect or empty the cache of synthesized speech."""


def _show_here(ctx: click.Context) -> config_mod.Config | None:
    """The show of --config or the current folder; None when there is none."""
    state: _State = ctx.obj
    if state.config_path is None and not (Path.cwd() / config_mod.CONFIG_NAME).is_file():
        return None
    config: config_mod.Config = _run(ctx, state.config)
    return config


def _segment_cache(ctx: click.Context) -> Any:
    """The show's cache (cache.folder in podcast.toml), or the user's when no show is here."""
    from .voices.cache import for_config

    return for_config(_show_here(ctx))


@cache.command("info")
@click.pass_context
def cache_info(ctx: click.Context) -> None:
    """Show where the speech cache lives and how much it holds."""
    from .voices.cache import stats

    store = _segment_cache(ctx)
    count, size = _run(ctx, store.info)
    used = stats(store)
    click.echo(f"Cache: {store.folder}")
    click.echo(f"  {count} segment(s), {size / 1e6:.1f} MB")
    asked = used.hits + used.misses
    rate = f"{100 * used.hits / asked:.0f}%" if asked else "none yet"
    click.echo(f"  hit rate {rate} ({used.hits} hit(s), {used.misses} miss(es) over all builds)")
    show = _show_here(ctx)
    if show is not None:  # the cap is the show's setting; the user's cache has none of its own
        cap = show.cache.max_bytes
        click.echo(f"  capped at {cap / 1e6:.0f} MB after each build (cache.max_size)" if cap else "  no size cap")


@cache.command("clear")
@click.pass_context
def cache_clear(ctx: click.Context) -> None:
    """Delete every cached segment; the next build synthesizes again."""
    store = _segment_cache(ctx)
    removed = _run(ctx, store.clear)
    click.echo(f"Removed {removed} segment(s) from {store.folder}")


@cli.command()
@click.option("--force", is_flag=True, help="Replace a usable catalog too (the old one is kept as a backup).")
@click.pass_context
def recover(ctx: click.Context, force: bool) -> None:
    """Rebuild a lost or damaged catalog from the feed, sidecars and ID3 tags; then run 'podcast feed'."""
    from .recover import recover as run_recover

    done = _run(ctx, lambda: run_recover(ctx.obj.config(), force=force))
    click.echo(
        f"Recovered {len(done.episodes)} episode(s) into {done.catalog}"
        + (f" (old catalog kept as {done.backup})" if done.backup else "")
    )


@cli.command("publish")
@click.option("--dry-run", is_flag=True, help="List what would be sent and deleted; change nothing.")
@click.pass_context
def publish_command(ctx: click.Context, dry_run: bool) -> None:
    """Upload the publish folder to the [upload] target: media first, the feed last, then deletions."""
    _publish(ctx, dry_run)


def _publish(ctx: click.Context, dry_run: bool = False) -> None:
    from .upload import publish

    quiet = ctx.meta.get("quiet", False)
    reporter = _Reporter(quiet)
    try:
        result = _run(ctx, lambda: publish(ctx.obj.config(), dry_run=dry_run, reporter=reporter))
    finally:
        reporter.close()
    size = f"{result.bytes_sent / 1e6:.1f} MB"
    if dry_run:
        for name in result.sent:
            click.echo(f"would send   {name}")
        for name in result.deleted:
            click.echo(f"would delete {name}")
        _say(
            f"Dry run for {result.target}: {len(result.sent)} to send ({size}), {len(result.deleted)} to delete, "
            f"{result.unchanged} unchanged"
        )
        return
    _say(
        f"Published to {result.target}: {len(result.sent)} sent ({size}), {len(result.deleted)} deleted, "
        f"{result.unchanged} unchanged",
        quiet=quiet,
    )


@cli.command("say")
@click.argument("text")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the sound to this WAV file."
)
@click.option("--phonemes", is_flag=True, help="Also print espeak-ng's phonemes of the spoken text.")
@click.pass_context
def say_command(ctx: click.Context, text: str, output: Path | None, phonemes: bool) -> None:
    """Show how one sentence is read: the spoken text after the rules (and its phonemes, its sound)."""
    from .speech.hear import say

    reading = _run(ctx, lambda: say(text, phonemes=phonemes, audio=output))
    click.echo(reading.spoken)
    if reading.phonemes is not None:
        click.echo(reading.phonemes)
    if reading.audio is not None and not ctx.meta.get("quiet"):
        click.echo(f"Wrote {reading.audio}", err=True)


# --- voices: the Piper voices on this machine (podcast.voices.store) ---


@cli.group(invoke_without_command=True)
@click.pass_context
def voices(ctx: click.Context) -> None:
    """List installed Piper voices and the catalogue of French ones to download."""
    if ctx.invoked_subcommand is not None:
        return
    from .voices import store

    rows = _run(ctx, store.overview)
    click.echo(f"Voices folder: {store.folder()}")
    click.echo(f"  {'':1} {'NAME':<22} {'QUALITY':<7} {'SPEAKERS':>8} {'SIZE':>7}  LICENCE")
    for row in rows:
        mark = "*" if row.installed else " "
        entry = row.entry
        size = (row.installed.size if row.installed else entry.model.size if entry else 0) / 1e6
        speakers = str(entry.num_speakers) if entry else "?"
        quality = entry.quality if entry else "?"
        click.echo(
            f"  {mark} {row.name:<22} {quality:<7} {speakers:>8} {size:>5.0f}MB  "
            f"{entry.licence if entry else 'installed by hand'}"
        )
    click.echo('* installed. Use one with [voice] engine = "piper" and [voice.piper] model = "NAME".')


@voices.command("download")
@click.argument("name")
@click.option(
    "--url", help="Base URL of a mirror of the voice repository (default: $PODCAST_VOICES_URL or the official one)."
)
@click.pass_context
def voices_download(ctx: click.Context, name: str, url: str | None) -> None:
    """Download a voice from the catalogue, check it and install it."""
    from .voices import store

    bars: dict[str, Any] = {}

    def progress(file: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():  # a bar only on a terminal
            return
        bar = bars.get(file)
        if bar is None:
            bar = bars[file] = click.progressbar(length=total, label=file, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    try:
        model = _run(ctx, lambda: store.download(name, progress=progress, url=url))
    finally:
        for bar in bars.values():
            if not bar.finished:
                bar.__exit__(None, None, None)
    click.echo(f"Installed {name} in {model.parent}")


@voices.command("remove")
@click.argument("name")
@click.pass_context
def voices_remove(ctx: click.Context, name: str) -> None:
    """Delete an installed voice."""
    from .voices import store

    removed = _run(ctx, lambda: store.remove(name))
    click.echo(f"Removed {name} from {removed.parent}")


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM as an exception in the main thread, so cleanup runs as for Ctrl-C (exit 143)."""
    raise Terminated()


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli(prog_name="podcast")
    except PodcastError as err:  # pragma: no cover - raised outside a command (e.g. --debug)
        click.echo(f"Error: {err}", err=True)
        sys.exit(err.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
