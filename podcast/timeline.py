"""Where things are in a mastered episode: what the mastering stage hands to tags, sidecars and feed.

Plain values in milliseconds (segments placed, chapters), and the pauses the timeline is laid out
with. Nothing here touches sound, so the later stages read the timeline without importing ffmpeg.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .segment import Kind, Pause, Segment

if TYPE_CHECKING:
    from .config import AudioConfig


@dataclass(frozen=True)
class Placed:
    """A segment's place in the episode, in milliseconds."""

    index: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int
    article: int | None


@dataclass(frozen=True)
class Mastered:
    """The episode MP3 and its timeline: what the mastering stage returns."""

    path: Path
    duration_ms: int
    placed: tuple[Placed, ...]
    chapters: tuple[Chapter, ...]
    chunks: int = 1  # how many chunks the episode was cut into
    reused: int = 0  # of which taken, already encoded, from the chunk store


def pause_seconds(pause: Pause, cfg: AudioConfig) -> float:
    return {
        Pause.PHRASE: cfg.pause_phrase,
        Pause.SENTENCE: cfg.pause_sentence,
        Pause.PARAGRAPH: cfg.pause_paragraph,
        Pause.HEADING: cfg.pause_heading,
        Pause.ARTICLE: cfg.pause_article,
    }[pause]


def pause_after(segment: Segment, following: Segment | None, cfg: AudioConfig) -> float:
    """The silence after a segment: its own boundary, longer before a heading (around it, then)."""
    seconds = pause_seconds(segment.pause, cfg)
    if following is not None and following.kind is Kind.HEADING:
        seconds = max(seconds, cfg.pause_heading)
    return seconds


def chapters(
    segments: Sequence[Segment],
    transitions: Sequence[int],
    duration_ms: int,
    titles: Sequence[str],
    intro_title: str,
) -> tuple[Chapter, ...]:
    """The intro, then one chapter per article starting at the transition jingle before it
    (``transitions``: where each article's jingle starts, in ms)."""
    marks: list[tuple[str, int, int | None]] = [(intro_title, 0, None)]
    articles: list[int] = []
    for s in segments:
        if s.article is not None and (not articles or articles[-1] != s.article):
            articles.append(s.article)
    for article, start in zip(articles, transitions):
        marks.append((titles[article], start, article))
    if len(marks) > 1 and marks[1][1] == 0:
        marks.pop(0)  # no spoken intro: the first article starts the episode
    found = []
    for i, (title, start, of) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else duration_ms
        found.append(Chapter(title, start, end, of))
    return tuple(found)
