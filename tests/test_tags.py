"""ID3 tags read back by mutagen and ffprobe: every frame of the table, chapters in time order
with millisecond times, ID3v2.3 by default and v2.4 on request."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from helpers import EXAMPLE, load_show, new_show
from mutagen.id3 import ID3

from podcast import tags
from podcast.build import build
from podcast.timeline import Chapter


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    cfg = load_show(new_show(tmp_path_factory.mktemp("tags") / "show"))
    return cfg, build(cfg, EXAMPLE, day=date(2025, 7, 1))


def test_every_frame_of_the_table(episode) -> None:
    cfg, result = episode
    id3 = ID3(result.audio_path)
    assert id3.version == (2, 3, 0)
    assert str(id3["TIT2"]) == "Le Fil Tech : les data centers face à la chaleur de l'été"
    assert str(id3["TPE1"]) == "Équipe Test" and str(id3["TALB"]) == "Le Fil Test"
    raw = ID3(result.audio_path, translate=False)  # as written, before mutagen upgrades it to v2.4
    assert str(raw["TYER"]) == "2025" and str(raw["TDAT"]) == "0107" and "TDRC" not in raw
    assert str(id3["TCON"]) == "Podcast" and str(id3["TLAN"]) == "fre"
    assert str(id3["TRCK"]) == str(result.episode.number)
    assert "Au sommaire" in id3.getall("COMM")[0].text[0] and str(id3["TDES"]).startswith("Le Fil Tech")
    transcript = id3.getall("USLT")[0]
    assert transcript.lang == "fre" and "data centers" in transcript.text
    assert id3["PCST"].value == 1 and id3["WFED"].url == cfg.feed_url
    cover = id3.getall("APIC")[0]
    assert cover.type == 3 and cover.data == (cfg.publish_dir / "cover.png").read_bytes()


def test_one_frame_per_table_row() -> None:
    full = tags.EpisodeTags(
        "t", "s", "a", "2025-07-01", 4, "d", "x", "https://e.org/feed.xml", cover=b"png", engine="espeak", voice="v",
        link="https://e.org/page",
    )  # fmt: skip
    made = tags.build_tags(full)
    assert [frame.HashKey if frame.FrameID == "TXXX" else frame.FrameID for frame in made] == list(tags.FRAMES)
    assert [f.text for f in made if f.FrameID == "TXXX"] == [["espeak"], ["v"]]
    bare = tags.build_tags(tags.EpisodeTags("t", "s", "a", "2025-07-01", 4, "", "", ""))
    optional = {"COMM", "TDES", "USLT", "WFED", "APIC", "WOAS", f"TXXX:{tags.ENGINE_DESC}", f"TXXX:{tags.VOICE_DESC}"}
    assert {f.FrameID for f in bare} == set(tags.FRAMES) - optional


def test_chapters_in_time_order_exact_to_the_ms(episode, ffprobe) -> None:
    cfg, result = episode
    probed = ffprobe(result.audio_path)["chapters"]
    sidecar = json.loads((cfg.publish_dir / result.episode.chapters).read_text(encoding="utf-8"))["chapters"]
    assert [c["tags"]["title"] for c in probed] == [
        "Introduction",
        "Les data centers cherchent de l'eau et de l'électricité",
        "Le vélo électrique séduit les entreprises françaises",
    ]
    assert [c["title"] for c in sidecar] == [c["tags"]["title"] for c in probed]
    for chapter, mark in zip(probed, sidecar):
        assert chapter["time_base"] == "1/1000"
        assert chapter["start"] == round(mark["startTime"] * 1000) and chapter["end"] == round(mark["endTime"] * 1000)
    assert probed[0]["start"] == 0 and probed[-1]["end"] == result.episode.duration_ms
    assert all(a["end"] == b["start"] for a, b in zip(probed, probed[1:]))
    toc = ID3(result.audio_path).getall("CTOC")[0]
    assert toc.child_element_ids == [
        c.element_id for c in sorted(ID3(result.audio_path).getall("CHAP"), key=lambda c: c.start_time)
    ]


def test_many_chapters_stay_in_order_and_v24_on_request(episode, tmp_path, ffprobe) -> None:
    """Twelve chapters of very different title lengths (mutagen alone would order them by size)."""
    _, result = episode
    copy = tmp_path / "copy.mp3"
    shutil.copyfile(result.audio_path, copy)
    chapters = [Chapter("x" * (1 + (7 * i) % 40) + f" {i}", i * 10_001, (i + 1) * 10_001, i) for i in range(12)]
    meta = tags.EpisodeTags("Titre", "Émission", "Auteur", "2025-07-01", 7, "Résumé", "Texte", "https://e.org/f.xml")
    tags.write(copy, meta, list(reversed(chapters)), version=4)
    probed = ffprobe(copy)["chapters"]
    assert [c["start"] for c in probed] == [c.start_ms for c in chapters]
    assert [c["tags"]["title"] for c in probed] == [c.title for c in chapters]
    id3 = ID3(copy)
    assert id3.version == (2, 4, 0) and str(id3["TDRC"]) == "2025-07-01"


def test_tags_replace_not_accumulate(episode, tmp_path) -> None:
    _, result = episode
    copy = tmp_path / "again.mp3"
    shutil.copyfile(result.audio_path, copy)
    meta = tags.EpisodeTags("Autre", "Émission", "Auteur", "2025-07-02", 8, "R", "T", "https://e.org/f.xml")
    tags.write(copy, meta, [Chapter("Seul", 0, 1000, None)])
    id3 = ID3(copy)
    assert str(id3["TIT2"]) == "Autre" and len(id3.getall("CHAP")) == 1 and len(id3.getall("APIC")) == 0
