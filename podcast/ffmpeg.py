"""The ffmpeg binary shipped by the imageio-ffmpeg wheel, and one way to run it.

Nothing is looked up on PATH: a pip install is all a machine needs.
"""

from __future__ import annotations

import functools
import logging
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import AudioError

log = logging.getLogger(__name__)


@functools.cache
def executable() -> str:
    try:
        import imageio_ffmpeg
    except ImportError:  # pragma: no cover - a dependency of the package
        raise AudioError("imageio-ffmpeg is not installed; reinstall podcast-builder") from None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as err:  # pragma: no cover - wheel without a binary for this platform
        raise AudioError(f"no ffmpeg binary for this platform: {err}") from None


def run(
    args: Sequence[str | Path], *, input: bytes | None = None, what: str = "ffmpeg"
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg quietly; a failure becomes one AudioError line with ffmpeg's own last words."""
    command = [executable(), "-hide_banner", "-nostdin", "-y", *map(str, args)]
    log.debug("running %s", " ".join(command))
    try:
        done = subprocess.run(command, input=input, capture_output=True, check=False)
    except OSError as err:
        raise AudioError(f"cannot run ffmpeg: {err}") from None
    if done.returncode != 0:
        raise AudioError(f"{what} failed: {failure_reason(done.stderr.decode('utf-8', 'replace'), done.returncode)}")
    return done


# ffmpeg's last line is often only "Conversion failed!"; the cause a producer can act on (a full
# disk, a permission) is said earlier, in the words of the operating system.
_SYSTEM_CAUSES = ("No space left on device", "Permission denied", "Read-only file system", "Disk quota exceeded")
_GENERIC = ("Conversion failed!", "Error closing file", "Error writing trailer")


def failure_reason(stderr: str, returncode: int) -> str:
    """The most useful line of ffmpeg's complaint."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for cause in _SYSTEM_CAUSES:
        if any(cause in line for line in lines):
            return cause.lower()
    specific = [line for line in lines if not line.startswith(_GENERIC)]
    if specific:
        return specific[-1]
    return lines[-1] if lines else f"exit code {returncode}"


def decode(source: Path | bytes, rate: int, *, sample_format: str = "s16le") -> bytes:
    """Any audio ffmpeg reads (a file, or encoded bytes) -> mono PCM at ``rate`` (s16le or f32le)."""
    tail = ["-f", sample_format, "-ac", "1", "-ar", str(rate), "pipe:1"]
    if isinstance(source, (bytes, bytearray)):
        done = run(["-i", "pipe:0", *tail], input=bytes(source), what="decoding audio")
    else:
        if not Path(source).is_file():
            raise AudioError("audio file not found", path=source)
        done = run(["-i", source, *tail], what=f"decoding {source}")
    return done.stdout


_LUFS = re.compile(r"I:\s+(-?[\d.]+|-inf)\s+LUFS")
_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf)\s+dBFS")


def loudness(input_args: Sequence[str | Path], *, input: bytes | None = None, peak: bool = True) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of one input, streamed through ebur128.

    ``input_args`` are ffmpeg's input options ending with ``-i SOURCE``; a file is read as it
    goes, so measuring a two-hour track needs no more memory than a short one. Without ``peak``
    (the oversampled true-peak meter costs as much as the loudness), the peak is NaN.
    """
    meter = "ebur128=peak=true:framelog=quiet" if peak else "ebur128=framelog=quiet"
    done = run([*input_args, "-af", meter, "-f", "null", "-"], input=input, what="measuring loudness")
    return parse_ebur128(done.stderr.decode("utf-8", "replace"), peak=peak)


def parse_ebur128(log_text: str, *, peak: bool = True) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) from ebur128's summary; the peak is NaN unless metered."""
    summary = log_text[log_text.rfind("Summary:") :]
    lufs, peak_match = _LUFS.search(summary), _PEAK.search(summary)
    if not lufs or (peak and not peak_match):
        raise AudioError("could not measure loudness")
    as_float = lambda text: float("-inf") if text == "-inf" else float(text)  # noqa: E731
    return as_float(lufs.group(1)), as_float(peak_match.group(1)) if peak_match else float("nan")
