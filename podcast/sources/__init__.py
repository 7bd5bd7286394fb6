"""Sources other than text files: HTML files, e-mails, web pages and feeds (docs/sources.md).

:func:`read` is the one entry :func:`podcast.article.read` hands these to; each kind has its module
(:mod:`.html`, :mod:`.email`, :mod:`.web`, :mod:`.feeds`) and :mod:`.fetch` is the only one that
touches the network, for the address the producer gave and nothing it links to.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..article import Issue
from ..errors import InputError

if TYPE_CHECKING:
    from .fetch import FetchError

log = logging.getLogger(__name__)

SUFFIXES = (".html", ".htm", ".eml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

__all__ = ["SUFFIXES", "FetchError", "handles", "is_url", "read", "read_bytes"]


def __getattr__(name: str) -> type[FetchError]:
    # .fetch (urllib, ssl, email: ~20 ms) is imported only when something is fetched: every build
    # asks handles() about its file, and a text file needs none of it.
    if name == "FetchError":
        from .fetch import FetchError

        return FetchError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def handles(source: Path | str) -> bool:
    """True for what this package reads: an http(s) address or an .html, .htm or .eml file."""
    text = str(source)
    return is_url(text) or Path(text).suffix.lower() in SUFFIXES


def _setting(settings: Any, name: str, default: Any) -> Any:
    return getattr(settings, name, default) if settings is not None else default


def decode_html(data: bytes, *, name: str, declared: str | None = None) -> str:
    """HTML bytes -> text: a BOM, else the charset the server or the page declares (strictly: a
    page that is not what it declares is refused), else UTF-8 or Windows-1252 as for text files."""
    from ..article import decode

    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data, name=name)[0]
    match = _META_CHARSET.search(data[:4096])
    charset = declared or (match.group(1).decode("ascii") if match else None)
    if charset:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            raise InputError(f"declares an unknown charset {charset!r}", path=name) from None
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"  # what browsers read for these labels (WHATWG)
        try:
            return data.decode(codec)
        except UnicodeDecodeError as err:
            raise InputError(f"is not valid {charset} text at byte {err.start} (broken charset)", path=name) from None
    text, warnings = decode(data, name=name)
    for warning in warnings:
        log.warning("%s", warning)
    return text


def read_bytes(data: bytes, *, kind: str, name: str, settings: Any = None, url: str | None = None) -> Issue:
    """Bytes of one source (``kind``: "html", "email" or "web") -> :class:`Issue`."""
    from .email import read_email
    from .html import read_html
    from .web import read_page

    sponsored = bool(_setting(settings, "sponsored", False))
    if kind == "email":
        return read_email(data, name=name, sponsored=sponsored)
    if b"\x00" in data[:1024] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("is not an HTML page (binary data)", path=name)
    text = decode_html(data, name=name)
    if kind == "web":
        return read_page(text, url=url or name, name=name, sponsored=sponsored)
    return read_html(text, name=name, prefix="html", newsletter=True, sponsored=sponsored)


def read(source: Path | str, *, settings: Any = None, max_bytes: int | None = None) -> Issue:
    """An .html/.htm/.eml file or an http(s) page -> :class:`Issue`; InputError or FetchError."""
    from ..article import read_file

    text = str(source)
    if is_url(text):
        from .fetch import DEFAULT_MAX_BYTES, DEFAULT_REDIRECTS, DEFAULT_TIMEOUT, HTML_TYPES, fetch

        fetched = fetch(
            text,
            accept=HTML_TYPES,
            max_bytes=int(_setting(settings, "max_bytes", DEFAULT_MAX_BYTES)),
            timeout=float(_setting(settings, "timeout", DEFAULT_TIMEOUT)),
            redirects=int(_setting(settings, "max_redirects", DEFAULT_REDIRECTS)),
        )
        if not fetched.body.strip():
            raise InputError("the page is empty", path=text)
        page = decode_html(fetched.body, name=text, declared=fetched.charset)
        from .web import read_page

        return read_page(page, url=fetched.url, name=text, sponsored=bool(_setting(settings, "sponsored", False)))
    path = Path(source)
    data = read_file(path, max_bytes)
    if not data.strip():
        raise InputError("the article is empty", path=path)
    kind = "email" if path.suffix.lower() == ".eml" else "html"
    issue = read_bytes(data, kind=kind, name=str(path), settings=settings)
    for warning in issue.warnings:
        log.warning("%s", warning)
    return issue
