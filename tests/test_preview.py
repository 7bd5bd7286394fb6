"""`podcast preview --json`: the public contract, on the sample and on our own French texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import configure

from podcast.cli import cli
from podcast.segment import words

FIXTURES = Path(__file__).parent / "fixtures" / "articles"


def _runner() -> CliRunner:
    """stderr apart from stdout (click 8.2 does it by default; 8.1 needs mix_stderr=False)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def preview(show: Path, article: Path, *extra: str) -> tuple[int, str, str]:
    result = _runner().invoke(cli, ["--config", str(show / "podcast.toml"), "preview", str(article), *extra])
    return result.exit_code, result.stdout, result.stderr


def preview_json(show: Path, article: Path, engine: str = "gtts") -> dict:
    code, out, err = preview(show, article, "--engine", engine, "--json")
    assert code == 0, err
    return json.loads(out)


def check_contract(data: dict) -> None:
    assert set(data) == {"title", "teaser", "articles", "credits", "segments"}
    for article in data["articles"]:
        assert set(article) == {"title", "sections", "links"}
        for section in article["sections"]:
            assert set(section) == {"heading", "text"}
    for segment in data["segments"]:
        assert set(segment) == {"article", "role", "text"}
        assert segment["role"] in {"intro", "transition", "title", "heading", "body", "outro"}
        assert segment["article"] is None or 0 <= segment["article"] < len(data["articles"])


def spoken_article_text(data: dict, index: int) -> str:
    return " ".join(s["text"] for s in data["segments"] if s["article"] == index)


def test_sample_newsletter_preview(show: Path, sample_path: Path) -> None:
    data = preview_json(show, sample_path)
    check_contract(data)
    assert data["title"] == "Les salaires mirobolants de Meta pour débaucher chez OpenAI"
    assert data["teaser"] == "DeepSeek bientôt interdit en Allemagne"
    assert [a["title"] for a in data["articles"]] == [
        "Meta recrute chez OpenAI pour son nouveau laboratoire d'IA",
        "DeepSeek bientôt interdit en Allemagne",
    ]
    assert [s["heading"] for s in data["articles"][0]["sections"]] == [
        None,
        "100 millions de dollars",
        "Machine publicitaire",
        "Échec de Llama 4",
        "Nouvelle architecture",
    ]
    assert [s["heading"] for s in data["articles"][1]["sections"]] == [
        None,
        "Modèle repoussé",
        "Aussi interdite aux États-Unis",
    ]
    assert data["articles"][0]["links"][0] == "Dans l’IA, Meta réalise à son tour une acquisition déguisée"
    assert data["credits"] == "Unsplash / James Yarema - Unsplash / Brett Jordan"
    spoken = " ".join(s["text"] for s in data["segments"])
    for unspoken in ("Pour aller plus loin", "acquisition déguisée", "Unsplash", "Crédit"):
        assert unspoken not in spoken
    assert all(len(s["text"]) <= 100 for s in data["segments"])
    # the headings are spoken as headings: each one is a segment of its own
    texts = [s["text"] for s in data["segments"]]
    assert "Machine publicitaire." in texts and "Modèle repoussé." in texts
    # the lexicon is applied in what the voice will say
    assert "Open A I" in spoken and "OpenAI" not in spoken and "49 pour cent" in spoken


def test_sample_no_word_lost(show: Path, sample_path: Path) -> None:
    """Every section of the sample, said through the rules and the lexicon, is found whole and in
    order in the gTTS segments of its article: cutting at 100 characters lost no word."""
    from podcast.segment import split_sentences
    from podcast.speech import default_lexicon, speaker

    speak = speaker(default_lexicon())
    data = preview_json(show, sample_path)
    for index, article in enumerate(data["articles"]):
        spoken = " ".join(words(s["text"] for s in data["segments"] if s["article"] == index))
        for section in article["sections"]:
            expected = " ".join(words(speak(sentence) for sentence in split_sentences(section["text"])))
            assert expected in spoken


@pytest.mark.parametrize(
    "name, title, teaser, headings",
    [
        (
            "lettre-energie.txt",
            "La Lettre Énergie : le solaire s'installe sur les toits des villes",
            "Les bornes de recharge rattrapent enfin les voitures",
            [[None, "Un rendement en hausse", "Des copropriétés hésitantes"], [None, "Un réseau encore inégal"]],
        ),
        (
            "lettre.md",
            "Le Fil Culture : les bibliothèques ouvrent le dimanche",
            "Le retour des cinémas de quartier",
            [[None, "Un public nouveau", "Des moyens comptés"], [None]],
        ),
        ("article-seul.txt", "Les abeilles sauvages reviennent dans les jardins de Nantes", None, [[None]]),
        (
            "typographie.txt",
            "Le Fil Éco : l’inflation recule, les prix à la pompe aussi",
            "Les salariés des U.S. retournent au bureau",
            [[None, "Les carburants en baisse", "Le télétravail aux U.S."]],
        ),
    ],
)
def test_own_texts_preview(show: Path, name: str, title: str, teaser: str | None, headings: list) -> None:
    data = preview_json(show, FIXTURES / name)
    check_contract(data)
    assert data["title"] == title and data["teaser"] == teaser
    assert [[s["heading"] for s in a["sections"]] for a in data["articles"]] == headings
    assert all(len(s["text"]) <= 100 for s in data["segments"])
    spoken = " ".join(s["text"] for s in data["segments"])
    for article in data["articles"]:
        for link in article["links"]:
            assert link.split(" (")[0] not in spoken
    if data["credits"]:
        assert data["credits"] not in spoken


