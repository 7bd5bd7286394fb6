"""Abbreviations, titles, ordinals and Roman numerals in context: what a reader expands.

Each rule is a ``str -> str`` function, tested alone in tests/test_speech.py.
"""

from __future__ import annotations

import re

from .numbers import cardinal, ordinal, roman

_CAP = r"[A-ZÀ-ÖØ-Þ]"

# Written -> said; each applies before what the pattern's lookahead asks for.
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (rf"\bMM\.\s+(?={_CAP})", "messieurs "),
    (rf"\bM\.\s+(?={_CAP}|et M)", "monsieur "),
    (rf"\bMr\.?\s+(?={_CAP})", "monsieur "),
    (r"\bMmes\b\.?", "mesdames"),
    (r"\bMme\b\.?", "madame"),
    (r"\bMlles\b\.?", "mesdemoiselles"),
    (r"\bMlle\b\.?", "mademoiselle"),
    (rf"\bMgr\b\.?(?=\s+{_CAP})", "monseigneur"),
    (rf"\bDr\b\.?(?=\s+{_CAP})", "docteur"),
    (rf"\b(?:Pr|Prof)\b\.?(?=\s+{_CAP})", "professeur"),
    (rf"\bMe\b(?=\s+{_CAP})", "maître"),
    (rf"\bVve\b\.?(?=\s+{_CAP})", "veuve"),
    # ranks before a name, as a local daily prints them: "le cdt Morel", "le col. Martin"
    (rf"\b[lL]t-[cC]ol\.?(?=\s+{_CAP})", "lieutenant-colonel"),
    (rf"\b[aA]dj\.-[cC]hef(?=\s+{_CAP})", "adjudant-chef"),
    (rf"\b[cC]dt\b\.?(?=\s+{_CAP})", "commandant"),
    (rf"\b[cC]ne\b\.?(?=\s+{_CAP})", "capitaine"),
    (rf"\b[lL]t\b\.?(?=\s+{_CAP})", "lieutenant"),
    (rf"\b[cC]ol\.(?=\s+{_CAP})", "colonel"),
    (rf"\b(?:[gG]al\b\.?|[gG]én\.)(?=\s+(?:{_CAP}|de {_CAP}))", "général"),  # "le gal de Gaulle"
    (rf"\b[aA]dj\.(?=\s+{_CAP})", "adjudant"),
    (rf"\b[sS]gt\b\.?(?=\s+{_CAP})", "sergent"),
    (rf"\b[bB]rig\.(?=\s+{_CAP})", "brigadier"),
    (rf"\bSte[.-](?=\s*{_CAP})", "Sainte-"),
    (rf"\bSt[.-](?=\s*{_CAP})", "Saint-"),
    (r"(?<!\w)[nN]°\s*", "numéro "),
    (r"\s?§§\s*(?=\d)", " paragraphes "),
    (r"\s?§\s*(?=\d)", " paragraphe "),
    (r"(?<=\d)\s?§(?=[\s,.;:)]|$)", " paragraphe"),  # "article 3, 2 §"
    (r"\bNo\.?\s?(?=\d)", "numéro "),
    (r"\bpp\.\s*(?=\d)", "pages "),
    (r"\bp\.\s*(?=\d)", "page "),
    (r"\b[tT]\.\s*(?=\d)", "tome "),
    (r"\b[vV]ol\.\s*(?=\d)", "volume "),
    (r"\bchap\.\s*(?=\d|[IVX])", "chapitre "),
    (r"\bfig\.\s*(?=\d)", "figure "),
    (r"\bart\.\s*(?=\d)", "article "),
    (r"\b[éÉ]d\.(?=\s)", "édition"),
    (r"\bp\.\s?ex\.", "par exemple"),
    (r"\bc\.-à-d\.", "c'est-à-dire"),
    (r"\b[eE]nv\.(?=\s)", "environ"),
    (r"\b[cC]f\.(?=\s)", "voir"),
    (r"\bvs\.?(?=\s)", "contre"),
    (r"\bhab\.(?=[\s),;]|$)", "habitants"),  # "(3 200 hab.)"
    (r"\btél\.(?=\s)", "téléphone"),
    (r"\bTél\.(?=\s)", "Téléphone"),  # "Tél. : 04 78 12 34 56"
    (r"\b[bB]ât\.(?=\s+[A-Z\d])", "bâtiment"),  # "bât. B"
    # street names: "45, av. de la République", "bd Haussmann", "pl. de la Concorde"
    (rf"\b[aA]v\.?(?=\s+(?:de|du|des|d['’]|{_CAP}))", "avenue"),
    (rf"\b(?:[bB]d|[bB]oul\.|[bB]lvd\.?)(?=\s+(?:de|du|des|d['’]|{_CAP}))", "boulevard"),
    (rf"\bpl\.(?=\s+(?:de|du|des|d['’]|{_CAP}))", "place"),
    (rf"\bfg\.?(?=\s+(?:de|du|des|d['’]|{_CAP}))", "faubourg"),
    (rf"(?<=\d, )r\.(?=\s+(?:de|du|des|d['’]|{_CAP}))", "rue"),  # "12, r. de Rivoli"
    # days before a date: "mar. 4 mars" -> "mardi 4 mars"
    (r"\b[lL]un\.(?=\s*\d)", "lundi"),
    (r"\b[mM]ar\.(?=\s*\d)", "mardi"),
    (r"\b[mM]er\.(?=\s*\d)", "mercredi"),
    (r"\b[jJ]eu\.(?=\s*\d)", "jeudi"),
    (r"\b[vV]en\.(?=\s*\d)", "vendredi"),
    (r"\b[sS]am\.(?=\s*\d)", "samedi"),
    (r"\b[dD]im\.(?=\s*\d)", "dimanche"),
    (r"\bmin\.(?=\s*\d)", "minimum"),
    # after a word (after a number "10 min." is minutes): "6 mois min.", "budget max. de 5 000 euros"
    (r"(?<=[a-zà-ÿ] )min\.(?=\s*[,;:)!?]|\s+[a-zà-ÿ])", "minimum"),
    (r"(?<=[a-zà-ÿA-Z] )max\.(?=\s*[,;:)!?]|\s+[a-zà-ÿ])", "maximum"),
    (r"\bmax\.(?=\s*\d)", "maximum"),
    (r"\bapprox\.(?=\s)", "environ"),
    (r"\bex\.(?=\s*:)", "exemple"),
    (r"\b(?:i\.\s?e\.|càd|c-à-d)(?=[\s,])", "c'est-à-dire"),
    (r"\be\.\s?g\.(?=[\s,])", "par exemple"),
    # the period is kept where it may end the sentence: "Dupont et Cie."
    (r"\bCie\.?(?=\s+[a-zà-ÿ\d])", "compagnie"),
    (r"\bCie\b", "compagnie"),
    (r"\bSté\.?(?=\s+[a-zà-ÿ\dA-Z])", "société"),
    (r"\bSté\b", "société"),
    (r"\bÉts\b\.?(?=\s)", "établissements"),
    (rf"\b(?:Ets|Éts|ETS)\b\.?(?=\s+{_CAP})", "établissements"),  # "les Ets Martin"
    (rf"\bDrs\b\.?(?=\s+{_CAP})", "docteurs"),
    (rf"\bPre\b\.?(?=\s+{_CAP})", "professeure"),
    (rf"\bSts[.-](?=\s*{_CAP})", "Saints-"),
    (rf"\bfbg\.?(?=\s+(?:de|du|des|d['’]|{_CAP}))", "faubourg"),
    (r"\bp\.-ê\.(?=\s)", "peut-être"),
    (r"\bpar ex\.(?=\s)", "par exemple"),
    (r"\b[iI]bid\.", "ibidem"),
    (r"(?<![\w.])[iI]d\.(?=[\s,;])", "idem"),
    (r"\b[rR]éf\.(?=\s*:?\s*[\dA-Z])", "référence"),  # "réf. 12-B"
    (r"\bcoll\.(?=\s+{_CAP}|\s+«)".replace("{_CAP}", _CAP), "collection"),  # "coll. Folio"
    (r"(?<=\d, )al\.\s*(?=\d)", "alinéa "),  # "art. 3, al. 2"
    (r"\b[hH]\.\s?[tT]\.(?=\s|$|[,;])", "hors taxes"),
    (r"\bt\.\s?t\.\s?c\.(?=\s|$|[,;])", "toutes taxes comprises"),
    (r"\bJr\b\.?", "junior"),
    (r"\bdép\.(?=\s)", "département"),
    (r"\barr\.(?=\s|$)", "arrondissement"),
    (r"\bqqn\b", "quelqu'un"),
    (r"\bqqch\b", "quelque chose"),
    (r"\bsq\.(?=\s|$)", "et suivants"),
    (r"(?<=\de |[IVX]e )s\.", "siècle"),
    (r"(?<!\w)N\.\s?B\.", "nota bene"),
    (r"(?<!\w)P\.-?S\.", "post-scriptum"),
)
_ETC = re.compile(r"\b(etc|resp|min|max|suiv|(?<=\bet )ss)\.(\.\.)?(?P<end>\s*$|\s+[A-ZÀ-ÖØ-ÞŒ«“])?")
_ENDING = {"etc": "et cetera", "resp": "respectivement", "min": "minimum", "max": "maximum", "suiv": "suivantes"}
_ENDING |= {"ss": "suivantes"}  # "p. 12 et ss."
_JC = re.compile(r"(?:\b(av|apr)\.\s*)?\bJ\.-C\.(?P<end>\s*$|\s+[A-ZÀ-ÖØ-ÞŒ«“])?")
_ERA = {"av": "avant ", "apr": "après ", None: ""}
_COMPILED = tuple((re.compile(pattern), said) for pattern, said in _ABBREVIATIONS)


