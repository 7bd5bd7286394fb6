"""Reading: input hygiene (encodings, line ends, invisible characters) and the structure rules."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from podcast.article import clean, decode, parse, read
from podcast.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "articles"

NEWSLETTER = (
    "La Lettre du Jeudi : la mer monte\n"
    "Et aussi: Les trains de nuit reviennent\n"
    "La mer monte à Saint-Malo\n"
    "Les digues de Saint-Malo ont été rehaussées de 40 centimètres. Le chantier a duré deux ans.\n"
    "Un coût élevé – La ville a dépensé 12 millions d’euros. « C’est le prix de la sécurité », dit le maire.\n"
    "Pour aller plus loin:\n"
    "– Le rapport du Giec sur les côtes\n"
    "– Carte des submersions\n"
    "Les trains de nuit reviennent\n"
    "La ligne Paris-Nice rouvre cet hiver. Les couchettes ont été rénovées.\n"
    "Crédit photos: Studio Mer / Agence Sud\n"
)


def test_issue_structure() -> None:
    issue = parse(NEWSLETTER)
    assert issue.title == "La Lettre du Jeudi : la mer monte"
    assert issue.teaser == "Les trains de nuit reviennent"
    assert [a.title for a in issue.articles] == ["La mer monte à Saint-Malo", "Les trains de nuit reviennent"]
    first = issue.articles[0]
    assert [s.heading for s in first.sections] == [None, "Un coût élevé"]
    assert first.sections[1].text.startswith("La ville a dépensé")
    assert first.links == ("Le rapport du Giec sur les côtes", "Carte des submersions")
    assert issue.articles[1].links == ()
    assert issue.credits == "Studio Mer / Agence Sud"
    spoken = " ".join(s.text for a in issue.articles for s in a.sections)
    assert "Giec" not in spoken and "Studio Mer" not in spoken and "Pour aller plus loin" not in spoken


def test_sample_newsletter(sample_path: Path) -> None:
    issue = read(sample_path)
    assert issue.title == "Les salaires mirobolants de Meta pour débaucher chez OpenAI"
    assert issue.teaser == "DeepSeek bientôt interdit en Allemagne"
    assert [a.title for a in issue.articles] == [
        "Meta recrute chez OpenAI pour son nouveau laboratoire d'IA",
        "DeepSeek bientôt interdit en Allemagne",
    ]
    assert [[s.heading for s in a.sections] for a in issue.articles] == [
        [None, "100 millions de dollars", "Machine publicitaire", "Échec de Llama 4", "Nouvelle architecture"],
        [None, "Modèle repoussé", "Aussi interdite aux États-Unis"],
    ]
    assert [len(a.links) for a in issue.articles] == [2, 2]
    assert issue.credits == "Unsplash / James Yarema - Unsplash / Brett Jordan"
    assert issue.warnings == ()


def test_lone_article_has_its_title_as_issue_title() -> None:
    issue = read(FIXTURES / "article-seul.txt")
    assert issue.title == "Les abeilles sauvages reviennent dans les jardins de Nantes"
    assert len(issue.articles) == 1 and issue.articles[0].title == issue.title
    assert len(issue.articles[0].sections[0].paragraphs) == 2 and issue.teaser is None and issue.credits is None


def test_text_without_any_title_gets_one_and_a_warning() -> None:
    issue = parse("Il pleut depuis trois jours sur la Bretagne. Les rivières débordent.\nLes pompiers sont mobilisés.")
    assert issue.title == "Il pleut depuis trois jours sur la Bretagne"
    assert issue.articles[0].sections[0].paragraphs[0].startswith("Il pleut depuis")
    assert issue.warnings and "no title line" in issue.warnings[0]


def test_markdown_article() -> None:
    issue = read(FIXTURES / "lettre.md")
    assert issue.title == "Le Fil Culture : les bibliothèques ouvrent le dimanche"
    assert issue.teaser == "Le retour des cinémas de quartier"
    assert [a.title for a in issue.articles] == [
        "Les bibliothèques ouvrent le dimanche",
        "Le retour des cinémas de quartier",
    ]
    first = issue.articles[0]
    assert [s.heading for s in first.sections] == [None, "Un public nouveau", "Des moyens comptés"]
    text = "\n".join(s.text for s in first.sections)
    assert "**" not in text and "*" not in text and "](" not in text and "Salle de lecture" not in text
    assert "selon un communiqué officiel." in text
    assert "des horaires compatibles avec le travail." in first.sections[1].paragraphs
    assert first.links == (
        "La carte des bibliothèques ouvertes le dimanche (https://example.org/carte)",
        "Le rapport sur la lecture publique (https://example.org/rapport)",
    )
    assert issue.credits == "Studio Clair"


def test_markdown_single_article_with_sections() -> None:
    issue = parse(
        "# Le vélo en ville\n\nParagraphe **un**.\n\n## Pourquoi maintenant ?\n\nParce que.\n\n"
        "## Et demain\n\n- plus de pistes\n- moins de voitures\n"
    )
    assert issue.title == "Le vélo en ville" and len(issue.articles) == 1
    assert [(s.heading, s.paragraphs) for s in issue.articles[0].sections] == [
        (None, ("Paragraphe un.",)),
        ("Pourquoi maintenant ?", ("Parce que.",)),
        ("Et demain", ("plus de pistes.", "moins de voitures.")),
    ]


def test_plain_text_rules_edge_cases() -> None:
    issue = parse(
        "Lettre\nUn titre\nun paragraphe sans majuscule ni point\nLa suite du texte.\n"
        "Elle a tout perdu – ou presque.\n- premier point\n- second point\n"
    )
    section = issue.articles[0].sections[0]
    assert issue.articles[0].title == "Un titre" and len(issue.articles) == 1
    assert section.heading is None
    assert section.paragraphs == (
        "un paragraphe sans majuscule ni point",
        "La suite du texte.",
        "Elle a tout perdu – ou presque.",
        "premier point.",
        "second point.",
    )


def test_typography_fixture() -> None:
    issue = read(FIXTURES / "typographie.txt")
    assert issue.title == "Le Fil Éco : l’inflation recule, les prix à la pompe aussi"
    assert issue.teaser == "Les salariés des U.S. retournent au bureau"
    sections = issue.articles[0].sections
    assert [s.heading for s in sections] == [None, "Les carburants en baisse", "Le télétravail aux U.S."]
    text = "\n".join(s.text for s in sections)
    assert "\u00a0" not in text and "\u202f" not in text and "\u200b" not in text and "\u2060" not in text
    assert "1,8 % sur un an !" in text and "« bonne nouvelle, enfin »" in text and "que l’indicateur" in text


# --- hygiene -----------------------------------------------------------------------------------


def test_clean_spaces_and_invisible_characters() -> None:
    assert clean("A\u00a0:\u202fB\u200b\u200dC\u00ad\u2060D\ufeff\r\nE\rF\u2028G\x07") == "A : BCD\nE\nF\nG"


def test_cp1252_with_crlf_reads_right_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = NEWSLETTER.replace("\n", "\r\n").replace("’", "'")
    path = tmp_path / "windows.txt"
    path.write_bytes(text.encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="podcast"):
        issue = read(path)
    assert issue == parse(NEWSLETTER.replace("’", "'"))
    assert issue.articles[0].sections[1].heading == "Un coût élevé"
    assert any("cp1252" in w for w in issue.warnings) and "cp1252" in caplog.text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "lettre.txt"
    path.write_bytes(NEWSLETTER.encode(encoding))
    issue = read(path)
    assert issue == parse(NEWSLETTER) and issue.warnings == ()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"  \r\n\t \n", "empty"),
        ("\u00a0\u200b\n\u202f".encode(), "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(1, 32)) * 20, "control characters"),
        (b"Titre seul", "no article text"),
    ],
)
def test_refused_input(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as caught:
        read(path)
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "absent.txt")
    with pytest.raises(InputError, match="folder"):
        read(tmp_path)


def test_decode_prefers_utf8() -> None:
    assert decode("Émission".encode()) == ("Émission", [])
    assert decode("Émission".encode("cp1252"))[0] == "Émission"


# --- Markdown through a real parser -------------------------------------------------------------

FRONT_MATTER_MD = """---
title: "Le Fil : édition du jeudi"
date: 2025-03-14
episode: fil-2025-11
tags: [climat, transports]
---
Les digues montent
==================

