"""Normalization rules, each a plain ``str -> str`` function tested alone (tests/test_speech.py).

Written French is full of things a voice reads wrong: espeak-ng says "treize e" for "13e", "dollar
cent" for "$100", "huit ache trente" for "8 h 30", drops the minus of "-10" and pronounces "PME"
as a syllable. Google's voice copes with more, but every rule here is also right for it, so both
engines get the same text. What espeak-ng already reads right (percent, "14 milliards", "3,5",
"10 000", "800 €", "Mme", "Dr") is left alone unless a rule needs it for the order of words.

:data:`CLEANUP` runs before the show's lexicon, :data:`SAYING` after it (see ``speaker``), so the
lexicon sees the words as written and the acronym speller does not undo a lexicon entry.
"""

from __future__ import annotations

import re

# --- numbers as French words (for ordinals: "13e" -> "treizième") --------------------------------

_UNITS = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "dix-sept dix-huit dix-neuf"
).split()
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens == 7:
        return "soixante-" + ("et-onze" if unit == 1 else _UNITS[10 + unit])
    if tens == 8:
        return "quatre-vingts" if unit == 0 else "quatre-vingt-" + _UNITS[unit]
    if tens == 9:
        return "quatre-vingt-" + _UNITS[10 + unit]
    return _TENS[tens] + ("" if unit == 0 else "-et-un" if unit == 1 else "-" + _UNITS[unit])


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _below_100(rest)
    head = "cent" if hundreds == 1 else _UNITS[hundreds] + "-cent"
    if rest == 0:
        return head + ("s" if hundreds > 1 else "")
    return head + "-" + _below_100(rest)


def cardinal(n: int) -> str:
    """0 <= n < 10**9 in French words (1990 spelling: hyphens everywhere)."""
    if not 0 <= n < 10**9:
        raise ValueError(f"{n} is out of range")
    if n < 1000:
        return _below_1000(n)
    parts = []
    millions, rest = divmod(n, 10**6)
    thousands, units = divmod(rest, 1000)
    if millions:
        parts.append(_below_1000(millions) + (" million" if millions == 1 else " millions"))
    if thousands:
        word = _below_1000(thousands)
        if word.endswith(("cents", "vingts")):
            word = word[:-1]  # "deux-cent-mille", "quatre-vingt-mille"
        parts.append("mille" if thousands == 1 else word + "-mille")
    if units:
        parts.append(_below_1000(units))
    return " ".join(parts)


def ordinal(n: int, feminine: bool = False) -> str:
    """1 -> premier/première, 2 -> deuxième, 21 -> vingt-et-unième, 80 -> quatre-vingtième."""
    if n == 1:
        return "première" if feminine else "premier"
    word = cardinal(n)
    if word.endswith(("cents", "vingts")):
        word = word[:-1]
    if word.endswith("cinq"):
        return word + "uième"
    if word.endswith("neuf"):
        return word[:-1] + "vième"
    if word.endswith("e"):
        return word[:-1] + "ième"
    return word + "ième"


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_VALID_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")


def roman(text: str) -> int | None:
    """The value of a well-formed Roman numeral, else None."""
    if not text or not _VALID_ROMAN.match(text):
        return None
    total = 0
    for ch, nxt in zip(text, text[1:] + " "):
        value = _ROMAN[ch]
        total += -value if nxt != " " and _ROMAN[nxt] > value else value
    return total


# --- cleanup: what no voice should read ----------------------------------------------------------

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>«»\"“”]*[^\s<>«»\"“”.,;:!?)]", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def drop_urls(text: str) -> str:
    """A URL is read as its site name only: "https://www.lemonde.fr/x" -> "lemonde point fr"."""

    def site(match: re.Match[str]) -> str:
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0), flags=re.IGNORECASE)
        host = re.split(r"[/?#:]", host)[0].rstrip(".,;:!?)")
        return host.replace(".", " point ")

    return _URL.sub(site, text)


def drop_emails(text: str) -> str:
    """An e-mail address is spelled the French way: "a@b.fr" -> "a arobase b point fr"."""
    return _EMAIL.sub(lambda m: m.group(0).replace("@", " arobase ").replace(".", " point "), text)


_EMOJI = re.compile(
    r"\s*[\U0001f000-\U0001faff\U00002600-\U000027bf\U00002b00-\U00002bff\U0001f1e6-\U0001f1ff"
    "\U000e0020-\U000e007f\ufe0f\ufe0e\u200d\u20e3\u2190-\u21ff\u2300-\u23ff]+"
)


def drop_emoji(text: str) -> str:
    """Emoji, pictographs and arrows are dropped; ° © € and letters are kept."""
    return _EMOJI.sub("", text)


