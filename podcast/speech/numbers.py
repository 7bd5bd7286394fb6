"""Numbers as a French newsroom says them: dates, times and durations, fractions, scores, phone
numbers, decimals, signs, money and percentages. Each rule is a ``str -> str`` function.

Words come from num2words (``lang="fr"``); digits are left to espeak-ng wherever it already reads
them right ("2025", "14 milliards", "3,5", "10 000"), so a rule only changes the order of words,
a gender, a number's agreement, or a separator espeak-ng reads as a word ("/", ".", "-").
"""

from __future__ import annotations

import datetime
import re

from num2words import num2words

from ..dates import MONTHS

# --- words ---------------------------------------------------------------------------------------


def cardinal(n: int) -> str:
    """A whole number in French words (num2words: "vingt et un", "deux cents", "quatre-vingt mille")."""
    if n < 0:
        raise ValueError(f"{n} is out of range")
    return str(num2words(n, lang="fr"))


def ordinal(n: int, feminine: bool = False) -> str:
    """1 -> premier/première, 2 -> deuxième, 21 -> vingt et unième, 80 -> quatre-vingtième.

    From the cardinal, not num2words' ordinal, which writes "quatre-vingtsième" and "deux centsième".
    """
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


def feminine(n: int) -> str:
    """The number before a feminine noun: 1 -> "une", 21 -> "vingt et une", 251 -> "deux cent cinquante
    et une", 5 -> "5" (espeak reads it)."""
    word = cardinal(n) if n % 10 == 1 and n % 100 != 11 else ""
    return word[:-2] + "une" if word.endswith("un") else str(n)


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


# --- dates ---------------------------------------------------------------------------------------

_MONTH_ABBREVIATIONS = {
    "janv": "janvier",
    "févr": "février",
    "fév": "février",
    "avr": "avril",
    "juil": "juillet",
    "sept": "septembre",
    "oct": "octobre",
    "nov": "novembre",
    "déc": "décembre",
}


def _day_month(day: int, month: int, year: str | None) -> str | None:
    try:
        datetime.date(int(year or 2000), month, day)  # 2000: a leap year, for "29/02"
    except ValueError:
        return None
    said = ("premier" if day == 1 else str(day)) + " " + MONTHS[month - 1]
    return said + (f" {year}" if year else "")


def dates(text: str) -> str:
    """ "14/07/2025" -> "14 juillet 2025", "2025-03-14" -> "14 mars 2025", "le 30/06" -> "le 30 juin",
    "1er déc. 2024" -> "1er décembre 2024", "T3 2025" -> "troisième trimestre 2025"; a bare "1/3"
    stays a fraction."""

    def numeric(match: re.Match[str]) -> str:
        said = _day_month(int(match.group(1)), int(match.group(2)), match.group(3))
        return said or match.group(0)

    def iso(match: re.Match[str]) -> str:
        said = _day_month(int(match.group(3)), int(match.group(2)), match.group(1))
        return said or match.group(0)

    text = re.sub(
        r"(?<![\d/.,-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/-]|\.\d)",
        lambda m: _day_month(int(m.group(1)), int(m.group(3)), m.group(4)) or m.group(0),
        text,
    )
    text = _SHORT_YEAR_DATE.sub(_short_year, text)
    text = re.sub(r"(?<![\d/.,-])(\d{4})-(\d{2})-(\d{2})(?![\d/-])", iso, text)
    text = re.sub(  # "1er/03/2025"
        r"(?<![\d/.,-])1er/(\d{1,2})/(\d{4})(?![\d/])",
        lambda m: _day_month(1, int(m.group(1)), m.group(2)) or m.group(0),
        text,
    )
    # day/month without a year: two digits each ("30/06"), or one after "le", "du", "au" ("le 1/3")
    text = re.sub(r"(?<![\d/.,-])(\d{2})/(\d{2})()(?![\d/])", numeric, text)
    text = re.sub(r"(?<=\b[lL]e )(\d{1,2})/(\d{1,2})()(?![\d/])", numeric, text)
    text = re.sub(r"(?<=\b[dDaA]u )(\d{1,2})/(\d{1,2})()(?![\d/])", numeric, text)
    text = dotted_dates(text)
    text = weekday_dates(text)
    text = _DAY_RANGE.sub(_day_range, text)

    # "T3 2025" -> "troisième trimestre 2025", "S1 2024" -> "premier semestre 2024"
    text = re.sub(
        r"\b[TQ]([1-4])[ -]?((?:19|20)\d\d)\b", lambda m: f"{ordinal(int(m.group(1)))} trimestre {m.group(2)}", text
    )
    text = re.sub(
        r"\bS([12])[ -]?((?:19|20)\d\d)\b", lambda m: f"{ordinal(int(m.group(1)))} semestre {m.group(2)}", text
    )

    abbreviations = "|".join(_MONTH_ABBREVIATIONS)

    def month(match: re.Match[str]) -> str:
        name = _MONTH_ABBREVIATIONS[match.group(2).lower()]
        end = "." if re.match(r"\s*$|\s+[A-ZÀ-ÖØ-ÞŒ«“]", match.string[match.end() : match.end() + 3]) else ""
        return (match.group(1) or "") + name + end

    # "déc. 2024", "12 déc.", "en déc." ending a sentence (its period kept as the sentence's end)
    return re.sub(
        rf"(\d |\b(?:en|de|fin|mi|début|janvier|février|mars|avril|mai|juin|juillet|août) )?"
        rf"\b({abbreviations})\.(?=(\s*\d)?)",
        lambda m: month(m) if m.group(1) or m.group(3) else m.group(0),
        text,
        flags=re.IGNORECASE,
    )


