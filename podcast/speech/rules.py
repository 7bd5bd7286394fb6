"""Normalization rules, each a plain ``str -> str`` function tested alone (tests/test_speech.py).

Written French is full of things a voice reads wrong: espeak-ng says "quatorze zéro sept" for
"14/07", "dollar cent" for "$100", "huit ache trente" for "8 h 30", "quatre romain" for "chapitre
IV", drops the /s/ of "+12 %" and pronounces "OCDE" as a syllable. Google's voice copes with more,
but every rule here is also right for it, so both engines get the same text. What espeak-ng already
reads right ("2025", "14 milliards", "3,5", "10 000", "800 €", "Dr") is left alone unless a rule
needs it for the order or agreement of words.

The rules live by family: :mod:`.numbers` (dates, times, fractions, scores, money...),
:mod:`.words` (abbreviations, titles, ordinals, Roman numerals), :mod:`.acronyms`; this module
holds the cleanup, units and signs, and the order they run in. :data:`CLEANUP` runs before the
show's lexicon, :data:`SAYING` after it (see ``speaker``), so the lexicon sees the words as written
and the acronym rule does not undo a lexicon entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .acronyms import acronyms
from .numbers import (
    cardinal,
    cup_rounds,
    currencies,
    dates,
    decimals,
    durations,
    elided_one,
    feminine_numbers,
    fractions,
    ordinal,
    percent,
    phone_numbers,
    ratings,
    roman,
    scores,
    signs,
    times,
)
from .words import ordinals, regnal_numbers, titles

__all__ = [
    "CLEANUP",
    "RULES",
    "SAYING",
    "acronyms",
    "cardinal",
    "hashtag_words",
    "cup_rounds",
    "currencies",
    "dates",
    "decimals",
    "drop_emails",
    "drop_emoji",
    "drop_urls",
    "say_host",
    "say_hyphens",
    "durations",
    "elided_one",
    "every_other",
    "feminine_numbers",
    "fractions",
    "ordinal",
    "ordinals",
    "carbon",
    "arrows",
    "percent",
    "phone_numbers",
    "rates",
    "ratings",
    "regnal_numbers",
    "roman",
    "scores",
    "signs",
    "symbols",
    "times",
    "titles",
    "typography",
    "units",
    "yields",
    "web_names",
]

# --- cleanup: what no voice should read ----------------------------------------------------------

# French press typography: no-break spaces (before « ; : ! ? », inside guillemets, between a number and
# its unit, and as the thousands separator: « 12 500 »), the typographic apostrophe, non-breaking
# hyphens and the minus sign. Each becomes the plain character the rules below look for; a space
# between digit groups stays a space, which the rules and espeak-ng read as a thousands separator.
_TYPOGRAPHY = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u200a": " ",  # hair space
        "\u2002": " ",
        "\u2003": " ",
        "\u2004": " ",
        "\u2005": " ",
        "\u2006": " ",
        "\u2008": " ",
        "\u205f": " ",
        "\u3000": " ",
        "\u2019": "'",  # typographic apostrophe: « aujourd’hui », « l’UE »
        "\u2018": "'",
        "\u02bc": "'",  # modifier letter apostrophe (some keyboards)
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2212": "-",  # minus sign: « −5 °C »
    }
)


def typography(text: str) -> str:
    """Press typography as the rules expect it: "à 18\u00a0h" -> "à 18 h", "12\u202f500 €" -> "12 500 €",
    "l’UE" -> "l'UE", "\u22125 °C" -> "-5 °C" (what the voice says only: captions keep the text as written)."""
    return text.translate(_TYPOGRAPHY)


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>«»\"“”]*[^\s<>«»\"“”.,;:!?)]", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


# Top-level domains said letter by letter (".fr", espeak-ng spells it already; ".com", ".org", ".gouv",
# ".net", ".info" are said as words).
_SPELLED_DOMAINS = frozenset("eu io ai tv uk de ch ca be us it es lu nl".split())
_WEB_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)
_HOST_END = re.compile(r"[/?#:]")


def say_host(host: str) -> str:
    """A domain as a listener must type it: "europa.eu" -> "europa point E U", "mairie-annecy.fr" ->
    "mairie tiret annecy point fr" (the hyphen is said: without it the address cannot be typed),
    "www.fetedulac.org" -> "double vé double vé double vé point fetedulac point org"."""
    labels = [say_hyphens(label) for label in host.split(".")]
    if labels[-1].lower() in _SPELLED_DOMAINS:
        labels[-1] = " ".join(labels[-1].upper())
    if len(labels) > 2 and labels[0].lower() == "www":  # espeak-ng's "www" has schwas no reader says
        labels[0] = "double vé double vé double vé"
    return " point ".join(labels)


def say_hyphens(label: str) -> str:
    """A hyphen inside an address is said: "ville-brest" -> "ville tiret brest" (only in addresses:
    "Paris-Nice" in running text keeps its silent hyphen)."""
    return " tiret ".join(part for part in label.split("-") if part) if "-" in label else label


def drop_urls(text: str) -> str:
    """A URL is read as its site name only: "https://www.lemonde.fr/x" -> "lemonde point fr"; an
    address written without its scheme is said as typed, "www." included: "www.ademe.fr/guide" ->
    "double vé double vé double vé point ademe point fr"."""

    def site(match: re.Match[str]) -> str:
        written = match.group(0)
        if re.match(r"https?://", written, re.IGNORECASE):
            written = _WEB_PREFIX.sub("", written)
        host = _HOST_END.split(written, maxsplit=1)[0].rstrip(".,;:!?)")
        return say_host(host)

    return _URL.sub(site, text)


def drop_emails(text: str) -> str:
    """An e-mail address is spelled the French way, hyphens said: "a@b.fr" -> "a arobase b point fr",
    "contact@theatre-vienne.fr" -> "contact arobase theatre tiret vienne point fr"."""

    def say(match: re.Match[str]) -> str:
        user, _, host = match.group(0).partition("@")
        return f"{say_hyphens(user.replace('.', ' point '))} arobase {say_host(host)}"

    return _EMAIL.sub(say, text)


_EMOJI = re.compile(
    r"\s*[\U0001f000-\U0001faff\U00002600-\U000027bf\U00002b00-\U00002bff\U0001f1e6-\U0001f1ff"
    "\U000e0020-\U000e007f\ufe0f\ufe0e\u200d\u20e3\u2190-\u21ff\u2300-\u23ff]+"
)


_ARROW = re.compile(r"(?<=[\d%€$£)])\s*(?:→|⟶|➔|➜|➝|⇒|->|=>)\s*(?=[-+−]?\d)")


def arrows(text: str) -> str:
    """An arrow between two values is a change from one to the other: "1,1 % → 0,8 %" -> "1,1 % à
    0,8 %" (the emoji rule would drop it and run the two numbers together)."""
    return _ARROW.sub(" à ", text)


