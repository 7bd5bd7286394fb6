"""Acronyms: said as words (« la Cnil », « l'Otan ») or spelled (« l'O C D E »), the elided article
kept readable before a spelled one (« L'IA » -> « li A », never « L apostrophe I A »).

A curated French lexicon (acronyms-fr.toml) decides the known ones; the rule for the rest spells
what has three letters or fewer and what a French reader could not pronounce as a word.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

_VOWELS = "AEIOUY"
# A French word's shape: an onset, then vowels separated by the clusters French allows.
_PRONOUNCEABLE = re.compile(
    r"^(?:[BCDFGKPTV][LR]|[CPST]H|S[CKPTM]|[B-DF-HJ-NP-TV-Z])?"
    r"(?:[AEIOUY]{1,2}(?:[BCDFGKPTV][LR]|[LMNRS][B-DF-HJ-NP-TV-Z]|[B-DF-HJ-NP-TV-Z])?)+$"
)
_ROMAN = re.compile(r"^[IVXLC]+$")


@cache
def lexicon() -> dict[str, str]:
    """The curated acronyms: written -> what to say (words and spelled ones together)."""
    text = resources.files(__package__).joinpath("acronyms-fr.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {**data.get("words", {}), **data.get("spelled", {})}


@cache
def _title_words() -> tuple[re.Pattern[str], dict[str, str]]:
    """The curated word-acronyms as a newsroom also prints them, in title case ("Medef", "Inserm",
    "Crous"): espeak-ng misreads many ("meudef", "insert-m"), so they are said as their capital form."""
    data = tomllib.loads(resources.files(__package__).joinpath("acronyms-fr.toml").read_text(encoding="utf-8"))
    table = {
        key.title(): said
        for key, said in data.get("words", {}).items()
        if len(key) >= 4 and key.isalpha() and key.isupper() and said.lower() != key.lower()
    }
    return re.compile(rf"(?<![\w-])(?:{'|'.join(sorted(table, key=len, reverse=True))})(?![\w-]|\.\w)"), table


@cache
def _mixed_case() -> re.Pattern[str] | None:
    """The curated acronyms printed with a lower-case letter inside ("SCoT", "PLUi"), which the
    all-capital rule does not see."""
    mixed = [key for key in lexicon() if not key.isupper() and not (key.endswith("m") and key[:-1].isupper())]
    if not mixed:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(sorted(mixed, key=len, reverse=True))})(?![\w-]|\.\w)")


def mixed_acronyms(text: str) -> str:
    """ "le SCoT" -> "le Scot", "le PLUi" -> "le P L U I" (espeak-ng reads "plui")."""
    pattern = _mixed_case()
    return pattern.sub(lambda m: lexicon()[m.group(0)], text) if pattern else text


def title_acronyms(text: str) -> str:
    """A word-acronym printed in title case said like its capitals: "le Medef" -> "le Médef",
    "l'Inserm" -> "l'Innserm", "le Crous" -> "le Crousse"."""
    pattern, table = _title_words()
    return pattern.sub(lambda m: table[m.group(0)], text)


def spelled(word: str) -> bool:
    """Whether an unknown all-capital word is spelled: three letters or fewer, or not a French
    syllable shape (CNRS, OCDE); NATO-like words (OTAN, ALENA) are read."""
    if len(word) <= 3:
        return True
    if not any(ch in _VOWELS for ch in word):
        return True
    return not _PRONOUNCEABLE.match(word)


def _spell(word: str) -> str:
    return " ".join(word)


_WORD = re.compile(r"(?<![\w.-])([A-Z][A-Z]{1,7}(?:m)?(?:-[A-Z]{1,6})?)(?=$|[^\w'’-]|-[a-zà-ÿ\d])(?!\.\w)")
_ELIDED = re.compile(r"\b([LlDdJjNnSs]|[Qq]u)['’]([A-Z])(?= [A-Z]\b)")


def acronyms(text: str) -> str:
    """All-capital words as a newsroom says them: "PME" -> "P M E", "CNIL" -> "Cnile", "OCDE" ->
    "O C D E", "AP-HP" -> "A P H P", "UFC-Que Choisir" -> "U F C Que Choisir", "ARNm" -> "A R N
    messager", "JO2024" -> "J O 2024", "COP28" -> "Cop 28"; Roman numerals are left to the rules that
    know their context."""
    known = lexicon()

    def say(match: re.Match[str]) -> str:
        word = match.group(1)
        if word in known:
            return known[word]
        if "-" in word:
            return " ".join(say_one(part) for part in word.split("-"))
        return say_one(word)

    def say_one(word: str) -> str:
        if word in known:
            return known[word]
        if word.endswith("m") and word[:-1] in known:
            return known[word[:-1]] + " messager"
        if _ROMAN.match(word):
            return word
        return _spell(word) if spelled(word) else word

    text = re.sub(r"\b([A-Z]{2,6})-(?=[A-Z][a-z])", r"\1 ", text)  # "UFC-Que Choisir"
    text = re.sub(r"\b([A-Z]{1,5})(\d{1,4})\b", r"\1 \2", text)  # "JO2024", "CO2", "COP28", "TF1"
    return elisions(_WORD.sub(say, title_acronyms(mixed_acronyms(text))))


def elisions(text: str) -> str:
    """An elided article or pronoun before a spelled acronym is glued to its first letter: "L'I A"
    -> "li A", "d'O M S" -> "do M S" (a voice would otherwise say the apostrophe or the letter L)."""
    return _ELIDED.sub(lambda m: m.group(1) + m.group(2).lower(), text)
