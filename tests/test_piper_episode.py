"""A real episode spoken by the piper engine (the tiny test voice), end to end; bad piper settings stop
the build with one line before any synthesis, and publish nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tiny_piper
from helpers import configure

from podcast import config
from podcast.build import build


def _use_piper(show: Path, table: str) -> Path:
    return configure(show, {"voice": {"engine": "piper", "piper": tomllib.loads(table)}})


@pytest.mark.slow
def test_an_episode_spoken_by_piper(show: Path, example_path: Path, tmp_path: Path, ffprobe) -> None:
    model = tiny_piper.make_voice(tmp_path / "voice")
    cfg = config.load(_use_piper(show, f'model = "{model}"'))  # the voice's own noise: random at each synthesis
    result = build(cfg, example_path)
    assert result.status == "built" and result.episode.engine == "piper"
    probe = ffprobe(result.audio_path)
    assert probe["streams"][0]["codec_name"] == "mp3"
    duration = float(probe["format"]["duration"])
    assert abs(duration * 1000 - result.episode.duration_ms) < 100 and duration > 20
    first = result.audio_path.read_bytes()
    again = build(cfg, example_path, force=True)  # served by the cache: the same episode, byte for byte
    assert again.status in ("built", "updated") and again.audio_path.read_bytes() == first
    from podcast.voices.cache import for_config

    for_config(cfg).clear()  # without the cache the noise differs: the test above can fail
    fresh = build(cfg, example_path, force=True)
    assert fresh.audio_path.read_bytes() != first


@pytest.mark.parametrize(
    "table, words, code",
    [
        ('model = "{missing}"', "voice.piper.model: no model file", 4),
        ('model = "{model}"\nspeaker = "paul"', "voice.piper.speaker:", 2),
        ('model = "{model}"\nlength_scale = 10', "voice.piper.length_scale must be between", 2),
    ],
)
def test_bad_piper_settings_stop_the_build_in_one_line(
    show: Path, example_path: Path, tmp_path: Path, table: str, words: str, code: int
) -> None:
    from click.testing import CliRunner

    from podcast.cli import cli

    model = tiny_piper.make_voice(tmp_path / "voice")
    _use_piper(show, table.format(model=model, missing=tmp_path / "absent.onnx"))
    result = CliRunner().invoke(cli, ["--config", str(show / "podcast.toml"), "build", str(example_path)])
    assert result.exit_code == code, result.output
    assert words in result.output and result.output.count("\n") == 1
    assert not (show / "public" / "feed.xml").exists() and not list(show.rglob("*.mp3"))
