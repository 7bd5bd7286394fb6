"""What the listener hears of the structure: transitions spoken by the host between articles, a lone
article's title said once, the date in the intro, a pointer to the show notes when there are links;
each segment's role in ``preview --json``; transitions in a real episode's transcript."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner

from podcast import config
from podcast.build import build, plan
from podcast.cli import cli
from podcast.errors import ConfigError
from podcast.segment import Kind

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
DAY = date(2026, 6, 1)


def _set(show: Path, table: str, **values: Any) -> Path:
    """Settings as data: tomllib in, tomli_w out."""
    toml = show / "podcast.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data.setdefault(table, {}).update(values)
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    return toml


def _three_articles(folder: Path) -> Path:
    text = "La Lettre Test\n\n"
    for index, name in enumerate(("Premier sujet", "Deuxième sujet", "Troisième sujet")):
        text += f"{name}\n\nUn paragraphe du sujet {index + 1}, assez long pour être un paragraphe.\n\n"
    path = folder / "trois.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _spoken(segments: list, *kinds: Kind) -> list[tuple[str, str]]:
    return [(s.kind.value, s.text) for s in segments if not kinds or s.kind in kinds]


def test_transitions_first_middle_last_are_said_by_the_host_around_titles(show: Path, tmp_path: Path) -> None:
    the_plan = plan(config.load(show / "podcast.toml"), _three_articles(tmp_path), day=DAY)
    assert len(the_plan.issue.articles) == 3
    around = _spoken(the_plan.segments, Kind.TRANSITION, Kind.TITLE)
    assert around == [
        ("transition", "Pour commencer :"),
        ("title", "Premier sujet."),
        ("transition", "Sujet suivant :"),
        ("title", "Deuxième sujet."),
        ("transition", "Pour finir :"),
        ("title", "Troisième sujet."),
    ]
    # one written sentence each: the transcript shows the line whole, once
    lines = [s for s in the_plan.segments if s.kind in (Kind.TRANSITION, Kind.TITLE)]
    assert [s.caption for s in lines][:2] == ["Pour commencer : Premier sujet."] * 2
    assert lines[0].sentence == lines[1].sentence and lines[0].article == lines[1].article == 0
    intro = " ".join(s.text for s in the_plan.segments if s.kind is Kind.INTRO)
    assert intro == (
        "Bienvenue dans Le Fil Test, l'épisode du premier juin 2026. "
        "Au sommaire : Premier sujet, Deuxième sujet et Troisième sujet."
    )


def test_an_empty_transition_turns_signposting_off_and_custom_ones_fill_fields(show: Path, tmp_path: Path) -> None:
    article = _three_articles(tmp_path)
    quiet = plan(config.load(_set(show, "speech", transition="")), article, day=DAY)
    assert not _spoken(quiet.segments, Kind.TRANSITION)
    assert [t for _, t in _spoken(quiet.segments, Kind.TITLE)][0] == "Premier sujet."
    custom = _set(
        show, "speech", transition="{title}, dans {show}", transition_first="", transition_last="Enfin, {title}"
    )
    spoken = _spoken(plan(config.load(custom), article, day=DAY).segments, Kind.TRANSITION, Kind.TITLE)
    assert spoken == [
        ("title", "Premier sujet"),
        ("transition", ", dans Le Fil Test"),
        ("title", "Deuxième sujet"),
        ("transition", ", dans Le Fil Test"),
        ("transition", "Enfin,"),
        ("title", "Troisième sujet."),
    ]


def test_a_lone_article_title_is_said_once(show: Path) -> None:
    the_plan = plan(config.load(show / "podcast.toml"), FIXTURES / "article-seul.txt", day=DAY)
    title = the_plan.issue.articles[0].title
    said = " ".join(s.text for s in the_plan.segments)
    assert said.count(title) == 1
    assert not _spoken(the_plan.segments, Kind.TRANSITION)  # nothing to go on to
    assert _spoken(the_plan.segments, Kind.INTRO) == [
        ("intro", "Bienvenue dans Le Fil Test, l'épisode du premier juin 2026.")
    ]
    # an intro naming the title already: the title segment is not said again
    named = plan(config.load(_set(show, "speech", intro="Aujourd'hui : {title}.")), FIXTURES / "article-seul.txt")
    assert " ".join(s.text for s in named.segments).count(title) == 1
    assert not _spoken(named.segments, Kind.TITLE)


def test_the_old_default_intro_is_read_as_the_new_one(show: Path) -> None:
    """`podcast init` wrote the old default into every podcast.toml: it said a lone title three times."""
    toml = _set(show, "speech", intro=config.OLD_DEFAULT_INTRO)
    assert config.load(toml).speech.intro == config.DEFAULT_INTRO
    the_plan = plan(config.load(toml), FIXTURES / "article-seul.txt", day=DAY)
    assert " ".join(s.text for s in the_plan.segments).count(the_plan.issue.title) == 1


def test_links_line_before_the_outro_only_when_there_are_links(show: Path, example_path: Path) -> None:
    cfg = config.load(show / "podcast.toml")
    with_links = plan(cfg, example_path, day=DAY)
    assert any(a.links for a in with_links.issue.articles)
    assert [t for _, t in _spoken(with_links.segments, Kind.OUTRO)][0] == "Les liens sont dans les notes de l'épisode."
    without = plan(cfg, FIXTURES / "article-seul.txt", day=DAY)
    assert not any(a.links for a in without.issue.articles)
    assert "notes" not in " ".join(t for _, t in _spoken(without.segments, Kind.OUTRO))
    off = plan(config.load(_set(show, "speech", outro_links="")), example_path, day=DAY)
    assert "notes" not in " ".join(t for _, t in _spoken(off.segments, Kind.OUTRO))


@pytest.mark.parametrize("name", ["transition", "transition_first", "transition_last", "outro_links"])
def test_a_bad_template_is_one_line_at_load(show: Path, name: str) -> None:
    toml = _set(show, "speech", **{name: "Suivant : {titre}."})
    with pytest.raises(ConfigError, match=f"speech.{name}: unknown field {{titre}}"):
        config.load(toml)
    result = CliRunner().invoke(cli, ["--config", str(toml), "preview", str(FIXTURES / "article-seul.txt")])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and f"speech.{name}" in result.output


def test_preview_json_gives_each_segment_its_role(show: Path, example_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(show / "podcast.toml"), "preview", str(example_path), "--json"])
    assert result.exit_code == 0, result.output
    segments = json.loads(result.output)["segments"]
    roles = [s["role"] for s in segments]
    assert roles[0] == "intro" and roles[-1] == "outro"
    assert set(roles) == {"intro", "transition", "title", "heading", "body", "outro"}
    first = roles.index("transition")
    assert roles[first + 1] == "title" and segments[first]["text"] == "Pour commencer :"
    assert all(s["article"] is None for s in segments if s["role"] in ("intro", "outro"))
    assert all(s["article"] is not None for s in segments if s["role"] not in ("intro", "outro"))


def test_transitions_are_in_a_real_episode_transcript(show_config, example_path: Path, ffprobe) -> None:
    result = build(show_config, example_path, day=DAY)
    vtt = (show_config.publish_dir / result.episode.vtt).read_text(encoding="utf-8")
    titles = [a.title for a in plan(show_config, example_path, day=DAY).issue.articles]
    assert f"Pour commencer : {titles[0]}." in vtt and f"Pour finir : {titles[1]}." in vtt
    assert "l'épisode du 1er juin 2026" in vtt
    chapters = json.loads((show_config.publish_dir / result.episode.chapters).read_text(encoding="utf-8"))["chapters"]
    cues = _cues(vtt)
    last = next(start for start, text in cues if text.startswith("Pour finir"))
    chapter = next(c for c in chapters if c["title"] == titles[1])
    assert chapter["startTime"] * 1000 <= last < chapter["startTime"] * 1000 + 8000  # the jingle, then the words
    probed = ffprobe(result.audio_path)
    assert [c["tags"]["title"] for c in probed["chapters"]][1:] == titles


def _cues(vtt: str) -> list[tuple[int, str]]:
    """(start in ms, text) of each WebVTT cue."""
    found = []
    blocks = vtt.split("\n\n")
    for block in blocks:
        lines = block.strip().splitlines()
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        h, m, s = lines[timing].split(" --> ")[0].split(":")
        found.append((round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000), " ".join(lines[timing + 1 :])))
    return found
