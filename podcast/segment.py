"""Structure -> spoken segments: French sentences, cut to what an engine accepts, with their pauses.

Each segment remembers the written sentence it comes from (``caption``) so transcripts show what
was written, while ``text`` is what the voice is asked to say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum

from .article import Article, Issue


class Kind(StrEnum):
    """A segment's role: who says it (the host: all but the body; the reader: the body) and how."""

    INTRO = "intro"
    TRANSITION = "transition"  # the host's words around an article's title: « Sujet suivant : »
    TITLE = "title"  # an article's title
    HEADING = "heading"  # a section's Intertitre
    BODY = "body"  # the articles' text, said by the reader
    TEXT = "body"  # (an alias of BODY: the name segments had before roles)
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

    @property
    def role(self) -> str:
        """intro, transition, title, heading, body or outro (``preview --json``)."""
        return self.kind.value


# --- sentences -----------------------------------------------------------------------------------

# A period after these is not the end of a sentence: they precede a name, a number or a year.
# ("etc.", "min.", "hab." are left out on purpose: before a capital they usually end a sentence.)
TITLES = ("M", "MM", "Mr", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Drs", "Pr", "Prof", "Me", "Mgr", "St", "Ste", "Vve")
# ranks before a name ("le col. Martin", "l'adj. Roux"), as a local daily prints them
RANKS = (
    *("cdt", "Cdt", "cne", "Cne", "lt", "Lt", "col", "Col", "gal", "Gal", "gén", "Gén"),
    *("adj", "Adj", "sgt", "Sgt", "brig", "Brig"),
)
ABBREVIATIONS = (
    TITLES
    + RANKS
    + (
        "av",
        "apr",
        "bd",
        "cf",
        "ex",
        "env",
        "no",
        "n°",
        "p",
        "pp",
        "t",
        "vol",
        "Vol",
        "chap",
        "éd",
        "Éd",
        "fig",
        "tél",
        "Cie",
        "Jr",
        "Sr",
        "vs",
        "art",
        "dir",
        "janv",
        "févr",
        "fév",
        "avr",
        "juil",
        "sept",
        "oct",
        "nov",
        "déc",
        # weekdays before a date ("sam. 14 juin"), street types and limits before a number or a name
        "lun",
        "mar",
        "mer",
        "jeu",
        "ven",
        "sam",
        "dim",
        "pl",
        "fg",
        "min",
        "max",
        "approx",
    )
)
_ABBREV = "|".join(sorted((re.escape(a) for a in ABBREVIATIONS), key=len, reverse=True))
_TITLE = "|".join(sorted((re.escape(a) for a in TITLES), key=len, reverse=True))
_SENTENCE_END = re.compile(
    r"(?P<stop>[.!?…]+)(?P<close>(?:\s?[»”\"')\]])*)(?P<space>\s+)"
    r"(?=[«“\"(\[]?\s*(?:[A-ZÀ-ÖØ-ÞŒ0-9]|[a-z]+[A-Z]|[–—]\s))"  # a capital, a digit, "iPhone", a dialogue dash
)
# Words that start a French sentence, not a name: after "déc." or "U.S.A." they mean a new sentence.
_STARTERS = frozenset(
    "Il Elle Ils Elles On Nous Vous Je Tu Le La Les L’ L' Un Une Des Du De D’ D' Au Aux À Ce Cet Cette Ces "
    "Mais Et Or Donc Car Puis Ensuite Enfin Selon Depuis Après Avant Pour Dans En Son Sa Ses Leur Leurs "
    "Cela Ceci Ça Y Si Quand Lorsque Alors Pourtant Toutefois Cependant".split()
)


def split_sentences(paragraph: str) -> list[str]:
    """French sentence split; never loses or reorders a character other than the spaces between.

    A sentence ends at . ! ? or … (with its closing quotes or brackets, « » included) followed by
    a capital or a digit; not after a title or abbreviation (M. Durand, n°, p. 12) nor after a
    single capital (U.S., J. K. Rowling). Decimal commas and points ("3,5", "3.5") never end one.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        # only the last few characters decide: a long sentence is never scanned again (linear time)
        before = paragraph[max(start, match.start("stop") - 12) : match.start("stop")]
        if match.group("stop") == "." and _ends_with_abbreviation(before):
            following = paragraph[match.end() : match.end() + 12].split(None, 1)
            word = re.split(r"(?<=['’])", following[0], maxsplit=1)[0] if following else ""
            if _TITLE_END.search(before) or word not in _STARTERS:
                continue
        sentences.append(paragraph[start : match.end("close")].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


_ABBREV_END = re.compile(r"(?:^|[\s(«“\"'’-])(?:" + _ABBREV + r")$")
_TITLE_END = re.compile(r"(?:^|[\s(«“\"'’-])(?:" + _TITLE + r")$")
_INITIAL_END = re.compile(r"(?:^|[\s.(«“\"'’-])[A-ZÀ-Þ]$")


def _ends_with_abbreviation(before: str) -> bool:
    return bool(_ABBREV_END.search(before) or _INITIAL_END.search(before))


# --- length limits -------------------------------------------------------------------------------

# Cost of cutting at a space, by what surrounds it (lower is better).
_CLAUSE, _DASH, _COMMA, _BRACKET, _CONJUNCTION, _SPACE, _WEAK = 0.0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.9
_CONJUNCTIONS = frozenset(
    "et ou mais qui que qu’ qu' dont où car donc puis lorsque quand alors afin pour avec sans "
    "selon dans sur par comme si tandis parce malgré après avant depuis".split()
)
_CLINGING = frozenset(  # a piece should not end with these: they belong to what follows
    "le la les l’ l' un une des du de d’ d' au aux à en ce cet cette ces son sa ses leur leurs mon "
    "ma mes ton ta tes notre nos votre vos plus très moins pour par sur dans avec sans chez vers entre "
    "contre sous que qu’ qu' grand grande grands grandes petit petite petits petites nouveau nouvel "
    "nouvelle nouveaux nouvelles premier première premiers premières dernier dernière derniers "
    "dernières ancien ancienne jeune vieux vieille bon bonne mauvais mauvaise autre autres même seul "
    "seule chaque plusieurs quelques certains certaines tout toute tous toutes".split()
)
_NAMED = frozenset(  # never cut between these and the name that follows
    "monsieur madame mademoiselle messieurs mesdames docteur professeur maître monseigneur saint "
    "sainte président présidente".split()
)
_MONTHS = frozenset("janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split())
_UNIT_WORDS = frozenset(  # a number and these are one thing: "20 pour cent", "8 heures 30"
    "pour euro euros dollar dollars heure heures minute minutes seconde secondes jour jours an ans "
    "million millions milliard milliards mille mètre mètres kilomètres kilos grammes degré degrés centime "
    "centimes litre litres tonne tonnes".split()
)
_NUMBERED = frozenset(  # these and their number are one thing: "paragraphe 2", "numéro 5", "tome 3"
    "numéro numéros paragraphe paragraphes article articles chapitre tome page pages volume".split()
)
_NUMBER = re.compile(r"^[-+−]?\d[\d,.]*$")
_NO_SPACE_BEFORE = tuple(":;!?»”)%€$")
_NO_SPACE_AFTER = tuple("«“([")


def _cut_cost(prev: str, nxt: str) -> float | None:
    """How good a cut between the words ``prev`` and ``nxt`` is; None where it must not be."""
    if nxt.startswith(_NO_SPACE_BEFORE) or prev.endswith(_NO_SPACE_AFTER):
        return None
    if _NUMBER.match(prev) and re.match(r"^\d{3}\b", nxt):
        return None  # inside a number written with spaces: "10 000"
    if len(prev) == 1 and len(nxt.rstrip(".,;:!?")) == 1 and prev.isupper() and nxt[0].isupper():
        return None  # inside a spelled acronym: "G P T"
    bare_next = nxt.rstrip(".,;:!?")
    if prev[:1].isupper() and len(bare_next) == 1 and bare_next.isupper():
        return None  # a name and its spelled part: "Open A I"
    if prev.lower() == "pour" and bare_next == "cent":
        return None
    if prev.lower() in ("heure", "heures") and bare_next.isdigit():
        return None  # "8 heures 30"
    if prev.lower() in _NUMBERED and bare_next[:1].isdigit():
        return None
    if prev.lower() in _NAMED and nxt[:1].isupper():
        return None  # "monsieur Dupont"
    if (
        prev in _MONTHS
        and re.match(r"^\d{4}\b", nxt)
        or ((_NUMBER.match(prev) or prev in ("premier", "1er")) and bare_next in _MONTHS)
    ):
        return None  # "premier janvier 2026"
    if _NUMBER.match(prev) and bare_next.lower() in _UNIT_WORDS:
        return None
    if prev.endswith((";", ":")):
        return _CLAUSE
    if nxt in ("–", "—") or prev in ("–", "—"):
        return _DASH if nxt in ("–", "—") else _WEAK
    if prev.endswith(",") and not nxt[:1].isdigit():
        return _COMMA
    if prev.endswith((")", "»", "”")) or nxt.startswith(("(", "«", "“")):
        return _BRACKET
    if _NUMBER.match(prev) or prev.lower() in _CLINGING:
        return _WEAK
    if nxt.lower() in _CONJUNCTIONS:
        return _CONJUNCTION
    return _SPACE


_SPACE_RUN = re.compile(r"\s+")
_WORD_AROUND = 60  # characters looked at on each side of a space to know its words


def _best_cut(window: str, limit: int, remaining: int) -> int | None:
    """Where to end the first piece of a text starting with ``window`` (``remaining`` characters in
    all): the cheapest allowed space within ``limit``, or None. Looks at ``window`` only, so
    cutting a long text is linear in its length."""
    pieces = -(-remaining // limit)
    target = remaining / pieces
    best: tuple[float, int] | None = None
    fallback: tuple[float, int] | None = None
    for match in _SPACE_RUN.finditer(window):
        position = match.start()
        if position > limit:
            break
        if position == 0:
            continue
        head = window[max(0, position - _WORD_AROUND) : position].rsplit(None, 1)
        tail = window[match.end() : match.end() + _WORD_AROUND].split(None, 1)
        if not head or not tail:
            continue
        cost = _cut_cost(head[-1], tail[0])
        balance = 0.25 * abs(position - target) / limit
        if position < min(15, limit // 3):
            balance += 1.0  # a tiny piece sounds like a stutter
        if remaining - match.end() > (pieces - 1) * limit:
            balance += 0.1  # this cut needs one more piece than necessary: a comma is still worth it
        if cost is None:
            candidate = (2.0 + balance, position)
            fallback = candidate if fallback is None or candidate < fallback else fallback
            continue
        candidate = (cost + balance, position)
        if best is None or candidate < best:
            best = candidate
    chosen = best or fallback
    return chosen[1] if chosen else None


def split_length(text: str, limit: int | None) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters at the best clause boundary.

    Boundaries in order of preference: ``;`` ``:``, a dash, a comma, a bracket, before a
    conjunction, then any space, with pieces of even length; never inside a word or a number (nor
    between a number and its unit when avoidable). Only spaces are removed, so the words of the
    pieces are exactly the words of ``text``. A single word longer than the limit is kept whole.
    """
    text = text.strip()
    if not text:
        return []
    if limit is None:
        return [text]
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    start, end = 0, len(text)
    space = re.compile(r"\s")
    while end - start > limit:
        window = text[start : start + limit + _WORD_AROUND + 1]
        cut = _best_cut(window, limit, end - start)
        if cut is None:  # the first word alone is longer than the limit
            match = space.search(text, start)
            if match is None:
                break
            cut = match.start() - start
        pieces.append(text[start : start + cut].strip())
        start += cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append(text[start:])
    return pieces


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


# Engines without a length limit still get sentences of at most this many characters (about a
# minute of speech): a text pasted without punctuation is otherwise one segment of an hour, held
# in memory whole and spoken on one core (28 unpunctuated minutes peaked at 415 MB).
LONGEST_SEGMENT = 1000


class _Builder:
    def __init__(self, limit: int | None, speak: Speak) -> None:
        self.limit = limit if limit is not None else LONGEST_SEGMENT
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
            self.segments.append(Segment(piece, kind, article, pause if last else Pause.PHRASE, self.sentence, written))
        self.sentence += 1

    def line(self, parts: Sequence[tuple[str, Kind]], written: str, article: int | None, pause: Pause) -> None:
        """One written sentence said in parts of different roles (« Sujet suivant : » + a title)."""
        pieces: list[tuple[str, Kind]] = []
        for text, kind in parts:
            spoken = self.speak(text.strip()).strip() if text.strip() else ""
            pieces += [(piece, kind) for piece in split_length(spoken, self.limit)]
        for index, (piece, kind) in enumerate(pieces):
            last = index == len(pieces) - 1
            self.segments.append(Segment(piece, kind, article, pause if last else Pause.PHRASE, self.sentence, written))
        if pieces:
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


Transition = tuple[str, str]  # the host's words before and after an article's title (either may be "")


def segment_issue(
    issue: Issue,
    *,
    intro: str = "",
    outro: str = "",
    limit: int | None = None,
    speak: Speak = _identity,
    transitions: Sequence[Transition] = (),
) -> list[Segment]:
    """All that the voices say for an issue, in order: intro, each article, outro.

    ``intro`` and ``outro`` are already filled-in templates; ``transitions`` gives, per article, the
    host's words before and after its title (« Sujet suivant : », « ») : they and the title are one
    written sentence, in segments of their own roles. ``speak`` turns written French into what the
    engine should say (normalization and lexicon); ``limit`` is the engine's maximum.

    A lone article's title is said once: not again when the intro already says it.
    """
    b = _Builder(limit, speak)
    if intro.strip():
        b.paragraph(intro, Kind.INTRO, None, Pause.ARTICLE)
    lone = len(issue.articles) == 1
    for index, article in enumerate(issue.articles):
        said = lone and _says(intro, article.title)
        around = transitions[index] if index < len(transitions) else ("", "")
        _article(b, index, article, around, title=not said)
        b.end_with(Pause.ARTICLE)
    if outro.strip():
        b.paragraph(outro, Kind.OUTRO, None, Pause.PARAGRAPH)
    return b.segments


def _says(text: str, title: str) -> bool:
    """Whether ``text`` already says ``title`` (case and final punctuation aside)."""
    wanted = title.strip().rstrip(" .!?…").casefold()
    return bool(wanted) and wanted in text.casefold()


def _article(b: _Builder, index: int, article: Article, around: Transition, *, title: bool = True) -> None:
    if title:
        before, after = around
        if not re.search(r"\w", after):  # "." or nothing after the title: the title ends the sentence
            name, after = _sentence_end(article.title), ""
        else:
            name = article.title.strip().rstrip(" .")
        if before.strip() or after.strip():
            parts = [(before, Kind.TRANSITION), (name, Kind.TITLE), (after, Kind.TRANSITION)]
            b.line(parts, f"{before}{name}{after}".strip(), index, Pause.HEADING)
        else:
            b.add(name, Kind.TITLE, index, Pause.HEADING)
    for section in article.sections:
        if section.heading:
            b.add(_sentence_end(section.heading), Kind.HEADING, index, Pause.HEADING)
        for paragraph in section.paragraphs:
            b.paragraph(paragraph, Kind.BODY, index, Pause.PARAGRAPH)


def words(texts: Iterable[str]) -> list[str]:
    """The words of some texts, in order (used to check that segmentation loses nothing)."""
    return [w for t in texts for w in t.split()]