def titles(text: str) -> str:
    """Titles and abbreviations said in full: "M. Durand" -> "monsieur Durand", "Mgr" -> "monseigneur",
    "p. ex." -> "par exemple", "env." -> "environ", "pp. 12" -> "pages 12", "n° 5" -> "numéro 5", "§ 2" ->
    "paragraphe 2", "§§ 2 et 3" -> "paragraphes 2 et 3",
    "etc." -> "et cetera", "resp." -> "respectivement", "Ets Martin" -> "établissements Martin", "6 mois
    min." -> "6 mois minimum", "45, av. de la République" -> "avenue", "mar. 4 mars" -> "mardi 4 mars"."""
    # "av. J.-C." keeps its period as the sentence's end too
    text = _JC.sub(
        lambda m: _ERA[m.group(1)] + "Jésus-Christ" + ("." + m.group("end") if m.group("end") is not None else ""),
        text,
    )
    text = weekday_ranges(text)
    for pattern, said in _COMPILED:
        text = pattern.sub(said, text)
    # "etc." keeps its period as the sentence's end when a sentence ends there
    return _ETC.sub(_ending, text)


_WEEKDAYS = {
    "lun": "lundi",
    "mar": "mardi",
    "mer": "mercredi",
    "jeu": "jeudi",
    "ven": "vendredi",
    "sam": "samedi",
    "dim": "dimanche",
}
_DAY = "(?i:" + "|".join(_WEEKDAYS) + ")"
_WEEKDAY_RANGE = re.compile(
    rf"\b(?:([dD]u) ({_DAY})\. au |({_DAY})\.? ?[-–] ?)({_DAY})\.(?P<end>\s*$|\s+[A-ZÀ-ÖØ-ÞŒ«“])?"
)