def test_own_texts_speech(show: Path) -> None:
    spoken = " ".join(s["text"] for s in preview_json(show, FIXTURES / "typographie.txt")["segments"])
    for said in (
        "monsieur Lefèvre",
        "madame Perrin",
        "docteur Morel",
        "numéro 3",
        "1 euro 65",
        "8 heures 30",
        "1,8 pour cent",
        "3,5 jours",
    ):
        assert said in spoken
    spoken = " ".join(s["text"] for s in preview_json(show, FIXTURES / "lettre-energie.txt")["segments"])
    assert "le premier septembre" in spoken and "sixième étage" in spoken and "380 euros" in spoken


def test_espeak_has_no_length_limit(show: Path) -> None:
    data = preview_json(show, FIXTURES / "lettre-energie.txt", engine="espeak")
    assert max(len(s["text"]) for s in data["segments"]) > 100


def test_cp1252_crlf_preview_matches_utf8(show: Path, tmp_path: Path) -> None:
    text = (FIXTURES / "lettre-energie.txt").read_text(encoding="utf-8")
    path = tmp_path / "windows.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    code, out, err = preview(show, path, "--engine", "gtts", "--json")
    assert code == 0 and json.loads(out) == preview_json(show, FIXTURES / "lettre-energie.txt")
    assert "cp1252" in err


def test_show_lexicon_changes_what_is_said(show: Path) -> None:
    (show / "lexique.toml").write_text('"Ademe" = "Adème"\n"toits" = "toitures"\n', encoding="utf-8")
    configure(show, {"voice": {"lexicon": "lexique.toml"}})
    data = preview_json(show, FIXTURES / "lettre-energie.txt")
    spoken = " ".join(s["text"] for s in data["segments"])
    assert "Adème" in spoken and "Ademe" not in spoken and "toitures" in spoken
    assert "toits" in data["articles"][0]["title"]  # the structure keeps what was written


def test_human_preview(show: Path) -> None:
    code, out, _ = preview(show, FIXTURES / "lettre-energie.txt", "--engine", "gtts")
    assert code == 0
    assert "Teaser:  Les bornes de recharge rattrapent enfin les voitures" in out
    assert "Un rendement en hausse" in out and "link: Le guide de l'Ademe sur l'autoconsommation" in out


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b" \n\t\r\n", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
    ],
)
def test_bad_article_is_one_line_and_exit_2(show: Path, tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    code, out, err = preview(show, path, "--engine", "gtts", "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("Error: ") and message in err


def _files(folder: Path) -> dict[str, int]:
    """Every file and folder under ``folder`` with its size (0 for folders): what a write would change."""
    return {str(p.relative_to(folder)): (p.stat().st_size if p.is_file() else 0) for p in sorted(folder.rglob("*"))}


def _intro_with_number(show: Path) -> None:
    import tomllib

    import tomli_w

    toml = show / "podcast.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data["speech"]["intro"] = "Épisode {number} : {title}."
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")


def test_preview_on_a_fresh_show_writes_nothing(show: Path) -> None:
    _intro_with_number(show)
    article = show / "abeilles.txt"
    article.write_bytes((FIXTURES / "article-seul.txt").read_bytes())
    before = _files(show)
    code, out, err = preview(show, article)
    assert code == 0, err
    assert "Épisode 1 :" in out  # no catalog yet: the first number
    assert _files(show) == before
    assert not (show / ".podcast").exists()


def test_preview_reads_an_existing_catalog_without_writing(show: Path) -> None:
    """The number comes from the catalog, opened read-only: no -wal/-shm appear, no byte changes."""
    from podcast import config as config_mod
    from podcast.build import plan
    from podcast.catalog import Catalog, Episode
    from podcast.identity import episode_key

    _intro_with_number(show)
    article = show / "abeilles.txt"
    article.write_bytes((FIXTURES / "article-seul.txt").read_bytes())
    cfg = config_mod.load(show / "podcast.toml")
    with Catalog(cfg.catalog_path) as catalog:
        for number, key in ((4, "autre-episode"), (7, episode_key(cfg, article, plan(cfg, article, number=1).issue))):
            catalog.upsert(
                Episode(
                    key=key,
                    guid=key,
                    number=number,
                    title=key,
                    slug=key,
                    date="2025-01-01",
                    pub_date="2025-01-01T06:00:00+00:00",
                    duration_ms=1,
                    bytes=1,
                    audio=f"episodes/{key}.mp3",
                    chapters=None,
                    vtt=None,
                    srt=None,
                    engine="espeak",
                    voice="v",
                    text_hash="h",
                    description="",
                    notes_html="",
                    updated="2025-01-01",
                )
            )
    before = {name: (show / ".podcast" / name).read_bytes() for name in _files(show / ".podcast")}
    code, out, err = preview(show, article)
    assert code == 0, err
    assert "Épisode 7 :" in out  # the episode's own number, as a rebuild would keep it
    assert {name: (show / ".podcast" / name).read_bytes() for name in _files(show / ".podcast")} == before
    other = show / "autre.txt"
    other.write_text("Un tout autre titre\n\nDu texte à lire.\n", encoding="utf-8")
    code, out, err = preview(show, other)
    assert code == 0 and "Épisode 8 :" in out, err  # the next number after every one given
