"""The MP3 chunk join holds at every output format podcast.toml accepts.

Joining chunks' frame streams under one Xing/LAME header depends on the frame size (1152 samples
in MPEG-1, 576 in MPEG-2), on LAME's delay and padding, and on what the encoder makes of the
bitrate. So a short real episode (three chunks, two joins) is mastered at every (sample rate,
bitrate) pair that config.validate lets through, and read back by ffmpeg and ffprobe.
"""

from __future__ import annotations

import array
import dataclasses
import subprocess
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from podcast import config, master, sounds
from podcast.config import AudioConfig, VoiceConfig
from podcast.errors import ConfigError
from podcast.segment import Kind, Pause, Segment
from podcast.voices import Audio, load

# Every sample rate and bitrate MPEG audio layer III knows (versions 1, 2 and 2.5), and a few it
# does not: the pairs config.validate accepts among these are the ones tested below.
MPEG_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
MPEG_BITRATES = (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 192, 224, 256, 320)
NOT_MPEG = ((96000, 96), (44100, 100), (44100, 0))
TEXTS = ["Bonjour.", "Premier article.", "Second article."]


def accepted(sample_rate: int, bitrate: int) -> bool:
    base = config.Config(Path("."), show=config.ShowConfig(title="T", base_url="https://example.org/"))
    try:
        config.validate(dataclasses.replace(base, audio=AudioConfig(sample_rate=sample_rate, bitrate=bitrate)))
    except ConfigError:
        return False
    return True


PAIRS = [(rate, bitrate) for rate in MPEG_RATES for bitrate in MPEG_BITRATES if accepted(rate, bitrate)]


def test_the_config_accepts_formats_and_refuses_others() -> None:
    assert (44100, 96) in PAIRS and len(PAIRS) >= 20  # the defaults are tested, and the list is not empty
    assert not any(accepted(rate, bitrate) for rate, bitrate in NOT_MPEG)
    assert accepted(24000, 160) and not accepted(24000, 192)  # LAME has no MPEG-2 bitrate over 160 kbit/s


@pytest.fixture(scope="module")
def speech() -> list[Audio]:
    return load("espeak", VoiceConfig()).synthesize(TEXTS)


def segments() -> list[Segment]:
    """An intro, then two one-sentence articles: three chunks, joined twice."""
    return [
        Segment(TEXTS[0], Kind.INTRO, None, Pause.ARTICLE, 0, TEXTS[0]),
        Segment(TEXTS[1], Kind.TEXT, 0, Pause.ARTICLE, 1, TEXTS[1]),
        Segment(TEXTS[2], Kind.TEXT, 1, Pause.ARTICLE, 2, TEXTS[2]),
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("sample_rate", "bitrate"), PAIRS, ids=[f"{r}Hz-{b}k" for r, b in PAIRS])
def test_chunks_join_at_every_accepted_format(
    sample_rate: int, bitrate: int, speech: list[Audio], tmp_path: Path, ffprobe, ffmpeg_exe: str
) -> None:
    cfg = AudioConfig(sample_rate=sample_rate, bitrate=bitrate)
    mastered = master.master(
        segments(),
        speech,
        cfg,
        tmp_path / "out.mp3",
        jingles=sounds.jingle_paths(cfg, tmp_path),
        chapter_titles=["Un", "Deux"],
    )
    assert mastered.chunks == 3

    checked = subprocess.run(
        [ffmpeg_exe, "-v", "error", "-i", str(mastered.path), "-f", "null", "-"], capture_output=True, check=True
    )
    assert checked.stderr == b""  # no frame the decoder stumbles on, at the joins or anywhere

    stream = ffprobe(mastered.path)["streams"][0]
    assert (stream["codec_name"], int(stream["sample_rate"]), stream["channels"]) == ("mp3", sample_rate, 1)
    assert int(stream["bit_rate"]) == bitrate * 1000  # what was asked, not what LAME fell back to
    # ffmpeg exports the encoder string only when the joined LAME tag's CRC checks out
    assert stream["tags"]["encoder"].startswith("LAME3.100")
    # mutagen reads the joined header alone (frame count, encoder delay and padding)...
    assert abs(MP3(mastered.path).info.length * 1000 - mastered.duration_ms) <= 1

    pcm = array.array(
        "h",
        subprocess.run(
            [ffmpeg_exe, "-v", "error", "-i", str(mastered.path), "-f", "s16le", "-"], capture_output=True, check=True
        ).stdout,
    )
    # ... ffmpeg decodes every frame and drops the delay and padding: both say the same length
    assert abs(len(pcm) - mastered.duration_ms * sample_rate / 1000) <= sample_rate / 1000
    # each article's chapter starts where its transition jingle does: the joins put chunks where counted
    per_ms = sample_rate / 1000
    for chapter in mastered.chapters[1:]:
        at = round(chapter.start_ms * per_ms)
        assert max(map(abs, pcm[at - round(300 * per_ms) : at - round(30 * per_ms)])) < 200
        onset = next(i for i in range(at - round(30 * per_ms), at + round(50 * per_ms)) if abs(pcm[i]) > 200)
        assert abs(onset - at) <= 7 * per_ms, (onset - at) / per_ms  # within the 5 ms fade-in, +-2 ms