def weekday_ranges(text: str) -> str:
    """Abbreviated weekdays in a range, where they cannot be anything else: "du lun. au sam." -> "du
    lundi au samedi", "lun.-ven." -> "lundi-vendredi"; the last period kept where the sentence ends
    (before a day number: :data:`_ABBREVIATIONS`)."""

    def say(match: re.Match[str]) -> str:
        first = match.group(2) or match.group(3)
        said = _WEEKDAYS[first.lower()]
        last = _WEEKDAYS[match.group(4).lower()] + ("." + match.group("end") if match.group("end") is not None else "")
        if match.group(1):
            return f"{match.group(1)} {said} au {last}"
        return f"{said}-{last}"

    return _WEEKDAY_RANGE.sub(say, text)


def _ending(match: re.Match[str]) -> str:
    """ "etc." and "resp." anywhere, "min." / "max." ending a sentence after a word ("6 mois min."; after
    a number it is minutes): said, the period kept when the sentence ends there."""
    word, end = match.group(1), match.group("end")
    if word in ("min", "max") and (end is None or not re.search(r"[a-zà-ÿ] $", match.string[: match.start()])):
        return match.group(0)
    return _ENDING[word] + ("." + end if end is not None else "")


_ORDINAL = re.compile(r"(?<![\w,.])(\d{1,6})(ers?|res?|ères?|èmes?|es|e|nde?s?|des?|ᵉʳ|ʳᵉ|ᵉ)(?![\w'’])")
_ROMAN_ORDINAL = re.compile(r"\b([IVX]|[IVXLC]{2,7})(ers?|res?|ères?|èmes?|es|e|ᵉʳ|ᵉ)(?![\w'’])")


