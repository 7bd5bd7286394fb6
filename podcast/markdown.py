"""Markdown -> the plain one-line-per-paragraph shape that :mod:`podcast.article` reads.

``#`` is the title, ``##`` opens a section (spoken as a heading), list items become sentences,
emphasis and code marks are dropped and links keep only their text.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")


def inline(text: str) -> str:
    """Links reduced to their text, emphasis and code marks dropped."""
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text.strip()


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…", ":", ";")) else text + "."


def to_plain(text: str) -> str:
    out: list[str] = []
    paragraph: list[str] = []
    pending_heading: str | None = None
    title_seen = False

    def flush() -> None:
        nonlocal pending_heading
        if not paragraph:
            return
        body = " ".join(paragraph)
        paragraph.clear()
        if pending_heading:
            body = f"{pending_heading} – {body}"
            pending_heading = None
        out.append(body)

    for raw in text.split("\n"):
        line = raw.strip()
        if not line or re.fullmatch(r"[-*_]{3,}", line):
            flush()
            continue
        if m := _HEADING.match(line):
            flush()
            level, heading = len(m.group(1)), inline(m.group(2))
            if level == 1 and not title_seen:
                out.append(heading)
                title_seen = True
            else:
                if pending_heading:
                    out.append(_sentence(pending_heading))
                pending_heading = heading.rstrip(" .:")
            continue
        if m := _ITEM.match(line):
            flush()
            paragraph.append(_sentence(inline(m.group(1))))
            continue
        if line.startswith(">"):
            line = line.lstrip("> ")
        paragraph.append(inline(line))
    flush()
    return "\n".join(out)
