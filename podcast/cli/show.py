"""Commands over the published show: feed, list, remove, recover and publish."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from ..errors import EXIT_FAILURE, EXIT_USAGE

if TYPE_CHECKING:
    pass


from .base import (
    _duration,
    _interactive,
    _Reporter,
    _run,
    _say,
    _when,
    cli,
)


@cli.command("feed")
@click.pass_context
def feed_command(ctx: click.Context) -> None:
    """Regenerate feed.xml from the catalog."""
    from ..publish import regenerate_feed

    path = _run(ctx, lambda: regenerate_feed(ctx.obj.config()))
    click.echo(f"Feed written: {path}")


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (a stable contract).")
@click.pass_context
def list_command(ctx: click.Context, as_json: bool) -> None:
    """List the episodes, newest first (scheduled ones too, marked)."""
    from ..feed import due
    from ..publish import list_episodes

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
    from ..publish import find_episode
    from ..publish import remove as run_remove

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
@click.option("--force", is_flag=True, help="Replace a usable catalog too (the old one is kept as a backup).")
@click.pass_context
def recover(ctx: click.Context, force: bool) -> None:
    """Rebuild a lost or damaged catalog from the feed, sidecars and ID3 tags; then run 'podcast feed'."""
    from ..recover import recover as run_recover

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
    from ..upload import publish

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