def _say_ordinal(number: int, suffix: str) -> str | None:
    plural = "s" if suffix.endswith("s") and number != 1 else ""
    if suffix.startswith(("er", "ᵉʳ")):
        return "premier" + ("s" if suffix.endswith("s") else "") if number == 1 else None
    if suffix.startswith(("re", "ère", "ʳᵉ")):
        return "première" + ("s" if suffix.endswith("s") else "") if number == 1 else None
    if suffix.startswith(("nd", "de")):
        return ("seconde" if "e" in suffix else "second") + plural if number == 2 else None
    return ordinal(number) + plural


def ordinals(text: str) -> str:
    """ "1er" -> "premier", "13e" -> "treizième", "2de" -> "seconde", "XXIe siècle" -> "vingt et
    unième siècle"."""

    def arabic(match: re.Match[str]) -> str:
        said = _say_ordinal(int(match.group(1)), match.group(2))
        return said if said is not None else match.group(0)

    def latin(match: re.Match[str]) -> str:
        value = roman(match.group(1))
        said = _say_ordinal(value, match.group(2)) if value else None
        return said if said is not None else match.group(0)

    return _ROMAN_ORDINAL.sub(latin, _ORDINAL.sub(arabic, text))


_CONTEXT = (
    "chapitre|chapitres|tome|tomes|volume|acte|livre|partie|titre|saison|épisode|article|annexe|"
    "scène|section|phase|Chapitre|Tome|Volume|Acte|Livre|Partie|Titre|Saison|Épisode|Article|Annexe|Phase"
)


# Names a single-letter Roman numeral follows ("Charles X", "Pie V", "Henri V"): kings, popes, emperors.
_REGNAL_NAMES = (
    "Louis|Henri|Charles|Philippe|François|Jean|Paul|Pie|Léon|Benoît|Grégoire|Clément|Innocent|Urbain|Sixte|"
    "Jules|Napoléon|Édouard|Edouard|Guillaume|Richard|Jacques|Frédéric|Alexandre|Pierre|Nicolas|Georges|"
    "Elizabeth|Élisabeth|Victoria|Felipe|Alphonse|Ferdinand|Gustave|Christian|Harald|Olav|Haakon|Léopold|"
    "Baudouin|Albert|Rainier|Carl|Willem|Frederik|Ramsès|Constantin|Othon|Lothaire|Pépin|Childéric|Clovis"
)
# Events and councils numbered in Roman numerals, letters L and C included ("Super Bowl LIX").
_NUMBERED_EVENTS = "Super Bowl|WrestleMania|Vatican|Latran|Star Wars|Rocky|Ligue|Coupe|Jeux|Olympiade"
# Words after which two capitals are not a numeral ("Le CV", "Son DC", "Un XL").
_DETERMINERS = "Le|La|Les|Un|Une|Des|Du|Au|Aux|Son|Sa|Ses|Mon|Ma|Mes|Ton|Ta|Tes|Ce|Cet|Cette|Ces|Leur|Leurs|En|De"
_CONTEXT_NUMERAL = re.compile(rf"\b({_CONTEXT}) ([IVXLC]{{1,7}})\b(?![\w'’-])")
_NAME_NUMERAL = re.compile(
    rf"\b(?!(?:{_DETERMINERS}) )([A-ZÀ-Þ][a-zà-ÿ]+) ([IVX]{{2,6}})\b(?![\w'’-]|\.\w)"
    rf"|\b((?:{_REGNAL_NAMES})(?:-[A-ZÀ-Þ][a-zà-ÿ]+)?) ([IVX])\b(?![\w'’-]|\.\w)"
    rf"|\b({_NUMBERED_EVENTS}) ([IVXLC]{{1,8}})\b(?![\w'’-]|\.\w)"
)


