"""Small edits on raw samples: speech (s16le) trimmed and faded, music (float) faded, gains in dB.

Pure functions on bytes and arrays, so the mastering stage's sample arithmetic is tested alone.
"""

from __future__ import annotations

import array
import sys

SILENCE_THRESHOLD = 48  # |sample| below this, at a segment's edges, is silence to trim


def samples(pcm: bytes) -> array.array[int]:
    """s16le bytes as an array of ints, whatever the machine's byte order."""
    values = array.array("h", pcm)
    if sys.byteorder == "big":  # pragma: no cover
        values.byteswap()
    return values


def trim(pcm: bytes, threshold: int = SILENCE_THRESHOLD, block: int = 64) -> bytes:
    """Drop the silence an engine leaves around a segment, so our pauses are the only pauses."""
    values = samples(pcm)
    n = len(values)
    start = 0
    while start < n and max(map(abs, values[start : start + block])) < threshold:
        start += block
    end = n
    while end > start and max(map(abs, values[max(start, end - block) : end])) < threshold:
        end -= block
    start = max(0, start - block)
    end = min(n, end + block)
    return pcm[start * 2 : end * 2]


def fade(pcm: bytes, length: int) -> bytes:
    """A short linear fade at both edges: no click where speech meets silence."""
    values = samples(pcm)
    n = len(values)
    length = min(length, n // 2)
    if length <= 0:
        return pcm
    for i in range(length):
        gain = i / length
        values[i] = int(values[i] * gain)
        values[n - 1 - i] = int(values[n - 1 - i] * gain)
    if sys.byteorder == "big":  # pragma: no cover
        values.byteswap()
    return values.tobytes()


def fade_edges(values: array.array[float], fade_in: int, fade_out: int) -> None:
    """Linear fades, in place, over the first ``fade_in`` and last ``fade_out`` float samples."""
    n = len(values)
    for i in range(min(fade_in, n)):
        values[i] *= i / fade_in
    fade_out = min(fade_out, n)
    for i in range(fade_out):
        values[n - 1 - i] *= i / fade_out


def db_to_linear(db: float) -> float:
    return 10 ** (db / 20)
