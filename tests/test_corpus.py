"""The newsroom corpora: French sentences a newsletter prints, each with how a newsroom reader says
it. tests/corpus/newsroom.tsv was written alongside the rules; newsroom-independent-1.tsv by an editor
who never read them, so it tells whether the rules are general. Scored on espeak-ng's phonemes, so a
different spelling of the same sound passes: the spoken text (after the rules and the lexicon) must
sound like one of the golds.

Run with ``-s`` to see the per-family table (raw espeak-ng vs the rules).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from podcast.speech import default_lexicon, speaker
from podcast.speech.phonemes import phonemes

CORPUS = Path(__file__).parent / "corpus" / "newsroom.tsv"
INDEPENDENT = Path(__file__).parent / "corpus" / "newsroom-independent-1.tsv"
CORPORA = {"newsroom": (CORPUS, 400), "independent-1": (INDEPENDENT, 150)}  # file, fewest items
OVERALL = 0.95


@dataclass(frozen=True)
class Item:
    family: str
    text: str
    golds: tuple[str, ...]


def load(path: Path | None = None) -> list[Item]:
    items = []
    for line in (path or CORPUS).read_text(encoding="utf-8").splitlines():
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
    (re.compile(r"vE~t"), "vE~"),
    (re.compile(r"sE~k"), "sE~"),
    (re.compile(r"nWv"), "nWf"),
    (re.compile(r"A~te(?=W~|yn|O~z)"), "A~e"),
)  # the t of "trente et un", "soixante et onze"


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


@dataclass(frozen=True)
class Score:
    item: Item
    spoken: str
    raw_right: bool
    right: bool


@pytest.fixture(scope="module", params=sorted(CORPORA))
def corpus(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def scores(corpus: str) -> list[Score]:
    speak = speaker(default_lexicon())
    out = []
    for item in load(CORPORA[corpus][0]):
        golds = {sound(gold) for gold in item.golds}
        spoken = speak(item.text)
        out.append(Score(item, spoken, sound(item.text) in golds, sound(spoken) in golds))
    return out


def table(scores: list[Score]) -> str:
    families = Counter(s.item.family for s in scores)
    raw = Counter(s.item.family for s in scores if s.raw_right)
    ruled = Counter(s.item.family for s in scores if s.right)
    lines = [f"{'family':<15}{'items':>6}{'raw espeak':>12}{'rules':>8}"]
    for family in families:
        lines.append(
            f"{family:<15}{families[family]:>6}{raw[family] / families[family]:>12.0%}"
            f"{ruled[family] / families[family]:>8.0%}"
        )
    total = len(scores)
    lines.append(f"{'overall':<15}{total:>6}{sum(raw.values()) / total:>12.1%}{sum(ruled.values()) / total:>8.1%}")
    return "\n".join(lines)


def test_corpus_is_large_and_well_formed(corpus: str) -> None:
    path, fewest = CORPORA[corpus]
    items = load(path)
    assert len(items) >= fewest
    assert all(item.golds and all(item.golds) for item in items)
    assert len({item.text for item in items}) == len(items), "duplicate sentences"


def test_newsroom_reading_score(corpus: str, scores: list[Score]) -> None:
    print(f"\n{corpus}\n" + table(scores))
    wrong = [f"  [{s.item.family}] {s.item.text!r} -> {s.spoken!r}" for s in scores if not s.right]
    if wrong:
        print("misread:\n" + "\n".join(wrong))
    assert sum(s.right for s in scores) / len(scores) >= OVERALL


def test_rules_never_break_what_espeak_reads_right(scores: list[Score]) -> None:
    broken = [f"{s.item.text!r} -> {s.spoken!r}" for s in scores if s.raw_right and not s.right]
    assert not broken, "\n".join(broken)


def test_the_scorer_can_fail() -> None:
    """Two spellings of one sound are equal; two readings that differ are not."""
    assert sound("Le knès prépare") == sound("Le Cnès prépare")
    assert sound("vingt et une heures") != sound("vingt et un heures")
    assert sound("un virgule cinq milliard") != sound("un virgule cinq mètres")
    assert sound("huit cents euros") == sound("800 euros") and sound("L'I A transforme") != sound("li A transforme")
