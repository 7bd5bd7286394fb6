"""Tools around a show: serve, the speech cache, say and the Piper voices."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import config as config_mod

if TYPE_CHECKING:
    pass


from .base import (
    _run,
    _State,
    cli,
)


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
    from ..serve import serve as run_serve

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
    from ..voices.cache import for_config

    return for_config(_show_here(ctx))


@cache.command("info")
@click.pass_context
def cache_info(ctx: click.Context) -> None:
    """Show where the speech cache lives and how much it holds."""
    from ..voices.cache import stats

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


@cli.command("say")
@click.argument("text")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the sound to this WAV file."
)
@click.option("--phonemes", is_flag=True, help="Also print espeak-ng's phonemes of the spoken text.")
@click.pass_context
def say_command(ctx: click.Context, text: str, output: Path | None, phonemes: bool) -> None:
    """Show how one sentence is read: the spoken text after the rules (and its phonemes, its sound)."""
    from ..speech.hear import say

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
    from ..voices import store

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
    from ..voices import store

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
    from ..voices import store

    removed = _run(ctx, lambda: store.remove(name))
    click.echo(f"Removed {name} from {removed.parent}")