def drop_emoji(text: str) -> str:
    """Emoji, pictographs and arrows are dropped; ° © € and letters are kept."""
    return _EMOJI.sub("", text)


_DOMAIN = re.compile(
    r"(?<![\w@.-])((?:[a-z0-9-]+\.)+(?:fr|com|org|net|gouv|eu|io|ai|info|be|ch|ca|uk|de|tv|app))\b(?![.\w-]\w)"
)


# A hashtag's words: a capital run before a small function word or a capitalised word is an acronym
# ("IAetEmploi" -> "IA et Emploi", "JOParis" -> "JO Paris"), each capital starts a word ("MeToo").
_HASHTAG_WORD = re.compile(
    r"[A-Z]{2,}(?=(?:et|de|du|des|la|le|les|en|pour|sur|au|aux|ou|contre|avec|sans)(?:[A-Z\d_]|$))"
    r"|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-zà-ÿ]+|[A-Z]+|\d+|[^\W\d_]+"
)


def hashtag_words(tag: str) -> str:
    """A camel-case hashtag said word by word: "IAetEmploi" -> "IA et emploi", "JOParis" -> "JO paris",
    "IA_pour_tous" -> "IA pour tous" (the acronym rule then spells "IA"); "MeToo", "JO2024" stay."""
    words = [word for part in tag.split("_") for word in _HASHTAG_WORD.findall(part)]
    # espeak-ng reads "MeToo", "FrenchTech" right; only an acronym glued to words needs the cut
    if sum(not word.isdigit() for word in words) < 2 or not any(len(word) > 1 and word.isupper() for word in words):
        return tag
    # a capitalised word inside is a word, not a title: "MeToo" -> "me too" (never "maître Too")
    return " ".join(word if word.isupper() or word.isdigit() else word.lower() for word in words)


