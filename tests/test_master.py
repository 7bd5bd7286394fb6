"""Mastering, measured from outside: ffmpeg's ebur128 on the final MP3, ffprobe and mutagen for the
duration and the Xing/LAME header, decoded PCM for where the pauses and jingles really are."""

from __future__ import annotations

import array
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from helpers import EXAMPLE, decode, load_show, new_show
from mutagen.mp3 import MP3, BitrateMode

from podcast import config as config_mod
from podcast import master, pcm, sounds
from podcast.build import build
from podcast.config import AudioConfig, VoiceConfig
from podcast.errors import AudioError
from podcast.segment import Kind, Pause, Segment
from podcast.timeline import Mastered
from podcast.voices import Audio, load
from podcast.voices.registry import EspeakOptions

TARGET, CEILING = -16.0, -1.0


def measure(ffmpeg_exe: str, path: Path) -> tuple[float, float]:
    """Integrated LUFS and true peak of a file, straight from ffmpeg's ebur128 (not our parser)."""
    done = subprocess.run(
        [ffmpeg_exe, "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        check=True,
    )
    stderr = done.stderr.decode("utf-8", "replace")  # ffmpeg cuts long tag values mid-character
    summary = stderr[stderr.rfind("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return lufs, peak


def built_show(root: Path) -> config_mod.Config:
    """A fresh show with its own cache folder: nothing shared with any other build."""
    return load_show(new_show(root))


@pytest.fixture(scope="module")
def episode(tmp_path_factory, example_path_module):
    cfg = built_show(tmp_path_factory.mktemp("a") / "show")
    return cfg, build(cfg, example_path_module, day=date(2025, 7, 1))


@pytest.fixture(scope="module")
def example_path_module() -> Path:
    return EXAMPLE


SENTENCES = [
    "Bonjour et bienvenue dans cet épisode de test.",
    "Les centres de données consomment beaucoup d'eau en été.",
    "Une deuxième phrase, un peu plus longue, pour mesurer la voix.",
    "Et voici la dernière phrase de l'article.",
]


def segments_for(texts: list[str]) -> list[Segment]:
    """An intro sentence, then one article whose sentences end paragraphs and sentences."""
    out = [Segment(texts[0], Kind.INTRO, None, Pause.ARTICLE, 0, texts[0])]
    for i, text in enumerate(texts[1:], 1):
        pause = Pause.PARAGRAPH if i == 2 else Pause.SENTENCE
        out.append(Segment(text, Kind.TEXT, 0, pause, i, text))
    return out


@pytest.fixture(scope="module")
def espeak_audio() -> list[Audio]:
    return load("espeak", VoiceConfig()).synthesize(SENTENCES)


def scaled(audios: list[Audio], gain: float) -> list[Audio]:
    """The same speech much quieter or louder (clipped), as another engine might deliver it."""
    out = []
    for audio in audios:
        samples = array.array("h", audio.pcm)
        out.append(
            Audio(array.array("h", (max(-32768, min(32767, int(s * gain))) for s in samples)).tobytes(), audio.rate)
        )
    return out


def run_master(audios, tmp_path: Path, cfg: AudioConfig | None = None, **kwargs) -> Mastered:
    cfg = cfg or AudioConfig()
    jingles = kwargs.pop("jingles", None) or sounds.jingle_paths(cfg, tmp_path)
    return master.master(
        segments_for(SENTENCES),
        audios,
        cfg,
        tmp_path / "out.mp3",
        jingles=jingles,
        chapter_titles=["Un article"],
        **kwargs,
    )


# --- loudness, whatever the engine's level -------------------------------------------------------


def test_demo_episode_meets_loudness(episode, ffmpeg_exe) -> None:
    _, result = episode
    lufs, peak = measure(ffmpeg_exe, result.audio_path)
    assert abs(lufs - TARGET) <= 1.0, lufs
    assert peak <= CEILING, peak


@pytest.mark.parametrize("gain", [0.05, 8.0], ids=["quiet-26dB", "loud-clipped"])
def test_loudness_from_quiet_and_loud_input(espeak_audio, gain, tmp_path, ffmpeg_exe) -> None:
    mastered = run_master(scaled(espeak_audio, gain), tmp_path)
    lufs, peak = measure(ffmpeg_exe, mastered.path)
    assert abs(lufs - TARGET) <= 1.0 and peak <= CEILING, (lufs, peak)


@pytest.mark.parametrize("pitch,rate", [(10, 120), (90, 260)])
def test_loudness_across_espeak_pitches_and_rates(pitch, rate, tmp_path, ffmpeg_exe) -> None:
    audios = load("espeak", VoiceConfig(engines={"espeak": EspeakOptions(pitch=pitch, rate=rate)})).synthesize(
        SENTENCES
    )
    mastered = run_master(audios, tmp_path)
    lufs, peak = measure(ffmpeg_exe, mastered.path)
    assert abs(lufs - TARGET) <= 1.0 and peak <= CEILING, (lufs, peak)


def test_other_target_and_ceiling(espeak_audio, tmp_path, ffmpeg_exe) -> None:
    mastered = run_master(espeak_audio, tmp_path, AudioConfig(loudness=-19.0, true_peak=-2.0))
    lufs, peak = measure(ffmpeg_exe, mastered.path)
    assert abs(lufs + 19.0) <= 1.0 and peak <= -2.0, (lufs, peak)


# --- the MP3 itself ------------------------------------------------------------------------------


def test_mp3_is_exact_cbr_with_lame_header(episode, ffprobe, ffmpeg_exe) -> None:
    _, result = episode
    path, duration_ms = result.audio_path, result.episode.duration_ms
    stream = ffprobe(path)["streams"][0]
    assert (stream["sample_rate"], stream["channels"], stream["bit_rate"]) == ("44100", 1, "96000")
    info = MP3(path).info
    assert info.bitrate_mode is BitrateMode.CBR and info.encoder_info.startswith("LAME")
    # mutagen subtracts the LAME header's encoder delay and padding: the exact duration
    assert abs(info.length * 1000 - duration_ms) <= 1
    # and a decoder that honours the header gives exactly the samples we mastered
    assert round(len(decode(path)) / 44.1) == duration_ms
    # ffprobe counts whole frames from the Xing frame count (priming included): within two frames
    assert 0 <= float(stream["duration"]) * 1000 - duration_ms <= 2 * 1152 / 44.1


BUILD_IN_A_FRESH_PROCESS = """
import sys
sys.path.insert(0, sys.argv[3])
from datetime import date
from pathlib import Path
from helpers import load_show, new_show
from podcast.build import build
print(build(load_show(new_show(Path(sys.argv[1]))), Path(sys.argv[2]), day=date(2025, 7, 1)).audio_path)
"""


@pytest.mark.slow
def test_two_clean_builds_are_byte_identical(tmp_path, example_path_module) -> None:
    """Fresh show folders, fresh caches, fresh processes: the same bytes."""
    outputs = []
    for name in ("one", "two"):
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                BUILD_IN_A_FRESH_PROCESS,
                str(tmp_path / name),
                str(example_path_module),
                str(Path(__file__).parent),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(Path(done.stdout.strip().splitlines()[-1]))
    first, second = (path.read_bytes() for path in outputs)
    assert len(first) > 100_000 and first == second
    assert outputs[0].name == outputs[1].name  # the content hash in the name agrees


def test_a_rebuild_in_the_same_process_is_byte_identical(tmp_path, episode, example_path_module) -> None:
    """A second clean show built by a process that has already spoken (the module's episode, and
    espeak-ng on several library copies) gives the same bytes: nothing carries over."""
    _, first = episode
    again = build(built_show(tmp_path / "again"), example_path_module, day=date(2025, 7, 1))
    assert again.audio_path.read_bytes() == first.audio_path.read_bytes()


# --- pauses, jingles, bed ------------------------------------------------------------------------


def test_pauses_follow_the_segments(espeak_audio, tmp_path) -> None:
    cfg = AudioConfig(pause_sentence=0.35, pause_paragraph=0.7)
    placed = run_master(espeak_audio, tmp_path, cfg).placed
    gaps = [b.start_ms - a.end_ms for a, b in zip(placed, placed[1:])]
    # intro -> (article pause, transition jingle, jingle pause) -> text: longer than any pause
    assert gaps[0] > 1000
    assert abs(gaps[1] - 350) <= 1 and abs(gaps[2] - 700) <= 1


def test_silence_where_the_pauses_are(espeak_audio, tmp_path, ffmpeg_exe) -> None:
    mastered = run_master(espeak_audio, tmp_path)
    pcm = decode(mastered.path)
    for a, b in zip(mastered.placed[1:], mastered.placed[2:]):
        gap = pcm[round((a.end_ms + 60) * 44.1) : round((b.start_ms - 60) * 44.1)]
        assert gap and max(map(abs, gap)) < 200  # MP3 noise only
        voice = pcm[round(b.start_ms * 44.1) : round((b.start_ms + 300) * 44.1)]
        assert max(map(abs, voice)) > 3000


def test_custom_jingles_in_other_formats_and_music_bed(espeak_audio, tmp_path, ffmpeg_exe) -> None:
    made = {}
    for name, seconds, fmt in (("intro", 2.0, "wav"), ("transition", 0.5, "ogg"), ("outro", 1.0, "mp3")):
        path = tmp_path / f"{name}.{fmt}"
        subprocess.run(
            [
                ffmpeg_exe,
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=330:duration={seconds}",
                "-ac",
                "2",
                str(path),
            ],
            check=True,
        )
        made[name] = path
    bed = tmp_path / "bed.flac"
    subprocess.run(
        [ffmpeg_exe, "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=1.5:c=pink:seed=1", str(bed)], check=True
    )
    (tmp_path / "plain").mkdir()
    plain = run_master(espeak_audio, tmp_path / "plain")
    mastered = run_master(espeak_audio, tmp_path, jingles=made, music_bed=bed)
    # the intro jingle is 2.0 s plus the pause after it; the shipped one is 3.0 s
    assert mastered.placed[0].start_ms == 2000 + 300
    assert plain.placed[0].start_ms == 3000 + 300
    lufs, peak = measure(ffmpeg_exe, mastered.path)
    assert abs(lufs - TARGET) <= 1.0 and peak <= CEILING
    pcm = decode(mastered.path)
    first, second = mastered.placed[0], mastered.placed[1]
    # under the intro the bed plays in the pauses, ducked far below the voice; not after it
    pause = pcm[round((first.end_ms + 50) * 44.1) : round((first.end_ms + 250) * 44.1)]
    assert 30 < max(map(abs, pause)) < 6000
    article_gap = pcm[round((second.end_ms + 60) * 44.1) : round((second.end_ms + 290) * 44.1)]
    assert max(map(abs, article_gap)) < 200


def test_missing_custom_jingle_is_one_clear_error(espeak_audio, tmp_path) -> None:
    jingles = sounds.jingle_paths(AudioConfig(jingle_intro="nope.wav"), tmp_path)
    with pytest.raises(AudioError, match="intro jingle not found"):
        run_master(espeak_audio, tmp_path, jingles=jingles)


def test_chapters_start_at_the_transition(espeak_audio, tmp_path) -> None:
    mastered = run_master(espeak_audio, tmp_path)
    intro, article = mastered.chapters
    assert (intro.start_ms, intro.end_ms) == (0, article.start_ms)
    assert mastered.placed[0].end_ms < article.start_ms < mastered.placed[1].start_ms
    assert article.end_ms == mastered.duration_ms and article.title == "Un article"


# --- PCM edits -----------------------------------------------------------------------------------


def test_trim_keeps_speech_and_drops_edge_silence() -> None:
    speech = array.array("h", [1000, -1000] * 500).tobytes()
    padded = bytes(4000) + speech + bytes(6000)
    trimmed = pcm.trim(padded)
    assert speech in trimmed and len(trimmed) <= len(speech) + 4 * 64 * 2  # block-aligned, one block kept


def test_fade_starts_and_ends_at_zero() -> None:
    faded = array.array("h", pcm.fade(array.array("h", [20000] * 1000).tobytes(), 100))
    assert faded[0] == 0 and faded[-1] == 0 and faded[500] == 20000 and faded[50] < 11000


def test_generator_input_is_consumed_once(espeak_audio, tmp_path) -> None:
    mastered = run_master((a for a in espeak_audio), tmp_path)
    assert len(mastered.placed) == len(SENTENCES)


def test_ffmpeg_failure_names_the_system_cause() -> None:
    from podcast.ffmpeg import failure_reason

    full = "[mp3 @ 0x1] Error writing trailer: No space left on device\nConversion failed!\n"
    assert failure_reason(full, 1) == "no space left on device"
    assert (
        failure_reason("x.flac: Invalid data found when processing input\nConversion failed!\n", 1)
        == "x.flac: Invalid data found when processing input"
    )
    assert failure_reason("Conversion failed!\n", 1) == "Conversion failed!"
    assert failure_reason("", 187) == "exit code 187"
