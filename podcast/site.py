"""The show's pages for listeners: ``index.html`` beside the feed and one page per episode beside its MP3.

A first listen usually starts from a link, not from an app: each page has a player, the chapters
(buttons that seek), the transcript read from the episode's WebVTT sidecar (each sentence a button;
the one being spoken is highlighted) and the show notes. Pages are plain HTML with their style and
script inline and relative links only, so they work from any static host, ``podcast serve`` and
``file://``, and request nothing from elsewhere.

Pages are a function of the catalog, like the feed: written with it in the same publish session
(:func:`write` before the feed, :func:`prune` after it), atomically, and only when their bytes change;
no clock is read, so a rebuild gives the same bytes. Templates are Jinja2 with autoescaping on for
everything; a show may override any of them with a folder of its own (``[site] templates``), a file
missing there being the built-in one.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .dates import french_date
from .errors import ConfigError, PublishError
from .fsutil import inside, write_atomic
from .sidecars import player_clock as clock

if TYPE_CHECKING:
    import jinja2

    from .catalog import Episode
    from .config import Config

log = logging.getLogger(__name__)

INDEX_NAME = "index.html"
PAGE_SUFFIX = ".html"
GENERATOR = '<meta name="generator" content="podcast-builder">'
MARK_WITHIN = 4096  # the generator's mark is looked for in a page's first bytes
NBSP = "\u00a0"
BUILT_IN = Path(__file__).with_name("pages")
# Every template a show may override (the style and script are included inline by the two pages).
TEMPLATES = ("index.html.j2", "episode.html.j2", "base.html.j2", "site.css", "site.js")
_PAGE = re.compile(r"^\d{3,}-[a-z0-9-]+-[0-9a-f]{8,64}\.html$")  # our episode pages' names
_URL = re.compile(r"https?://[^\s<>\"']+")


class TemplateError(ConfigError):
    """A page template of the show's own cannot be read or rendered: nothing was written."""


class ForeignPageError(ConfigError):
    """A file we would write a page over is not one of ours (a hand-made ``index.html``): nothing was
    done. Exit code 2 (:data:`podcast.errors.EXIT_USAGE`), as for a bad ``podcast.toml``."""


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str

    @property
    def start(self) -> str:
        """Seconds, as the player's ``currentTime`` takes them."""
        return seconds(self.start_ms)

    @property
    def clock(self) -> str:
        return clock(self.start_ms)


@dataclass(frozen=True)
class Line:
    """One sentence of the transcript: a cue of the WebVTT sidecar."""

    start_ms: int
    end_ms: int
    text: str

    @property
    def start(self) -> str:
        return seconds(self.start_ms)

    @property
    def end(self) -> str:
        return seconds(self.end_ms)


@dataclass(frozen=True)
class Section:
    """The transcript's lines under one chapter's title (the whole transcript when there are none)."""

    title: str
    start: str
    lines: list[Line]