def _said_underscores(handle: str) -> str:
    """A handle is typed: its underscores are said, "lettre_eco" -> "lettre tiret bas eco"."""
    return " tiret bas ".join(part for part in handle.split("_") if part) if "_" in handle else handle


def web_names(text: str) -> str:
    """Hashtags, handles and bare domains said: "#MeToo" -> "hashtag MeToo", "@Elysee" -> "arobase
    Elysee", "legifrance.gouv.fr" -> "legifrance point gouv point fr"."""
    text = re.sub(r"(?<![\w&])#([^\W\d_]\w*)", lambda m: "hashtag " + hashtag_words(m.group(1)), text)
    text = re.sub(r"(?<![\w&])#(?=\d)", "numéro ", text)  # "le #1 des ventes"
    text = re.sub(r"\b([hH]ashtags?|[mM]ots?-dièses?) hashtag ", r"\1 ", text)  # "le hashtag #JO2024"
    text = re.sub(r"(?<![\w.])@(\w+)", lambda m: "arobase " + _said_underscores(m.group(1)), text)
    return _DOMAIN.sub(lambda m: say_host(m.group(1)), text)


CLEANUP: tuple[Callable[[str], str], ...] = (typography, drop_urls, drop_emails, arrows, drop_emoji, web_names)

# --- units ---------------------------------------------------------------------------------------

_PREFIXES = {"n": "nano", "µ": "micro", "μ": "micro", "m": "milli", "c": "centi", "d": "déci", "h": "hecto"}
_PREFIXES |= {"k": "kilo", "K": "kilo", "M": "méga", "G": "giga", "T": "téra", "P": "péta"}
# SI units as a French reader names them, with the prefixes each takes in the news (a prefix only where
# the written form cannot be another word: no "Mg" magnesium, "MA", "cs", "Ts", "mo"), and whether the
# unit goes bare after a number ("230 V" yes, "3 A", "5 J", "2 o" no: a class, a day, a letter).
_SI_UNITS: dict[str, tuple[str, bool, str, str]] = {
    "s": ("nµμm", False, "seconde", "secondes"),  # a bare "s" is the durations rule's
    "m": ("nµμmck", True, "mètre", "mètres"),
    "g": ("nµμmck", True, "gramme", "grammes"),
    "l": ("mcdh", True, "litre", "litres"),
    "L": ("mcdh", True, "litre", "litres"),
    "W": ("mkMGT", True, "watt", "watts"),
    "Wh": ("kMGT", True, "wattheure", "wattheures"),
    "Wc": ("kMG", True, "watt-crête", "watts-crête"),  # solar peak power: "12 MWc"
    "V": ("mkM", True, "volt", "volts"),
    "A": ("mk", False, "ampère", "ampères"),
    "Hz": ("kMGT", True, "hertz", "hertz"),
    "o": ("kKMGTP", False, "octet", "octets"),
    "bit": ("kMGT", True, "bit", "bits"),
    "bits": ("kMGT", True, "bit", "bits"),
    "bit/s": ("kMGT", True, "bit par seconde", "bits par seconde"),
    "b/s": ("kMGT", False, "bit par seconde", "bits par seconde"),
    "bps": ("kMG", False, "bit par seconde", "bits par seconde"),
    "o/s": ("kKMGT", False, "octet par seconde", "octets par seconde"),
    "eV": ("kMGT", True, "électronvolt", "électronvolts"),
    "Pa": ("hkMG", False, "pascal", "pascals"),
    "J": ("kMG", False, "joule", "joules"),
    "cal": ("k", True, "calorie", "calories"),
}


def _si_table() -> dict[str, tuple[str, str]]:
    """Every prefix x unit the news prints, each named: "µs" -> "microseconde", "MWc" -> "mégawatt-crête"."""
    table: dict[str, tuple[str, str]] = {}
    for unit, (prefixes, bare, singular, plural) in _SI_UNITS.items():
        if bare:
            table[unit] = (singular, plural)
        for prefix in prefixes:
            table[prefix + unit] = (_PREFIXES[prefix] + singular, _PREFIXES[prefix] + plural)
    return table


