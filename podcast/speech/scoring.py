"""Score the reading rules on a corpus of newsroom sentences with gold readings (``scripts/score-corpus``
and tests/test_corpus.py): the spoken text is right when espeak-ng's phonemes of it are those of a gold,
so a different spelling of the same sound passes.

A corpus is a TSV file: ``family <TAB> written sentence <TAB> gold | gold ...``; ``#`` starts a comment.

A gold is a reading written in ordinary French spelling, and espeak-ng misreads a few of its
notations; :func:`heard` turns them into what a listener hears *before* taking the gold's phonemes.
It only ever touches golds, and only where the notation is unambiguous, so it makes a gold stricter,
never looser: a spoken text that still holds the notation (« L'U E » said « èl apostrophe u e »,
« Medef » said « meudef ») is still wrong.

- an elided article before spelled letters, « L'U E », « D'E D F »: the letter's name glued to the
  article (« lu E », « de D F »), as said; espeak-ng would read « èl apostrophe »;
- a name in its official spelling that espeak-ng misreads (« Medef », « Inserm »): said as the
  French say it (:data:`GOLD_NAMES`, written here, not taken from the rules' lexicon);
- « plus » before a number where the written sentence has a sign glued to a number (« +15 % »):
  the sign is said with its /s/ (« plusse »), the convention of issue 13; a gold cannot ask for
  the /s/ to be dropped;
- « W W W », the letters of www as a gold spells them: each said « double vé », as readers say it
  (espeak-ng gives the letter name a schwa, « double-eu vé »);
- a compound unit ending in « -heure » after a plural, « kilomètres-heure »: the hyphen is a word
  boundary as said; espeak-ng reads the compound with a /z/ liaison inside (« kilomètreZ-heure »)
  that no reader makes. A reading without « heure » still fails.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .phonemes import phonemes

__all__ = ["GOLD_NAMES", "Item", "Score", "heard", "load", "misses", "score", "sound", "table"]


@dataclass(frozen=True)
class Item:
    family: str
    text: str
    golds: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    item: Item
    spoken: str
    raw_right: bool  # espeak-ng alone, on the written sentence
    right: bool  # after the rules


def load(path: Path) -> list[Item]:
    """The items of a corpus file (see the module's docstring for the format)."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        family, text, *golds = line.split("\t")
        items.append(Item(family, text, tuple(g.strip() for gold in golds for g in gold.split(" | "))))
    return items


_MARKS = re.compile(r"\([a-z]{2}\)|[_'’,;:!|\-2]")
_VOWEL_START = tuple("aeEioOuyYW@A")
# Variants a French reader hears as the same reading: the schwa of "quatre(-)vingts", the t of
# "vingt", the k of "cinq" before a consonant, the v of "neuf heures", the t of "trente et un".
_VARIANTS = (
    (re.compile(r"katr@"), "katr"),
    # the t of « vingt » is optional before a consonant, but never the t of « trois » after it: a gold's
    # « quatre-vingt-trois » gives « vE~ttrw », the digits « vE~trw »; both are heard « vE~trw »
    (re.compile(r"vE~t(?=t)|vE~t(?!r)"), "vE~"),
    (re.compile(r"sE~k"), "sE~"),
    (re.compile(r"nWv"), "nWf"),
    (re.compile(r"A~te(?=W~|yn|O~z)"), "A~e"),  # the t of "trente et un", "soixante et onze"
)


def sound(text: str) -> str:
    """espeak-ng's phonemes without stress, pauses, word boundaries, optional liaisons (a z, t or n
    ending a word before a vowel) and the variants above."""
    words = [_MARKS.sub("", word) for word in phonemes(text).split()]
    words = [word for word in words if word]
    kept = []
    for word, following in zip(words, words[1:] + [""]):
        if following.startswith(_VOWEL_START) and word[-1:] in ("z", "t", "n") and len(word) > 1:
            word = word[:-1]
        kept.append(word)
    joined = "".join(kept)
    for pattern, said in _VARIANTS:
        joined = pattern.sub(said, joined)
    return joined


# --- what a gold's notation means ----------------------------------------------------------------

# The French names of the letters that can follow an elided article (the others start with a consonant).
_LETTER_NAMES = {
    "A": "a",
    "E": "e",
    "F": "èf",
    "H": "ache",
    "I": "i",
    "L": "èl",
    "M": "èm",
    "N": "ène",
    "O": "o",
    "R": "èr",
    "S": "èss",
    "U": "u",
    "X": "ix",
    "Y": "i grec",
}
_ELIDED_LETTERS = re.compile(rf"(?<!\w)([LlDdJjNnSsMmTtCc]|[Qq]u)['’]([{''.join(_LETTER_NAMES)}])(?= [A-Z](?!\w))")

GOLD_NAMES = {  # official spelling (as a gold writes it) -> how the French say it; espeak-ng misreads each
    "Medef": "Médef",
    "Inserm": "Innserm",
    "Insee": "Inn-sé",
    "Ademe": "Adème",
    "Crous": "Crousse",
    "Cnous": "Cnousse",
    "Capes": "Capès",
    "Uefa": "Uéfa",
    "Pacs": "pacse",
    "Cnes": "knès",
    "Safer": "Safère",
    "Ined": "Inède",
    "Inrae": "Inraé",
    "Alena": "Aléna",
    "Onera": "Onéra",
    "Cedeao": "Cédéao",
    "Assedic": "Assédic",
    # the French say « èsse-disse » [ɛs.dis]; espeak-ng reads the official « Sdis » [zdi]
    "Sdis": "Esdisse",
}
_GOLD_NAME = re.compile(rf"(?<![\w-])(?:{'|'.join(GOLD_NAMES)})(?![\w-])")
_SIGN = re.compile(r"(?:^|(?<=[\s(«“\"/]))\+ ?\d")
_NUMBER_WORDS = (
    "zéro|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
    "vingt|trente|quarante|cinquante|soixante|cent|mille"
)
_PLUS_NUMBER = re.compile(rf"\b([pP])lus (?=(?:{_NUMBER_WORDS})\b)")


_HOUR_COMPOUND = re.compile(r"(?<=[a-zé]s)-(?=heures?\b)")


# « W W W »: the spelled letters of www, said « double vé » each (espeak-ng gives the letter a schwa).
_SPELLED_W = re.compile(r"(?<![\w-])W W W(?![\w-])")


def heard(gold: str, written: str) -> str:
    """What a listener hears for ``gold``, a reading of the sentence ``written`` (module docstring)."""
    gold = _SPELLED_W.sub("double vé double vé double vé", gold)
    gold = _HOUR_COMPOUND.sub(" ", gold)
    gold = _ELIDED_LETTERS.sub(lambda m: m.group(1) + _LETTER_NAMES[m.group(2)], gold)
    gold = _GOLD_NAME.sub(lambda m: GOLD_NAMES[m.group(0)], gold)
    signs = len(_SIGN.findall(written))
    if signs:
        gold = _PLUS_NUMBER.sub(r"\1lusse ", gold, count=signs)
    return gold


# --- scoring -------------------------------------------------------------------------------------


def score(items: Iterable[Item], speak: Callable[[str], str]) -> list[Score]:
    """Each item read raw and through ``speak``, compared with its golds."""
    out = []
    for item in items:
        golds = {sound(heard(gold, item.text)) for gold in item.golds}
        spoken = speak(item.text)
        out.append(Score(item, spoken, sound(item.text) in golds, sound(spoken) in golds))
    return out


def table(scores: list[Score]) -> str:
    """The per-family table: items, right with raw espeak-ng, right after the rules."""
    families = Counter(s.item.family for s in scores)
    raw = Counter(s.item.family for s in scores if s.raw_right)
    ruled = Counter(s.item.family for s in scores if s.right)
    lines = [f"{'family':<15}{'items':>6}{'raw espeak':>12}{'rules':>8}"]
    for family in families:
        lines.append(
            f"{family:<15}{families[family]:>6}{raw[family] / families[family]:>12.0%}"
            f"{ruled[family] / families[family]:>8.0%}"
        )
    total = len(scores) or 1
    lines.append(
        f"{'overall':<15}{len(scores):>6}{sum(raw.values()) / total:>12.1%}{sum(ruled.values()) / total:>8.1%}"
    )
    return "\n".join(lines)


def misses(scores: list[Score]) -> tuple[list[str], list[str]]:
    """Lines for the misread items and for those the rules made wrong (espeak-ng alone was right)."""
    wrong = [
        f"  [{s.item.family}] {s.item.text!r} -> {s.spoken!r} (gold {s.item.golds[0]!r})" for s in scores if not s.right
    ]
    broken = [f"  [{s.item.family}] {s.item.text!r} -> {s.spoken!r}" for s in scores if s.raw_right and not s.right]
    return wrong, broken
