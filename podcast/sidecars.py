"""What the feed links beside the MP3: Podcasting 2.0 JSON chapters, WebVTT and SRT transcripts,
and the HTML show notes. Cue times come from where the segments really are in the audio.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

from .article import Issue
from .segment import Segment
from .timeline import Chapter, Placed


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str


def cues(segments: Sequence[Segment], placed: Sequence[Placed]) -> list[Cue]:
    """One cue per written sentence, spanning every piece the engine spoke it in."""
    out: list[Cue] = []
    current: int | None = None
    for segment, place in zip(segments, placed):
        if segment.sentence == current:
            last = out[-1]
            out[-1] = Cue(last.start_ms, place.end_ms, last.text)
        else:
            out.append(Cue(place.start_ms, place.end_ms, segment.caption))
            current = segment.sentence
    return out


def clock(ms: int, separator: str = ".") -> str:
    """HH:MM:SS.mmm (WebVTT, Podlove normal play time) or HH:MM:SS,mmm (SRT)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _cue_text(text: str) -> str:
    # A blank line or "-->" inside a cue would end it early in both formats.
    return " ".join(text.split()).replace("-->", "→")


def webvtt(items: Sequence[Cue]) -> str:
    lines = ["WEBVTT", ""]
    for cue in items:
        text = _cue_text(cue.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines += [f"{clock(cue.start_ms, '.')} --> {clock(cue.end_ms, '.')}", text, ""]
    return "\n".join(lines)


def srt(items: Sequence[Cue]) -> str:
    lines: list[str] = []
    for number, cue in enumerate(items, 1):
        lines += [str(number), f"{clock(cue.start_ms, ',')} --> {clock(cue.end_ms, ',')}", _cue_text(cue.text), ""]
    return "\n".join(lines)


def transcript_text(items: Sequence[Cue]) -> str:
    return "\n".join(cue.text for cue in items)


def chapters_json(chapters: Sequence[Chapter], title: str) -> str:
    """Podcasting 2.0 JSON chapters, version 1.2.0."""
    doc = {
        "version": "1.2.0",
        "title": title,
        "chapters": [{"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title} for c in chapters],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def player_clock(ms: int) -> str:
    """What a listener reads: "4:05", "1:02:03"; the fraction dropped, as players show their times
    (396.8 s is 6:36 there), so notes, pages and the player agree."""
    minutes, seconds = divmod(ms // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def description(issue: Issue) -> str:
    """Plain-text summary for the feed's description and the ID3 comment."""
    parts = [issue.title + "."]
    if issue.teaser:
        parts.append(f"Et aussi : {issue.teaser}.")
    parts.append("Au sommaire : " + " ; ".join(a.title for a in issue.articles) + ".")
    return " ".join(parts)


def show_notes(issue: Issue, chapters: Sequence[Chapter]) -> str:
    """HTML show notes: the outline with chapter times, the links to read further, the credits."""
    esc = html.escape
    start_of = {c.article: c.start_ms for c in chapters if c.article is not None}
    out = [f"<p>{esc(issue.title)}</p>"]
    if issue.teaser:
        out.append(f"<p>Et aussi : {esc(issue.teaser)}</p>")
    out.append("<ol>")
    for index, article in enumerate(issue.articles):
        stamp = f"({player_clock(start_of[index])}) " if index in start_of else ""
        out.append(f"<li>{esc(stamp)}{esc(article.title)}")
        headings = [s.heading for s in article.sections if s.heading]
        if headings:
            out.append("<ul>" + "".join(f"<li>{esc(h)}</li>" for h in headings) + "</ul>")
        if article.links:
            out.append(
                "<p>Pour aller plus loin :</p><ul>"
                + "".join(f"<li>{esc(link)}</li>" for link in article.links)
                + "</ul>"
            )
        out.append("</li>")
    out.append("</ol>")
    if issue.credits:
        out.append(f"<p>Crédit photos : {esc(issue.credits)}</p>")
    return "\n".join(out)
