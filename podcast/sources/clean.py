"""What a reader never sees, found in an HTML tree and removed before it is read: scripts, styles,
hidden elements, images and frames, newsletter boilerplate (« Voir la version en ligne », « Se
désabonner », preference centre, social and sharing links, legal footers) and, unless the show asks
for them, sponsored blocks. The rules are data (class names, labels, link targets) and tested alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree

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
