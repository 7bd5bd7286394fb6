"""Speech normalization: every rule alone, input -> expected; then the lexicon and the whole speaker."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcast.errors import ConfigError
from podcast.speech import default_lexicon, load_lexicon, numbers, rules, speaker
from podcast.speech.lexicon import Lexicon, parse_lexicon


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zéro"),
        (1, "un"),
        (17, "dix-sept"),
        (21, "vingt et un"),
        (71, "soixante et onze"),
        (80, "quatre-vingts"),
        (81, "quatre-vingt-un"),
        (91, "quatre-vingt-onze"),
        (100, "cent"),
        (200, "deux cents"),
        (201, "deux cent un"),
        (1000, "mille"),
        (2000, "deux mille"),
        (80000, "quatre-vingt mille"),
        (1_500_000, "un million cinq cent mille"),
    ],
)
def test_cardinal(n: int, words: str) -> None:
    assert rules.cardinal(n) == words


@pytest.mark.parametrize(
    "n, words",
    [
        (1, "premier"),
        (2, "deuxième"),
        (5, "cinquième"),
        (9, "neuvième"),
        (11, "onzième"),
        (13, "treizième"),
        (20, "vingtième"),
        (21, "vingt et unième"),
        (80, "quatre-vingtième"),
        (100, "centième"),
        (200, "deux centième"),
        (1000, "millième"),
    ],
)
def test_ordinal_words(n: int, words: str) -> None:
    assert rules.ordinal(n) == words


@pytest.mark.parametrize(
    "text, value", [("XX", 20), ("XXI", 21), ("XIV", 14), ("IV", 4), ("MCMXC", 1990), ("IIII", None), ("", None)]
)
def test_roman(text: str, value: int | None) -> None:
    assert rules.roman(text) == value


CASES = {
    rules.typography: [
        ("à 18\u00a0h, «\u202fOui\u202f»\u00a0!", "à 18 h, « Oui » !"),
        ("12\u202f500 habitants, 1\u2009250\u2007000 €", "12 500 habitants, 1 250 000 €"),
        ("aujourd’hui l’UE, d‘EDF", "aujourd'hui l'UE, d'EDF"),
        ("\u22125 °C, AP\u2011HP", "-5 °C, AP-HP"),
    ],
    rules.drop_urls: [
        ("Lire https://www.lemonde.fr/pixels/article/2024.html ce soir", "Lire lemonde point fr ce soir"),
        ("(voir www.ademe.fr/guide).", "(voir double vé double vé double vé point ademe point fr)."),
        ("sur https://www.ville-brest.fr/agenda.", "sur ville tiret brest point fr."),
        ("Sans lien.", "Sans lien."),
    ],
    rules.drop_emails: [
        ("Écrire à redaction@lefil.fr.", "Écrire à redaction arobase lefil point fr."),
        ("à jean-luc.roux@theatre-vienne.fr", "à jean tiret luc point roux arobase theatre tiret vienne point fr"),
    ],
    rules.every_other: [
        ("se fait 1 semaine/2 dans", "se fait une semaine sur deux dans"),
        ("1 week-end/2, 1 jour/3, 1 mois/2", "un week-end sur deux, un jour sur trois, un mois sur deux"),
        ("1 semaine/20, 3 semaines/2, 1/2", "1 semaine/20, 3 semaines/2, 1/2"),
    ],
    rules.arrows: [
        ("Croissance : 1,1 % → 0,8 %.", "Croissance : 1,1 % à 0,8 %."),
        ("De Paris → Lyon, étape ➜ suite", "De Paris → Lyon, étape ➜ suite"),
    ],
    rules.drop_emoji: [
        ("Bravo 🎉 à tous 👍🏽!", "Bravo à tous!"),
        ("Il fait 25 °C © AFP, 3 € ✅", "Il fait 25 °C © AFP, 3 €"),
        ("Drapeau 🇫🇷 français", "Drapeau français"),
    ],
    rules.elided_one: [("un score de 1 à 0", "un score d'un à 0")],
    rules.ratings: [
        ("Le film obtient 4,5/5, il a eu 14/20", "Le film obtient 4,5 sur 5, il a eu 14 sur 20"),
        ("une note de 8/10, soit 3/10 des votants", "une note de 8 sur 10, soit 3/10 des votants"),
    ],
    rules.titles: [
        ("M. Durand et MM. Dupont", "monsieur Durand et messieurs Dupont"),
        ("Mme Leroy, Mlle Roux, Mmes Petit", "madame Leroy, mademoiselle Roux, mesdames Petit"),
        ("le Dr Morel et le Pr Bernard", "le docteur Morel et le professeur Bernard"),
        ("Me Dupont plaide à St-Étienne", "maître Dupont plaide à Saint-Étienne"),
        ("la loi n° 3 et le N°5, p. 12", "la loi numéro 3 et le numéro 5, page 12"),
        ("No 1 mondial, No. 2, le No", "numéro 1 mondial, numéro 2, le No"),
        ("en 52 av. J.-C.", "en 52 avant Jésus-Christ."),
        ("Le M de Meta. Me voici.", "Le M de Meta. Me voici."),
        ("Mgr Aupetit, Mr. Smith et le Prof. Raoult", "monseigneur Aupetit, monsieur Smith et le professeur Raoult"),
        ("p. ex. env. 20 pages, c.-à-d. pp. 12-14", "par exemple environ 20 pages, c'est-à-dire pages 12-14"),
        ("t. 2, vol. 3, Éd. Gallimard, chap. 4", "tome 2, volume 3, édition Gallimard, chapitre 4"),
        # "etc." keeps a period only where it ends the sentence
        ("les cerises, etc. ont augmenté", "les cerises, et cetera ont augmenté"),
        ("des fruits, etc. Le reste, etc.", "des fruits, et cetera. Le reste, et cetera."),
        # street types before a name, not "av." alone
        ("au 45, av. de la République, 12 bd Haussmann", "au 45, avenue de la République, 12 boulevard Haussmann"),
        ("pl. de la Concorde, av. J.-C.", "place de la Concorde, avant Jésus-Christ."),
        # weekday abbreviations before a date; "mar." alone is left
        ("mar. 4 mars, ven. 7, sam. 8", "mardi 4 mars, vendredi 7, samedi 8"),
        ("Le mar. est", "Le mar. est"),
        ("min. 5 ans, max. 3 jours, la Cie", "minimum 5 ans, maximum 3 jours, la compagnie"),
        ("N.B. : lire. P.-S. : venir.", "nota bene : lire. post-scriptum : venir."),
        (
            "au XIXe s. et au 5e s. av. J.-C., les s. suivants",
            "au XIXe siècle et au 5e siècle avant Jésus-Christ, les s. suivants",
        ),
    ],
    rules.ordinals: [
        ("le 1er juillet, la 1re fois, la 1ère place", "le premier juillet, la première fois, la première place"),
        (
            "le 13e arrondissement, le 2ème étage, la 2nde guerre",
            "le treizième arrondissement, le deuxième étage, la seconde guerre",
        ),
        ("au XXe siècle puis au XXIe siècle", "au vingtième siècle puis au vingt et unième siècle"),
        ("la Ve République, François Ier", "la cinquième République, François premier"),
        ("les 3es rencontres", "les troisièmes rencontres"),
        ("Le rapport, Ce texte, 4e5", "Le rapport, Ce texte, 4e5"),
        ("la 2e", "la deuxième"),
        ("en 2de, les 2des", "en seconde, les secondes"),
        ("au XIXe siècle", "au dix-neuvième siècle"),
    ],
    rules.regnal_numbers: [
        ("Louis XIV et Benoît XVI", "Louis 14 et Benoît 16"),
        ("le CAC et la PME", "le CAC et la PME"),
        ("au chapitre IV du tome III", "au chapitre 4 du tome 3"),
        ("le XV de France", "le quinze de France"),
        ("IV. La suite", "4. La suite"),
        ("Jean-Paul II", "Jean-Paul 2"),
        ("succède à Benoît XVI. Puis", "succède à Benoît 16. Puis"),
    ],
    rules.dates: [
        ("le 14/07/2025 et le 2025-03-14", "le 14 juillet 2025 et le 14 mars 2025"),
        ("le 30/06, le 01.02.2024, le 1/3", "le 30 juin, le premier février 2024, le premier mars"),
        ("1/3 des votes, 10/15 ans", "1/3 des votes, 10/15 ans"),
        ("le 12 déc. 2024. Puis en déc. Il neige", "le 12 décembre 2024. Puis en décembre. Il neige"),
        ("fin janv. et sept. 2025", "fin janvier et septembre 2025"),
        ("le 31/02/2025", "le 31/02/2025"),
        ("le 1er/03/2025", "le premier mars 2025"),
        # quarters and halves of a year; "T3" alone (a flat) is left
        (
            "au T3 2025, au Q1-2024, le S1 2025",
            "au troisième trimestre 2025, au premier trimestre 2024, le premier semestre 2025",
        ),
        ("un T3 à louer", "un T3 à louer"),
    ],
    rules.times: [
        ("à 8 h 30, à 8h30, vers 20 h et à 9 h 05", "à 8 heures 30, à 8 heures 30, vers 20 heures et à 9 heures 5"),
        ("à 1 h du matin, 14 h 00", "à une heure du matin, 14 heures"),
        ("à 21h, à 1h", "à vingt et une heures, à une heure"),
        ("24h/24 et 7j/7", "24 heures sur 24 et 7 jours sur 7"),
        ("130 km/h", "130 km/h"),
    ],
    rules.durations: [
        ("45 min, 1 min, 10 ms, 09 s", "45 minutes, une minute, 10 millisecondes, 9 secondes"),
        ("les SMS, 3 sec.", "les SMS, 3 secondes."),
        ("le 100 m en 9,86 s, 1,5 s", "le 100 m en 9 secondes 86, 1,5 s"),
    ],
    rules.fractions: [
        ("1/3 des voix, 3/4 et 2/5", "un tiers des voix, trois quarts et deux cinquièmes"),
        ("1/2", "un demi"),
        ("1/20", "1/20"),
        (
            "les ¾ des votants, ½ litre, ⅓ des sièges, 2½",
            "les trois quarts des votants, un demi litre, un tiers des sièges, 2½",
        ),
    ],
    rules.decimals: [
        ("4.5 sur 5 et 10.000", "4,5 sur 5 et 10.000"),
        ("iOS 17.2, 1.2.3", "iOS 17.2, 1.2.3"),
        # an article's paragraph is not a decimal
        ("le 49.3, le 49-3, l'article 12.4, 49.35", "le 49 3, le 49 3, l'article 12 4, 49,35"),
    ],
    rules.scores: [
        ("gagne 3-1, 2020-2024", "gagne 3 à 1, 2020 à 2024"),
        # two years in a row: a season or a school year, no "à"
        ("la saison 2024-2025, l'année 2023/2024", "la saison 2024 2025, l'année 2023 2024"),
        ("Boeing 737-800, COVID-19, 2024-2020", "Boeing 737-800, COVID-19, 2024-2020"),
    ],
    rules.feminine_numbers: [
        ("21 stations, 1 personne, 71 villes", "vingt et une stations, une personne, 71 villes"),
        ("21 hommes, 10 001 places", "21 hommes, dix mille une places"),
        (
            "1 chance sur 3, 31 délégations, 41 victoires",
            "une chance sur 3, trente et une délégations, quarante et une victoires",
        ),
    ],
    rules.phone_numbers: [
        ("au 01.23.45.67.89 ou 06-12-34-56-78", "au 01 23 45 67 89 ou 06 12 34 56 78"),
        # four-digit service numbers by pairs, only where a number is dialled
        ("le numéro d'écoute 3919, composez le 3114", "le numéro d'écoute 39 19, composez le 31 14"),
        ("le numéro vert 3020, en 3919, le 3919", "le numéro vert 30 20, en 3919, le 3919"),
        ("appelez le 0 800 123 456 ou le 0800 130 000", "appelez le zéro 800, 123, 456 ou le zéro 800, 130, 000"),
        ("contacter 3200 entreprises, joignable au 3939", "contacter 3200 entreprises, joignable au 39 39"),
    ],
    rules.cup_rounds: [
        ("les 1/4 de finale, en 1/2 finale", "les quarts de finale, en demi-finale"),
        ("un 1/8e de finale, les 1/8es de finale", "un huitième de finale, les huitièmes de finale"),
        ("les 1/2 finales, 1/4 des votes", "les demi-finales, 1/4 des votes"),
    ],
    rules.signs: [
        ("-10 °C, +15 % et –3 points", "moins 10 °C, plusse 15 % et moins 3 points"),
        ("2020-2024, 10 – 20", "2020-2024, 10 – 20"),
        (
            "< 20 %, > 3 ans, ≥ 18 ans, ≤ 5, ~30 morts",
            "moins de 20 %, plus de 3 ans, au moins 18 ans, au plus 5, environ 30 morts",
        ),
        ("a < b, x>y", "a < b, x>y"),
        ("+ de 50, soit x2, multipliées x3", "plus de 50, soit fois 2, multipliées par 3"),
        ("le fichier x64, un écran 4 x 3", "le fichier x64, un écran 4 x 3"),
    ],
    rules.web_names: [
        (
            "#MeToo et @Elysee sur legifrance.gouv.fr",
            "hashtag MeToo et arobase Elysee sur legifrance point gouv point fr",
        ),
        ("le n°1, C#, etc. et 3.5", "le n°1, C#, etc. et 3.5"),
        ("le hashtag #JO2024, les mots-dièses #Paris", "le hashtag JO2024, les mots-dièses Paris"),
    ],
    rules.percent: [
        ("49 % et 3,5%", "49 pour cent et 3,5 pour cent"),
        ("11 ‰", "11 pour mille"),
        ("2 pts de %, 1 point de %", "2 pts de pourcentage, 1 point de pourcentage"),
    ],
    rules.currencies: [
        ("$100 et 100 $", "100 dollars et 100 dollars"),
        ("2,50 €, 1,65 €, 10 000,00 €", "2 euros 50, 1 euro 65, 10 000 euros"),
        ("14 Md€, 3 M€, 5 k€", "14 milliards d'euros, 3 millions d'euros, 5 mille euros"),
        (
            "3 millions €, $2 milliards, 4 milliards $",
            "3 millions d'euros, 2 milliards de dollars, 4 milliards de dollars",
        ),
        ("800 € et 1 €", "800 euros et 1 euro"),
        (
            "1 $, 4,2 Md$, 300 M$, 1,5 Md€",
            "1 dollar, 4,2 milliards de dollars, 300 millions de dollars, 1,5 milliard d'euros",
        ),
        ("14 milliards de dollars", "14 milliards de dollars"),
        ("US$ 5", "5 dollars"),
        # a symbol before the amount, ISO codes
        ("£45, €12 et ¥300", "45 livres, 12 euros et 300 yens"),
        ("250 millions de CHF, 30 USD, 2 000 EUR", "250 millions de francs suisses, 30 dollars, 2 000 euros"),
        ("20 millions d'€, 3 milliards de $", "20 millions d'euros, 3 milliards de dollars"),
        (
            "3 Mds d'euros, 12 M de dollars, 1,5 Md d'euros",
            "3 milliards d'euros, 12 millions de dollars, 1,5 milliard d'euros",
        ),
        ("3 mds €, 2 mds d'euros", "3 milliards d'euros, 2 milliards d'euros"),
        ("99 € HT, 800 euros TTC", "99 euros hors taxes, 800 euros toutes taxes comprises"),
    ],
    rules.units: [
        (
            "3 Go à 130 km/h, 4,5 GW, 12 kWh, 50 m²",
            "3 gigaoctets à 130 kilomètre heure, 4,5 gigawatts, 12 kilowattheures, 50 mètres carrés",
        ),
        ("Il fait 38 °C, soit 100°F", "Il fait 38 degrés Celsius, soit 100 degrés Fahrenheit"),
        (
            "5 mg, 3 µm, 7 nm, 1,5 m, 100 Mbit/s, 2 Gbit/s",
            "5 milligrammes, 3 micromètres, 7 nanomètres, 1,5 mètre, 100 mégabits par seconde, 2 gigabits par seconde",
        ),
        ("3 m de haut, 3 mois, la 5G", "3 mètres de haut, 3 mois, la 5G"),
        ("12 t de sable, 1 t, 400 Mt de CO2", "12 tonnes de sable, 1 tonne, 400 millions de tonnes de CO2"),
        # a unit per a unit
        ("60 µg/m³, 95 g/km, 3 m/s", "60 microgrammes par mètre cube, 95 grammes par kilomètre, 3 mètres par seconde"),
        ("à 30°, 85 dB, 5 000 mAh", "à 30 degrés, 85 décibels, 5 000 milliampère-heure"),
        ("le t de tonne, la 4 L", "le t de tonne, la 4 litres"),
        # a unit after a counted word
        ("17 millions d'ha, des milliers de km²", "17 millions d’hectares, des milliers de kilomètres carrés"),
        ("5 l/100 km, 3 pts", "5 litres aux 100 kilomètres, 3 points"),
        # a height or a jump in metres and centimetres; one decimal stays a decimal
        ("1,80 m, 8,95 m, 1,5 m", "1 mètre 80, 8 mètres 95, 1,5 mètre"),
        ("120 hab./km²", "120 habitants par kilomètre carré"),
        # a unit named without a number
        ("le prix du kWh, 10 € par m²", "le prix du kilowattheure, 10 € par mètre carré"),
    ],
    rules.rates: [
        ("1 020 €/mois, 5 euros/an, 12 €/h", "1 020 € par mois, 5 euros par an, 12 € par heure"),
        ("et/ou, km/h", "et/ou, km/h"),
        ("2,5 pour cent/an", "2,5 pour cent par an"),
        ("80 $/baril", "80 $ par baril"),
    ],
    rules.symbols: [
        ("Marks & Spencer", "Marks et Spencer"),
        ("2 × 3, x×y", "2 fois 3, x×y"),
        (
            "20, rue de la Paix, 75002 Paris, 69100 Villeurbanne",
            "20, rue de la Paix, 75 0 0 2 Paris, 69 100 Villeurbanne",
        ),
        ("en 12000 Avant", "en 12000 Avant"),
    ],
    rules.acronyms: [
        ("La PME, l'UE, la SNCF et l’OK", "La P M E, lu E, la S N C F et lo K"),
        ("La NASA, FAIR et l'OTAN", "La NASA, FAIR et l'Otan"),
        # letters glued to a number are split: the letters follow the acronym rules
        ("#JO2024, le CO2, la COP28, TF1", "#J O 2024, le C O 2, la Cop 28, T F 1"),
        # the curated list: institutions said as words, others spelled though pronounceable
        ("la CNAF, l'ANSSI, la CPAM, le CNED", "la Cnaf, l'Anssi, la Cépam, le Knède"),
        ("l'OFII, l'ARS, la HAS, l'AIEA", "lo F I I, la R S, la H A S, la I E A"),
        # French words in capitals for emphasis are read, not spelled
        ("Le NON l'emporte, OUI ou NON", "Le non l'emporte, oui ou non"),
        ("Louis XIV, le XX", "Louis XIV, le XX"),
        ("UNESCO, Le, A", "Unesco, Le, A"),
        (
            "la CNIL, le SMIC, la FNAC, le CERN, l'OCDE, une OPA",
            "la Cnile, le smic, la Fnac, le Cern, lo C D E, une O P A",
        ),
        ("L’IA, AP-HP, UFC-Que Choisir, l'ARNm, 737 MAX", "Li A, A P H P, U F C Que Choisir, la R N messager, 737 max"),
    ],
    # a slash is « sur » only in a ratio; « = » between amounts is « égale » (round 6)
    rules.ratios: [
        ("le ratio dette/PIB, le rapport cours/bénéfice", "le ratio dette sur PIB, le rapport cours sur bénéfice"),
        ("la dette/PIB, et/ou, entrée/sortie", "la dette sur PIB, et/ou, entrée/sortie"),
    ],
    rules.equals: [
        ("1 € = 1,08 $, 1 euro = 0,86 livre", "1 € égale 1,08 $, 1 euro égale 0,86 livre"),
        ("si x = 3, a=b", "si x = 3, a=b"),
    ],
}


@pytest.mark.parametrize(
    "rule, text, expected",
    [(rule, text, expected) for rule, pairs in CASES.items() for text, expected in pairs],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_rule(rule, text: str, expected: str) -> None:
    assert rule(text) == expected


def test_every_rule_has_cases() -> None:
    assert set(rules.RULES) <= set(CASES)


def test_rules_leave_plain_french_alone() -> None:
    text = "Il y a deux semaines, Sam Altman se voulait rassurant : « Aucun talent n’est parti. »"
    for rule in rules.RULES:
        if rule is not rules.typography:  # it makes the apostrophe plain
            assert rule(text) == text, rule.__name__


# --- lexicon -----------------------------------------------------------------------------------


def test_lexicon_whole_word_and_longest_first() -> None:
    lex = Lexicon((("IA", "I A"), ("IA générative", "intelligence générative"), ("Meta", "Méta")))
    assert lex.apply("L'IA générative de Meta, l’IA, l'IAG, Metaverse, IA-compatible") == (
        "L'intelligence générative de Méta, l’I A, l'IAG, Metaverse, IA-compatible"
    )


def test_lexicon_is_case_aware() -> None:
    lex = Lexicon((("IA", "I A"), ("chatbot", "tchatte botte")))
    assert lex.apply("ia, Ia, IA") == "ia, Ia, I A"  # a capitalized entry matches only itself
    assert lex.apply("Chatbot et chatbot, CHATBOT") == "Tchatte botte et tchatte botte, CHATBOT"


def test_show_lexicon_overrides_default(tmp_path: Path) -> None:
    path = tmp_path / "lexique.toml"
    path.write_text('[lexicon]\n"Meta" = "Mèta"\n"Le Fil" = "Le Fil info"\n', encoding="utf-8")
    lex = load_lexicon(path)
    assert lex.apply("Meta et OpenAI dans Le Fil") == "Mèta et Open A I dans Le Fil info"


def test_top_level_lexicon_without_table() -> None:
    assert parse_lexicon('"Cnil" = "Knil"').apply("la Cnil") == "la Knil"


@pytest.mark.parametrize(
    "text, message",
    [
        ('"Meta" = 3', "must be a string"),
        ('"Meta" = ', "invalid lexicon TOML"),
        ('" Meta" = "x"', "without outer spaces"),
    ],
)
def test_bad_lexicon_is_a_config_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_lexicon(text, "show.toml")


def test_missing_lexicon_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the lexicon"):
        load_lexicon(tmp_path / "absent.toml")


def test_default_lexicon_loads_and_spells_tech_words() -> None:
    lex = default_lexicon()
    assert len(lex) >= 20
    assert (
        lex.apply("ChatGPT d'OpenAI, l’IA et les API aux U.S.")
        == "Tchatte G P T d'Open A I, l’I A et les A P I aux U S"
    )


# --- the whole speaker -------------------------------------------------------------------------


def test_speaker_order_lexicon_before_acronyms(tmp_path: Path) -> None:
    """The lexicon sees words as written, so a show can keep an acronym the speller would spell."""
    path = tmp_path / "lex.toml"
    path.write_text('"CAC" = "cac"\n', encoding="utf-8")
    speak = speaker(load_lexicon(path))
    assert speak("Le CAC gagne 2 %, la BCE hésite.") == "Le cac gagne 2 pour cent, la B C E hésite."
    path.write_text('"CAC" = "C A C"\n', encoding="utf-8")
    assert speaker(load_lexicon(path))("Le CAC gagne.") == "Le C A C gagne."


def test_speaker_full_sentence() -> None:
    speak = speaker(default_lexicon())
    assert speak("Le 1er juillet à 8 h 30, M. Durand (OpenAI) a levé $100 millions 🚀 : voir https://x.fr/a.") == (
        "Le premier juillet à 8 heures 30, monsieur Durand (Open A I) a levé 100 millions de dollars : voir x point fr."
    )


def test_phonemes_never_change_what_the_voice_says() -> None:
    """Converting text to phonemes (the corpus scorer, ``podcast say``) uses its own copy of espeak-ng:
    on the voice's copy, a thousand conversions shifted the next synthesis (the history reset does not
    cover TextToPhonemes), so a cached sentence would no longer match its text."""
    from podcast.speech.phonemes import phonemes
    from podcast.voices.espeak import _Library

    library = _Library.get()
    before = library.speak("Bonjour, ceci est une phrase de test.", "fr", 170, 50)
    for _ in range(1000):
        phonemes("Le chat dort.")
    assert library.speak("Bonjour, ceci est une phrase de test.", "fr", 170, 50) == before


# --- families found by the second independent corpus ----------------------------------------------


@pytest.mark.parametrize(
    "rule, text, expected",
    [
        # a weekday makes day/month a date
        (numbers.weekday_dates, "fixé au dimanche 6/04.", "fixé au dimanche 6 avril."),
        (numbers.weekday_dates, "Mardi 3.06, puis", "Mardi 3 juin, puis"),
        (numbers.weekday_dates, "samedi 31/02", "samedi 31/02"),  # no such day: left alone
        (numbers.weekday_dates, "mercredi 5-03, samedi 3-1", "mercredi 5 mars, samedi 3-1"),
        (numbers.weekday_dates, "les 6/04 du budget", "les 6/04 du budget"),
        (rules.dates, "Rendez-vous jeudi 12/6 à Lyon.", "Rendez-vous jeudi 12 juin à Lyon."),
        # Roman numerals after a name, a regnal name or a numbered event
        (rules.regnal_numbers, "Le Super Bowl LIX", "Le Super Bowl 59"),
        (rules.regnal_numbers, "Charles X et Pie V", "Charles 10 et Pie 5"),
        (rules.regnal_numbers, "Jean-Paul II, Vatican II, Henri IV", "Jean-Paul 2, Vatican 2, Henri 4"),
        (rules.regnal_numbers, "Son CV. Le XL. Un X", "Son CV. Le XL. Un X"),
        # paragraphs
        (rules.titles, "l'article 3 § 2, les §§ 4 et 5", "l'article 3 paragraphe 2, les paragraphes 4 et 5"),
        (rules.titles, "du Ier siècle av. J.-C.", "du Ier siècle avant Jésus-Christ."),
        (
            rules.titles,
            "en 52 av. J.-C. César gagne. En 33 apr. J.-C., rien",
            "en 52 avant Jésus-Christ. César gagne. En 33 après Jésus-Christ, rien",
        ),
        (rules.phone_numbers, "Appelez le 3919 pour", "Appelez le 39 19 pour"),
        # comparison signs: an adjective after "être", "de plus de" after a noun, "plus de" elsewhere
        (rules.signs, "Les températures seront > 30 °C.", "Les températures seront supérieures à 30 °C."),
        (rules.signs, "Le taux est ≤ 3 %.", "Le taux est inférieur ou égal à 3 %."),
        (rules.signs, "Ils sont > 30 % des votants.", "Ils sont plus de 30 % des votants."),
        (rules.signs, "Le taux est > 5 % depuis mai.", "Le taux est supérieur à 5 % depuis mai."),
        (rules.signs, "des vents > 100 km/h, un écart ~3 %", "des vents de plus de 100 km/h, un écart d'environ 3 %"),
        (rules.signs, "les > 65 ans, ≥ 18 ans", "les plus de 65 ans, au moins 18 ans"),
        (rules.signs, "Le taux est > à 5 %, un seuil >= 50 %", "Le taux est supérieur à 5 %, un seuil d'au moins 50 %"),
        (rules.signs, "un âge <= 12 ans", "un âge d'au plus 12 ans"),
        # degrees: Celsius goes without saying, a half is "et demi"
        (rules.units, "à 1,5 °C, 2,5 °C, 0,5 °C", "à un degré et demi, 2 degrés et demi, un demi-degré"),
        (rules.units, "Il fait 38 °C, 41,2 °C", "Il fait 38 degrés, 41,2 degrés"),
        # neighbours: ranges of days and hours, cents, signs after "de", "#1", "R&D"
        (rules.dates, "les 10-12 mars, Du 3-5 juillet, 12-10 mai", "du 10 au 12 mars, Du 3 au 5 juillet, 12-10 mai"),
        (rules.times, "de 12h-14h, 9h30-18h", "de 12 heures à 14 heures, 9 heures 30 à 18 heures"),
        (rules.currencies, "coûte 0,99 €, 0,01 €, 1,20 €", "coûte 99 centimes, un centime, 1 euro 20"),
        (rules.signs, "est de ~5 %, un taux ≥ 4 %", "est d'environ 5 %, un taux d'au moins 4 %"),
        (rules.web_names, "le #1 des ventes, #climat", "le numéro 1 des ventes, hashtag climat"),
        (rules.symbols, "Le service R&D, Dupont & Fils", "Le service R et D, Dupont et Fils"),
        (rules.percent, "de 15 %-20 %", "de 15 à 20 pour cent"),
        (rules.units, "25 kWh/100 km", "25 kilowattheures aux 100 kilomètres"),
        (rules.durations, "3 à 5 j ouvrés, 10 j.", "3 à 5 jours ouvrés, 10 jours."),
        (rules.durations, "le J-5, 5 jeux", "le J-5, 5 jeux"),
        (rules.elided_one, "de 1 milliard, de une heure, de 1 à 3", "d'un milliard, d'une heure, d'un à 3"),
        (rules.elided_one, "de 1 000 euros, de 1,5 million", "de 1 000 euros, de 1,5 million"),
        # word-acronyms printed in title case
        (rules.acronyms, "Le Medef, l'Inserm, le Crous, la Fnac", "Le Médef, l'Innserm, le Crousse, la Fnac"),
        (rules.acronyms, "L'Insee et l'Unesco", "L'Inn-sé et l'Unesco"),
        # found by the third independent corpus: two-digit years, a decimal point in a mark, feminine
        # numbers ending in one, plus or minus, spelled domains, street abbreviations
        (
            rules.dates,
            "daté du 07/02/25, le 3/11/98, le 07.02.25, la v1.2.10",
            "daté du 7 février 2025, le 3 novembre 1998, le 7 février 2025, la v1.2.10",
        ),
        (rules.dates, "le 31/02/25, 12/13/25", "le 31/02/25, 12/13/25"),  # no such day: left alone
        (rules.ratings, "notée 4.5/5, 14.5/20", "notée 4,5 sur 5, 14,5 sur 20"),
        (rules.feminine_numbers, "par 289 voix contre 251.", "par 289 voix contre deux cent cinquante et une."),
        (
            rules.feminine_numbers,
            "1 001 nuits, 21 hommes, 10 000 personnes, 111 pages",
            "mille une nuits, 21 hommes, 10 000 personnes, 111 pages",
        ),
        (rules.signs, "de ±2 points, 10 ± 0,5", "de plus ou moins 2 points, 10 plus ou moins 0,5"),
        (
            rules.drop_urls,
            "sur https://europa.eu/x et www.service-public.fr.",
            "sur europa point E U et double vé double vé double vé point service tiret public point fr.",
        ),
        (rules.drop_emails, "à info@elysee.eu", "à info arobase elysee point E U"),
        (rules.titles, "au 12, r. de Rivoli, la r. est", "au 12, rue de Rivoli, la r. est"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_family_rule(rule, text: str, expected: str) -> None:
    assert rule(text) == expected


@pytest.mark.parametrize(
    "run",
    [
        "1" * 20_000,
        "a.b" * 7_000 + "@x.fr",
        "1-" * 10_000,
        "1h-" * 7_000,
        "www." + "a-" * 7_000 + ".fr",
        "le 1.1" * 5_000,
        # round 5: hashtags split by case, handles, multipliers, SI units, carbon, arrows
        "#" + "Ab" * 7_000,
        "#" + "A" * 20_000 + "et",
        "@" + "a_" * 7_000,
        " x1" * 7_000,
        "1 " + "µ" * 20_000,
        "1 t" + "CO" * 7_000,
        "1 %" + " →" * 7_000,
        "6 mois" + " min." * 5_000,
    ],
)
def test_rules_take_linear_time_on_long_runs(run: str) -> None:
    """Every sentence of every build goes through the rules: a long run of digits or of word
    characters must not make a pattern rescan it from each position (8 000 digits took 5 s)."""
    import time

    speak = speaker(default_lexicon())
    started = time.perf_counter()
    speak(run)
    assert time.perf_counter() - started < 3.0


def test_lexicon_entry_with_a_typographic_apostrophe_still_matches() -> None:
    speak = speaker(parse_lexicon('"l’Oréal" = "lo réale"'))
    assert speak("Chez l’Oréal et l'Oréal.") == "Chez lo réale et lo réale."


@pytest.mark.parametrize(
    "rule, text, expected",
    [
        # addresses: said so a listener can type them; a hyphen in running text stays silent
        (rules.say_host, "mairie-annecy.fr", "mairie tiret annecy point fr"),
        (rules.say_host, "www.fetedulac.org", "double vé double vé double vé point fetedulac point org"),
        (rules.say_host, "www.eu", "www point E U"),
        (rules.web_names, "sur mairie-annecy.fr.", "sur mairie tiret annecy point fr."),
        (rules.web_names, "Paris-Nice, Saint-Étienne.", "Paris-Nice, Saint-Étienne."),
        (rules.say_hyphens, "theatre--vienne", "theatre tiret vienne"),
        # a day and a month with a dot after a word announcing a date
        (numbers.dotted_dates, "publiés le 04.07 à partir", "publiés le 4 juillet à partir"),
        (
            numbers.dotted_dates,
            "du 3.09 au 14.09, depuis 1.10.",
            "du 3 septembre au 14 septembre, depuis premier octobre.",
        ),
        (
            numbers.dotted_dates,
            "le 4.07 %, le 4.07 m, le 2.05 km, au 4.07 pour cent",
            "le 4.07 %, le 4.07 m, le 2.05 km, au 4.07 pour cent",
        ),
        (
            numbers.dotted_dates,
            "la v1.2, à 14.30, le 14.30, le 31.02, le 12.50 €, le 1.2",
            "la v1.2, à 14.30, le 14.30, le 31.02, le 12.50 €, le 1.2",
        ),
        (rules.dates, "au 31.12.2026, le 04.07", "au 31 décembre 2026, le 4 juillet"),
        # farm yields and areas
        (
            rules.yields,
            "68 q/ha, 1 q/ha, 9,5 t/ha, 60 hl/ha",
            "68 quintaux à l'hectare, 1 quintal à l'hectare, 9,5 tonnes à l'hectare, 60 hectolitres à l'hectare",
        ),
        (rules.units, "3 ha 20 a, il a 3 ha à vendre", "3 hectares 20 ares, il a 3 hectares à vendre"),
        (rules.rates, "2 000 €/m², 210 €/t", "2 000 € par mètre carré, 210 € par tonne"),
        # rugby teams
        (
            rules.regnal_numbers,
            "le XIII catalan, le rugby à XIII, du XV de France",
            "le treize catalan, le rugby à treize, du quinze de France",
        ),
        (rules.regnal_numbers, "Rugby : le VII a gagné, le XV aussi.", "Rugby : le sept a gagné, le quinze aussi."),
        (rules.regnal_numbers, "le VII de Beethoven, le XV du mois", "le VII de Beethoven, le XV du mois"),
        # ranks and titles before a name
        (
            rules.titles,
            "Le cdt Morel, le Cne Duval, le lt Girard, le col. Ravel",
            "Le commandant Morel, le capitaine Duval, le lieutenant Girard, le colonel Ravel",
        ),
        (
            rules.titles,
            "le gal de Gaulle, l'adj. Roux, le sgt Perrin, le brig. Faure, Vve Martin",
            "le général de Gaulle, l'adjudant Roux, le sergent Perrin, le brigadier Faure, veuve Martin",
        ),
        (
            rules.titles,
            "Lt-Col. Roux, Me Lefèvre, Mgr Aupetit, Dr Martin, Pr Raoult",
            "lieutenant-colonel Roux, maître Lefèvre, monseigneur Aupetit, docteur Martin, professeur Raoult",
        ),
        (rules.titles, "le col du Galibier, un lt de bière, la cne", "le col du Galibier, un lt de bière, la cne"),
        # acronyms of local news
        (
            rules.acronyms,
            "la ZAC, la ZUP, la ZAE, le SDIS, le Sdis",
            "la zac, la zupe, la Z A E, le Esdisse, le Esdisse",
        ),
        (rules.acronyms, "le SCoT, le SCOT et le PLUi.", "le Scot, le Scot et le P L U I."),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_local_news_rule(rule, text: str, expected: str) -> None:
    """Round 4 (a regional daily): each family's rule alone."""
    assert rule(text) == expected


