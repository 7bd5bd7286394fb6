"""Sidecars beside the MP3: Podcasting 2.0 JSON chapters and WebVTT/SRT transcripts whose cue
times are checked against the decoded audio itself."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from helpers import EXAMPLE, decode, load_show, new_show

from podcast import sidecars
from podcast.build import build
from podcast.timeline import Chapter

CUE = re.compile(r"(\d\d):(\d\d):(\d\d)[.,](\d{3}) --> (\d\d):(\d\d):(\d\d)[.,](\d{3})")


def ms(h: str, m: str, s: str, frac: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac)


def parse_cues(text: str) -> list[tuple[int, int, str]]:
    out = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        found = CUE.fullmatch(line)
        if found:
            g = found.groups()
            out.append((ms(*g[:4]), ms(*g[4:]), lines[i + 1]))
    return out


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    cfg = load_show(new_show(tmp_path_factory.mktemp("side") / "show"))
    result = build(cfg, EXAMPLE, day=date(2025, 7, 1))
    read = lambda name: (cfg.publish_dir / name).read_text(encoding="utf-8")  # noqa: E731
    return result, read(result.episode.vtt), read(result.episode.srt), json.loads(read(result.episode.chapters))


def test_json_chapters_version_and_shape(episode) -> None:
    result, _, _, doc = episode
    assert doc["version"] == "1.2.0"
    starts = [c["startTime"] for c in doc["chapters"]]
    assert starts[0] == 0 and starts == sorted(starts) and len(starts) == 3
    assert doc["chapters"][-1]["endTime"] * 1000 == result.episode.duration_ms


def test_vtt_and_srt_carry_the_same_cues(episode) -> None:
    _, vtt, srt, _ = episode
    assert vtt.startswith("WEBVTT\n\n")
    vtt_cues, srt_cues = parse_cues(vtt), parse_cues(srt)
    assert len(vtt_cues) > 20 and vtt_cues == srt_cues
    assert srt.splitlines()[0] == "1" and re.search(r"\d\d:\d\d:\d\d,\d{3} --> ", srt)
    assert all(a[1] <= b[0] for a, b in zip(vtt_cues, vtt_cues[1:]))  # in order, never overlapping
    assert any("data centers" in text for *_, text in vtt_cues)


def test_cues_start_where_the_speech_starts(episode, ffmpeg_exe) -> None:
    """Decode the MP3: just before a cue there is silence (a pause), just after it, a voice."""
    result, vtt, _, _ = episode
    pcm = decode(result.audio_path, rate=8000)
    at = lambda t: round(t * 8)  # noqa: E731  ms -> sample at 8 kHz

    def rms(a: int, b: int) -> float:
        chunk = pcm[at(a) : at(b)]
        return (sum(x * x for x in chunk) / max(1, len(chunk))) ** 0.5

    cues = parse_cues(vtt)
    checked = 0
    for (start, end, _), previous in zip(cues[1:], cues):
        if start - previous[1] < 300:
            continue  # a phrase pause is too short to measure cleanly
        before, after = rms(start - 150, start - 30), rms(start + 20, start + 250)
        assert before < 100 < after and after > 20 * before, (start, before, after)
        tail = rms(end - 200, end - 20)
        assert tail > 100, (end, tail)
        checked += 1
    assert checked >= 10


def test_clock_formats_and_escaping() -> None:
    cue = sidecars.Cue(3_723_004, 3_725_000, 'Les <balises> & "guillemets" --> fin\n\nsuite')
    vtt, srt = sidecars.webvtt([cue]), sidecars.srt([cue])
    assert "01:02:03.004 --> 01:02:05.000" in vtt and "01:02:03,004 --> 01:02:05,000" in srt
    assert "&lt;balises&gt; &amp;" in vtt and "-->" not in vtt.splitlines()[3]
    assert vtt.splitlines()[3].endswith("→ fin suite") and "\n\nsuite" not in srt


def test_chapters_json_keeps_millisecond_times() -> None:
    doc = json.loads(sidecars.chapters_json([Chapter("Intro", 0, 1234, None), Chapter("Un", 1234, 5001, 0)], "T"))
    assert doc == {
        "version": "1.2.0",
        "title": "T",
        "chapters": [
            {"startTime": 0.0, "endTime": 1.234, "title": "Intro"},
            {"startTime": 1.234, "endTime": 5.001, "title": "Un"},
        ],
    }
