"""The engine registry, auto's single choice, and the offline voice (espeak-ng) on one thread and on several."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import closed_url, configure, settings

from podcast import voices
from podcast.config import VoiceConfig
from podcast.errors import VoiceError
from podcast.voices import ENGINES, UnknownEngine, choose, load
from podcast.voices.base import Voice
from podcast.voices.espeak import PARALLEL_MIN_CHARS, EspeakVoice
from podcast.voices.registry import Engine, GttsOptions

TEXTS = ["Bonjour à toutes et à tous.", "Voici les nouvelles de la semaine.", "Merci de votre écoute."]


def test_registry_engines_follow_the_protocol() -> None:
    assert {"espeak", "gtts"} <= set(ENGINES)
    for name in ("espeak", "gtts"):
        voice = load(name, VoiceConfig())
        assert isinstance(voice, Voice) and voice.engine == name and voice.identity.startswith(name.split("-")[0])


def test_unknown_and_broken_engines_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnknownEngine, match="unknown engine 'robot'") as caught:
        load("robot", VoiceConfig())
    assert caught.value.exit_code == 2 and not isinstance(caught.value, VoiceError)

    broken = Engine("robot", GttsOptions, "podcast.voices.robot:from_options", "not installed")
    monkeypatch.setitem(voices.ENGINES, "robot", broken)
    with pytest.raises(VoiceError, match="the robot engine cannot load: No module named 'podcast.voices.robot'"):
        load("robot", VoiceConfig())
    assert load("espeak", VoiceConfig()).engine == "espeak"  # the others still work


def test_auto_offline_picks_the_offline_voice_and_says_why() -> None:
    closed = closed_url()
    chosen = choose("auto", VoiceConfig(engines={"gtts": GttsOptions(endpoint=closed)}), probe_timeout=3)
    assert chosen.voice.engine == "espeak"
    assert chosen.reason.startswith(f"auto: {closed} is unreachable") and "offline voice" in chosen.reason
    assert choose("gtts", VoiceConfig()).voice.engine == "gtts"  # asked for: no probe, no fallback


def test_espeak_voices_options_and_identity() -> None:
    identities = set()
    for name in ("fr", "fr-be", "fr-ch"):
        voice = EspeakVoice(voice=name)
        audio = voice.synthesize(["Soixante-dix, quatre-vingt-dix."])[0]
        assert 1.0 < audio.seconds < 6.0 and audio.rate == voice.rate
        identities.add(voice.identity)
    assert len(identities) == 3
    slow = EspeakVoice(words_per_minute=100).synthesize(TEXTS[:1])[0]
    fast = EspeakVoice(words_per_minute=300).synthesize(TEXTS[:1])[0]
    assert slow.seconds > 1.8 * fast.seconds
    with pytest.raises(VoiceError, match="voice.espeak.voice must be fr, fr-be or fr-ch"):
        EspeakVoice(voice="de")


def test_espeak_threads_match_one_thread() -> None:
    """Large batches are spoken on one library copy per core; the speech is the same, in order."""
    texts = [" ".join(TEXTS[: n % 3 + 1]) + f" Paragraphe {n}." for n in range(40)]  # lengths vary: order shows
    single = EspeakVoice(workers=1).synthesize(texts)
    done: list[int] = []
    parallel = EspeakVoice(workers=2).synthesize(texts * 3, done.append)[:40]
    assert sum(len(t) for t in texts * 3) >= PARALLEL_MIN_CHARS  # really took the parallel path
    # Every text starts from the same engine state (see podcast/voices/espeak.py): the same bytes.
    assert [p.pcm for p in parallel] == [s.pcm for s in single]
    assert sum(done) == 120


def test_cli_build_announces_the_offline_voice(show: Path, example_path: Path) -> None:
    from podcast.cli import cli

    toml = show / "podcast.toml"
    closed = closed_url()
    configure(show, {"voice": {"engine": "auto", "gtts": {"endpoint": closed}}})
    result = CliRunner(mix_stderr=False).invoke(
        cli, ["--config", str(toml), "build", str(example_path), "--date", "2024-06-03"]
    )
    assert result.exit_code == 0, result.stderr
    voice_lines = [line for line in result.stderr.splitlines() if line.startswith("Voice:")]
    assert len(voice_lines) == 1, voice_lines  # the system's words for the refusal are its own
    assert voice_lines[0].startswith(f"Voice: espeak-ng fr (offline) (auto: {closed} is unreachable (")
    assert voice_lines[0].endswith(") and no French Piper voice is installed, so the offline voice)")
    listed = CliRunner().invoke(cli, ["--config", str(toml), "list"])
    assert " espeak " in listed.output


def test_announcement_says_where_a_named_engine_came_from(show: Path, example_path: Path) -> None:
    from podcast.cli import cli

    toml = show / "podcast.toml"
    assert settings(show)["voice"]["engine"] == "espeak"

    def voice_line(*extra: str) -> str:
        result = CliRunner().invoke(cli, ["--config", str(toml), "preview", str(example_path), *extra])
        assert result.exit_code == 0, result.output
        return next(line for line in result.output.splitlines() if line.startswith("Voice:"))

    assert voice_line() == "Voice:   espeak-ng fr (offline) (voice.engine = espeak in podcast.toml)"
    assert voice_line("--engine", "espeak") == "Voice:   espeak-ng fr (offline) (--engine espeak)"


def test_unknown_engine_in_podcast_toml_fails_at_load(show: Path, example_path: Path) -> None:
    from podcast import config as config_mod
    from podcast.cli import cli
    from podcast.errors import ConfigError

    toml = show / "podcast.toml"
    configure(show, {"voice": {"engine": "robot"}})
    with pytest.raises(ConfigError, match="voice.engine must be auto or one of espeak, gtts, piper, not 'robot'"):
        config_mod.load(toml)
    result = CliRunner(mix_stderr=False).invoke(cli, ["--config", str(toml), "preview", str(example_path)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {toml}: voice.engine must be auto or one of espeak, gtts, piper, not 'robot'\n"