@dataclass(frozen=True)
class EpisodePage:
    number: int
    title: str
    description: str
    date_iso: str
    date_text: str  # "1er mars 2025"
    duration_ms: int
    page: str  # relative to the publish folder: episodes/<stem>.html
    audio: str  # relative to the page: the MP3 beside it
    audio_url: str  # absolute, for og:audio
    page_url: str
    source: str | None  # the article it was read from (http(s)), if any
    chapters: list[Chapter]
    sections: list[Section]
    notes: str  # sanitized HTML (see :func:`notes`)
    files: dict[str, str] = field(default_factory=dict)  # label -> file beside the page (VTT, SRT, chapters)

    @property
    def duration(self) -> str:
        return clock(self.duration_ms)

    @property
    def duration_iso(self) -> str:
        minutes, secs = divmod(self.duration_ms // 1000, 60)
        hours, minutes = divmod(minutes, 60)
        return f"PT{hours}H{minutes}M{secs}S" if hours else f"PT{minutes}M{secs}S"

    @property
    def duration_text(self) -> str:
        """« 6 min 36 s »: whole seconds, as the player counts them, with no-break spaces (never cut
        across two lines)."""
        minutes, secs = divmod(self.duration_ms // 1000, 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            text = f"{hours} h {minutes:02d} min"
        else:
            text = f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
        return text.replace(" ", NBSP)

    @property
    def summary(self) -> str:
        """The description without its first sentence when that only repeats the title (the index shows
        the title just above)."""
        return summary(self.title, self.description)


@dataclass(frozen=True)
class Subscribe:
    name: str
    url: str


@dataclass(frozen=True)
class ShowPage:
    title: str
    description: str
    author: str
    language: str
    base_url: str
    feed_url: str
    page_url: str
    cover: str | None  # relative to the publish folder; None: no cover file yet
    cover_url: str
    apps: list[Subscribe]
    episodes: list[EpisodePage]


def seconds(ms: int) -> str:
    """Milliseconds as seconds for HTML attributes: "12.345", without a trailing zero."""
    whole, millis = divmod(ms, 1000)
    return f"{whole}.{millis:03d}".rstrip("0").rstrip(".")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def summary(title: str, description: str) -> str:
    """``description`` less a leading sentence that is ``title`` again (case, spaces and punctuation
    aside): the feed's description starts with the issue's title, which the index shows just above."""
    text = description.strip()
    wanted = _words(title)
    if not wanted:
        return text
    for found in re.finditer(r"[.!?…]+(\s+|$)", text):
        head = _words(text[: found.start()])
        if head == wanted:
            return text[found.end() :].strip()
        if len(head) >= len(wanted):
            break
    return text


def page_name(episode: Episode) -> str:
    """An episode's page, relative to the publish folder: its MP3's name with ``.html``."""
    return str(Path(episode.audio).with_suffix(PAGE_SUFFIX).as_posix())


def subscribe_links(feed_url: str) -> list[Subscribe]:
    """Links that open the feed in the common apps (their documented URL schemes): links, not requests."""
    bare = feed_url.split("://", 1)[-1]
    encoded = quote(feed_url, safe="")
    return [
        Subscribe("Apple Podcasts", f"podcasts://{bare}"),
        Subscribe("Pocket Casts", f"pktc://subscribe/{bare}"),
        Subscribe("AntennaPod", f"https://antennapod.org/deeplink/subscribe?url={encoded}"),
        Subscribe("Overcast", f"overcast://x-callback-url/add?url={encoded}"),
    ]


# --- what a page holds ---------------------------------------------------------------------------


def parse_vtt(text: str) -> list[Line]:
    """The cues of a WebVTT file as :mod:`podcast.sidecars` writes them (times, then one line of text)."""
    lines: list[Line] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    for block in blocks:
        rows = block.strip().split("\n")
        for index, row in enumerate(rows):
            times = re.match(r"^(\S+)\s+-->\s+(\S+)", row)
            if times:
                try:
                    start, end = _vtt_ms(times.group(1)), _vtt_ms(times.group(2))
                except ValueError:
                    break
                words = " ".join(rows[index + 1 :]).strip()
                if words:
                    lines.append(Line(start, end, html.unescape(words)))
                break
    return lines


def _vtt_ms(stamp: str) -> int:
    parts = stamp.split(":")
    if len(parts) not in (2, 3):
        raise ValueError(stamp)
    hours = int(parts[0]) if len(parts) == 3 else 0
    minutes = int(parts[-2])
    whole, _, millis = parts[-1].partition(".")
    return ((hours * 60 + minutes) * 60 + int(whole)) * 1000 + int((millis + "000")[:3])


def chapters(episode: Episode) -> list[Chapter]:
    """The episode's chapters from the catalog's marks, each ending where the next starts."""
    try:
        marks = sorted((int(start), str(title)) for start, title in json.loads(episode.marks or "[]"))
    except (ValueError, TypeError):
        log.warning("episode %s: unreadable chapter marks in the catalog; its page lists none", episode.number)
        return []
    ends = [start for start, _ in marks[1:]] + [episode.duration_ms]
    return [Chapter(start, end, title) for (start, title), end in zip(marks, ends)]


def sections(found: Sequence[Chapter], lines: Sequence[Line]) -> list[Section]:
    """The transcript cut at the chapters: each line goes under the chapter it starts in."""
    if not found:
        return [Section("", "0", list(lines))] if lines else []
    out = [Section(c.title, c.start, []) for c in found]
    for line in lines:
        at = 0
        for index, chapter in enumerate(found):
            if chapter.start_ms <= line.start_ms:
                at = index
        out[at].lines.append(line)
    return [s for s in out if s.lines]


class _Notes(HTMLParser):
    """Show notes reduced to a few plain tags, every text escaped again and bare URLs made links."""

    KEEP = frozenset({"p", "ol", "ul", "li", "strong", "em", "b", "i", "br"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.KEEP:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.KEEP and tag != "br":
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        last = 0
        for found in _URL.finditer(data):
            url = found.group(0).rstrip(".,;:!?)")
            self.out.append(html.escape(data[last : found.start()]))
            self.out.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
            last = found.start() + len(url)
        self.out.append(html.escape(data[last:]))


def notes(notes_html: str) -> str:
    """The catalog's HTML show notes, safe to put in a page whatever they hold: only p, lists and
    emphasis are kept (no attribute, no script), links are made from the URLs in the text."""
    parser = _Notes()
    parser.feed(notes_html)
    parser.close()
    return "".join(parser.out)


def episode_page(config: Config, episode: Episode) -> EpisodePage:
    """What an episode's page shows; the transcript is read from its VTT sidecar when there is one."""
    base = config.base_url
    lines: list[Line] = []
    if episode.vtt:
        try:
            lines = parse_vtt(inside(config.publish_dir, episode.vtt).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            log.warning("episode %s: no transcript on its page (%s)", episode.number, err)
    found = chapters(episode)
    try:
        date_text = french_date(date.fromisoformat(episode.date))
    except ValueError:
        date_text = episode.date
    files = {
        label: Path(name).name
        for label, name in (("WebVTT", episode.vtt), ("SRT", episode.srt), ("chapitres JSON", episode.chapters))
        if name
    }
    source = episode.link if episode.link and re.match(r"^https?://", episode.link) else None
    page = page_name(episode)
    return EpisodePage(
        number=episode.number,
        title=episode.title.strip() or f"Épisode {episode.number}",
        description=episode.description,
        date_iso=episode.date,
        date_text=date_text,
        duration_ms=episode.duration_ms,
        page=page,
        audio=Path(episode.audio).name,
        audio_url=base + episode.audio,
        page_url=base + page,
        source=source,
        chapters=found,
        sections=sections(found, lines),
        notes=notes(episode.notes_html),
        files=files,
    )


def show_page(config: Config, episodes: Sequence[EpisodePage], cover: str) -> ShowPage:
    """What ``index.html`` shows; ``cover``: the cover's name in the publish folder."""
    show = config.show
    title = show.title.strip() or "Podcast"
    return ShowPage(
        title=title,
        description=(show.description or "").strip(),
        author=show.author.strip(),
        language=show.language,
        base_url=config.base_url,
        feed_url=config.feed_url,
        page_url=config.base_url + INDEX_NAME,
        cover=cover if (config.publish_dir / cover).is_file() else None,
        cover_url=config.base_url + cover,
        apps=subscribe_links(config.feed_url),
        episodes=list(episodes),
    )


# --- templates -----------------------------------------------------------------------------------


def templates_dir(config: Config) -> Path | None:
    """The show's own template folder, if it names one."""
    return config.resolve(config.site.templates) if config.site.templates else None


@functools.cache
def environment(own: Path | None) -> jinja2.Environment:
    """Jinja2 with autoescaping on for every template (whatever its name) and undefined names an
    error; the show's folder is searched first, the built-in templates next.

    One per folder and process: a run checks and renders the pages more than once, and building the
    environment and compiling the templates cost ~15 ms each time. Jinja reloads a template whose
    file changed (``auto_reload``), so a long-running process still sees a show's edits."""
    import jinja2

    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(own))] if own else []
    loaders.append(jinja2.FileSystemLoader(str(BUILT_IN)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """The templates compiled once per user (compiling them costs ~45 ms a run), in the user's cache
    folder beside the speech cache; keyed by Jinja on each template's source, so an edit recompiles.
    A cache that cannot be read or written only costs that time, never a page."""
    import jinja2
    import platformdirs

    class Quiet(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError, TypeError):
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    folder = Path(platformdirs.user_cache_dir("podcast-builder", appauthor=False)) / "pages"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return Quiet(str(folder))


def _fail(own: Path | None, err: Exception) -> TemplateError:
    """One line naming the template and line at fault: the error's own, else the deepest template
    frame of its traceback (Jinja puts the templates' lines there for errors met while rendering)."""
    import jinja2

    where: str | None = getattr(err, "filename", None)
    line: int | None = getattr(err, "lineno", None)
    if where is None:
        for frame in traceback.extract_tb(err.__traceback__):
            if frame.filename.endswith(TEMPLATES) or Path(frame.filename).parent in (own, BUILT_IN):
                where, line = frame.filename, frame.lineno
    reason = " ".join(str(getattr(err, "message", None) or err).split())
    if isinstance(err, jinja2.TemplateNotFound):
        reason = f"no template {reason} (in the show's folder or built in)"
    at = f", line {line}" if line else ""
    return TemplateError(f"page template{at}: {reason}", path=where)


def _render(own: Path | None, show: ShowPage) -> dict[str, bytes]:
    """The show's pages, each episode's and the index; any failure a :class:`TemplateError`."""
    env = environment(own)
    out: dict[str, bytes] = {}
    try:
        for page in show.episodes:
            text = env.get_template("episode.html.j2").render(show=show, episode=page, root="../")
            out[page.page] = text.encode("utf-8")
        out[INDEX_NAME] = env.get_template("index.html.j2").render(show=show, root="").encode("utf-8")
    except Exception as err:  # a template is code: whatever it raises is the template's fault
        raise _fail(own, err) from None
    for name, data in out.items():
        if GENERATOR.encode() not in data[:MARK_WITHIN]:
            template = "index.html.j2" if name == INDEX_NAME else "episode.html.j2"
            raise TemplateError(
                f"page template {template}: the page must keep {GENERATOR} in its first {MARK_WITHIN} bytes "
                "(it tells the show's pages from hand-made ones)",
                path=own,
            )
    return out


def render(config: Config, episodes: Sequence[Episode], cover: str) -> dict[str, bytes]:
    """Every page for these episodes (newest first): name relative to the publish folder -> bytes.
    A template that fails is a :class:`TemplateError`, raised before anything is written."""
    pages = [episode_page(config, episode) for episode in episodes]
    return _render(templates_dir(config), show_page(config, pages, cover))


def sample(config: Config, cover: str) -> ShowPage:
    """A made-up show of one episode, for checking a show's templates before any work."""
    chapter = [Chapter(0, 4000, "Introduction"), Chapter(4000, 9000, "Premier sujet")]
    lines = [Line(0, 2000, "Bonjour."), Line(4000, 6000, "Un sujet.")]
    stem = "episodes/001-essai-00000000"
    page = EpisodePage(
        number=1,
        title="Essai",
        description="Un essai.",
        date_iso="2025-03-01",
        date_text="1er mars 2025",
        duration_ms=9000,
        page=stem + PAGE_SUFFIX,
        audio=Path(stem).name + ".mp3",
        audio_url=config.base_url + stem + ".mp3",
        page_url=config.base_url + stem + PAGE_SUFFIX,
        source="https://example.org/article",
        chapters=chapter,
        sections=sections(chapter, lines),
        notes="<p>Notes</p>",
        files={"WebVTT": Path(stem).name + ".vtt"},
    )
    return show_page(config, [page], cover)


def check(config: Config, cover: str) -> None:
    """A show's own templates render a sample show and episode; else a one-line :class:`TemplateError`.
    Nothing to check without a folder of the show's own (the built-in templates are tested)."""
    own = templates_dir(config)
    if own is None or not config.site.enabled:
        return
    if not own.is_dir():
        raise TemplateError("site.templates: no such folder", path=own)
    _render(own, sample(config, cover))


# --- the publish folder --------------------------------------------------------------------------


def names(episodes: Sequence[Episode]) -> list[str]:
    """The pages these episodes and the show have, relative to the publish folder."""
    return [page_name(episode) for episode in episodes] + [INDEX_NAME]


def check_owned(config: Config, wanted: Sequence[str]) -> None:
    """Refuse to write a page over a file that is not one of ours (a hand-made ``index.html``, a page
    of another tool): one line saying what to do, raised before anything is made or published."""
    if not config.site.enabled:
        return
    for name in wanted:
        target = inside(config.publish_dir, name)
        if (target.exists() or target.is_symlink()) and not ours(target):
            raise ForeignPageError(
                "not written by podcast-builder, and the show's page would replace it: "
                "move it away, or set [site] enabled = false in podcast.toml",
                path=target,
            )


def write(config: Config, pages: Mapping[str, bytes]) -> list[Path]:
    """Write the pages that changed, each atomically; returns those written. A file of the same name
    that is not ours is never overwritten: :class:`ForeignPageError` before any page is written."""
    check_owned(config, list(pages))
    written = []
    for name, data in pages.items():
        target = inside(config.publish_dir, name)
        try:
            if target.read_bytes() == data:
                continue
        except OSError:
            pass
        write_atomic(target, data)
        written.append(target)
    return written


def prune(config: Config, pages: Mapping[str, bytes]) -> list[Path]:
    """Delete our pages no listed episode has any more (removed, replaced, unlisted), and our index
    when pages are off. Only files with our names and our generator mark, inside the publish folder
    once links are followed (a symlinked ``episodes/`` leading elsewhere is left alone), are deleted."""
    candidates = [INDEX_NAME]
    folder = config.publish_dir / "episodes"
    if folder.is_dir():
        candidates += [f"episodes/{p.name}" for p in sorted(folder.iterdir()) if _PAGE.match(p.name)]
    gone = []
    for name in candidates:
        if name in pages:
            continue
        try:
            path = inside(config.publish_dir, name)
        except PublishError:
            log.warning("not deleting %s: it leads outside the publish folder", name)
            continue
        if path.is_file() and ours(path):
            path.unlink(missing_ok=True)
            gone.append(path)
    return gone


def ours(path: Path) -> bool:
    """Whether a page was written by us (it names the generator): a hand-made page is never
    overwritten or deleted."""
    try:
        return GENERATOR.encode() in path.read_bytes()[:MARK_WITHIN]
    except OSError:
        return False