_HYPHENED_NUMERAL = re.compile(rf"\b((?:{_REGNAL_NAMES})-)([IVX]{{1,6}})\b(?![\w'’-]|\.\w)")


def hyphened_numerals(text: str) -> str:
    """A king's numeral inside a place name: "lycée Henri-IV" -> "lycée Henri-Quatre", "rue Louis-XVI"
    -> "rue Louis-Seize" (the name is written as said)."""

    def say(match: re.Match[str]) -> str:
        value = roman(match.group(2))
        return match.group(1) + cardinal(value).capitalize() if value else match.group(0)

    return _HYPHENED_NUMERAL.sub(say, text)


def regnal_numbers(text: str) -> str:
    """Roman numerals where their context says they are numbers: "Louis XIV" -> "Louis 14", "Charles
    X" -> "Charles 10", "Jean-Paul II" -> "Jean-Paul 2", "Super Bowl LIX" -> "Super Bowl 59",
    "chapitre IV" -> "chapitre 4", "le XV de France" -> "le quinze de France", a heading "IV. La
    suite" -> "4. La suite" (espeak-ng says "quatre romain")."""

    def number(match: re.Match[str]) -> str:
        name, numeral = next((match.group(i), match.group(i + 1)) for i in (1, 3, 5) if match.group(i))
        value = roman(numeral)
        return f"{name} {value}" if value else match.group(0)

    def in_context(match: re.Match[str]) -> str:
        value = roman(match.group(2))
        return f"{match.group(1)} {value}" if value else match.group(0)

    text = hyphened_numerals(_CONTEXT_NUMERAL.sub(in_context, text))
    text = _NAME_NUMERAL.sub(number, text)
    text = team_numerals(text)
    return re.sub(r"^([IVX]{1,5})\.(?= )", lambda m: f"{roman(m.group(1))}." if roman(m.group(1)) else m.group(0), text)


_TEAM_NUMERALS = {"XIII": "treize", "XV": "quinze", "VII": "sept"}
# What names a rugby team after its numeral: "le XIII catalan", "le XV de France", "le VII tricolore".
_TEAM_WORDS = (
    "catalan|catalans|de France|tricolore|français|féminin|national|anglais|gallois|irlandais|écossais|"
    "italien|argentin|australien|néo-zélandais|sud-africain|japonais|fidjien|des Bleus|des Bleues|de départ"
)
_TEAM = re.compile(
    rf"\b([rR]ugby à|[jJ]eu à) (XIII|XV|VII)\b(?![\w'’-])"
    rf"|\b([lL]e|[dD]u|[aA]u) (XIII|XV|VII)\b(?![\w'’-]|\.\w)(?= (?:{_TEAM_WORDS})\b)"
)
_RUGBY = re.compile(r"\b(?:[rR]ugby|[mM]êlée|[eE]ssais?|Top 14|Super League|[sS]électionneur)\b")


def team_numerals(text: str) -> str:
    """A rugby team's numeral said as its number: "rugby à XIII" -> "rugby à treize", "le XIII catalan"
    -> "le treize catalan", "le XV de France" -> "le quinze de France"; a bare "le VII" only where the
    sentence speaks of rugby (espeak-ng says "quinze romain" or spells the letters)."""

    def say(match: re.Match[str]) -> str:
        word, numeral = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        return f"{word} {_TEAM_NUMERALS[numeral]}"

    text = _TEAM.sub(say, text)
    if _RUGBY.search(text):
        text = re.sub(
            r"\b([lL]e|[dD]u|[aA]u) (XIII|XV|VII)\b(?![\w'’-]|\.\w)",
            lambda m: f"{m.group(1)} {_TEAM_NUMERALS[m.group(2)]}",
            text,
        )
    return text