# "07/02/25", "07.02.25": a two-digit year (with dots, day and month of two digits, unlike a version)
_SHORT_YEAR_DATE = re.compile(r"(?<![\d/.,-])(?:(\d{1,2})/(\d{1,2})/|(\d\d)\.(\d\d)\.)(\d\d)(?![\d/-]|[.,]\d)")


def _short_year(match: re.Match[str]) -> str:
    """ "07/02/25" -> "7 février 2025", "3/11/98" -> "3 novembre 1998" (from 50 on, the last century)."""
    day, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    year = int(match.group(5))
    said = _day_month(int(day), int(month), str(year + (2000 if year < 50 else 1900)))
    return said or match.group(0)


_WEEKDAY_DATE = re.compile(
    r"\b((?:[lL]un|[mM]ar|[mM]ercre|[jJ]eu|[vV]endre|[sS]ame)di|[dD]imanche) "
    r"(\d{1,2})(?:[/.](\d{1,2})|-(0\d|1[0-2]))(?![\d/-]|[.,]\d)"
)


_DAY_RANGE = re.compile(
    rf"(?:\b([dD]u|[lL]es) )?(?<![\d,.])(\d{{1,2}}) ?[-–] ?(\d{{1,2}})(?= (?:{'|'.join(MONTHS)})\b)"
)


def _day_range(match: re.Match[str]) -> str:
    """ "les 10-12 mars" -> "du 10 au 12 mars"."""
    first, last = int(match.group(2)), int(match.group(3))
    if not 1 <= first < last <= 31:
        return match.group(0)
    start = "Du" if (match.group(1) or "").startswith(("D", "L")) else "du"
    return f"{start} {first} au {last}"


# "le 04.07", "du 3.09 au 14.09", "depuis le 1.10": a day and a two-digit month after a word that
# announces a date; not a decimal ("4.07 %", "le 4.07 m"), a version ("v1.2") or a time ("14.30").
_DOTTED_DATE = re.compile(
    r"(?:(?<=\b[lL]e )|(?<=\b[dD]u )|(?<=\b[aA]u )|(?<=\b[dD]epuis ))(\d{1,2})\.(\d\d)"
    r"(?![\d/-]|[.,]\d| ?(?:%|€|\$|£|°|(?:[mgtshlL]|[kcm]m|kg|ha|[mc]l|min|pour cent|points?|heures?)\b))"
)


def dotted_dates(text: str) -> str:
    """A day and a month written with a dot after "le", "du", "au" or "depuis" are a date: "le 04.07"
    -> "le 4 juillet", "du 3.09 au 14.09" -> "du 3 septembre au 14 septembre"; "4.07 %" and "le 4.07
    m" stay numbers (weekdays: :func:`weekday_dates`)."""
    return _DOTTED_DATE.sub(lambda m: _day_month(int(m.group(1)), int(m.group(2)), None) or m.group(0), text)


def weekday_dates(text: str) -> str:
    """After a weekday, a day and a month are a date, never a fraction or a decimal: "dimanche 6/04"
    -> "dimanche 6 avril", "mardi 3.6" -> "mardi 3 juin", "jeudi 5-03" -> "jeudi 5 mars"
    (a hyphen only before a two-digit month: "samedi 3-1" is a score)."""

    def say(match: re.Match[str]) -> str:
        said = _day_month(int(match.group(2)), int(match.group(3) or match.group(4)), None)
        return f"{match.group(1)} {said}" if said else match.group(0)

    return _WEEKDAY_DATE.sub(say, text)


