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

import lxml.html
from lxml import etree

from ..article import _CREDITS, _TEASER, Article, Issue, Section, clean, is_links_header
from ..errors import InputError

log = logging.getLogger(__name__)

# Never read, with everything inside.
_DROPPED = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "svg",
    "math",
    "canvas",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "img",
    "picture",
    "video",
    "audio",
    "map",
    "head",
    "title",
    "meta",
    "link",
    "base",
    "dialog",
}
_BLOCKS = {
    "p",
    "div",
    "td",
    "th",
    "tr",
    "tbody",
    "thead",
    "tfoot",
    "table",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "blockquote",
    "figure",
    "center",
    "dl",
    "dt",
    "dd",
    "address",
    "body",
    "html",
    "hr",
    "pre",
    "details",
    "summary",
    "li",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|max-height\s*:\s*0(?:px)?\s*(?:[;!]|$)"
    r"|font-size\s*:\s*0(?:px)?\s*(?:[;!]|$)|opacity\s*:\s*0(?:\.0+)?\s*(?:[;!]|$)",
    re.IGNORECASE,
)
_HIDDEN_CLASS = re.compile(
    r"(?:^|[\s_-])(?:preheader|pre-header|preview-?text|mcnpreviewtext|hidden|hide|sr-only|visually-hidden)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BOILERPLATE_CLASS = re.compile(
    r"footer|unsubscribe|social|share|sharing|partage|subscribe|newsletter-signup|comment|breadcrumb|cookie|byline"
    r"|main-menu|navbar|related|post-ufi|like-button",
    re.IGNORECASE,
)
_SPONSOR_CLASS = re.compile(r"sponsor|advert|partenariat|\bads?\b|\bpub\b", re.IGNORECASE)
_SPONSOR_LABEL = re.compile(
    r"^(?:contenu\s+)?(?:sponsoris[ée]e?s?|publicit[ée]|partenaire|annonce|sponsored|advertisement|"
    r"en partenariat avec\b.*|pr[ée]sent[ée]e? par\b.*|ce num[ée]ro vous est offert par\b.*)\s*:?$",
    re.IGNORECASE,
)
# Blocks that say one of these are the sending tool's, not the author's: these phrases only a
# sending tool writes, in a block of up to _MAX_BOILERPLATE characters ...
_BOILERPLATE = re.compile(
    r"voir (?:la|cette|cet|ce) (?:version|newsletter|lettre|e-?mail|message|courriel)"
    r" (?:en ligne|web|dans (?:votre|le) navigateur)"
    r"|afficher (?:dans|ce message dans) (?:votre|le) navigateur|view (?:this email )?in (?:your )?browser"
    r"|(?:cliquez ici |pour )?(?:vous|se) d[ée]sinscrire|d[ée]sinscrivez-vous|d[ée]sabonnez-vous|unsubscribe"
    r"|pour vous d[ée]sabonner|(?:g[ée]rer|modifier|mettre [àa] jour) (?:vos|mes) (?:pr[ée]f[ée]rences|abonnements?)"
    r"|centre de pr[ée]f[ée]rences|preference cent|update your preferences"
    r"|vous (?:recevez|avez re[çc]u) (?:cet? |cette )(?:e-?mail|message|newsletter|lettre|courriel)"
    r"|cet e-?mail (?:a [ée]t[ée] |vous a [ée]t[ée] )envoy[ée]|you (?:are receiving|received) this"
    r"|ajoutez-nous [àa] votre carnet|tous droits r[ée]serv[ée]s|all rights reserved|^©\s*\d{4}"
    r"|envoy[ée] (?:avec|par|via) (?:brevo|sendinblue|mailchimp|substack)",
    re.IGNORECASE,
)
# ... and these, which an author may also write, only in a block of up to _MAX_SHORT characters.
_SHORT_BOILERPLATE = re.compile(
    r"version (?:en ligne|web|navigateur)|lire (?:en ligne|dans (?:votre|le) navigateur|dans l.application)"
    r"|se d[ée]sabonner|d[ée]sinscri|ne (?:plus|souhaitez plus) recevoir"
    r"|suivez-nous|retrouvez-nous sur|rejoignez-nous sur|follow us"
    r"|partager (?:sur|cet article|cette|par e-?mail|ce)|^partager$|^share$|^tweet(?:er)?$|^j.aime$|^like$"
    r"|^comment(?:er|aire)?s?$|^restack$|transf[ée]rer (?:[àa] un|cet e-?mail)|forward (?:to a friend|this)"
    r"|^abonnez-vous|^s.abonner$|^subscribe(?: now)?$|upgrade to paid|passer (?:[àa] l.abonnement|en premium)"
    r"|propuls[ée] par (?:substack|mailchimp|brevo|ghost|beehiiv)|powered by",
    re.IGNORECASE,
)
_MAX_SHORT = 60  # a tool's button or link; an author's sentence is longer


def boilerplate(text: str) -> bool:
    """A block's text (spaces squashed) is the sending tool's, by the rules above."""
    return (len(text) <= _MAX_BOILERPLATE and bool(_BOILERPLATE.search(text))) or (
        len(text) <= _MAX_SHORT and bool(_SHORT_BOILERPLATE.search(text))
    )


