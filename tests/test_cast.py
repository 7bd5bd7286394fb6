"""Who speaks: auto's choice (Piper when installed, gTTS when reachable, else espeak, saying why), a host
and a reader (any engines, at different sample rates, resampled before mastering), the headline delivery
of titles with one voice, and a show that keeps its voice (a warning, or voice.lock refusing)."""

from __future__ import annotations

import array
import json
import logging
import subprocess
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tiny_piper
import tomli_w
from click.testing import CliRunner

from podcast import config
from podcast.build import build, plan
from podcast.cli import cli
from podcast.config import VoiceConfig
from podcast.errors import ConfigError
from podcast.master import master
from podcast.segment import Kind, Pause, Segment
from podcast.voices import Audio, cast, choose
from podcast.voices.registry import GttsOptions, Role

CLOSED = "http://127.0.0.1:9"  # nothing listens: gTTS is "unreachable" at once
FIXTURES = Path(__file__).parent / "fixtures" / "articles"


def _set(show: Path, **tables: dict[str, Any]) -> Path:
    """Settings as data; a dotted name is a sub-table ("voice.host")."""
    toml = show / "podcast.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    for name, values in tables.items():
        target = data
        for part in name.split("."):
            target = target.setdefault(part, {})
        target.update(values)
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    return toml