# --- times and durations -------------------------------------------------------------------------


_TIME_RANGE = re.compile(r"(?<![\w,.])(\d{1,2} ?h(?: ?\d\d)?) ?[-–] ?(?=\d{1,2} ?h(?!\w)|\d{1,2} ?h ?\d\d(?!\w))")


def times(text: str) -> str:
    """ "8 h 30" -> "8 heures 30", "21h" -> "vingt et une heures", "1h" -> "une heure", "24h/24" ->
    "24 heures sur 24", "7j/7" -> "7 jours sur 7", "9 h 05" -> "9 heures 5", "12h-14h" -> "12 heures à
    14 heures"."""
    text = re.sub(r"(?<![\w,.])(\d{1,2}) ?h ?/ ?(\d{1,2})\b", r"\1 heures sur \2", text)
    text = _TIME_RANGE.sub(r"\1 à ", text)
    text = re.sub(r"(?<![\w,.])(\d) ?j ?/ ?(\d)\b", r"\1 jours sur \2", text)

    def hours(match: re.Match[str]) -> str:
        hour, minutes, rest = int(match.group(1)), match.group(2), match.group(3) or ""
        said = f"{feminine(hour)} heure" + ("" if hour <= 1 else "s")
        if minutes and int(minutes):
            said += f" {feminine(int(minutes)) if rest else int(minutes)}"
            if rest:
                said += " minute" + ("s" if int(minutes) > 1 else "")
        return said

    return re.sub(r"(?<![\w,.])(\d{1,2}) ?h ?(\d{2})?( ?min\b)?(?![\w'’/])", hours, text)


_DURATION_UNITS = {"min": "minute", "mn": "minute", "s": "seconde", "sec": "seconde", "ms": "milliseconde", "j": "jour"}


def durations(text: str) -> str:
    """ "45 min" -> "45 minutes", "09 s" -> "9 secondes", "1 min" -> "une minute" (after a number only), "5 j
    ouvrés" -> "5 jours ouvrés",
    "9,86 s" -> "9 secondes 86"."""

    def unit(match: re.Match[str]) -> str:
        value, name = int(match.group(1)), _DURATION_UNITS[match.group(2)]
        return f"{feminine(value)} {name}" + ("s" if value > 1 else "")

    text = re.sub(r"(?<![\w,.])(\d{1,2}),(\d\d) ?s\b(?![’'-]\w|\.\w)", _timed_seconds, text)
    text = re.sub(r"(?<![\w,.])(\d{1,4}) ?(min|mn|sec|ms|s)\b(?![’'-]\w|\.\w)", unit, text)
    return re.sub(r"(?<![\w,.])(\d{1,4}) ?(j)(?= [a-zà-ÿ]|[,;)]|\.(?!\w)|$)", unit, text)  # "5 j ouvrés"


def _timed_seconds(match: re.Match[str]) -> str:
    """A race time in hundredths: "9,86 s" -> "9 secondes 86" (as a stadium announcer says it)."""
    seconds = int(match.group(1))
    return f"{feminine(seconds)} seconde{'s' if seconds > 1 else ''} {int(match.group(2))}"


# --- numbers -------------------------------------------------------------------------------------

# Common feminine nouns a number counts in the news (espeak-ng says "vingt et un" before any noun).
_FEMININE_NOUNS = "|".join(  # each also in the plural
    rf"{noun}s?"
    for noun in (
        "année annonce commune entreprise femme fille heure ligne minute nation page personne place région seconde "
        "semaine station tonne ville voiture école équipe victime œuvre espèce chance délégation victoire médaille "
        "saison étape usine famille maison classe mesure proposition question réponse loi édition session "
        "association organisation manifestation plainte enquête affaire candidature liste circonscription "
        "université banque société agence centrale éolienne langue nuit journée soirée décennie génération "
        "étoile planète unité vague dose chambre rue route gare voie rame crèche filière formation épreuve "
        "course partie manche finale vache province île frappe attaque élection défaite nomination recrue "
        "caméra photo vidéo série chaîne radio marque boutique pharmacie clinique structure cible collectivité "
        "température valeur hausse baisse vitesse concentration teneur part proportion moyenne note croissance "
        "inflation dette pression durée taille distance population consommation production perte émission"
    ).split()
)
_FEMININE_NOUNS += "|fois|voix|salle|salles|lettre|lettres|pièce|pièces|vente|ventes|nuitée|nuitées"
_COUNTED = re.compile(
    rf"(?<!\d )(?<![\d,.])\b(\d{{1,3}}(?: \d{{3}})+|\d+)(?= (?:{_FEMININE_NOUNS})\b)"
    # "adopté par 289 voix contre 251.": the noun is understood after the second number
    rf"|\b((?:voix|personnes|fois) contre )(\d{{1,3}}(?: \d{{3}})+|\d+)(?=\s*(?:[.,;:!?)]|$))"
)