_SOCIAL_HOSTS = re.compile(
    r"^https?://(?:[\w-]+\.)*(?:facebook\.com|twitter\.com|x\.com|linkedin\.com|instagram\.com|youtube\.com|"
    r"tiktok\.com|threads\.net|bsky\.app|mastodon\.[\w.]+|whatsapp\.com|t\.me|pinterest\.\w+)(?:[/?#]|$)",
    re.IGNORECASE,
)
_SHARE_LINK = re.compile(r"unsubscribe|desinscri|optout|opt-out|preferences|list-manage\.com/profile|/share", re.I)
_CREDIT = re.compile(
    r"(?:Cr[ée]dits?(?: (?:photos?|images?|illustrations?))?|Photos?|Illustrations?|Image)\s*:\s*(?P<who>.+)"
    r"|©\s*(?P<copy>[^\d\s].+)",
    re.IGNORECASE,
)
_LINKS_HEADER = re.compile(r"^(?:Pour aller plus loin|Pour en savoir plus|(?:À|A) lire aussi|Lire aussi)\b", re.I)
_MAX_BOILERPLATE = 400  # characters: a longer block is the author's text, even if it names a rule
_SPACE = re.compile(r"\s+")
_FINAL = tuple('.!?…:;,»”"')


def squash(text: str) -> str:
    """Runs of white space as one space, as a browser shows them."""
    return _SPACE.sub(" ", text).strip()


@dataclass
class _Block:
    """One thing a reader sees: ``kind`` is title, article, section, paragraph, item or credit."""

    kind: str
    text: str
    origin: str = ""
    link: bool = False  # an item that is only a link (show notes)


def parse_html(text: str) -> Any:
    """A string of HTML -> its lxml tree (the document element), or None. Never fetches anything."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str with an encoding declaration
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _attr_text(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _is_hidden(el: Any) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    if _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    return bool(_HIDDEN_CLASS.search(_attr_text(el)))


def _block_of(el: Any) -> Any:
    """The nearest block element holding ``el`` (itself when it is one)."""
    node = el
    while node is not None and node.tag not in _BLOCKS and node.tag not in _HEADINGS:
        node = node.getparent()
    return node if node is not None else el


def _drop(el: Any, rule: str, dropped: dict[str, int]) -> None:
    if el.getparent() is None:
        return
    dropped[rule] = dropped.get(rule, 0) + 1
    el.drop_tree()  # keeps the tail text, which belongs to the parent


def _tool_link(href: str) -> bool:
    return bool(_SOCIAL_HOSTS.match(href) or _SHARE_LINK.search(href))


def _social_only(block: Any) -> bool:
    """A block whose only text is that of social, sharing or unsubscribe links."""
    links = [a for a in block.iter("a") if _tool_link(a.get("href") or "")]
    if not links:
        return False
    rest = squash(block.text_content())
    for link in links:
        rest = rest.replace(squash(link.text_content()), "", 1)
    return not re.search(r"\w{3}", rest)


def _sponsored_container(label: Any) -> Any:
    """The block a sponsored label marks: the label's block grown while it stays one item's size."""
    node = _block_of(label)
    while True:
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return node
        if len(squash(parent.text_content())) > 2500 or len(parent.xpath(".//h1|.//h2")) > 1:
            return node
        node = parent


def clean_tree(root: Any, *, newsletter: bool, sponsored: bool) -> dict[str, int]:
    """Remove in place what is never read. Returns how many blocks each rule removed (for the log)."""
    dropped: dict[str, int] = {}
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            _drop(el, "comment", dropped)
            continue
        tag = el.tag.lower()
        if tag in ("html", "body"):
            continue
        if tag in _DROPPED:
            _drop(el, tag if tag in ("script", "style", "iframe", "img") else "element", dropped)
        elif _is_hidden(el):
            _drop(el, "hidden", dropped)
        elif tag == "nav" or (newsletter and tag == "footer"):
            _drop(el, "navigation", dropped)
        elif not sponsored and (_SPONSOR_CLASS.search(_attr_text(el)) or el.get("data-sponsored") is not None):
            _drop(el, "sponsored", dropped)
        elif _BOILERPLATE_CLASS.search(_attr_text(el)) and (newsletter or tag not in ("article", "main")):
            _drop(el, "boilerplate", dropped)
    # Text rules, on the smallest blocks first so that a rule never takes a whole layout table.
    for el in list(root.iter()):
        if el.getparent() is None or not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        if not any(True for _ in el.iterancestors("html")):
            continue  # already removed with an ancestor
        text = squash(el.text_content())
        if not text:
            continue
        if not sponsored and len(text) < 120 and _SPONSOR_LABEL.match(text):
            _drop(_sponsored_container(el), "sponsored", dropped)
            continue
        if el.tag in _BLOCKS or el.tag in _HEADINGS or el.tag in ("a", "span", "em", "strong"):
            block = _block_of(el)
            if block.tag in ("html", "body"):
                continue
            if boilerplate(text):
                _drop(block, "boilerplate", dropped)
            elif el.tag in _BLOCKS and _social_only(el):
                _drop(el, "social", dropped)
    return dropped


def _link_text(el: Any) -> str:
    """An element's text with each link's address after it (for the show notes)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            if child.tag == "a":
                text, href = squash(child.text_content()), (child.get("href") or "").strip()
                ok = re.match(r"^(?:https?://|mailto:)[^\s<>]+$", href) and not _tool_link(href)
                parts.append(f"{text} ({href})" if ok and text and href not in text else text)
            else:
                parts.append(" " + _link_text(child) + " " if child.tag in _BLOCKS else _link_text(child))
        parts.append(child.tail or "")
    return squash("".join(parts))


def _only_link(li: Any) -> bool:
    links = li.findall(".//a")
    return len(links) == 1 and squash(links[0].text_content()) == squash(li.text_content()) != ""


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