CLEANUP = (drop_urls, drop_emails, drop_emoji)

# --- saying: what a French voice should say instead of what is written ---------------------------

_CAP = r"[A-ZÀ-ÖØ-Þ]"


def titles(text: str) -> str:
    """Civil titles and common abbreviations: "M. Durand" -> "monsieur Durand", "n° 5" -> "numéro 5"."""
    text = re.sub(rf"\bMM\.\s+(?={_CAP})", "messieurs ", text)
    text = re.sub(rf"\bM\.\s+(?={_CAP})", "monsieur ", text)
    text = re.sub(r"\bMmes\b\.?", "mesdames", text)
    text = re.sub(r"\bMme\b\.?", "madame", text)
    text = re.sub(r"\bMlles\b\.?", "mesdemoiselles", text)
    text = re.sub(r"\bMlle\b\.?", "mademoiselle", text)
    text = re.sub(rf"\bDr\b\.?(?=\s+{_CAP})", "docteur", text)
    text = re.sub(rf"\bPr\b\.?(?=\s+{_CAP})", "professeur", text)
    text = re.sub(rf"\bMe\b(?=\s+{_CAP})", "maître", text)
    text = re.sub(rf"\bSte[.-](?=\s*{_CAP})", "Sainte-", text)
    text = re.sub(rf"\bSt[.-](?=\s*{_CAP})", "Saint-", text)
    text = re.sub(r"(?<!\w)[nN]°\s*", "numéro ", text)
    text = re.sub(r"\bp\.\s*(?=\d)", "page ", text)
    text = re.sub(r"\bcf\.(?=\s)", "voir", text)
    text = re.sub(r"\bav\.\s*J\.-C\.", "avant Jésus-Christ", text)
    text = re.sub(r"\bapr\.\s*J\.-C\.", "après Jésus-Christ", text)
    return re.sub(r"\bJ\.-C\.", "Jésus-Christ", text)


_ORDINAL = re.compile(r"(?<![\w,.])(\d{1,6})(ers?|res?|ères?|èmes?|es|e|nde?s?|ᵉʳ|ʳᵉ|ᵉ)(?![\w'’])")
_ROMAN_ORDINAL = re.compile(r"\b([IVX]|[IVXLC]{2,7})(ers?|res?|ères?|èmes?|es|e|ᵉʳ|ᵉ)(?![\w'’])")


def _say_ordinal(number: int, suffix: str) -> str | None:
    plural = "s" if suffix.endswith("s") and number != 1 else ""
    if suffix.startswith(("er", "ᵉʳ")):
        return "premier" + ("s" if suffix.endswith("s") else "") if number == 1 else None
    if suffix.startswith(("re", "ère", "ʳᵉ")):
        return "première" + ("s" if suffix.endswith("s") else "") if number == 1 else None
    if suffix.startswith("nd"):
        return ("seconde" if "e" in suffix else "second") + plural if number == 2 else None
    return ordinal(number) + plural


def ordinals(text: str) -> str:
    """ "1er" -> "premier", "13e" -> "treizième", "XXIe siècle" -> "vingt-et-unième siècle"."""

    def arabic(match: re.Match[str]) -> str:
        said = _say_ordinal(int(match.group(1)), match.group(2))
        return said if said is not None else match.group(0)

    def latin(match: re.Match[str]) -> str:
        value = roman(match.group(1))
        said = _say_ordinal(value, match.group(2)) if value else None
        return said if said is not None else match.group(0)

    return _ROMAN_ORDINAL.sub(latin, _ORDINAL.sub(arabic, text))


def regnal_numbers(text: str) -> str:
    """ "Louis XIV" -> "Louis 14" (espeak-ng says "quatorze romain"); only I, V, X after a name."""

    def number(match: re.Match[str]) -> str:
        value = roman(match.group(2))
        return f"{match.group(1)} {value}" if value else match.group(0)

    return re.sub(r"\b([A-ZÀ-Þ][a-zà-ÿ]+) ([IVX]{2,6})\b(?![\w'’.-])", number, text)


def times(text: str) -> str:
    """ "8 h 30" -> "8 heures 30", "20h" -> "20 heures", "9 h 05" -> "9 heures 5"."""

    def hours(match: re.Match[str]) -> str:
        hour, minutes = int(match.group(1)), match.group(2)
        said = f"{hour} heure" + ("" if hour <= 1 else "s")
        if minutes and int(minutes):
            said += f" {int(minutes)}"
        return said

    return re.sub(r"(?<![\w,.])(\d{1,2}) ?h ?(\d{2})?(?![\w'’/])", hours, text)