def feminine_numbers(text: str) -> str:
    """A number ending in one before a feminine noun: "21 stations" -> "vingt et une stations",
    "1 personne" -> "une personne", "251 voix" -> "deux cent cinquante et une voix", "1 001 nuits" ->
    "mille une nuits", "289 voix contre 251" -> "... contre deux cent cinquante et une"."""

    def say(match: re.Match[str]) -> str:
        written = match.group(1) or match.group(3)
        said = feminine(int(written.replace(" ", ""))) if written.endswith("1") else written
        return (match.group(2) or "") + said

    return _COUNTED.sub(say, text)


_DE_ONE = re.compile(r"\b([dD])e (?:1|un|(une))(?= [a-zà-öø-ÿœ])")


def elided_one(text: str) -> str:
    """ "de 1 milliard" -> "d'un milliard", "de une heure" -> "d'une heure" (no reader says "de un")."""
    return _DE_ONE.sub(lambda m: f"{m.group(1)}'un{'e' if m.group(2) else ''}", text)


_FRACTIONS = {2: ("demi", "demis"), 3: ("tiers", "tiers"), 4: ("quart", "quarts")}
_ROUNDS = {
    2: ("demi-finale", "demi-finales"),
    4: ("quart de finale", "quarts de finale"),
    8: ("huitième de finale", "huitièmes de finale"),
    16: ("seizième de finale", "seizièmes de finale"),
}
_PLURAL_BEFORE = re.compile(r"\b(?:les|des|aux|ses|leurs|nos|vos|ces|deux|trois)\s+$", re.IGNORECASE)


def cup_rounds(text: str) -> str:
    """Knockout rounds: "les 1/4 de finale" -> "les quarts de finale", "en 1/2 finale" -> "en
    demi-finale", "1/8es de finale" -> "huitièmes de finale"."""

    def say(match: re.Match[str]) -> str:
        singular, plural = _ROUNDS[int(match.group(1))]
        many = match.group(2) or match.group(3) or _PLURAL_BEFORE.search(match.string[: match.start()])
        return plural if many else singular

    return re.sub(r"(?<![\w/.,])1/(2|4|8|16)(es|èmes)?(?:e|ème)?(?:\s+de)?\s+finale(s)?\b", say, text)


_VULGAR = {"½": "un demi", "¼": "un quart", "¾": "trois quarts", "⅓": "un tiers", "⅔": "deux tiers"}


def fractions(text: str) -> str:
    """ "1/3" -> "un tiers", "3/4" -> "trois quarts", "2/5" -> "deux cinquièmes" (denominators to 10),
    "les ¾" -> "les trois quarts"."""
    text = re.sub(rf"(?<![\d,])[{''.join(_VULGAR)}](?!\d)", lambda m: _VULGAR[m.group(0)], text)

    def say(match: re.Match[str]) -> str:
        top, bottom = int(match.group(1)), int(match.group(2))
        if not 1 <= top < 100 or not 2 <= bottom <= 10:
            return match.group(0)
        singular, plural = _FRACTIONS.get(bottom, (ordinal(bottom), ordinal(bottom) + "s"))
        return f"{cardinal(top)} {singular if top == 1 else plural}"

    return re.sub(r"(?<![\w/.,-])(\d{1,2})/(\d{1,2})(?![\w/])", say, text)


_RATING = re.compile(
    r"(?<![\w/.,-])(\d{1,3}[,.]\d{1,2})/(\d{1,3})(?![\w/]|[.,]\d)"  # "4,5/5", "4.5/5"
    r"|(?<![\w/.,-])(\d{1,3}(?:[,.]\d{1,2})?)/(20|100)(?![\w/]|[.,]\d)"  # "14/20", "85/100"
)
_MARK_OUT_OF = re.compile(
    r"\b((?:note|noté|notée|notés|notées|obtient|obtenu|récolte|décroche)(?: de)? )(\d{1,2})/(5|10)(?![\w/]|[.,]\d)"
)


