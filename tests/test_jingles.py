"""The shipped jingles are what scripts/make-jingles makes (pydub mixing, imageio-ffmpeg export)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("intro", "transition", "outro")


def test_shipped_jingles_are_reproducible_from_the_script(tmp_path: Path, ffmpeg_exe: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make-jingles"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # pydub found its converter: no "Couldn't find ffmpeg" warning

    def samples(path: Path) -> bytes:  # decoded samples, so a newer FLAC encoder does not matter
        return subprocess.run(
            [ffmpeg_exe, "-v", "error", "-i", str(path), "-f", "s16le", "-"], capture_output=True, check=True
        ).stdout

    for name in NAMES:
        made, shipped = samples(tmp_path / f"{name}.flac"), samples(ROOT / "audio" / f"{name}.flac")
        assert len(made) > 44100 * 2 and made == shipped, name
