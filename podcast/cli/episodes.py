"""Commands that make episodes: init, build (one article, an inbox, a feed) and preview."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import config as config_mod
from ..dates import FIRST_YEAR

if TYPE_CHECKING:
    pass


from .base import (
    _DateType,
    _duration,
    _file_log,
    _OneLineUsage,
    _Reporter,
    _run,
    _say,
    _voice_text,
    _when,
    cli,
)
from .show import _publish


@cli.command()
@click.option("--title", help="The show's title.")
@click.option("--author", help="The show's author (also the ID3 artist).")
@click.option("--email", help="The owner's e-mail, for podcast directories.")
@click.option("--base-url", help="Public URL where the publish folder is served.")
@click.option("--language", help="Language code of the show (default: fr).")
@click.option("--force", is_flag=True, help="Overwrite an existing podcast.toml.")
@click.pass_context
def init(ctx: click.Context, **options: Any) -> None:
    """Create podcast.toml for a new show in the current folder (or the file --config names)."""
    named: Path | None = ctx.obj.config_path
    if named is not None and named.is_dir():
        named = named / config_mod.CONFIG_NAME
    folder, name = (named.parent, named.name) if named is not None else (Path.cwd(), config_mod.CONFIG_NAME)
    target = _run(ctx, lambda: config_mod.init(folder, name=name, **options))
    click.echo(f"Created {target}")


def _source(text: str) -> Path | str:
    """ARTICLE as the library takes it: an http(s) address stays text (a Path would fold its //)."""
    from ..sources import is_url  # not .fetch: urllib and ssl are loaded only to fetch

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
    help=f"The episode's date, {FIRST_YEAR} or later and at most a year ahead (default: today).",
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
    from ..build import BuildStatus
    from ..build import build as run_build
    from ..inbox import with_lock_wait

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
    from ..inbox import Item, run, with_lock_wait

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
    _batch(
        ctx,
        reporter,
        then_publish,
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


def _batch(ctx: click.Context, reporter: _Reporter, then_publish: bool, action: Callable[[], Any]) -> None:
    """An inbox or feed run: its items reported as they go, then its summary, then (if asked) the
    upload, then its exit code (1 when an item failed)."""
    try:
        result = _run(ctx, action)
    finally:
        reporter.close()
    code = result.exit_code
    _say(result.summary(), err=code != 0, quiet=ctx.meta.get("quiet", False))
    if then_publish:  # what was built is consistent even when another item failed
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
    from ..inbox import with_lock_wait
    from ..sources.feeds import ItemResult, follow

    quiet = ctx.meta.get("quiet", False)

    def line(item: ItemResult) -> None:
        reporter.close()
        if item.status == "failed":
            _say(f"failed   {item.title or item.id}: {item.error}", err=True)
        elif item.status != "skipped" and item.result is not None:
            episode = item.result.episode
            _say(f'{item.status:<8} episode {episode.number} "{episode.title}"', quiet=quiet)

    _batch(
        ctx,
        reporter,
        then_publish,
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
    from ..build import plan

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
    from ..sources.feeds import inspect

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