def ratings(text: str) -> str:
    """A mark out of a scale is said "sur", not as a fraction: "4,5/5" -> "4,5 sur 5", "14/20" -> "14 sur
    20", "une note de 8/10" -> "8 sur 10" (a bare "3/10" stays "trois dixièmes")."""

    def say(match: re.Match[str]) -> str:
        mark, scale = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        return f"{mark.replace('.', ',')} sur {scale}"

    return _RATING.sub(say, _MARK_OUT_OF.sub(r"\1\2 sur \3", text))


def decimals(text: str) -> str:
    """A decimal point said as the French comma: "4.5 sur 5" -> "4,5 sur 5" (not "10.000", a
    version "17.2.1" or an address); an article's paragraph is not a decimal: "le 49.3", "49-3" and
    "l'article 12.4" -> "49 3", "12 4"."""
    text = re.sub(r"\b49[.-]3\b(?![.,-]?\d)", "49 3", text)
    text = re.sub(r"(\b[aA]rticles? (?:[LRD]\.? ?)?\d{1,4})[.-](\d{1,2})\b(?![.,-]?\d)", r"\1 \2", text)
    return re.sub(r"(?<![\w.,])(?<!version )(?<!iOS )(\d{1,3})\.(\d{1,2})(?![\d.]|\.\d)", r"\1,\2", text)


def scores(text: str) -> str:
    """A score or range between two numbers: "3-1" -> "3 à 1", "pp. 12-14" -> "12 à 14",
    "2020-2024" -> "2020 à 2024"; two years in a row are a season, said without "à" ("la saison
    2024-2025"); not a date, nor a model number such as "737-800"."""
    text = re.sub(r"(?<![\w.,/-])(\d{1,2}) ?[-–] ?(\d{1,2})(?![\w/-]|[.,]\d)", r"\1 à \2", text)

    def years(match: re.Match[str]) -> str:
        first, last = int(match.group(1)), int(match.group(2))
        if first >= last:
            return match.group(0)
        return f"{first} {last}" if last == first + 1 else f"{first} à {last}"

    return re.sub(r"(?<![\w.,/-])((?:19|20)\d\d)[-–/]((?:19|20)\d\d)(?![\w/-])", years, text)


# where a four-digit number is dialled: "le numéro (d'écoute) 3919", "composez le 3114"
_DIALLED = (
    r"(?:numéros?|ligne)(?: (?:d['’]|de )?(?:écoute|urgence|aide|appel|vert|gratuit|national|unique|court|"
    r"d['’]écoute|d['’]urgence|d['’]aide|d['’]appel))?(?: le| au)?"
    r"|(?:[cC]omposez|[cC]omposer|[aA]ppelez|[aA]ppeler|[jJ]oindre|[cC]ontacter|[cC]ontactez) (?:le|au)|joignable au"
)


def phone_numbers(text: str) -> str:
    """French phone numbers by pairs: "01.23.45.67.89" -> "01 23 45 67 89" (espeak-ng reads pairs); a
    four-digit service number said by pairs too: "le numéro d'écoute 3919" -> "39 19"; a free number
    by its groups: "0 800 123 456" -> "zéro 800, 123, 456"."""
    text = re.sub(
        rf"(\b(?:{_DIALLED}) )"
        r"(3\d)(\d\d)\b(?![,.]\d| ?[%€$])",
        r"\1\2 \3",
        text,
    )
    # "0 800 123 456": espeak-ng would join the groups of three into millions
    text = re.sub(r"(?<![\w.,])0 ?(8\d\d)[ .](\d{3})[ .](\d{3})(?![\w]|[.,]\d)", r"zéro \1, \2, \3", text)
    return re.sub(r"(?<![\w.])(0\d)[. -](\d\d)[. -](\d\d)[. -](\d\d)[. -](\d\d)(?![\w.]\d)", r"\1 \2 \3 \4 \5", text)


