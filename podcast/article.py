"""Text -> structure: an issue of a newsletter, its articles, their sections, links and credits.

Structure only: nothing here knows about speech. The plain-text rules follow what producers paste
from their newsletter tool (one line per paragraph); see the README, "Writing articles".
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from html import unescape
from html.entities import html5
from pathlib import Path
from typing import Any

from .errors import InputError
from .markdown import FrontMatterError, to_document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Section:
    """A run of paragraphs; ``heading`` is the ``Intertitre`` that opens it, if any."""

    heading: str | None
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Article:
    title: str
    sections: tuple[Section, ...]
    links: tuple[str, ...] = ()
    # Where the article came from in a source other than text (``html h2#3``, ``email text/plain``).
    source: str | None = None


@dataclass(frozen=True)
class Issue:
    """One newsletter issue: what a single episode is made of."""

    title: str
    articles: tuple[Article, ...]
    teaser: str | None = None
    credits: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)
    # A Markdown file's front matter (title, date, episode...), never spoken; empty for plain text.
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title,
            "teaser": self.teaser,
            "articles": [
                {
                    "title": a.title,
                    "sections": [{"heading": s.heading, "text": s.text} for s in a.sections],
                    "links": list(a.links),
                    **({"source": a.source} if a.source else {}),
                }
                for a in self.articles
            ],
            "credits": self.credits,
        }
        if self.meta:  # only when there is some: a plain text's digest stays what it was
            data["meta"] = {key: str(value) for key, value in self.meta.items()}
        return data


# --- input hygiene -------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0\u202f\u2007\u2009\u200a\u2002-\u2006\u2008\u205f\u3000]+")
# A vertical tab is Word's line break inside a paragraph (Shift+Enter): a space, not a new paragraph.
_LINE_BREAKS = {"\u2028": "\n", "\u2029": "\n", "\x85": "\n", "\x0b": " ", "\x0c": "\n"}


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CP1252_BYTES = "podcast-cp1252"


def _cp1252_bytes(err: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: the bytes UTF-8 refused, read as Windows-1252 (undefined ones dropped)."""
    if not isinstance(err, UnicodeDecodeError):  # registered for decoding only
        raise err
    chunk = err.object[err.start : err.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") for b in chunk), err.end


codecs.register_error(_CP1252_BYTES, _cp1252_bytes)


def decode(data: bytes, *, name: str = "<input>") -> tuple[str, list[str]]:
    """Bytes -> text: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows French (cp1252) with a
    warning. Empty, whitespace-only and binary input is an :class:`InputError`."""
    warnings: list[str] = []
    if not data.strip():
        raise InputError("the article is empty", path=name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("the article is not valid UTF-16 text", path=name) from None
    elif b"\x00" in data[:8192]:
        raise InputError("the article is not text (binary data)", path=name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            valid = sum(len(m) for m in _UTF8_MULTIBYTE.findall(data))
            stray = sum(1 for byte in data if byte >= 0x80) - valid
            if valid > stray:
                # Mostly UTF-8 with a few Windows bytes pasted in: only those are read as cp1252,
                # not the whole text (which would turn every correct "é" into "Ã©").
                text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors=_CP1252_BYTES)
                warnings.append(f"{name}: {stray} byte(s) not UTF-8, read as Windows-1252 (cp1252)")
            else:
                try:
                    text = data.decode("cp1252")
                except UnicodeDecodeError:
                    raise InputError("the article is neither UTF-8 nor Windows-1252 text", path=name) from None
                warnings.append(f"{name}: not UTF-8, read as Windows-1252 (cp1252)")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\x0b\x0c\x85")
    if controls > max(8, len(text) // 100):
        raise InputError("the article is not text (control characters)", path=name)
    if not text.strip():
        raise InputError("the article is empty", path=name)
    return text, warnings


def _kept(ch: str) -> bool:
    """Control (Cc) and invisible format (Cf: zero-width, BOM, soft hyphen, bidi marks) characters go."""
    return ch == "\n" or ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf")


def _visible(text: str) -> str:
    """Unicode NFC, one kind of line end, no control or zero-width characters; indentation kept."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    for old, new in _LINE_BREAKS.items():
        text = text.replace(old, new)
    return "".join(ch for ch in text if _kept(ch))


# Text pasted from a web page keeps its HTML entities and inline tags. Only what cannot be meant as
# text goes: the tags of HTML's inline elements, well formed (attributes as name="value"), and
# entities that HTML names exactly, with their ';'. "3 < 5", "<b et c>", "<div>", "AT&T",
# "&copy" stay as written. Tags go first, so that "&lt;b&gt;" written on purpose stays "<b>".
_INLINE_ELEMENTS = (
    "a abbr b bdi bdo big br cite code del dfn em font i ins kbd mark nobr q s samp small span strike strong "
    "sub sup time tt u var wbr"
).split()
_INLINE_TAG = re.compile(
    rf"</?({'|'.join(_INLINE_ELEMENTS)})"
    r"""(?:\s+[A-Za-z_:][-\w:.]*\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+))*\s*/?>""",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|([A-Za-z][A-Za-z0-9]{1,31}));")


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name is not None and f"{name};" not in html5:
        return match.group(0)  # "&nosuch;" is text
    return unescape(match.group(0))


def strip_html(text: str) -> str:
    """Plain text pasted from a web page -> what it shows: inline tags dropped (``<br>`` a space),
    HTML entities decoded (``&amp;``, ``&nbsp;``, ``&eacute;``, ``&#8217;``); nothing else changed."""
    text = _INLINE_TAG.sub(lambda m: " " if m.group(1).lower() == "br" else "", text)
    return _ENTITY.sub(_entity, text)


def clean(text: str) -> str:
    """Unicode NFC, one kind of line end and of space, no control or zero-width characters."""
    lines = [_SPACES.sub(" ", line).strip() for line in _visible(text).split("\n")]
    return "\n".join(lines).strip()


def _read_regular(path: Path, max_bytes: int | None = None) -> bytes:
    """A regular file's bytes. Opened without blocking and checked before reading: a FIFO would
    hang an unattended build forever, and /dev/zero would fill the memory. A file over
    ``max_bytes`` is refused before it is read (it would fill the cache and the disk)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file (a pipe, device or socket)", path=path)
        if max_bytes is not None and info.st_size > max_bytes:
            raise InputError(_too_big(info.st_size, max_bytes), path=path)
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
            if max_bytes is not None and len(data) > max_bytes:  # grew while we looked
                raise InputError(_too_big(len(data), max_bytes), path=path)
            return data
    finally:
        if fd >= 0:
            os.close(fd)


def _too_big(size: int, limit: int) -> str:
    def spaced(n: int) -> str:
        return f"{n:_}".replace("_", " ")

    return f"the article is {spaced(size)} bytes, over the limit of {spaced(limit)} (publish.max_article_bytes)"


def read_file(path: Path, max_bytes: int | None = None) -> bytes:
    """A regular file's bytes (not a FIFO, not a device, not over ``max_bytes``); every failure is
    one :class:`InputError` naming the file."""
    try:
        return _read_regular(path, max_bytes)
    except IsADirectoryError:
        raise InputError("is a folder, not an article file", path=path) from None
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", path=path) from None


def read(path: Path | str, *, settings: Any = None, max_bytes: int | None = None) -> Issue:
    """Read and parse an article file; every failure is an :class:`InputError`. HTML, e-mail files
    and URLs are read by :mod:`podcast.sources` (``settings``: the show's ``[read]`` table).
    ``max_bytes`` refuses a larger file before anything is done with it."""
    from . import sources

    if sources.handles(path):
        return sources.read(path, settings=settings, max_bytes=max_bytes)
    path = Path(path)
    data = read_file(path, max_bytes)
    text, warnings = decode(data, name=str(path))
    issue = parse(text, name=str(path), markdown=path.suffix.lower() in MARKDOWN_SUFFIXES or None)
    warnings.extend(issue.warnings)
    for warning in warnings:
        log.warning(warning)
    return Issue(issue.title, issue.articles, issue.teaser, issue.credits, tuple(warnings), issue.meta)


# --- structure -----------------------------------------------------------------------------------

_UPPER = "A-ZÀ-ÖØ-ÞŒ"
_TEASER = re.compile(r"^Et aussi\s*:\s*(?P<text>.+)$", re.IGNORECASE)
_LINKS = re.compile(
    r"^(?:Pour aller plus loin|Pour en savoir plus|(?:À|A) lire aussi|Lire aussi)\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_CREDITS = re.compile(
    r"^(?:Cr[ée]dits?(?: (?:photos?|images?|illustrations?))?|Photos?|Illustrations?)\s*:\s*(?P<text>.+)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[–—\-•*·▪]|\d{1,2}[.)])\s+(?P<text>.+)$")
_INTERTITLE = re.compile(
    rf"^(?P<heading>[{_UPPER}0-9«“\"](?:[^–—.!?:;]|(?<=[A-Z])\.){{0,59}}?[?!]?)\s+[–—-]\s+(?P<text>[{_UPPER}0-9«“\"(].*)$"
)
_EXPLICIT_HEADING = re.compile(r"^#{2,6}\s+(?P<text>.+?)\s*#*$")
_TITLE_START = re.compile(rf"^[{_UPPER}0-9«“\"'‘(]")
_FINAL_PUNCT = tuple('.!?…:;,»”"')
_MAX_TITLE = 160
_MARKDOWN = re.compile(
    r"^#{1,6}\s|^\s*[-*+]\s+\[[^\]]+\]\(|\[[^\]]+\]\((?:https?://|mailto:|/)|\A---[ \t]*\n[\s\S]*?\n---[ \t]*$"
    r"|^\S[^\n]*\n(?:={3,}|-{3,})[ \t]*$|^```|^>\s",
    re.MULTILINE,
)
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def _is_title(line: str, following: str | None) -> bool:
    """A short line starting with a capital, without final punctuation, followed by a paragraph."""
    if following is None or len(line) > _MAX_TITLE or line.endswith(_FINAL_PUNCT):
        return False
    if not _TITLE_START.match(line) or _BULLET.match(line) or _INTERTITLE.match(line) or _special(line):
        return False
    if _special(following) or _BULLET.match(following):
        return False
    return not following.endswith(tuple('»”"')) or len(following) > len(line)


def is_links_header(line: str) -> bool:
    """ "Pour aller plus loin:" and its kin: the lines after it are links, not spoken."""
    return bool(_LINKS.match(line))


def _special(line: str) -> bool:
    return bool(_TEASER.match(line) or _LINKS.match(line) or _CREDITS.match(line))


def _sentence(text: str) -> str:
    """A list item read as a sentence: it gets a final period when it has no punctuation."""
    return text if text.endswith(_FINAL_PUNCT) else text + "."


class _ArticleBuilder:
    def __init__(self, title: str) -> None:
        self.title = title
        self.sections: list[Section] = []
        self.links: list[str] = []
        self.pending: str | None = None  # a "## heading" waiting for its paragraph

    def heading(self, text: str) -> None:
        if self.pending is not None:
            self.sections.append(Section(self.pending, ()))
        self.pending = text

    def paragraph(self, text: str) -> None:
        match = _INTERTITLE.match(text)
        if self.pending is not None:
            self.sections.append(Section(self.pending, (text,)))
            self.pending = None
        elif match:
            self.sections.append(Section(match.group("heading").strip(), (match.group("text").strip(),)))
        elif self.sections:
            last = self.sections[-1]
            self.sections[-1] = Section(last.heading, last.paragraphs + (text,))
        else:
            self.sections.append(Section(None, (text,)))

    def build(self) -> Article:
        if self.pending is not None:
            self.sections.append(Section(self.pending, ()))
            self.pending = None
        return Article(self.title, tuple(self.sections), tuple(self.links))


def parse(text: str, *, name: str = "<input>", markdown: bool | None = None) -> Issue:
    """Plain text (one line per paragraph) or Markdown -> :class:`Issue`.

    ``markdown``: True for a ``.md`` file whatever it contains, None to recognize Markdown by its
    marks (headings, links, front matter, fences, quotes).
    """
    visible = _visible(text)
    text = clean(visible)
    if not text:
        raise InputError("the article is empty", path=name)
    meta: dict[str, Any] = {}
    if markdown or (markdown is None and _MARKDOWN.search(text)):
        try:
            document = to_document(visible, links_header=is_links_header)
        except FrontMatterError as err:
            raise InputError(str(err), path=name) from None
        text, meta = clean(document.text), document.meta
    else:  # Markdown reads its own entities and HTML; plain text pasted from the web has them too
        text = clean(_visible(strip_html(visible)))
    lines = [line for line in text.split("\n") if line]
    if not lines:
        raise InputError("the article is empty", path=name)
    issue = _parse_lines(lines, name)
    return Issue(issue.title, issue.articles, issue.teaser, issue.credits, issue.warnings, meta)


def _derived_title(first: str) -> str:
    """A title for a text that has none: its first words, cut at a word boundary."""
    sentence = re.split(r"(?<=[.!?…])\s", first, maxsplit=1)[0].rstrip(" .!?…:;,")
    if not sentence:  # only punctuation: keep it rather than give the feed an empty title
        return first[:80]
    if len(sentence) <= 80:
        return sentence
    return sentence[:80].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _parse_lines(lines: list[str], name: str) -> Issue:
    warnings: list[str] = []
    if lines[0].endswith(_FINAL_PUNCT) or len(lines[0]) > _MAX_TITLE or _BULLET.match(lines[0]):
        # No title line at all: the whole text is one article, named after its first words.
        issue_title = _derived_title(lines[0])
        warnings.append(f"{name}: no title line; using {issue_title!r}")
        rest = lines
        articles = [_ArticleBuilder(issue_title)]
    else:
        issue_title, rest = lines[0], lines[1:]
        articles = []
        # A lone article: its first line is followed directly by a body paragraph.
        if rest and not _special(rest[0]) and not _is_title(rest[0], rest[1] if len(rest) > 1 else None):
            articles.append(_ArticleBuilder(issue_title))
    teaser: str | None = None
    credits: list[str] = []
    in_links = False
    for index, line in enumerate(rest):
        following = rest[index + 1] if index + 1 < len(rest) else None
        if (m := _TEASER.match(line)) and not articles:
            teaser = m.group("text").strip()
            in_links = False
        elif m := _CREDITS.match(line):
            credits.append(m.group("text").strip())
            in_links = False
        elif m := _LINKS.match(line):
            in_links = True
            if m.group("rest") and articles:
                articles[-1].links.append(m.group("rest").strip())
        elif in_links and (m := _BULLET.match(line)):
            if articles:
                articles[-1].links.append(m.group("text").strip())
        elif m := _EXPLICIT_HEADING.match(line):
            in_links = False
            if not articles:
                articles.append(_ArticleBuilder(issue_title))
            articles[-1].heading(m.group("text").strip())
        elif _is_title(line, following):
            articles.append(_ArticleBuilder(line))
            in_links = False
        else:
            in_links = False
            if not articles:
                articles.append(_ArticleBuilder(issue_title))
            bullet = _BULLET.match(line)
            articles[-1].paragraph(_sentence(bullet.group("text")) if bullet else line)
    built = tuple(a.build() for a in articles if a.sections)
    if not built:
        raise InputError("no article text found (a title line must be followed by paragraphs)", path=name)
    return Issue(
        title=issue_title,
        articles=built,
        teaser=teaser,
        credits=" ".join(credits) if credits else None,
        warnings=tuple(warnings),
    )
