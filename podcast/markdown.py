"""Markdown -> the plain one-line-per-paragraph shape that :mod:`podcast.article` reads.

The first ``#`` heading is the issue's title and any later ``#`` heading an article's title;
``##`` and deeper open a section (spoken as a heading); list items become one sentence each (and
links under "Pour aller plus loin" keep their address for the show notes); emphasis and code marks
are dropped, links keep only their text, images, code blocks and HTML tags are not spoken.
"""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>]+)>")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|(?<!\w)_|`)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")


def inline(text: str, *, keep_urls: bool = False) -> str:
    """Links reduced to their text (``text (url)`` with ``keep_urls``), emphasis and code marks
    dropped, images and HTML tags removed."""
    text = _IMAGE.sub("", text)
    if keep_urls:
        text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(2) else m.group(1), text)
    else:
        text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…", ":", ";", "»", "”", '"')) else text + "."


def to_plain(text: str) -> str:
    """Markdown text -> plain text in the shape described in the README ("Writing articles")."""
    from .article import is_links_header

    out: list[str] = []
    paragraph: list[str] = []
    in_links = False
    in_code = False

    def flush() -> None:
        if paragraph:
            out.append(" ".join(paragraph))
            paragraph.clear()

    for raw in text.split("\n"):
        if _FENCE.match(raw):
            flush()
            in_code = not in_code
            continue
        line = raw.strip()
        if in_code or line.startswith("|"):
            continue  # code and tables are not read aloud
        if not line or _RULE.match(line):
            flush()
            continue
        if m := _HEADING.match(line):
            flush()
            in_links = False
            level, heading = len(m.group(1)), inline(m.group(2)).rstrip(" .:")
            if level == 1:
                out.append(heading)  # the issue title, then article titles
            elif heading:
                out.append(f"## {heading}")  # a section heading, as article.py reads it
            continue
        if m := _ITEM.match(line):
            flush()
            item = inline(m.group(1), keep_urls=in_links)
            if not item:
                continue
            out.append(f"– {item}" if in_links else f"– {_sentence(item)}")
            continue
        if line.startswith(">"):
            line = line.lstrip("> ").strip()
        line = inline(line)
        if not line:
            continue
        if not paragraph and is_links_header(line):
            flush()
            out.append(line)
            in_links = True
            continue
        in_links = False
        paragraph.append(line)
    flush()
    return "\n".join(out)