# Tonnes of CO2 as carbon accounts print them: said "tonnes de C O 2" (the acronym rule spells "CO").
_CARBON = re.compile(
    r"(?<![\w.,])(\d{1,3}(?: \d{3})+(?:,\d+)?|\d+(?:,\d+)?) ?([kMG]?)t ?(?:eq|éq)?\.? ?CO[2₂](e|eq|éq)?(?![\w²³/'’-])"
)
_CARBON_SCALE = {"": ("tonne", "tonnes"), "k": ("kilotonne", "kilotonnes"), "M": ("million", "millions")}
_CARBON_SCALE |= {"G": ("milliard", "milliards")}


def carbon(text: str) -> str:
    """Emissions: "45 000 tCO2" -> "45 000 tonnes de CO2", "3 MtCO2e" -> "3 millions de tonnes
    équivalent CO2", "12 teqCO2" -> "12 tonnes équivalent CO2" (espeak-ng would read "t c o deux")."""

    def say(match: re.Match[str]) -> str:
        number, scale = match.group(1), match.group(2)
        value = float(number.replace(" ", "").replace(",", "."))
        singular, plural = _CARBON_SCALE[scale]
        said = f"{number} {plural if value >= 2 else singular}" + (" de tonnes" if scale in "MG" and scale else "")
        equivalent = match.group(3) or re.search(r"t ?(?:eq|éq)", match.group(0))
        return f"{said} {'équivalent' if equivalent else 'de'} CO2"

    return _CARBON.sub(say, text)