Les digues de Saint&#8209;Malo ont été rehaussées&nbsp;: 40&nbsp;cm &amp; plus. Un \\*vrai\\* chantier.

> « C'est le prix de la sécurité », dit le [maire][m].

Un chiffre
----------

| Ville | Hausse |
|-------|--------|
| Brest | 30 cm  |

```python
print("jamais lu")
```

    code indenté jamais lu

<script>alert("jamais lu")</script>
<style>p { color: red }</style>

Le budget <span>atteint</span> 12 millions<script>jamais()</script> d'euros. ![carte](carte.png)

[m]: https://example.org/maire
"""


def test_markdown_front_matter_is_metadata_never_spoken() -> None:
    import datetime

    issue = parse(FRONT_MATTER_MD, markdown=True)
    assert issue.meta["episode"] == "fil-2025-11" and issue.meta["date"] == datetime.date(2025, 3, 14)
    assert issue.title == "Le Fil : édition du jeudi"
    assert [a.title for a in issue.articles] == ["Les digues montent"]
    sections = issue.articles[0].sections
    assert [s.heading for s in sections] == [None, "Un chiffre"]
    assert sections[0].paragraphs == (
        "Les digues de Saint\u2011Malo ont été rehaussées : 40 cm & plus. Un *vrai* chantier.",
        "« C'est le prix de la sécurité », dit le maire.",
    )
    assert sections[1].paragraphs == ("Le budget atteint 12 millions d'euros.",)
    spoken = repr(issue.articles)
    for never in ("jamais", "Brest", "fil-2025", "climat", "carte", "example.org", "color"):
        assert never not in spoken, never
    assert issue.to_dict()["meta"]["date"] == "2025-03-14"


def test_md_file_is_markdown_whatever_it_contains(tmp_path: Path) -> None:
    path = tmp_path / "lettre.md"
    path.write_text("Une lettre sans dièse\n\nUn paragraphe *en italique* et `du code`.\n", encoding="utf-8")
    issue = read(path)
    assert issue.title == "Une lettre sans dièse"
    assert issue.articles[0].sections[0].paragraphs == ("Un paragraphe en italique et du code.",)
    plain = tmp_path / "lettre.txt"
    plain.write_text("Une lettre sans dièse\n\nUn paragraphe *en italique*.\n", encoding="utf-8")
    assert read(plain).articles[0].sections[0].paragraphs == ("Un paragraphe *en italique*.",)


@pytest.mark.parametrize(
    "front, message",
    [
        ("---\n- a\n- b\n---\n# T\n\nTexte.\n", "front matter must be"),
        ("---\ntitle: [oups\n---\n# T\n\nTexte.\n", "not valid YAML"),
        ("---\ndate: 2025-02-30\n---\n# T\n\nTexte.\n", "impossible value"),  # was a traceback
        ("---\ndate: 2025-13-01\n---\n# T\n\nTexte.\n", "impossible value"),
        ("---\ntitle: [a, b]\n---\n# T\n\nTexte.\n", "front matter 'title' must be text, not a list"),
        ("---\ntitle: {a: b}\n---\n# T\n\nTexte.\n", "front matter 'title' must be text, not a mapping"),
        ("---\ntitle: 1.5\n---\n# T\n\nTexte.\n", "front matter 'title' must be text"),
        ("---\ntitle: yes\n---\n# T\n\nTexte.\n", "front matter 'title' must be text"),
        ("---\nid: [1, 2]\n---\n# T\n\nTexte.\n", "front matter 'id' must be text or a whole number, not a list"),
        ("---\nid: 1.5\n---\n# T\n\nTexte.\n", "front matter 'id' must be text or a whole number"),
        ("---\nurl: {a: b}\n---\n# T\n\nTexte.\n", "front matter 'url' must be text"),
        ("---\ndate: 9999-12-31\n---\n# T\n\nTexte.\n", "front matter 'date' must be at most a year from today"),
        ("---\ndate: '9999-12-31'\n---\n# T\n\nTexte.\n", "front matter 'date' must be at most a year"),
        ("---\ndate: 1899-12-31\n---\n# T\n\nTexte.\n", "front matter 'date' must be in 1900 or later"),
        ("---\ndate: 1899-12-31 10:00:00\n---\n# T\n\nTexte.\n", "front matter 'date' must be in 1900"),
        ("---\ndate: 14 mars 2025\n---\n# T\n\nTexte.\n", "front matter 'date' must be a YYYY-MM-DD date"),
        ("---\ndate: [2025-03-14]\n---\n# T\n\nTexte.\n", "front matter 'date' must be a YYYY-MM-DD date"),
        # a few hundred bytes of nested aliases expand to gigabytes once read ("billion laughs")
        (
            "---\n"
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            "a1: &a1 [*a, *a]\n"
            "a2: &a2 [*a1, *a1]\n"
            "a3: &a3 [*a2, *a2]\n"
            "a4: &a4 [*a3, *a3]\n"
            "a5: &a5 [*a4, *a4]\n"
            "a6: &a6 [*a5, *a5]\n"
            "a7: &a7 [*a6, *a6]\n"
            "a8: &a8 [*a7, *a7]\n"
            "a9: &a9 [*a8, *a8]\n"
            "title: *a9\n"
            "---\n"
            "# T\n"
            "\n"
            "Texte.\n",
            "must not use YAML aliases",
        ),
    ],
)
def test_bad_front_matter_is_one_line(front: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        parse(front, name="lettre.md", markdown=True)
    assert "\n" not in str(caught.value) and str(caught.value).startswith("lettre.md: ")


def test_front_matter_values_a_feed_can_carry() -> None:
    """A whole-number title or id is text as written; a date up to a year ahead schedules the episode."""
    import datetime

    ahead = datetime.date.today() + datetime.timedelta(days=300)
    issue = parse(f"---\ntitle: 1984\nid: 42\ndate: {ahead.isoformat()}\n---\n# 1984\n\nTexte.\n", markdown=True)
    assert issue.title == "1984" and issue.meta["id"] == 42 and issue.meta["date"] == ahead


def test_front_matter_is_never_executed() -> None:
    with pytest.raises(InputError, match="not valid YAML"):
        parse("---\ntitle: !!python/object/apply:os.system ['true']\n---\n# T\n\nTexte.\n", markdown=True)


def test_vertical_tab_does_not_split_a_paragraph() -> None:
    issue = parse("Titre\nUne ligne\x0bqui continue.\nFin.")
    assert issue.articles[0].sections[0].paragraphs == ("Une ligne qui continue.", "Fin.")


def test_markdown_and_article_do_not_import_each_other() -> None:
    source = (Path(__file__).parents[1] / "podcast" / "markdown.py").read_text(encoding="utf-8")
    assert "article" not in "".join(line for line in source.splitlines() if "import" in line)


@pytest.mark.parametrize(
    "line, spoken",
    [
        ("Lire [ce texte](javascript:alert(1)) ici.", "Lire ce texte ici."),
        ("Lire [ce texte](JavaScript:alert(1)) ici.", "Lire ce texte ici."),
        ("Lire [ce texte](vbscript:msgbox(1)) ici.", "Lire ce texte ici."),
        ("Lire [ce texte](data:text/html,<b>x</b>) ici.", "Lire ce texte ici."),
        ("Lire [ce texte](file:///etc/passwd) ici.", "Lire ce texte ici."),
        ("Une image ![alt](javascript:alert(1)) ici.", "Une image ici."),
        ("Un lien <javascript:alert(1)> ici.", "Un lien ici."),
        ("Un lien [réf][x] ici.\n\n[x]: javascript:alert(1)", "Un lien réf ici."),
        ("Un lien <https://example.org/a> ici.", "Un lien https://example.org/a ici."),  # as before
    ],
)
def test_markdown_links_markdown_it_refuses_say_their_text_only(line: str, spoken: str) -> None:
    """markdown-it leaves a link whose target it refuses (javascript:, vbscript:, data:, file:) as
    its raw Markdown text; a reader sees the link's text, and the target is never spoken."""
    issue = parse(f"# Titre\n\n{line}\n", markdown=True)
    assert issue.articles[0].sections[0].paragraphs == (spoken,)


