"""A web page -> :class:`Issue`: its main content only, as trafilatura extracts it.

trafilatura reads a news page cleanly (navigation, asides, comments and footers left out) but, on a
table-layout newsletter, drops the ``h2`` article titles and keeps the footer: a page laid out in
tables, without ``<article>`` or ``<main>``, is read as a newsletter instead (:mod:`.html`).
"""

from __future__ import annotations

import logging
from typing import Any

import trafilatura

from ..article import Issue
from ..errors import InputError
from .clean import parse_html
from .html import page_meta, read_html

log = logging.getLogger(__name__)


def _looks_like_newsletter(root: Any) -> bool:
    if root.xpath("//article|//main"):
        return False
    return len(root.xpath("//table//table")) >= 1


def read_page(text: str, *, url: str, name: str, sponsored: bool = False) -> Issue:
    """A page's HTML (decoded) -> :class:`Issue` with ``meta``: url (canonical), title, date, author."""
    root = parse_html(text)
    if root is None:
        raise InputError("is not an HTML page", path=name)
    meta = {"url": url, **page_meta(root)}
    if _looks_like_newsletter(root):
        log.info("%s: laid out in tables, read as a newsletter", name)
        return read_html(text, name=name, prefix="web newsletter", newsletter=True, sponsored=sponsored, meta=meta)
    extracted = trafilatura.extract(
        text,
        url=url,
        output_format="html",
        include_links=True,
        include_formatting=True,
        include_comments=False,
        include_images=False,
        include_tables=False,
        favor_precision=True,
    )
    if not extracted or not extracted.strip():
        raise InputError("no text to read in this page (no main content found)", path=name)
    has_h1 = bool(parse_html(extracted).xpath("//h1"))
    title = None if has_h1 else meta.get("title")
    return read_html(extracted, name=name, prefix="web", newsletter=False, sponsored=sponsored, title=title, meta=meta)