def _decode(ffmpeg_exe: str, path: Path, rate: int = 16000) -> array.array[int]:
    done = subprocess.run(
        [ffmpeg_exe, "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True,
        check=True,
    )
    return array.array("h", done.stdout)


def _rms(values: array.array[int], start_ms: int, end_ms: int, rate: int = 16000) -> float:
    part = values[start_ms * rate // 1000 : end_ms * rate // 1000]
    return (sum(v * v for v in part) / len(part)) ** 0.5 if len(part) else 0.0


# --- auto -------------------------------------------------------------------------------------


def test_auto_takes_an_installed_french_piper_voice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODCAST_VOICES_DIR", str(tmp_path / "store"))
    offline = VoiceConfig(engines={"gtts": GttsOptions(endpoint=CLOSED)})
    assert choose("auto", offline).voice.engine == "espeak"  # nothing installed yet
    tiny_piper.make_voice(tmp_path / "store" / "fr_FR-test-x_low")
    chosen = choose("auto", offline)
    assert chosen.voice.engine == "piper" and chosen.options.model == "fr_FR-test-x_low"
    assert chosen.reason == "auto: the Piper voice fr_FR-test-x_low is installed"
    tiny_piper.make_voice(tmp_path / "store" / "en_US-test-x_low", name="en_US-test-x_low")
    (tmp_path / "store" / "fr_FR-test-x_low" / "fr_FR-test-x_low.onnx.json").unlink()  # half a voice: not one
    assert choose("auto", offline).voice.engine == "espeak"  # and an English voice is not taken


def test_auto_takes_the_show_piper_model_when_it_is_a_file(tmp_path: Path) -> None:
    from podcast.voices.registry import PiperOptions

    model = tiny_piper.make_voice(tmp_path / "voice")
    cfg = VoiceConfig(engines={"gtts": GttsOptions(endpoint=CLOSED), "piper": PiperOptions(model=str(model))})
    assert choose("auto", cfg).voice.engine == "piper"


def test_auto_offline_without_piper_builds_with_espeak_and_says_why(show: Path, example_path: Path) -> None:
    toml = _set(show, voice={"engine": "auto"}, **{"voice.gtts": {"endpoint": CLOSED}})
    result = CliRunner().invoke(cli, ["--config", str(toml), "build", str(example_path)])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Voice:"))
    assert line.startswith("Voice: espeak-ng fr (offline) (auto: http://127.0.0.1:9 is unreachable")
    assert "no French Piper voice is installed, so the offline voice" in line


# --- host and reader --------------------------------------------------------------------------


def test_one_voice_gives_titles_and_headings_their_own_delivery(tmp_path: Path) -> None:
    the_cast, _ = cast("espeak", VoiceConfig())
    assert the_cast.single and the_cast.identity == the_cast.reader.identity
    assert ":rate=170:pitch=50:" in the_cast.voice("body").identity
    assert the_cast.voice("intro") is the_cast.voice("transition") is the_cast.voice("body")
    assert ":rate=153:pitch=42:" in the_cast.voice("title").identity  # slower and lower
    assert the_cast.voice("heading") is the_cast.voice("title")
    slow = the_cast.voice("title").synthesize(["Les abeilles sauvages reviennent."])[0]
    plain = the_cast.voice("body").synthesize(["Les abeilles sauvages reviennent."])[0]
    assert slow.seconds > 1.05 * plain.seconds
    flat, _ = cast("espeak", VoiceConfig(title_delivery=False))
    assert flat.voice("title") is flat.voice("body")
    from podcast.voices.registry import PiperOptions

    piper, _ = cast("piper", VoiceConfig(engines={"piper": PiperOptions(model=str(tiny_piper.make_voice(tmp_path)))}))
    assert ":length=1.1:" in piper.voice("title").identity and ":length=1:" in piper.voice("body").identity


def test_role_tables_are_checked_at_load(show: Path) -> None:
    cases = [
        ({"voice": {"engine": "auto"}, "voice.host": {"rate": 150}}, "voice.host.rate: name the engine it is for"),
        ({"voice.reader": {"engine": "robot"}}, "voice.reader.engine must be empty (the show's voice) or one of"),
        ({"voice.host": {"rate": 9999}}, "voice.host.rate must be between 80 and 450"),
        ({"voice.host": {"engine": "gtts", "slow": "oui"}}, "voice.host.slow must be bool"),
        ({"voice.host": {"speed": 1}}, "unknown setting voice.host.speed (the espeak engine's options:"),
        ({"voice.host": "espeak"}, "[voice.host] must be a table"),
    ]
    original = (show / "podcast.toml").read_text(encoding="utf-8")
    for tables, message in cases:
        (show / "podcast.toml").write_text(original, encoding="utf-8")
        toml = show / "podcast.toml"
        if isinstance(tables.get("voice.host"), str):
            data = tomllib.loads(original)
            data["voice"]["host"] = tables["voice.host"]
            toml.write_text(tomli_w.dumps(data), encoding="utf-8")
        else:
            _set(show, **tables)
        with pytest.raises(ConfigError) as caught:
            config.load(toml)
        assert message in str(caught.value) and "\n" not in str(caught.value), str(caught.value)


def test_role_options_override_the_engine_table_and_survive_render(show: Path) -> None:
    toml = _set(show, **{"voice.host": {"engine": "espeak", "rate": 140, "pitch": 30}})
    cfg = config.load(toml)
    assert cfg.voice.host == Role("espeak", (("rate", 140), ("pitch", 30)), "espeak")
    the_cast, _ = cast("espeak", cfg.voice)
    assert ":rate=140:pitch=30:" in the_cast.host.identity and ":rate=170:" in the_cast.reader.identity
    assert ":rate=126:pitch=22:" in the_cast.voice("title").identity  # the host's own headline delivery
    assert not the_cast.single and the_cast.engine == "espeak"
    again = config.load(config.init(show / "copy", force=True))  # a fresh show renders empty role tables
    assert again.voice.host == Role() and again.voice.reader == Role()
    (show / "copy" / "podcast.toml").write_text(config.render(cfg), encoding="utf-8")
    assert config.load(show / "copy" / "podcast.toml").voice.host == cfg.voice.host


def test_auto_falls_back_for_a_host_whose_engine_cannot_speak(tmp_path: Path) -> None:
    """The host asks for gTTS, unreachable: under auto it takes the show's voice, so the whole episode is one voice."""
    cfg = VoiceConfig(engines={"gtts": GttsOptions(endpoint=CLOSED)}, host=Role("gtts"))
    the_cast, show = cast("auto", cfg, probe_timeout=2)
    assert show.voice.engine == "espeak" and the_cast.host is show.voice and the_cast.single
    assert the_cast.notes and the_cast.notes[0].startswith("the host speaks with the show's voice: gtts:")
    with pytest.raises(Exception, match="voice.host"):  # a named show voice: the host's failure is the build's
        from podcast.voices.registry import PiperOptions

        cast("espeak", VoiceConfig(engines={"piper": PiperOptions(model="/nowhere/x.onnx")}, host=Role("piper")))


def test_two_voices_at_two_rates_line_up(show: Path, example_path: Path, tmp_path: Path, ffprobe, ffmpeg_exe) -> None:
    """An espeak host (22050 Hz) and the tiny Piper reader (16000 Hz): one episode whose chapters and
    transcript cues sit on the sound they name."""
    model = tiny_piper.make_voice(tmp_path / "voice")
    toml = _set(show, **{"voice.reader": {"engine": "piper", "model": str(model), "noise_scale": 0, "noise_w": 0}})
    cfg = config.load(toml)
    the_plan = plan(cfg, example_path)
    assert the_plan.voice.rate == 22050 and the_plan.voice.reader.rate == tiny_piper.RATE
    result = build(cfg, example_path, day=date(2026, 6, 1))
    assert result.episode.engine == "espeak+piper" and "reader=piper:" in result.episode.voice
    assert result.voice is not None and result.voice.description.endswith("(offline) reading")
    probe = ffprobe(result.audio_path)
    assert probe["streams"][0]["sample_rate"] == "44100"
    assert abs(float(probe["format"]["duration"]) * 1000 - result.episode.duration_ms) < 60
    chapters = json.loads((cfg.publish_dir / result.episode.chapters).read_text(encoding="utf-8"))["chapters"]
    assert [round(float(c["start_time"]) * 1000) for c in probe["chapters"]] == [
        round(c["startTime"] * 1000) for c in chapters
    ]
    cues = _cues((cfg.publish_dir / result.episode.vtt).read_text(encoding="utf-8"))
    srt_count = (cfg.publish_dir / result.episode.srt).read_text(encoding="utf-8").count(" --> ")
    assert len(cues) == srt_count > 20
    pcm = _decode(ffmpeg_exe, result.audio_path)
    # every cue starts on speech, either voice's, and is speech throughout (its phrase pauses are short)
    assert min(_rms(pcm, a + 20, a + 200) for a, _, _ in cues) > 300
    assert min(_rms(pcm, a + 20, b - 20) for a, b, _ in cues) > 300
    # the pause before each cue is silent: nothing was shifted by the other voice's rate
    before = [_rms(pcm, a - 90, a - 20) for a, _, _ in cues[1:]]
    assert sorted(before)[len(before) // 2] < 60, before
    reader = [(a, b) for a, b, text in cues if "Marseille" in text or "vélo électrique à leurs salariés" in text]
    assert len(reader) == 2 and all(b - a > 1000 for a, b in reader)


def _cues(vtt: str) -> list[tuple[int, int, str]]:
    """(start, end in ms, text) of each WebVTT cue."""

    def ms(clock: str) -> int:
        h, m, s = clock.split(":")
        return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)

    found = []
    for block in vtt.split("\n\n"):
        lines = block.strip().splitlines()
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is not None:
            start, end = lines[timing].split(" --> ")
            found.append((ms(start), ms(end.split()[0]), " ".join(lines[timing + 1 :])))
    return found


def test_master_resamples_a_second_rate_without_changing_its_pitch(tmp_path: Path, ffmpeg_exe: str) -> None:
    """A 440 Hz tone at 16000 Hz between two at 22050 Hz: played at the 22050 clock without resampling it
    would come out at 606 Hz and 27 % shorter."""
    import math

    from podcast import sounds
    from podcast.config import AudioConfig

    def tone(rate: int, seconds: float) -> Audio:
        n = round(rate * seconds)
        values = array.array("h", (round(12000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n)))
        return Audio(values.tobytes(), rate)

    segments = [
        Segment("a", Kind.INTRO, None, Pause.ARTICLE, 0, "a"),
        Segment("b", Kind.BODY, 0, Pause.PARAGRAPH, 1, "b"),
        Segment("c", Kind.TITLE, 0, Pause.PARAGRAPH, 2, "c"),
    ]
    audios = [tone(22050, 1.0), tone(16000, 2.0), tone(22050, 1.0)]
    out = tmp_path / "out.mp3"
    jingles = sounds.jingle_paths(AudioConfig(), tmp_path)
    done = master(segments, audios, AudioConfig(), out, jingles=jingles, chapter_titles=["T"], rate=22050)
    spans = [(p.start_ms, p.end_ms) for p in done.placed]
    assert [round((b - a) / 100) for a, b in spans] == [10, 20, 10]  # tenths of a second
    pcm = _decode(ffmpeg_exe, out, 44100)
    for a, b in spans:
        part = pcm[(a + 100) * 44100 // 1000 : (b - 100) * 44100 // 1000]
        crossings = sum(1 for x, y in zip(part, part[1:]) if (x < 0) != (y < 0))
        hertz = crossings / 2 / (len(part) / 44100)
        assert abs(hertz - 440) < 10, (a, b, hertz)


# --- a show keeps its voice -------------------------------------------------------------------


def test_a_voice_change_is_announced_and_voice_lock_refuses_it(
    show: Path, example_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = build(config.load(show / "podcast.toml"), example_path)
    assert first.voice is not None and first.voice.change is None
    toml = _set(show, **{"voice.espeak": {"rate": 200}})
    lone = FIXTURES / "article-seul.txt"
    with caplog.at_level(logging.WARNING, logger="podcast"):
        second = build(config.load(toml), lone)
    assert second.voice is not None and second.voice.change is not None
    assert f"episode {first.episode.number} was spoken by espeak" in second.voice.change
    assert any("the show's voice changes" in r.getMessage() for r in caplog.records)
    same = build(config.load(toml), example_path, force=True)  # now the previous episode is in the new voice
    assert same.voice is not None and same.voice.change is None

    _set(show, voice={"lock": True}, **{"voice.espeak": {"rate": 170}})
    feed = (show / "feed" / "feed.xml").read_bytes() if (show / "feed").exists() else None
    published = sorted(p.name for p in show.rglob("*.mp3"))
    third = show / "third.txt"
    third.write_text("Un troisième épisode\n\nCe texte n'a jamais été lu.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(toml), "build", str(third)])
    assert result.exit_code == 4, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith("Error: voice.lock: the show's voice would change")
    assert sorted(p.name for p in show.rglob("*.mp3")) == published
    if feed is not None:
        assert (show / "feed" / "feed.xml").read_bytes() == feed
    listed = CliRunner().invoke(cli, ["--config", str(toml), "list"])
    assert "troisième" not in listed.output