_UNITS_SAID = _si_table() | {  # written: (singular, plural); a value under 2 takes the singular ("1,5 mètre")
    # the s is silent: "kilomètres heure" would make espeak-ng say a /z/ liaison no reader makes
    "km/h": ("kilomètre heure", "kilomètre heure"),
    "km²": ("kilomètre carré", "kilomètres carrés"),
    "m²": ("mètre carré", "mètres carrés"),
    "m³": ("mètre cube", "mètres cubes"),
    "kWh": ("kilowattheure", "kilowattheures"),
    "MWh": ("mégawattheure", "mégawattheures"),
    "GWh": ("gigawattheure", "gigawattheures"),
    "TWh": ("térawattheure", "térawattheures"),
    "kW": ("kilowatt", "kilowatts"),
    "MW": ("mégawatt", "mégawatts"),
    "GW": ("gigawatt", "gigawatts"),
    "W": ("watt", "watts"),
    "kV": ("kilovolt", "kilovolts"),
    "Ko": ("kilooctet", "kilooctets"),
    "Mo": ("mégaoctet", "mégaoctets"),
    "Go": ("gigaoctet", "gigaoctets"),
    "To": ("téraoctet", "téraoctets"),
    "Mo/s": ("mégaoctet par seconde", "mégaoctets par seconde"),
    "Go/s": ("gigaoctet par seconde", "gigaoctets par seconde"),
    "kbit/s": ("kilobit par seconde", "kilobits par seconde"),
    "Mbit/s": ("mégabit par seconde", "mégabits par seconde"),
    "Mb/s": ("mégabit par seconde", "mégabits par seconde"),
    "Gbit/s": ("gigabit par seconde", "gigabits par seconde"),
    "Gb/s": ("gigabit par seconde", "gigabits par seconde"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("mégahertz", "mégahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "°C": ("degré", "degrés"),  # a newsroom says "trente degrés": Celsius goes without saying
    "°F": ("degré Fahrenheit", "degrés Fahrenheit"),
    "mg": ("milligramme", "milligrammes"),
    "g": ("gramme", "grammes"),
    "kg": ("kilogramme", "kilogrammes"),
    "µg": ("microgramme", "microgrammes"),
    "μg": ("microgramme", "microgrammes"),
    "µm": ("micromètre", "micromètres"),
    "μm": ("micromètre", "micromètres"),
    "nm": ("nanomètre", "nanomètres"),
    "mm": ("millimètre", "millimètres"),
    "cm": ("centimètre", "centimètres"),
    "km": ("kilomètre", "kilomètres"),
    "m": ("mètre", "mètres"),
    "ha": ("hectare", "hectares"),
    "t": ("tonne", "tonnes"),
    "kt": ("kilotonne", "kilotonnes"),
    "Mt": ("million de tonnes", "millions de tonnes"),
    "Gt": ("milliard de tonnes", "milliards de tonnes"),
    "m/s": ("mètre par seconde", "mètres par seconde"),
    "km/s": ("kilomètre par seconde", "kilomètres par seconde"),
    "dB": ("décibel", "décibels"),
    "mAh": ("milliampère-heure", "milliampère-heure"),  # as "km/h": no /z/ before "heure"
    "kcal": ("kilocalorie", "kilocalories"),
    "hPa": ("hectopascal", "hectopascals"),
    "ppm": ("partie par million", "parties par million"),
    "°": ("degré", "degrés"),
    "l": ("litre", "litres"),
    "hl": ("hectolitre", "hectolitres"),
    "ml": ("millilitre", "millilitres"),
    "ch": ("cheval", "chevaux"),
    "pt": ("point", "points"),
    "pts": ("point", "points"),
    "Tbit/s": ("térabit par seconde", "térabits par seconde"),
    "Tb/s": ("térabit par seconde", "térabits par seconde"),
    "To/s": ("téraoctet par seconde", "téraoctets par seconde"),
    "L": ("litre", "litres"),
    "mL": ("millilitre", "millilitres"),
    "cl": ("centilitre", "centilitres"),
    "cL": ("centilitre", "centilitres"),
    "pb": ("point de base", "points de base"),  # a rate move: "+25 pb"
    "pdb": ("point de base", "points de base"),
    "ppb": ("partie par milliard", "parties par milliard"),
}
_PER = {  # what follows "/" in a rate: "g/km" -> "grammes par kilomètre", "€/mois" -> "euros par mois"
    "an": "an",
    "mois": "mois",
    "jour": "jour",
    "j": "jour",
    "semaine": "semaine",
    "h": "heure",
    "heure": "heure",
    "min": "minute",
    "s": "seconde",
    "hab": "habitant",
    "hab.": "habitant",
    "habitant": "habitant",
    "personne": "personne",
    "km": "kilomètre",
    "m²": "mètre carré",
    "m³": "mètre cube",
    "km²": "kilomètre carré",
    "m2": "mètre carré",
    "m3": "mètre cube",
    "L": "litre",
    "l": "litre",
    "kg": "kilo",
    "kWh": "kilowattheure",
    "MWh": "mégawattheure",
    "t": "tonne",
    "ha": "hectare",
    "baril": "baril",
    "once": "once",
    "action": "action",
    "tête": "tête",
    "nuit": "nuit",
}
_NAMED_ALONE = ("kWh", "MWh", "GWh", "TWh", "km²", "m²", "m³", "km", "kg", "Go", "Mo", "To")
_NUMBER = r"\d{1,3}(?: \d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_UNIT_NAMES = "|".join(re.escape(u) for u in sorted(_UNITS_SAID, key=len, reverse=True))
_PER_NAMES = "|".join(re.escape(u) for u in sorted(_PER, key=len, reverse=True))
_UNIT = re.compile(rf"(?<![\w.,])({_NUMBER})\s?({_UNIT_NAMES})(?:/({_PER_NAMES}))?(?![\w²³/'’-]|(?<!\.)\.\w)")


_HALF_DEGREES = re.compile(r"(?<![\w.,])(\d{1,2}),5 ?°C?(?![\w²³/'’-])")


def _half_degrees(match: re.Match[str]) -> str:
    """ "1,5 °C" -> "un degré et demi", "2,5 °C" -> "2 degrés et demi" (as the news says the Paris goal)."""
    whole = int(match.group(1))
    if whole == 0:
        return "un demi-degré"
    return f"{'un' if whole == 1 else whole} degré{'s' if whole >= 2 else ''} et demi"


def units(text: str) -> str:
    """Units espeak-ng reads as letters: "3 Go" -> "3 gigaoctets", "5 mg" -> "5 milligrammes",
    "100 Mbit/s" -> "100 mégabits par seconde", "1,5 m" -> "1,5 mètre", "12 t" -> "12 tonnes",
    "60 µg/m³" -> "60 microgrammes par mètre cube", "95 g/km" -> "95 grammes par kilomètre"."""

    def say(match: re.Match[str]) -> str:
        number = match.group(1)
        singular, plural = _UNITS_SAID[match.group(2)]
        if match.group(2) == "°C" and fahrenheit:  # both scales in one sentence: each is named
            singular, plural = singular + " Celsius", plural + " Celsius"
        value = float(number.replace(" ", "").replace(",", "."))
        per = f" par {_PER[match.group(3)]}" if match.group(3) else ""
        return f"{number} {plural if value >= 2 else singular}{per}"

    fahrenheit = "°F" in text
    if not fahrenheit:
        text = _HALF_DEGREES.sub(_half_degrees, text)
    # a height or a jump: "1,80 m" -> "1 mètre 80", "8,95 m" -> "8 mètres 95"
    text = re.sub(
        r"(?<![\w.,])(\d{1,2}),(\d\d) ?m\b(?![\w²³/'’-]|\.\w)",
        lambda m: f"{m.group(1)} mètre{'s' if int(m.group(1)) >= 2 else ''} {m.group(2)}",
        text,
    )
    text = re.sub(r"(?<=\d) hab\.?/km²", " habitants par kilomètre carré", text)
    # fuel use: "5 l/100 km" -> "5 litres aux 100 kilomètres"
    text = re.sub(r"(?<![\w.,])(\d+(?:,\d+)?) ?[lL] ?/ ?100 ?km\b", r"\1 litres aux 100 kilomètres", text)
    text = re.sub(r"(?<![\w.,])(\d+(?:,\d+)?) ?kWh ?/ ?100 ?km\b", r"\1 kilowattheures aux 100 kilomètres", text)
    text = yields(carbon(text))
    text = _UNIT.sub(say, text)
    # a unit named without a number: "le prix du kWh", "par km²"
    text = re.sub(
        rf"\b(du|le|au|par|le même|un|chaque) ({'|'.join(_NAMED_ALONE)})(?![\w²³/'’-]|\.\w)",
        lambda m: f"{m.group(1)} {_UNITS_SAID[m.group(2)][0]}",
        text,
    )
    # "17 millions d'ha", "des milliers de km²": the unit after a counted word is plural
    return re.sub(
        rf"\b(millions?|milliards?|milliers|centaines|dizaines) (d['’]|de )({_UNIT_NAMES})(?![\w²³/'’-]|\.\w)",
        lambda m: (
            f"{m.group(1)} {'de ' if _UNITS_SAID[m.group(3)][1][0] not in 'aeéiouh' else 'd’'}"
            + _UNITS_SAID[m.group(3)][1]
        ),
        text,
    )


_YIELD_UNITS = {"q": ("quintal", "quintaux"), "qx": ("quintal", "quintaux"), "t": ("tonne", "tonnes")}
_YIELD_UNITS |= {"hl": ("hectolitre", "hectolitres"), "kg": ("kilo", "kilos")}
_YIELD = re.compile(rf"(?<![\w.,])({_NUMBER}) ?(qx|q|t|hl|kg) ?/ ?ha(?![\w²³/'’-])")
_ARES = re.compile(r"(?<![\w.,])(\d+ ha) (\d{1,2}) a(?![\w'’-]|\.\w)")


def yields(text: str) -> str:
    """Farm yields and areas as the farm news says them: "68 q/ha" -> "68 quintaux à l'hectare",
    "9 t/ha" -> "9 tonnes à l'hectare", "60 hl/ha" -> "60 hectolitres à l'hectare"; an "a" is an are
    only after hectares: "3 ha 20 a" -> "3 ha 20 ares" (alone it is the verb or a letter)."""

    def say(match: re.Match[str]) -> str:
        singular, plural = _YIELD_UNITS[match.group(2)]
        value = float(match.group(1).replace(" ", "").replace(",", "."))
        return f"{match.group(1)} {plural if value >= 2 else singular} à l'hectare"

    return _ARES.sub(lambda m: f"{m.group(1)} {m.group(2)} ares", _YIELD.sub(say, text))


_EVERY_OTHER = {  # a period a rota counts, with its gender: "1 semaine/2" -> "une semaine sur deux"
    "semaine": "une",
    "année": "une",
    "nuit": "une",
    "fois": "une",
    "jour": "un",
    "week-end": "un",
    "weekend": "un",
    "mois": "un",
    "an": "un",
    "soir": "un",
    "samedi": "un",
    "dimanche": "un",
    "lundi": "un",
    "mercredi": "un",
}
_ROTA = re.compile(rf"(?<![\w.,])1 ({'|'.join(_EVERY_OTHER)}) ?/ ?([2-9])(?![\w/]|[.,]\d)")


def every_other(text: str) -> str:
    """A rota: "1 semaine/2" -> "une semaine sur deux", "1 week-end/3" -> "un week-end sur trois"
    (espeak-ng would say "barre oblique")."""
    return _ROTA.sub(lambda m: f"{_EVERY_OTHER[m.group(1)]} {m.group(1)} sur {cardinal(int(m.group(2)))}", text)


def rates(text: str) -> str:
    """A rate after a said amount: "1 000 €/mois" -> "1 000 € par mois", "5 euros/an" -> "5 euros
    par an" (espeak-ng would read the slash)."""
    return re.sub(
        rf"(\d|[€$£¥%]|\b(?:euros?|dollars?|livres?|francs?|centimes?|tonnes?|litres?|heures?|cent|mille))"
        rf"\s?/\s?({_PER_NAMES})(?![\w²³])",
        lambda m: f"{m.group(1)} par {_PER[m.group(2)]}",
        text,
    )


# A slash between two words is « sur » where they name a ratio: after « ratio » or « rapport » ("le
# ratio cours/bénéfice"), or over a measure a ratio is taken of ("dette/PIB"); elsewhere (« et/ou »,
# « entrée/sortie ») it is left alone.
_RATIO_AFTER = re.compile(r"\b([rR]atios?|[rR]apports?)((?: [\w'’-]+){0,2}?) ([\w-]+)/([\w-]+)\b(?!/)")
_RATIO_OF = re.compile(r"(?<![\w/])([\w-]+)/(PIB|CA|EBITDA|Ebitda|bénéfices?|BPA|actifs?|fonds propres)\b(?!/)")


def ratios(text: str) -> str:
    """ "le ratio dette/PIB" -> "le ratio dette sur PIB", "le rapport cours/bénéfice" -> "... cours sur
    bénéfice", "la dette/PIB" -> "la dette sur PIB"; "et/ou" stays."""
    text = _RATIO_AFTER.sub(lambda m: f"{m.group(1)}{m.group(2)} {m.group(3)} sur {m.group(4)}", text)
    return _RATIO_OF.sub(r"\1 sur \2", text)


_AMOUNT_EQUALS = re.compile(
    r"(\d|[€$£¥%]|\b(?:euros?|dollars?|livres?|yens?|francs?|centimes?)) ?= ?(?=[-−+]?\d|[€$£¥]\s?\d)"
)


def equals(text: str) -> str:
    """ "=" between two amounts or numbers is said « égale »: "1 € = 1,08 $" -> "1 € égale 1,08 $"
    (espeak-ng says nothing for it)."""
    return _AMOUNT_EQUALS.sub(r"\1 égale ", text)


def symbols(text: str) -> str:
    """ "&" -> "et" between words, "2 × 3" -> "2 fois 3", a postal code by its department: ", 75002
    Paris" -> ", 75 0 0 2 Paris" (espeak-ng would say "soixante-quinze mille deux")."""
    text = re.sub(r"\s&\s", " et ", text)
    text = re.sub(r"\b([A-Z])&([A-Z])\b", r"\1 et \2", text)  # "R&D", "M&A"
    text = re.sub(r"(?<=\d) ?[×✕] ?(?=\d)", " fois ", text)
    return re.sub(r"(?<=, )(\d\d)(\d{3}) (?=[A-ZÀ-Þ][a-zà-ÿ]+)", _postal_code, text)


def _postal_code(match: re.Match[str]) -> str:
    department, rest = match.group(1), match.group(2)
    if rest.startswith("00"):
        return f"{department} 0 0 {rest[2]} "
    return f"{department} 0 {int(rest)} " if rest.startswith("0") else f"{department} {int(rest)} "


SAYING = (
    titles,
    every_other,
    cup_rounds,
    dates,
    times,
    durations,
    ordinals,
    regnal_numbers,
    phone_numbers,
    ratings,
    fractions,
    decimals,
    scores,
    signs,
    currencies,
    percent,
    units,
    rates,
    ratios,
    equals,
    feminine_numbers,
    elided_one,
    symbols,
    acronyms,
)

RULES = CLEANUP + SAYING
