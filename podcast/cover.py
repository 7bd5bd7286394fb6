"""A default square cover for a new show: a PNG drawn with the standard library only.

Apple asks for 1400 to 3000 px square JPEG or PNG; this is 1400 px, a warm gradient with sound
rings, small enough to ship in every feed.
"""

from __future__ import annotations

import math
import struct
import zlib

SIZE = 1400


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(size: int = SIZE, seed: str = "") -> bytes:
    """A deterministic cover; ``seed`` (the show title) shifts the hue so shows differ."""
    hue = (sum(seed.encode()) % 360) / 360 if seed else 0.58
    top = _hsv(hue, 0.55, 0.35)
    bottom = _hsv((hue + 0.08) % 1, 0.75, 0.85)
    cx, cy = size * 0.5, size * 0.56
    rows = []
    ring = size / 14
    for y in range(size):
        t = y / (size - 1)
        base = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom))
        row = bytearray(base * size)
        dy = y - cy
        for k in (1, 2, 3, 4):
            r = ring * k * 1.6
            if abs(dy) <= r + 6:
                half = math.sqrt(max(0.0, r * r - dy * dy))
                light = 255 - 30 * k
                for x in (int(cx - half), int(cx + half)):
                    for dx in range(-5, 6):
                        px = x + dx
                        if 0 <= px < size:
                            row[3 * px : 3 * px + 3] = bytes((light, light, light))
        if abs(dy) <= ring:
            half = int(math.sqrt(ring * ring - dy * dy))
            start, end = int(cx - half), int(cx + half)
            row[3 * start : 3 * end] = bytes((250, 250, 245)) * (end - start)
        rows.append(b"\x00" + bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b"")


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return round(r * 255), round(g * 255), round(b * 255)