_COPULA_PLURAL = "sont|seront|étaient|seraient|restent|resteront|soient|demeurent|deviennent|doivent être"
_COPULA = rf"est|sera|était|serait|reste|restera|soit|demeure|devient|doit être|{_COPULA_PLURAL}"
# "sont > 30 % des chômeurs" is a share of something: "plus de", said by signs()
_COMPARED = re.compile(
    rf"\b(?:(\w+) )?({_COPULA}) (>|<|≥|≤|&gt;|&lt;) ?(?=\d)(?![\d ,]+(?:%|pour cent) (?:des?\b|du\b|d['’]))"
)
_COMPARISONS = {">": "supérieur à", "&gt;": "supérieur à", "<": "inférieur à", "&lt;": "inférieur à"}
_COMPARISONS |= {"≥": "supérieur ou égal à", "≤": "inférieur ou égal à"}
_FEMININE_NOUN = re.compile(rf"(?:{_FEMININE_NOUNS})")
_PLURAL_VERBS = frozenset(_COPULA_PLURAL.split("|"))
# what a keyboard writes for the same signs: ">=", "<=", "> à 5" ("supérieur à" written half in words)
_ASCII_SIGNS = re.compile(r"(?:^|(?<=\s))(>=|<=|> à|< à|&gt;=|&lt;=|&gt; à|&lt; à)(?= ?\d)")
_ASCII_SAID = {">=": "≥", "<=": "≤", "> à": ">", "< à": "<", "&gt;=": "≥", "&lt;=": "≤", "&gt; à": ">", "&lt; à": "<"}
_NOUN_COMPARED = re.compile(
    r"\b((?:[dD]es|[lL]es|[uU]ne?|[lL][ea]|[dD]u|[sS]es|[lL]eurs?|[cC]es|[sS]on|[sS]a) [a-zà-ÿ]{3,}) "
    r"(>|<|~|≈|≥|≤|&gt;|&lt;) ?(?=\d)"
)
_AFTER_NOUN = {">": "de plus de", "&gt;": "de plus de", "<": "de moins de", "&lt;": "de moins de", "~": "d'environ"}
_AFTER_NOUN |= {"≈": "d'environ", "≥": "d'au moins", "≤": "d'au plus"}
_AFTER_DE = re.compile(r"\bde ([~≈≥≤]) ?(?=\d)")


def comparisons(text: str) -> str:
    """A comparison sign after "être" is an adjective agreeing with the subject: "Les températures seront
    > 30 °C" -> "seront supérieures à 30 °C", "le taux est ≤ 3 %" (or "<= 3 %") -> "est inférieur ou égal
    à 3 %", "est > à 5 %" -> "est supérieur à 5 %"
    (elsewhere :func:`signs` says "plus de", "moins de")."""

    def say(match: re.Match[str]) -> str:
        subject, verb = match.group(1) or "", match.group(2)
        adjective, _, rest = _COMPARISONS[match.group(3)].partition(" ")
        if _FEMININE_NOUN.fullmatch(subject):
            adjective += "e"
        if verb in _PLURAL_VERBS:
            adjective += "s"
        return f"{subject + ' ' if subject else ''}{verb} {adjective} {rest} "

    text = _ASCII_SIGNS.sub(lambda m: _ASCII_SAID[m.group(1)], text)
    text = _COMPARED.sub(say, text)
    # after a noun: "des vents > 100 km/h" -> "des vents de plus de 100 km/h", "un écart ~3 %" -> "d'environ"
    return _NOUN_COMPARED.sub(lambda m: f"{m.group(1)} {_AFTER_NOUN[m.group(2)]} ", text)


_PLUS_MINUS = re.compile(r" ?± ?(?=\d)")