@pytest.mark.parametrize(
    "rule, text, expected",
    [
        # multipliers after a word, small or round factors only; processors and capitals stay names
        (numbers.signs, "Chiffre d'affaires x3 en deux ans", "Chiffre d'affaires multiplié par 3 en deux ans"),
        (numbers.signs, "les ventes (×2,5)", "les ventes (multiplié par 2,5)"),
        (numbers.signs, "le zoom x10", "le zoom fois 10"),
        (numbers.signs, "sur x86, x64 et l'iPhone X3", "sur x86, x64 et l'iPhone X3"),
        (numbers.signs, "2 x3", "2 x3"),
        (numbers.signs, "prix ÷2", "prix divisé par 2"),
        # every SI prefix the news prints, named, agreed in number; bare units only where unambiguous
        (rules.units, "5 µs, 5 μs, 20 ns", "5 microsecondes, 5 microsecondes, 20 nanosecondes"),
        (rules.units, "12 MWc, 1 kWc, 250 Wc", "12 mégawatts-crête, 1 kilowatt-crête, 250 watts-crête"),
        (
            rules.units,
            "13 TeV, 2 kJ, 4 MPa, 3 mA, 230 V",
            "13 téraélectronvolts, 2 kilojoules, 4 mégapascals, 3 milliampères, 230 volts",
        ),
        (rules.units, "512 ko, 2 dl, 5 Mbps", "512 kilooctets, 2 décilitres, 5 mégabits par seconde"),
        (rules.units, "classe 3 A, 5 J, 2 Mg", "classe 3 A, 5 J, 2 Mg"),
        (rules.units, "+25 pb, 1 pb, 3 ppb", "+25 points de base, 1 point de base, 3 parties par milliard"),
        # tonnes of CO2
        (rules.carbon, "45 000 tCO2 en 2025", "45 000 tonnes de CO2 en 2025"),
        (rules.carbon, "1,2 MtCO2e et 3 teqCO2", "1,2 million de tonnes équivalent CO2 et 3 tonnes équivalent CO2"),
        (rules.carbon, "3 ktCO₂", "3 kilotonnes de CO2"),
        # an arrow between values; elsewhere the emoji rule drops it
        (rules.arrows, "1,1 % → 0,8 %", "1,1 % à 0,8 %"),
        (rules.arrows, "10 -> 12, 2 € => 3 €", "10 à 12, 2 € à 3 €"),
        (rules.arrows, "Paris → Lyon", "Paris → Lyon"),
        # hashtags by words, handles' underscores said
        (rules.hashtag_words, "IAetEmploi", "IA et emploi"),
        (rules.hashtag_words, "MeToo", "MeToo"),
        (rules.hashtag_words, "IA_pour_tous", "IA pour tous"),
        (rules.hashtag_words, "JOParis", "JO paris"),
        (rules.hashtag_words, "climat", "climat"),
        (
            rules.web_names,
            "sous #IAetEmploi, sur @lettre_eco.",
            "sous hashtag IA et emploi, sur arobase lettre tiret bas eco.",
        ),
        (rules.web_names, "le hashtag #FrenchTech", "le hashtag FrenchTech"),
        # a king's numeral inside a place name
        (rules.regnal_numbers, "le lycée Henri-IV, rue Louis-XVI", "le lycée Henri-Quatre, rue Louis-Seize"),
        (rules.regnal_numbers, "la SNCF-IV", "la SNCF-IV"),
        # press abbreviations
        (rules.titles, "les Ets Martin et les Éts Durand", "les établissements Martin et les établissements Durand"),
        (rules.titles, "de 4 % et 7 %, resp.", "de 4 % et 7 %, respectivement."),
        (rules.titles, "6 mois min., payé", "6 mois minimum, payé"),
        (rules.titles, "Budget max. de 5 000", "Budget maximum de 5 000"),
        (rules.titles, "3 ans min. dans le conseil", "3 ans minimum dans le conseil"),
        (rules.titles, "Il dure 10 min. Puis", "Il dure 10 min. Puis"),
        (rules.titles, "Un stage de 3 mois max. Puis", "Un stage de 3 mois maximum. Puis"),
        (rules.titles, "Ibid., p. 12 et ss.", "ibidem, page 12 et suivantes."),
        (
            rules.titles,
            "coll. Folio, réf. 12-B, art. 3, al. 2",
            "collection Folio, référence 12-B, article 3, alinéa 2",
        ),
        (rules.titles, "la Pre Lefèvre, les Drs Martin", "la professeure Lefèvre, les docteurs Martin"),
        (rules.titles, "p.-ê. demain, id. pour l'annexe", "peut-être demain, idem pour l'annexe"),
        (rules.titles, "Dupont et Cie. La Sté Générale", "Dupont et compagnie. La société Générale"),
        (rules.titles, "le montant h.t. est", "le montant hors taxes est"),
        (
            numbers.currencies,
            "Le prix s'entend HT, soit 1 200 € TTC.",
            "Le prix s'entend hors taxes, soit 1 200 euros toutes taxes comprises.",
        ),
        (numbers.currencies, "une ligne HT", "une ligne HT"),
        (rules.acronyms, "Bpifrance et la Dgfip", "B P I France et la D G Fip"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_business_news_rule(rule, text: str, expected: str) -> None:
    """Round 5 (a business/tech newsletter): each family's rule alone."""
    assert rule(text) == expected


@pytest.mark.parametrize(
    "rule, text, expected",
    [
        # round 6 (independent set 6): weekdays in a range, building, phone, inhabitants
        (rules.titles, "Ouvert du lun. au sam.", "Ouvert du lundi au samedi."),
        (rules.titles, "Du mar. au dim. inclus, lun.-ven. Fermé", "Du mardi au dimanche inclus, lundi-vendredi. Fermé"),
        (rules.titles, "le sam. 12 avril, la mar. noire", "le samedi 12 avril, la mar. noire"),
        (rules.titles, "Le bât. B, bât. 3, le bât. est", "Le bâtiment B, bâtiment 3, le bât. est"),
        (rules.titles, "Tél. : 01 ; tél. 02", "Téléphone : 01 ; téléphone 02"),
        (rules.titles, "(3 200 hab.), 500 hab., hab.", "(3 200 habitants), 500 habitants, habitants"),
        (rules.currencies, "1,08 $, 12,50 £, 3,00 $, 0,86 £", "1 dollar 08, 12 livres 50, 3 dollars, 0,86 livre"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_round_six_rule(rule, text: str, expected: str) -> None:
    assert rule(text) == expected


@pytest.mark.parametrize("run", ["ratio" + " a" * 7_000 + "/b", "a/" * 10_000, "1 =" * 7_000, "du lun." * 5_000])
def test_round_six_rules_take_linear_time(run: str) -> None:
    import time

    speak = speaker(default_lexicon())
    started = time.perf_counter()
    speak(run)
    assert time.perf_counter() - started < 3.0
