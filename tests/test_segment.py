"""Segmentation: French sentence rules, clause-aware length limits, and that nothing is ever lost."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcast.article import Article, Issue, Section, parse
from podcast.segment import Kind, Pause, Segment, segment_issue, split_length, split_sentences, summary, words


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("Il pleut. Le vent souffle! Vraiment ? Oui.", ["Il pleut.", "Le vent souffle!", "Vraiment ?", "Oui."]),
        (
            "M. Durand et Mme Leroy arrivent. Le Dr Morel aussi.",
            ["M. Durand et Mme Leroy arrivent.", "Le Dr Morel aussi."],
        ),
        ("Il mesure 3,5 m. Elle mesure 3.5 m.", ["Il mesure 3,5 m.", "Elle mesure 3.5 m."]),
        ("La loi n° 5, p. 12 du texte. Ensuite.", ["La loi n° 5, p. 12 du texte.", "Ensuite."]),
        ("Les U.S. Marines débarquent. J. K. Rowling écrit.", ["Les U.S. Marines débarquent.", "J. K. Rowling écrit."]),
        ("Mais… les loyers montent. Puis… Rien.", ["Mais… les loyers montent.", "Puis…", "Rien."]),
        ("Il hésite... Puis il part.", ["Il hésite...", "Puis il part."]),
        (
            "« Nous partons. » Il a dit : « Vraiment ? » Oui.",
            ["« Nous partons. »", "Il a dit : « Vraiment ? »", "Oui."],
        ),
        (
            "“Aucun talent n’est parti.” Depuis, huit sont partis.",
            ["“Aucun talent n’est parti.”", "Depuis, huit sont partis."],
        ),
        ("« Partez ! » a-t-il crié. Ils partent.", ["« Partez ! » a-t-il crié.", "Ils partent."]),
        ("Apple, Google, etc. Le lendemain, rien.", ["Apple, Google, etc.", "Le lendemain, rien."]),
        ("En 2024. 2025 sera pire.", ["En 2024.", "2025 sera pire."]),
        ("Voir (p. 3). Puis la fin (vraiment). Et après.", ["Voir (p. 3).", "Puis la fin (vraiment).", "Et après."]),
        ("le 12 janv. 2024 il neigeait.", ["le 12 janv. 2024 il neigeait."]),
        ("Sans point final", ["Sans point final"]),
    ],
)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


LONG = (
    "Certes, l’entreprise a levé plus de 25 milliards de dollars ces derniers mois, avec la promesse de "
    "récupérer 20 milliards de plus d’ici à la fin de l’année – à condition toutefois de mener un "
    "changement de structure juridique."
)


def test_split_length_prefers_clause_boundaries() -> None:
    assert split_length(LONG, 100) == [
        "Certes, l’entreprise a levé plus de 25 milliards de dollars ces derniers mois,",
        "avec la promesse de récupérer 20 milliards de plus d’ici à la fin de l’année",
        "– à condition toutefois de mener un changement de structure juridique.",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Elle accuse de lourdes pertes : cinq milliards l’an passé, probablement encore plus cette année, hélas.",
            [
                "Elle accuse de lourdes pertes :",
                "cinq milliards l’an passé, probablement encore plus cette année, hélas.",
            ],
        ),
        (
            "Depuis, huit chercheurs ont quitté le concepteur de Tchatte G P T "
            "pour rejoindre la maison mère de Facebook.",
            [
                "Depuis, huit chercheurs ont quitté le concepteur de Tchatte G P T",
                "pour rejoindre la maison mère de Facebook.",
            ],
        ),
        ("Un texte court.", ["Un texte court."]),
        ("", []),
    ],
)
def test_split_length_examples(text: str, expected: list[str]) -> None:
    assert split_length(text, 100) == expected


def test_split_length_never_cuts_a_number_or_an_acronym() -> None:
    text = "La ville compte exactement 10 000 habitants et la S N C F dessert sa gare depuis longtemps"
    for limit in range(20, 60):
        for piece in split_length(text, limit):
            assert not piece.startswith("000"), (limit, piece)
            assert not piece.endswith(("S", "N", "C")) and not piece.startswith(("N C", "C F")), (limit, piece)


def test_split_length_does_not_end_a_piece_on_an_article() -> None:
    text = "Le gouvernement a présenté hier soir un plan de rénovation des écoles de la République française"
    for piece in split_length(text, 60)[:-1]:
        assert piece.rsplit(" ", 1)[-1] not in ("de", "la", "le", "les", "des", "un")


def test_a_word_longer_than_the_limit_stays_whole() -> None:
    word = "anticonstitutionnellement" * 5
    assert split_length(f"Un {word} mot", 20) == ["Un", word, "mot"]


def test_no_limit_keeps_the_text() -> None:
    assert split_length(LONG, None) == [LONG]


# --- properties: nothing lost, nothing reordered, every piece within the limit -------------------

_WORD = st.one_of(
    st.text(alphabet="abcdeéèàçôûœABCDÉ’'-", min_size=1, max_size=14),
    st.sampled_from(
        [
            "M.",
            "Mme",
            "n°",
            "3,5",
            "10",
            "000",
            "U.S.",
            "…",
            "«",
            "»",
            "–",
            ";",
            ":",
            ",",
            "etc.",
            "Dr",
            "(RGPD)",
            "“cité”",
            "!",
            "?",
            "1er",
            "%",
            "€",
            "G",
            "P",
            "T",
        ]
    ),
    st.text(alphabet="xyz", min_size=90, max_size=130),
)
_SEP = st.sampled_from([" ", " ", " ", ", ", ". ", " ; ", " : ", " – ", "! ", "? ", "… ", "  ", "\t"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(_WORD, _SEP), min_size=1, max_size=60))
    return "".join(word + sep for word, sep in parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts(), limit=st.integers(min_value=10, max_value=120))
def test_property_split_loses_nothing(text: str, limit: int) -> None:
    pieces = [piece for sentence in split_sentences(text) for piece in split_length(sentence, limit)]
    assert words(pieces) == text.split()
    for piece in pieces:
        assert piece == piece.strip() and piece
        assert len(piece) <= limit or len(piece.split()) == 1


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=0, max_size=400), limit=st.integers(min_value=1, max_value=100))
def test_property_any_unicode_text(text: str, limit: int) -> None:
    pieces = split_length(" ".join(split_sentences(text)), limit)
    assert words(pieces) == text.split()
    assert all(len(p) <= limit or len(p.split()) == 1 for p in pieces)


@settings(max_examples=150, deadline=None)
@given(body=st.lists(texts(), min_size=1, max_size=4))
def test_property_issue_segments_keep_every_word(body: list[str]) -> None:
    issue = Issue(
        "Le titre",
        (Article("Un article", (Section("Un intertitre", tuple(b for b in body if b.strip()) or ("Texte.",)),)),),
    )
    segments = segment_issue(issue, limit=100)
    spoken = ["Un article.", "Un intertitre."] + list(issue.articles[0].sections[0].paragraphs)
    assert words(s.text for s in segments) == words(spoken)
    assert all(len(s.text) <= 100 or len(s.text.split()) == 1 for s in segments)


# --- kinds and pauses --------------------------------------------------------------------------


def test_segments_carry_kind_pause_and_caption() -> None:
    issue = parse(
        "La lettre\nUn article\nPremière phrase. Deuxième phrase.\nIntertitre – Troisième phrase.\nAutre article\nFin."
    )
    segments = segment_issue(issue, intro="Bonjour.", outro="Au revoir.", limit=100)
    assert [(s.kind, s.article, s.pause, s.text) for s in segments] == [
        (Kind.INTRO, None, Pause.ARTICLE, "Bonjour."),
        (Kind.TITLE, 0, Pause.HEADING, "Un article."),
        (Kind.TEXT, 0, Pause.SENTENCE, "Première phrase."),
        (Kind.TEXT, 0, Pause.PARAGRAPH, "Deuxième phrase."),
        (Kind.HEADING, 0, Pause.HEADING, "Intertitre."),
        (Kind.TEXT, 0, Pause.ARTICLE, "Troisième phrase."),
        (Kind.TITLE, 1, Pause.HEADING, "Autre article."),
        (Kind.TEXT, 1, Pause.ARTICLE, "Fin."),
        (Kind.OUTRO, None, Pause.PARAGRAPH, "Au revoir."),
    ]
    assert len({s.sentence for s in segments}) == len(segments)
    assert set(Segment.__dataclass_fields__) >= {"text", "kind", "article", "pause", "sentence", "caption"}


def test_cut_sentence_shares_caption_and_phrase_pauses() -> None:
    issue = Issue("T", (Article("A", (Section(None, (LONG,)),)),))
    segments = [s for s in segment_issue(issue, limit=100) if s.kind is Kind.TEXT]
    assert len(segments) == 3
    assert {s.caption for s in segments} == {LONG} and len({s.sentence for s in segments}) == 1
    assert [s.pause for s in segments] == [Pause.PHRASE, Pause.PHRASE, Pause.ARTICLE]


def test_speak_is_applied_before_the_length_limit() -> None:
    issue = Issue("T", (Article("A", (Section(None, ("Le 1er est là.",)),)),))
    segments = segment_issue(issue, speak=lambda t: t.replace("1er", "premier"), limit=100)
    assert segments[-1].text == "Le premier est là." and segments[-1].caption == "Le 1er est là."


def test_summary() -> None:
    issue = parse("Lettre\nUn\nTexte.\nDeux\nTexte.\nTrois\nTexte.")
    assert summary(issue) == "Un, Deux et Trois"


# --- newsroom sentence ends and cuts (issue 13), linear time (issue 12) ---------------------------


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("Il vit aux U.S.A. Il y travaille.", ["Il vit aux U.S.A.", "Il y travaille."]),
        ("Le chantier finit en déc. Le pont rouvre.", ["Le chantier finit en déc.", "Le pont rouvre."]),
        ("Mr. Smith arrive. Le Prof. Raoult aussi.", ["Mr. Smith arrive.", "Le Prof. Raoult aussi."]),
        ("Voir le t. III et le Vol. 2 chez Éd. Gallimard.", ["Voir le t. III et le Vol. 2 chez Éd. Gallimard."]),
        ("M. Le Pen parle. Mme La Fontaine aussi.", ["M. Le Pen parle.", "Mme La Fontaine aussi."]),
        ("Apple lance un téléphone. iPhone 17 arrive.", ["Apple lance un téléphone.", "iPhone 17 arrive."]),
        ("— Tu viens ? — Oui, j'arrive.", ["— Tu viens ?", "— Oui, j'arrive."]),
        ("le 12 déc. 2024 il neigeait.", ["le 12 déc. 2024 il neigeait."]),
        (
            "Le col. Ravel et l'adj. Roux arrivent. Il passe le col. Puis il descend.",
            ["Le col. Ravel et l'adj. Roux arrivent.", "Il passe le col.", "Puis il descend."],
        ),
    ],
)
def test_newsroom_sentence_ends(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize(
    "text, never",
    [
        (
            "Les troupes ont lancé hier matin une grande offensive contre les positions tenues par les rebelles",
            "grande",
        ),
        ("Selon le dernier sondage publié ce matin les prix ont augmenté de 20 pour cent en un an seulement", "pour"),
        ("Le conseil municipal se réunira exceptionnellement demain à 8 heures 30 dans la grande salle", "heures"),
        ("Le ministre a longuement reçu ce matin dans son bureau monsieur Dupont et ses conseillers", "monsieur"),
        ("La réforme des retraites entrera finalement en vigueur le premier janvier 2026 pour tous", "janvier"),
        ("Le grand patron de la société américaine Open A I a présenté hier son nouveau modèle", "Open"),
    ],
)
def test_cuts_keep_words_together(text: str, never: str) -> None:
    for limit in range(40, 80, 3):
        for piece in split_length(text, limit)[:-1]:
            assert piece.rsplit(" ", 1)[-1] != never, (limit, piece)
            assert piece.rsplit(" ", 1)[-1] not in ("de", "à", "pour", "que", "la", "le"), (limit, piece)


def test_a_numbered_word_keeps_its_number() -> None:
    """ "paragraphe 2", "numéro 5": the word and its number are one thing (the cut went between them)."""
    for limit in range(20, 33):
        pieces = split_length("Le conseil a adopté à l'unanimité le paragraphe 2 du règlement", limit)
        assert all(not piece.endswith("paragraphe") for piece in pieces), (limit, pieces)


def test_a_comma_beats_an_extra_piece() -> None:
    text = "Le maire a présenté son projet, qui prévoit trois nouvelles lignes de tramway et deux parkings"
    assert split_length(text, 70)[0].endswith("projet,")


def test_cutting_is_linear_in_the_text_length() -> None:
    import time

    def cost(size: int) -> float:
        line = " ".join(["la", "maison", "de", "Paris", "pour", "cent"] * (size // 24))
        start = time.perf_counter()
        pieces = split_length(" ".join(split_sentences(line)), 100)
        assert words(pieces) == line.split()
        return time.perf_counter() - start

    small, large = cost(100_000), cost(800_000)
    assert large < 8 * small * 2.5, (small, large)  # 8x the text: about 8x the time, never 64x


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("Le concert a lieu sam. 14 juin. Il est complet.", ["Le concert a lieu sam. 14 juin.", "Il est complet."]),
        ("Rendez-vous pl. Bellecour à midi.", ["Rendez-vous pl. Bellecour à midi."]),
        (
            "Il faut min. 5 ans. Il a couru 10 min. Il a gagné.",
            ["Il faut min. 5 ans.", "Il a couru 10 min.", "Il a gagné."],
        ),
    ],
)
def test_weekday_and_limit_abbreviations_do_not_end_a_sentence(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_press_typography_is_read_and_kept_in_captions() -> None:
    """No-break spaces and typographic apostrophes split and read like plain ones; the caption (the
    transcript's text) keeps the typography as written."""
    from podcast.speech import default_lexicon, speaker

    paragraph = "La séance reprend à 18\u00a0h. L’UE vote le 9\u202fnov. Le texte coûte 12\u202f500\u00a0€\u00a0!"
    issue = Issue("T", (Article("A", (Section(None, (paragraph,)),)),))
    body = [s for s in segment_issue(issue, speak=speaker(default_lexicon())) if s.kind is Kind.TEXT]
    assert [s.text for s in body] == [
        "La séance reprend à 18 heures.",
        "Lu E vote le 9 novembre.",
        "Le texte coûte 12 500 euros !",
    ]
    assert [s.caption for s in body] == [
        "La séance reprend à 18\u00a0h.",
        "L’UE vote le 9\u202fnov.",
        "Le texte coûte 12\u202f500\u00a0€\u00a0!",
    ]