def signs(text: str) -> str:
    """A sign glued to a number is said: "-10 %" -> "moins 10 %", "+15" -> "plusse 15" (espeak-ng
    would drop the /s/ of "plus" before a consonant), "< 20 %" -> "moins de 20 %", "x2" -> "fois 2",
    "+ de 50" -> "plus de 50", "±2" -> "plus ou moins 2", "CA x3" -> "CA multiplié par 3", "÷2" ->
    "divisé par 2", "≥ 18" -> "au
    moins 18", "~30" -> "environ 30"."""
    text = comparisons(text)
    text = _AFTER_DE.sub(lambda m: _AFTER_NOUN[m.group(1)] + " ", text)  # "de ~5 %" -> "d'environ 5 %"
    text = re.sub(r"(?:(?<=^)|(?<=[\s(«“\"]))[-−–](?=\d)", "moins ", text)
    text = re.sub(r"(?:(?<=^)|(?<=\s))(?:<|&lt;) ?(?=\d)", "moins de ", text)
    text = re.sub(r"(?:(?<=^)|(?<=\s))(?:>|&gt;) ?(?=\d)", "plus de ", text)
    text = re.sub(r"(?:(?<=^)|(?<=\s))≤ ?(?=\d)", "au plus ", text)
    text = re.sub(r"(?:(?<=^)|(?<=\s))≥ ?(?=\d)", "au moins ", text)
    text = re.sub(r"(?:(?<=^)|(?<=\s))[≈~] ?(?=\d)", "environ ", text)
    text = re.sub(r"(?:(?<=^)|(?<=\s))\+ de (?=\d)", "plus de ", text)  # "+ de 50 participants"
    text = _PLUS_MINUS.sub(" plus ou moins ", text)  # "±2 points", "10 ± 0,5"
    text = re.sub(r"\b(multipliée?s?) (?:x|×) ?(?=\d)", r"\1 par ", text)
    text = re.sub(r"\b(soit|environ|presque|plus de|près de) [x×] ?(\d+(?:,\d+)?)\b", r"\1 fois \2", text)  # "soit x2"
    text = re.sub(rf"\b([zZ]oom(?: optique| numérique)?) [x×] ?{_FACTOR}\b", r"\1 fois \2", text)  # "zoom x10"
    text = _MULTIPLIER.sub(r"multiplié par \1", text)
    text = _DIVIDER.sub(r"divisé par \1", text)
    return re.sub(r"(?:(?<=^)|(?<=[\s(«“\"/]))\+ ?(?=\d)", "plusse ", text)


# A factor after a word or opening a phrase: "chiffre d'affaires x3", "(×2,5)"; only small factors and
# round ones, so "x86", "x64" (processors) and "iPhone X3" (a capital) stay names.
_FACTOR = r"(1?\d(?:,\d+)?|20|100|1 ?000)"
_MULTIPLIER = re.compile(rf"(?:^|(?<=[\s(«“\"])(?<!\d ))[x×] ?{_FACTOR}(?![\w,.]\w|[\w-])")
_DIVIDER = re.compile(rf"(?:^|(?<=[\s(«“\"])(?<!\d ))÷ ?{_FACTOR}(?![\w,.]\w|[\w-])")


_PERCENT_RANGE = re.compile(r"(\d) ?% ?[-–] ?(?=\d+(?:,\d+)? ?%)")


def percent(text: str) -> str:
    """ "49 %" -> "49 pour cent" (a unit kept with its number wherever the text is cut), "11 ‰" ->
    "11 pour mille", "15 %-20 %" -> "15 à 20 pour cent"."""
    text = re.sub(r"(\d)\s*‰", r"\1 pour mille", text)
    text = _PERCENT_RANGE.sub(r"\1 à ", text)  # "15 %-20 %" -> "15 à 20 %"
    text = re.sub(r"\b(points?|pts?) de %", r"\1 de pourcentage", text)
    return re.sub(r"(\d)\s*%", r"\1 pour cent", text)


# --- money ---------------------------------------------------------------------------------------

_AMOUNT = r"(?<!\d)(?:\d{1,3}(?: \d{3})+|\d+)"  # from the start of a number: linear on long digit runs
_NUMBER = rf"(?:{_AMOUNT})(?:,\d+)?"
_CURRENCY = {
    "€": ("euro", "euros", "d'euros"),
    "$": ("dollar", "dollars", "de dollars"),
    "£": ("livre", "livres", "de livres"),
    "CHF": ("franc suisse", "francs suisses", "de francs suisses"),
    "¥": ("yen", "yens", "de yens"),
}
# ISO codes a newsroom prints for the same currencies ("250 millions de CHF", "30 USD").
_CODES = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
_SCALE = {
    "mds": "milliard",
    "mrds": "milliard",
    "Md": "milliard",
    "Mds": "milliard",
    "Mrd": "milliard",
    "Mrds": "milliard",
    "M": "million",
    "k": "mille",
    "K": "mille",
}


def _plural(number: str) -> bool:
    """French agreement: plural from 2 on ("1,5 milliard", "2 milliards")."""
    return float(number.replace(" ", "").replace(",", ".")) >= 2


def _euros_and_cents(match: re.Match[str]) -> str:
    euros, cents = match.group(1), match.group(2)
    if euros == "0" and cents != "00":  # "0,99 €" -> "99 centimes"
        return f"{'un' if cents == '01' else int(cents)} centime{'' if cents == '01' else 's'}"
    said = f"{euros} euro" + ("s" if _plural(euros) else "")
    return said if cents == "00" else f"{said} {int(cents)}"