def test_refused_link_targets_are_not_kept_as_show_notes_links() -> None:
    text = (
        "# Titre\n\nUn texte.\n\nPour aller plus loin :\n\n"
        "- [piège](javascript:alert(1))\n- [vrai](https://example.org/v)\n"
    )
    article = parse(text, markdown=True).articles[0]
    assert article.links == ("piège", "vrai (https://example.org/v)")


PASTED_FROM_THE_WEB = (
    "Le Fil &amp; la Toile\n"
    "Les <b>digues</b> de Saint&#8209;Malo&nbsp;: l&#8217;&eacute;t&eacute; <i>arrive</i>.<br>"
    "Et <br/> la mer &#x2014; aussi.\n"
    'Un <a href="https://example.org/x" title="voir">lien</a> et <SPAN class="c">un mot</SPAN>.\n'
)


def test_plain_text_decodes_html_entities_and_drops_inline_tags() -> None:
    """Text pasted from a web page: entities read as the characters they stand for, the tags of
    HTML's inline elements dropped; the same text goes to the voice and to the transcript."""
    from podcast.segment import segment_issue

    issue = parse(PASTED_FROM_THE_WEB, name="lettre.txt")
    assert issue.title == "Le Fil & la Toile"
    assert issue.articles[0].sections[0].paragraphs == (
        "Les digues de Saint\u2011Malo : l’été arrive. Et la mer — aussi.",
        "Un lien et un mot.",
    )
    segments = segment_issue(issue)
    for said in [s.text for s in segments] + [s.caption for s in segments]:
        assert not any(mark in said for mark in ("&amp", "&#", ";t", "<", ">")), said


@pytest.mark.parametrize(
    "line",
    [
        "Si 3 < 5 et 7 > 2, alors a<b.",  # signs, not tags
        "Le code <b et c> reste.",  # an attribute without a value: not a well-formed tag
        "Une balise <div> inconnue des éléments en ligne, <script>x</script>, <p> restent.",
        "AT&T et R&D, &copy sans point-virgule, &nosuch; restent.",
        "Le caractère &notit; et &#xZZ; restent.",  # no entity (&not is one only with its ';')
    ],
)
def test_plain_text_keeps_what_is_not_a_known_inline_tag_or_entity(line: str) -> None:
    assert parse(f"Titre\n{line}\n").articles[0].sections[0].paragraphs == (line,)


def test_a_tag_written_as_entities_is_text_once_decoded() -> None:
    """Tags go before entities are decoded: a tag the author wrote as text (``&lt;b&gt;``) stays."""
    paragraphs = parse("Titre\nÉcrire &lt;b&gt; met en <b>gras</b>.\n").articles[0].sections[0].paragraphs
    assert paragraphs == ("Écrire <b> met en gras.",)
