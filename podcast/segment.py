"""Structure -> spoken segments: French sentences, cut to what an engine accepts, with their pauses.

Each segment remembers the written sentence it comes from (``caption``) so transcripts show what
was written, while ``text`` is what the voice is asked to say.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Callable, Iterable

from .article import Article, Issue


class Kind(StrEnum):
    INTRO = "intro"
    TITLE = "title"  # an article's title
    HEADING = "heading"  # a section's Intertitre
    TEXT = "text"
    OUTRO = "outro"


class Pause(StrEnum):
    """The boundary after a segment; mastering turns each into silence (or a jingle)."""

    PHRASE = "phrase"  # inside a sentence cut for the engine's length limit
    SENTENCE = "sentence"
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    ARTICLE = "article"  # the end of an article (or of the intro): a transition follows


@dataclass(frozen=True)
class Segment:
    text: str
    kind: Kind
    article: int | None  # index into Issue.articles; None for intro and outro
    pause: Pause
    sentence: int  # running number of the written sentence this piece belongs to
    caption: str  # the written sentence, for transcripts

    def to_dict(self) -> dict:
        return asdict(self)


# --- sentences -----------------------------------------------------------------------------------

ABBREVIATIONS = (
    "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Drs", "Pr", "Me", "Mgr", "St", "Ste",
    "av", "bd", "cf", "etc", "ex", "env", "hab", "min", "max", "no", "n°", "p", "pp", "vol",
    "chap", "éd", "fig", "tél", "Cie", "Jr", "Sr", "vs", "art", "coll", "dir", "janv", "févr",
    "avr", "juil", "sept", "oct", "nov", "déc",
)
_ABBREV = "|".join(sorted((re.escape(a) for a in ABBREVIATIONS), key=len, reverse=True))
def split_sentences(paragraph: str) -> list[str]:
    """French sentence split; never loses or reorders a character other than the spaces between."""
    sentences: list[str] = []
    start = 0
    for match in re.finditer(r"([.!?…]+)([»”\"')\]]*)(\s+)(?=[«“\"(\[]?\s*[A-ZÀ-ÖØ-ÞŒ0-9])", paragraph):
        end = match.end(2)
        before = paragraph[start : match.start(1)]
        if match.group(1) == "." and _ends_with_abbreviation(before):
            continue
        sentences.append(paragraph[start:end].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


_ABBREV_END = re.compile(r"(?:^|[\s(«“\"'’-])(?:" + _ABBREV + r")$")
_INITIAL_END = re.compile(r"(?:^|[\s.(«“\"'’-])[A-ZÀ-Þ]$")


def _ends_with_abbreviation(before: str) -> bool:
    return bool(_ABBREV_END.search(before) or _INITIAL_END.search(before))


# --- length limits -------------------------------------------------------------------------------

_CUTS = (
    re.compile(r"[;:]\s"),
    re.compile(r"\s[–—]\s"),
    re.compile(r",\s(?!\d)"),
    re.compile(r"\s"),
)


def split_length(text: str, limit: int | None) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters at the best clause boundary.

    Boundaries in order of preference: ``;`` ``:``, a dash, a comma, then a space; never inside a
    word or a number. A single word longer than the limit is kept whole (engines read it anyway).
    """
    text = text.strip()
    if limit is None or len(text) <= limit:
        return [text] if text else []
    for pattern in _CUTS:
        cut = None
        for match in pattern.finditer(text, 0, limit + 1):
            # cut after punctuation, before a dash
            position = match.start() + 1 if text[match.start()] in ";:," else match.start()
            if 0 < position <= limit and text[:position].strip():
                cut = position
        if cut is not None and (pattern is _CUTS[-1] or cut >= limit // 3):
            head, tail = text[:cut].strip(), text[cut:].strip()
            return [head, *split_length(tail, limit)]
    match = re.search(r"\s", text)
    if match is None:
        return [text]
    head, tail = text[: match.start()], text[match.start() :].strip()
    return [head, *split_length(tail, limit)]


# --- issue -> segments ---------------------------------------------------------------------------

Speak = Callable[[str], str]


def _identity(text: str) -> str:
    return text


def summary(issue: Issue) -> str:
    """The spoken list of article titles: « A, B et C »."""
    titles = [a.title.rstrip(" .") for a in issue.articles]
    if len(titles) == 1:
        return titles[0]
    return ", ".join(titles[:-1]) + " et " + titles[-1]


class _Builder:
    def __init__(self, limit: int | None, speak: Speak) -> None:
        self.limit = limit
        self.speak = speak
        self.segments: list[Segment] = []
        self.sentence = 0

    def add(self, written: str, kind: Kind, article: int | None, pause: Pause) -> None:
        written = written.strip()
        if not written:
            return
        spoken = self.speak(written).strip()
        if not spoken:
            return
        pieces = split_length(spoken, self.limit)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            self.segments.append(
                Segment(piece, kind, article, pause if last else Pause.PHRASE, self.sentence, written)
            )
        self.sentence += 1

    def paragraph(self, text: str, kind: Kind, article: int | None, pause: Pause) -> None:
        sentences = split_sentences(text)
        for index, sentence in enumerate(sentences):
            self.add(sentence, kind, article, pause if index == len(sentences) - 1 else Pause.SENTENCE)

    def end_with(self, pause: Pause) -> None:
        """Lengthen the boundary after the last segment (e.g. the end of an article)."""
        if self.segments:
            last = self.segments[-1]
            self.segments[-1] = Segment(last.text, last.kind, last.article, pause, last.sentence, last.caption)


def _sentence_end(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def segment_issue(
    issue: Issue,
    *,
    intro: str = "",
    outro: str = "",
    limit: int | None = None,
    speak: Speak = _identity,
) -> list[Segment]:
    """All that the voice says for an issue, in order: intro, each article, outro.

    ``intro`` and ``outro`` are already filled-in templates; ``speak`` turns written French into
    what the engine should say (normalization and lexicon); ``limit`` is the engine's maximum.
    """
    b = _Builder(limit, speak)
    if intro.strip():
        b.paragraph(intro, Kind.INTRO, None, Pause.ARTICLE)
    for index, article in enumerate(issue.articles):
        _article(b, index, article)
        b.end_with(Pause.ARTICLE)
    if outro.strip():
        b.paragraph(outro, Kind.OUTRO, None, Pause.PARAGRAPH)
    return b.segments


def _article(b: _Builder, index: int, article: Article) -> None:
    b.add(_sentence_end(article.title), Kind.TITLE, index, Pause.HEADING)
    for section in article.sections:
        if section.heading:
            b.add(_sentence_end(section.heading), Kind.HEADING, index, Pause.HEADING)
        for paragraph in section.paragraphs:
            b.paragraph(paragraph, Kind.TEXT, index, Pause.PARAGRAPH)


def words(texts: Iterable[str]) -> list[str]:
    """The words of some texts, in order (used to check that segmentation loses nothing)."""
    return [w for t in texts for w in t.split()]
