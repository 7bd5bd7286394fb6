"""Markdown -> the plain one-line-per-paragraph shape that :mod:`podcast.article` reads, and the
front matter's metadata.

Parsed by markdown-it-py (CommonMark, plus tables so that they can be left out), never by regexes:
setext headings, reference links, backslash escapes and entities (``&nbsp;``, ``&amp;``) come out as
a reader sees them. The first ``#`` heading is the issue's title and any later ``#`` heading an
article's title; ``##`` and deeper open a section (spoken as a heading); list items become one
sentence each (and links under "Pour aller plus loin" keep their address for the show notes);
block quotes are read; emphasis marks are dropped and links keep only their text; images, code,
tables, HTML (with what ``<script>`` and ``<style>`` hold) and the YAML front matter are not spoken.

This module knows nothing of :mod:`podcast.article`: which paragraph opens a list of links is the
caller's rule, passed in as ``links_header``.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

from .dates import out_of_range

log = logging.getLogger(__name__)


@cache
def _parser() -> MarkdownIt:
    """Built at the first Markdown text: markdown-it costs ~20 ms to import, and most builds read
    plain text (article.py asks this module only when the text looks like Markdown).

    Every link target is parsed as a link. markdown-it refuses ``javascript:``, ``vbscript:``,
    ``file:`` and non-image ``data:`` targets, and a refused link stays as its raw Markdown text,
    which would be spoken (``[texte](javascript:alert(1))``); parsed, the link says its text only,
    and :func:`_inline` never keeps such a target (:func:`safe_target`, markdown-it's own rule)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    class _Parser(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # markdown-it's name
            return True

    return _Parser("commonmark").enable("table").use(front_matter_plugin)


def safe_target(url: str) -> bool:
    """markdown-it's own rule for a link target it would keep (no javascript:, vbscript:, file:, data:)."""
    from markdown_it.common.normalize_url import validateLink

    return validateLink(url)


_HIDDEN_HTML = re.compile(r"<(script|style|template|textarea|noscript)\b", re.IGNORECASE)
_FINAL = (".", "!", "?", "…", ":", ";", "»", "”", '"')
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")


class FrontMatterError(ValueError):
    """The front matter is not a YAML mapping (the caller names the file)."""


@dataclass(frozen=True)
class Document:
    """A Markdown text read: ``text`` in the plain shape, ``meta`` from its front matter."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)


def _scalar(value: str) -> Any:
    """A front matter value without YAML: quotes removed, ISO dates as dates."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return value


MAX_FRONT_MATTER = 64_000  # characters


def parse_front_matter(source: str) -> dict[str, Any]:
    """YAML front matter -> a mapping, read safely (PyYAML's ``safe_load``; without PyYAML, one
    ``key: value`` a line). Anything but a mapping is a :class:`FrontMatterError`."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency; the fallback keeps a bare install working
        meta: dict[str, Any] = {}
        for line in source.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                match = _KEY_VALUE.match(line)
                if not match:
                    raise FrontMatterError(f"front matter line is not 'key: value': {line.strip()[:40]!r}") from None
                meta[match.group(1)] = _scalar(match.group(2))
        return check_meta(meta)
    if len(source) > MAX_FRONT_MATTER:
        raise FrontMatterError(f"front matter is over {MAX_FRONT_MATTER // 1000} KB: metadata only, please")
    try:
        # Aliases are refused before anything is built: a few hundred bytes of nested aliases
        # ("billion laughs") expand to gigabytes when the value is read.
        aliased = any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(source, Loader=yaml.SafeLoader))
        data = None if aliased else yaml.safe_load(source)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise FrontMatterError(f"front matter is not valid YAML{where}") from None
    except ValueError as err:  # a date YAML reads as one but the calendar has not: 2025-02-30
        raise FrontMatterError(f"front matter holds an impossible value ({err})") from None
    if aliased:
        raise FrontMatterError("front matter must not use YAML aliases (*name)")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be 'key: value' lines")
    return check_meta({str(key): value for key, value in data.items()})


def _kind(value: Any) -> str:
    kinds = {list: "a list", dict: "a mapping", bool: "yes/no", float: "a decimal number"}
    return next((words for kind, words in kinds.items() if isinstance(value, kind)), type(value).__name__)


def check_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The keys the build reads, checked (:class:`FrontMatterError` naming the key): ``title`` and
    ``url`` are text (a whole-number title is text as written), ``id`` text or a whole number,
    ``date`` a YYYY-MM-DD day a feed can carry and at most a year ahead. Other keys are left as they are."""
    meta = dict(meta)
    for key in ("title", "url", "id"):
        value = meta.get(key)
        number = isinstance(value, int) and not isinstance(value, bool)
        if value is None or isinstance(value, str) or (number and key != "url"):
            if number and key == "title":
                meta[key] = str(value)
            continue
        must = "text or a whole number" if key == "id" else "text"
        raise FrontMatterError(f"front matter {key!r} must be {must}, not {_kind(value)}")
    value = meta.get("date")
    if value is not None:
        day: datetime.date | None = value.date() if isinstance(value, datetime.datetime) else None
        if day is None and isinstance(value, datetime.date):
            day = value
        elif day is None and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                day = datetime.date.fromisoformat(value.strip())
            except ValueError:
                day = None
        if day is None:
            raise FrontMatterError(f"front matter 'date' must be a YYYY-MM-DD date, not {str(value)[:40]!r}")
        why = out_of_range(day)
        if why is not None:
            raise FrontMatterError(f"front matter 'date' must be {why}, not {day.isoformat()}")
    return meta


def _inline(tokens: Sequence[Token], *, keep_urls: bool) -> str:
    """An inline run as a reader sees it: text, code spans' text, links' text (``text (url)`` with
    ``keep_urls``); images, HTML tags and what hidden HTML elements hold are left out. A target
    markdown-it would refuse (``javascript:``...) is never kept, and such an autolink says nothing."""
    out: list[str] = []
    hidden = 0
    href: str | None = None
    link_text: list[str] = []
    unsafe_auto = False
    for token in tokens:
        if token.type == "html_inline":
            if _HIDDEN_HTML.match(token.content):
                hidden += 1
            elif hidden and re.match(r"</(script|style|template|textarea|noscript)\b", token.content, re.I):
                hidden -= 1
            continue
        if hidden or token.type == "image":
            continue
        if token.type == "link_open":
            href, link_text = str(token.attrs.get("href", "")), []
            unsafe_auto = token.markup == "autolink" and not safe_target(href)
            if not safe_target(href):
                href = ""  # its text only
        elif token.type == "link_close":
            said = "" if unsafe_auto else "".join(link_text)
            if keep_urls and href and href != said and not said.endswith(href):
                said = f"{said} ({href})" if said.strip() else href
            out.append(said)
            href = None
        elif token.type in ("text", "code_inline"):
            (link_text if href is not None else out).append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            (link_text if href is not None else out).append(" ")
    return " ".join("".join(out).split())


def _sentence(text: str) -> str:
    return text if text.endswith(_FINAL) else text + "."


def to_document(text: str, *, links_header: Callable[[str], bool] = lambda line: False) -> Document:
    """Markdown text -> :class:`Document` (the plain shape described in the README, "Writing
    articles"). Raises :class:`FrontMatterError` for front matter that is not a mapping."""
    tokens = _parser().parse(text)
    meta: dict[str, Any] = {}
    out: list[str] = []
    in_links = False
    skip_until: str | None = None  # the closing token type of a block not read (a table)
    item_depth = 0
    item_parts: list[str] = []
    heading_level = 0
    for token in tokens:
        if skip_until is not None:
            if token.type == skip_until and token.level == 0:
                skip_until = None
            continue
        kind = token.type
        if kind == "front_matter":
            meta = parse_front_matter(token.content)
        elif kind == "table_open":
            skip_until = "table_close"
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "heading_close":
            heading_level = 0
        elif kind in ("bullet_list_open", "ordered_list_open"):
            pass
        elif kind == "list_item_open":
            item_depth += 1
            if item_depth == 1:
                item_parts = []
        elif kind == "list_item_close":
            item_depth -= 1
            if item_depth == 0:
                item = " ".join(part for part in item_parts if part)
                if item:
                    out.append(f"– {item}" if in_links else f"– {_sentence(item)}")
        elif kind == "inline":
            children = token.children or []
            if heading_level:
                heading = _inline(children, keep_urls=False).rstrip(" .:")
                in_links = False
                if heading_level == 1:
                    out.append(heading)  # the issue title, then article titles
                elif heading:
                    out.append(f"## {heading}")  # a section heading, as article.py reads it
            elif item_depth:
                item_parts.append(_inline(children, keep_urls=in_links))
            else:
                line = _inline(children, keep_urls=False)
                if not line:
                    continue
                if links_header(line):
                    in_links = True
                else:
                    in_links = False
                out.append(line)
        # fence, code_block, html_block, hr, image-only paragraphs: nothing is read
    title = " ".join(str(meta.get("title") or "").split())
    if title and (not out or out[0] != title):
        out.insert(0, title)  # the title: every "#" heading is then an article's
    return Document("\n".join(out), meta)


def to_plain(text: str) -> str:
    """Markdown text -> plain text only (front matter dropped)."""
    return to_document(text).text