def signs(text: str) -> str:
    """A sign glued to a number is said: "-10 %" -> "moins 10 %", "+15" -> "plus 15"."""
    text = re.sub(r"(?:(?<=^)|(?<=[\s(«“\"]))[-−–](?=\d)", "moins ", text)
    return re.sub(r"(?:(?<=^)|(?<=[\s(«“\"]))\+(?=\d)", "plus ", text)


def percent(text: str) -> str:
    """ "49 %" -> "49 pour cent" (a unit kept with its number wherever the text is cut)."""
    return re.sub(r"(\d)\s*%", r"\1 pour cent", text)


_AMOUNT = r"\d{1,3}(?: \d{3})+|\d+"


def _euros_and_cents(match: re.Match[str]) -> str:
    euros, cents = match.group(1), match.group(2)
    said = f"{euros} euro" + ("" if euros in ("0", "1") else "s")
    return said if cents == "00" else f"{said} {int(cents)}"


def currencies(text: str) -> str:
    """Amounts said in French word order: "$100" -> "100 dollars", "2,50 €" -> "2 euros 50",
    "14 Md€" -> "14 milliards d'euros", "3 millions $" -> "3 millions de dollars"."""
    text = re.sub(rf"\b({_AMOUNT}),(\d\d)\s*€", _euros_and_cents, text)
    text = re.sub(r"(\d)\s*(?:Mds|Md|Mrds|Mrd)\s*€", r"\1 milliards d'euros", text)
    text = re.sub(r"(\d)\s*M€", r"\1 millions d'euros", text)
    text = re.sub(r"(\d)\s*k€", r"\1 mille euros", text)
    text = re.sub(r"\b(millions?|milliards?)\s*€", r"\1 d'euros", text)
    text = re.sub(r"(?<![\d,])1\s*€", "1 euro", text)
    text = re.sub(r"(\d)\s*€", r"\1 euros", text)
    text = re.sub(r"\bUS\s?\$", "$", text)
    text = re.sub(
        rf"\$\s?((?:{_AMOUNT})(?:,\d+)?)(\s+(?:millions?|milliards?))?",
        lambda m: m.group(1) + (m.group(2) + " de dollars" if m.group(2) else " dollars"),
        text,
    )
    text = re.sub(r"\b(millions?|milliards?)\s*\$", r"\1 de dollars", text)
    text = re.sub(r"(\d)\s*\$", r"\1 dollars", text)
    text = re.sub(r"(\d)\s*£", r"\1 livres", text)
    return text


_UNITS_SAID = {
    "km/h": "kilomètres-heure", "km²": "kilomètres carrés", "m²": "mètres carrés", "m³": "mètres cubes",
    "kWh": "kilowattheures", "MWh": "mégawattheures", "GWh": "gigawattheures", "TWh": "térawattheures",
    "kW": "kilowatts", "MW": "mégawatts", "GW": "gigawatts",
    "Ko": "kilooctets", "Mo": "mégaoctets", "Go": "gigaoctets", "To": "téraoctets",
    "°C": "degrés Celsius", "°F": "degrés Fahrenheit",  # espeak-ng: "degré C"
}
_UNIT = re.compile(
    r"(\d)\s?(" + "|".join(re.escape(u) for u in sorted(_UNITS_SAID, key=len, reverse=True)) + r")(?![\w²³])"
)


def units(text: str) -> str:
    """Units espeak-ng reads as syllables: "3 Go" -> "3 gigaoctets", "130 km/h" -> "130 kilomètres-heure"."""
    return _UNIT.sub(lambda m: f"{m.group(1)} {_UNITS_SAID[m.group(2)]}", text)


def symbols(text: str) -> str:
    """ "&" -> "et" between words."""
    return re.sub(r"\s&\s", " et ", text)


_ACRONYM = re.compile(r"(?<![\w.-])([A-Z]{2,5})(?![\w'’-]|\.\w)")


def spell_acronyms(text: str) -> str:
    """All-capital words a voice cannot pronounce are spelled: "PME" -> "P M E", "UE" -> "U E".

    A word with two vowels or more among consonants (NASA, FAIR, OTAN) is left to be read as a word;
    Roman numerals are left alone; the lexicon decides anything else ("CAC" = "cac").
    """

    def spell(match: re.Match[str]) -> str:
        word = match.group(1)
        vowels = sum(ch in "AEIOUY" for ch in word)
        if set(word) <= set("IVX") or (1 < vowels < len(word)):
            return word
        return " ".join(word)

    return _ACRONYM.sub(spell, text)


SAYING = (titles, ordinals, regnal_numbers, times, signs, currencies, percent, units, symbols, spell_acronyms)

RULES = CLEANUP + SAYING
