"""`podcast say`: one sentence as the voice reads it, its phonemes and its sound."""

from __future__ import annotations

import wave
from pathlib import Path

from click.testing import CliRunner

from podcast.cli import cli
from podcast.speech.hear import say


def test_say_prints_the_spoken_text_and_phonemes() -> None:
    result = CliRunner().invoke(cli, ["say", "L’OCDE : +12 % le 14/07/2025 à 21h.", "--phonemes"])
    assert result.exit_code == 0, result.output
    spoken, phonemes = result.output.splitlines()
    assert spoken == "Lo C D E : plusse 12 pour cent le 14 juillet 2025 à vingt et une heures."
    assert "pl'ys" in phonemes and "Zyij'E" in phonemes


def test_say_writes_audio(tmp_path: Path) -> None:
    out = tmp_path / "phrase.wav"
    result = CliRunner().invoke(cli, ["say", "Bonjour à tous.", "-o", str(out)])
    assert result.exit_code == 0 and result.output.splitlines()[0] == "Bonjour à tous."
    with wave.open(str(out)) as audio:
        assert audio.getnchannels() == 1 and audio.getsampwidth() == 2
        assert 0.4 < audio.getnframes() / audio.getframerate() < 5


def test_say_bad_input_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["say", "   "])
    assert result.exit_code == 2 and result.output.strip().count("\n") == 0 and "empty" in result.output
    result = CliRunner().invoke(cli, ["say", "Oui.", "-o", str(tmp_path / "absent" / "a.wav")])
    assert result.exit_code != 0 and "cannot write the audio" in result.output


def test_say_library_function_without_audio() -> None:
    reading = say("Le Dr Morel, 5 mg.")
    assert reading.spoken == "Le docteur Morel, 5 milligrammes." and reading.phonemes is None and reading.audio is None
