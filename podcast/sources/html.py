"""HTML -> the Markdown that :mod:`podcast.article` reads, keeping the structure a reader sees.

``h1`` is the issue, ``h2`` an article, ``h3`` and deeper a section; lists of links go to the show
notes, image credits to the credits. What a reader never sees is never read: scripts, styles,
hidden elements (``display:none``, ``hidden``, ``aria-hidden``, preheaders), images, frames, forms.
Newsletter boilerplate (« Voir la version en ligne », « Se désabonner », preference centre, social
and sharing links, legal footers) is removed by the rules below, and blocks marked as sponsored
unless the show asks for them (``[read] sponsored``).

Nothing here fetches anything: links are text, images are dropped, the tree is parsed from a string.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from ..article import _CREDITS, _TEASER, Article, Issue, Section, clean, is_links_header
from ..errors import InputError
from .clean import _BLOCKS, _CREDIT, _FINAL, _HEADINGS, _Block, _link_text, _only_link, clean_tree, parse_html, squash

log = logging.getLogger(__name__)


class _Writer:
    """The walk's output: blocks in reading order, headings counted for the articles' origins."""

    def __init__(self, prefix: str, title: str | None, skip_to_h1: bool) -> None:
        self.prefix = prefix
        self.blocks: list[_Block] = []
        self.buffer: list[str] = []
        self.counts: dict[int, int] = {}
        self.title = title
        self.skip = skip_to_h1  # chrome before the page's own h1 (menus, "view online") is not read
        if title:
            self.blocks.append(_Block("title", title))

    def inline(self, text: str) -> None:
        self.buffer.append(text)

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        if self.skip:
            return
        for paragraph in re.split(r"\n\s*\n", text):
            paragraph = clean(squash(paragraph))
            if paragraph and re.search(r"\w", paragraph):
                self.blocks.append(_Block("paragraph", paragraph))

    def heading(self, level: int, text: str) -> None:
        self.flush()
        text = clean(squash(text)).rstrip(" .:")
        if not text:
            return
        self.counts[level] = count = self.counts.get(level, 0) + 1
        if level == 1:
            self.skip = False
            if self.title is None:
                self.title = text
                self.blocks.append(_Block("title", text))
                return
            if text.casefold() == self.title.casefold():
                return  # the masthead repeating the title already given
        if self.skip:
            return
        if level <= 2:
            self.blocks.append(_Block("article", text, f"{self.prefix} h{level}#{count}"))
        else:
            self.blocks.append(_Block("section", text))

    def items(self, items: list[tuple[str, bool]]) -> None:
        self.flush()
        if not self.skip:
            self.blocks.extend(_Block("item", clean(text), link=link) for text, link in items if text)

    def credit(self, text: str) -> None:
        self.flush()
        match = _CREDIT.search(squash(text))
        who = (match.group("who") or match.group("copy") or "").strip() if match else ""
        if who and not self.skip:
            self.blocks.append(_Block("credit", clean(who)))


def _walk(el: Any, out: _Writer) -> None:
    if el.text:
        out.inline(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _node(child, out)
        if child.tail:
            out.inline(child.tail)


def _node(el: Any, out: _Writer) -> None:
    tag = el.tag
    if tag in _HEADINGS:
        out.heading(_HEADINGS[tag], el.text_content())
    elif tag in ("ul", "ol"):
        out.items([(_link_text(li), _only_link(li)) for li in el if li.tag == "li"])
    elif tag == "br":
        out.inline("\n")
    elif tag == "pre" or (tag == "table" and el.find(".//th") is not None):
        out.flush()  # code and data tables are not read aloud (as in Markdown)
    elif tag == "figcaption" or re.search(r"credit|caption", el.get("class") or "", re.I):
        out.credit(el.text_content())
    elif tag in _BLOCKS:
        out.flush()
        _walk(el, out)
        out.flush()
    else:
        _walk(el, out)


def _sentence(text: str) -> str:
    return text if text.endswith(_FINAL) else text + "."


@dataclass
class _Building:
    title: str
    source: str
    sections: list[Section] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    heading: str | None = None
    pending: bool = False  # a section heading waiting for its first paragraph

    def section(self, heading: str) -> None:
        self.heading, self.pending = heading, True

    def paragraph(self, text: str) -> None:
        if self.pending or not self.sections:
            self.sections.append(Section(self.heading, (text,)))
            self.pending = False
        else:
            last = self.sections[-1]
            self.sections[-1] = Section(last.heading, (*last.paragraphs, text))

    def build(self) -> Article:
        return Article(self.title, tuple(self.sections), tuple(self.links), self.source)


def assemble(blocks: list[_Block], *, name: str, prefix: str, fallback_title: str | None) -> Issue:
    """Blocks -> :class:`Issue` with the rules of :mod:`podcast.article`: « Et aussi : » before the
    first article is the teaser, « Crédits : » lines the credits, a list after « Pour aller plus
    loin » (or made only of links) the show notes, list items sentences."""
    title = next((b.text for b in blocks if b.kind == "title"), None) or fallback_title
    warnings: list[str] = []
    if not title:
        first = next((b.text for b in blocks if b.kind in ("article", "paragraph")), None)
        if first is None:
            raise InputError("no text to read (nothing left once navigation and boilerplate are out)", path=name)
        title = first if len(first) <= 120 else first[:120].rsplit(" ", 1)[0] + "…"
        warnings.append(f"{name}: no title; using {title!r}")
    articles: list[_Building] = []
    teaser: str | None = None
    credits: list[str] = []
    in_links = False

    def current() -> _Building:
        if not articles:
            articles.append(_Building(title, f"{prefix} lead"))
        return articles[-1]

    for block in blocks:
        if block.kind == "title":
            continue
        if block.kind == "article":
            articles.append(_Building(block.text, block.origin))
            in_links = False
        elif block.kind == "section":
            current().section(block.text)
            in_links = False
        elif block.kind == "credit":
            credits.append(block.text)
        elif block.kind == "item":
            if in_links or block.link:
                current().links.append(block.text)
            else:
                current().paragraph(_sentence(block.text))
        elif (m := _TEASER.match(block.text)) and not articles:
            teaser = m.group("text").strip()
        elif m := _CREDITS.match(block.text):
            credits.append(m.group("text").strip())
        elif is_links_header(block.text):
            in_links = True
        else:
            in_links = False
            current().paragraph(block.text)
    built = tuple(a.build() for a in articles if a.sections)
    if not built:
        raise InputError("no text to read (nothing left once navigation and boilerplate are out)", path=name)
    unique_credits = list(dict.fromkeys(credits))
    return Issue(title, built, teaser, ", ".join(unique_credits) or None, tuple(warnings))


def _meta_content(root: Any, *names: str) -> str | None:
    for name in names:
        for el in root.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]", n=name):
            value = squash(el.get("content") or "")
            if value:
                return value
    return None


def iso_day(value: str | None) -> str | None:
    """The YYYY-MM-DD a date or timestamp starts with, if it is a real date."""
    if not value:
        return None
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value)
    if not match:
        return None
    import datetime

    try:
        return datetime.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def page_meta(root: Any) -> dict[str, Any]:
    """What a page says about itself: title, date, author, canonical URL (only http(s) URLs)."""
    meta: dict[str, Any] = {}
    title = _meta_content(root, "og:title", "twitter:title")
    if not title:
        found = root.find(".//title")
        title = squash(found.text_content()) if found is not None else None
    if title:
        meta["title"] = title
    day = iso_day(_meta_content(root, "article:published_time", "datePublished", "date", "dc.date", "DC.date"))
    if day is None:
        times = root.xpath("//time[@datetime]")
        day = iso_day(times[0].get("datetime")) if times else None
    if day:
        meta["date"] = day
    author = _meta_content(root, "author", "article:author", "dc.creator")
    if author and not author.startswith(("http://", "https://")):
        meta["author"] = author
    canonical = root.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href")
    url = str(canonical[0]).strip() if canonical else _meta_content(root, "og:url")
    if url and re.match(r"^https?://[^\s<>\"]+$", url):
        meta["url"] = url
    return meta


def read_html(
    text: str,
    *,
    name: str,
    prefix: str = "html",
    newsletter: bool = True,
    sponsored: bool = False,
    title: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Issue:
    """An HTML document (already decoded) -> :class:`Issue`. ``title`` overrides the page's (an
    e-mail's Subject, a feed item's title); ``meta`` adds to what the page says about itself."""
    root = parse_html(text)
    if root is None:
        raise InputError("is not an HTML document", path=name)
    found = {**page_meta(root), **(meta or {}), "source": prefix}
    dropped = clean_tree(root, newsletter=newsletter, sponsored=sponsored)
    if dropped:
        log.info("%s: left out %s", name, ", ".join(f"{n} {rule}" for rule, n in sorted(dropped.items())))
    has_h1 = bool(root.xpath("//body//h1"))
    out = _Writer(prefix, title, skip_to_h1=has_h1)
    body = root.find("body")
    _walk(body if body is not None else root, out)
    out.flush()
    issue = assemble(out.blocks, name=name, prefix=prefix, fallback_title=found.get("title"))
    return Issue(issue.title, issue.articles, issue.teaser, issue.credits, issue.warnings, found)