def _dollars_and_cents(match: re.Match[str]) -> str:
    """ "1,08 $" -> "1 dollar 08" (said « un dollar zéro huit », as an exchange rate is read);
    "0,86 £" is left to :func:`currencies`."""
    amount, cents, symbol = match.group(1), match.group(2), match.group(3)
    if amount == "0":  # "0,86 £": no « zéro livre »; said with its comma
        return match.group(0)
    said = f"{amount} {_CURRENCY[symbol][1 if _plural(amount) else 0]}"
    return said if cents == "00" else f"{said} {cents}"


def currencies(text: str) -> str:
    """Amounts said in French word order and agreement: "$100" -> "100 dollars", "£45" -> "45 livres",
    "250 millions de CHF" -> "250 millions de francs suisses", "30 USD" -> "30 dollars", "2,50 €" -> "2
    euros 50", "4,2 Md$" -> "4,2 milliards de dollars", "1,5 Md€" -> "1,5 milliard d'euros",
    "1 $" -> "1 dollar", "3 Mds d'euros" -> "3 milliards d'euros", "99 € HT" -> "99 euros hors taxes"."""
    text = re.sub(r"\bUS\s?\$", "$", text)
    text = re.sub(rf"(?<=\d)\s?({'|'.join(_CODES)})\b", lambda m: " " + _CODES[m.group(1)], text)
    text = re.sub(
        rf"\b(de|d['’]|en) ({'|'.join(_CODES)}|CHF)\b",
        lambda m: (
            f"{m.group(1)}{'' if m.group(1)[-1] in '’' + chr(39) else ' '}"
            + _CURRENCY[_CODES.get(m.group(2), m.group(2))][1]
        ),
        text,
    )
    text = re.sub(
        r"(?<![\w$£€¥])([$£€¥])\s?(" + _NUMBER + r")(\s+(?:millions?|milliards?)\b)?",
        lambda m: m.group(2) + (m.group(3) or "") + " " + m.group(1),
        text,
    )
    text = re.sub(rf"\b({_AMOUNT}),(\d\d)\s*€", _euros_and_cents, text)
    text = re.sub(rf"\b({_AMOUNT}),(\d\d)\s*([$£])(?![\w$£€])", _dollars_and_cents, text)
    # a scale before "d'euros" or "de dollars": "3 Mds d'euros" -> "3 milliards d'euros"
    text = re.sub(
        rf"({_NUMBER})\s?(Mds|Md|Mrds|Mrd|mds|mrds|M)\.?(?= (?:d['’]|de )\w)",
        lambda m: f"{m.group(1)} {_SCALE[m.group(2)]}{'s' if _plural(m.group(1)) else ''}",
        text,
    )
    symbols = "|".join(re.escape(symbol) for symbol in _CURRENCY)

    def scaled(match: re.Match[str]) -> str:
        number, scale, symbol = match.group(1), _SCALE[match.group(2)], match.group(3)
        plural = _plural(number)
        if scale == "mille":
            return f"{number} mille {_CURRENCY[symbol][1]}"
        return f"{number} {scale}{'s' if plural else ''} {_CURRENCY[symbol][2]}"

    text = re.sub(rf"({_NUMBER})\s*(Mds|Md|Mrds|Mrd|mds|mrds|M|k|K)\s*({symbols})", scaled, text)
    text = re.sub(
        rf"\b(millions?|milliards?)\s*(?:d['’]|de )?({symbols})(?!\w)",
        lambda m: f"{m.group(1)} {_CURRENCY[m.group(2)][2]}",
        text,
    )

    def simple(match: re.Match[str]) -> str:
        number, symbol = match.group(1), match.group(2)
        singular, plural, _ = _CURRENCY[symbol]
        return f"{number} {plural if _plural(number) else singular}"

    text = re.sub(rf"({_NUMBER})\s*({symbols})(?!\w)", simple, text)
    # "99 € HT", "800 euros TTC"
    # "le prix s'entend HT", "tarifs HT", "montant TTC": a price's words before it say it is one
    priced = r"euros?|dollars?|livres?|francs suisses?|s['’]entend(?:ent)?|prix|tarifs?|montants?|coûts?|mois"
    text = re.sub(rf"\b({priced})\s+HT\b(?![\w'’-])", r"\1 hors taxes", text)
    return re.sub(rf"\b({priced})\s+TTC\b(?![\w'’-])", r"\1 toutes taxes comprises", text)
