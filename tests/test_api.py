"""The public API: everything __all__ names is importable, and the CLI's start-up stays lazy."""

from __future__ import annotations

import subprocess
import sys

import podcast


def test_every_exported_name_resolves() -> None:
    for name in podcast.__all__:
        assert getattr(podcast, name) is not None, name


def test_importing_the_package_loads_no_stage() -> None:
    code = "import sys, podcast; print(sorted(m for m in sys.modules if m.startswith('podcast.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['podcast.errors']"


def test_api_builds_an_episode(show, example_path, ffprobe) -> None:
    config = podcast.load_config(show / "podcast.toml")
    result = podcast.build_episode(config, example_path, day="2026-11-20")
    assert result.status == "built" and result.audio_path.is_file()
    probed = ffprobe(result.audio_path)  # an independent reader: a real MP3 of the announced length
    assert probed["streams"][0]["codec_name"] == "mp3"
    assert abs(float(probed["format"]["duration"]) * 1000 - result.episode.duration_ms) < 100
    assert [e.guid for e in podcast.list_episodes(config)] == [result.episode.guid]
