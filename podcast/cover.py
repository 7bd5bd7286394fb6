"""The show's cover: the producer's own file checked as Apple wants it, or a generated PNG.

Apple asks for 1400 to 3000 px square JPEG or PNG; the default is 1400 px, a warm gradient with
sound rings drawn with the standard library only, small enough to ship in every feed.
"""

from __future__ import annotations

import hashlib
import math
import struct
import threading
import zlib
from concurrent.futures import Future
from pathlib import Path

from . import feed
from .config import Config
from .errors import ConfigError, PublishError
from .fsutil import inside, write_atomic

SIZE = 1400


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(size: int = SIZE, seed: str = "") -> bytes:
    """A deterministic cover; ``seed`` (the show title) shifts the hue so shows differ.

    Rings are drawn row by row as exact annulus spans (inner and outer radius), so their
    thickness is even all round; a row costs a few slice assignments, not a loop over pixels.
    """
    hue = (sum(seed.encode()) % 360) / 360 if seed else 0.58
    top = _hsv(hue, 0.55, 0.30)
    bottom = _hsv((hue + 0.08) % 1, 0.70, 0.80)
    cx, cy = size * 0.5, size * 0.5
    unit = size / 14
    rings = [(unit * (1.9 + 1.25 * k), size / 110 * (1.6 - 0.25 * k), 250 - 28 * k) for k in range(4)]
    rows = []
    for y in range(size):
        t = y / (size - 1)
        row = bytearray(bytes(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)) * size)
        dy = y + 0.5 - cy
        for radius, half_width, light in rings:
            shade = (light, light, min(255, light + 5))
            _span(row, cx, dy, radius - half_width, radius + half_width, shade, size)
        _span(row, cx, dy, -1.0, unit, (250, 250, 245), size)
        rows.append(b"\x00" + bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    image = zlib.compress(b"".join(rows), 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", image) + _chunk(b"IEND", b"")


def _span(
    row: bytearray, cx: float, dy: float, inner: float, outer: float, rgb: tuple[int, int, int], size: int
) -> None:
    """Paint the pixels of this row whose distance to the centre lies in [inner, outer]."""
    if abs(dy) > outer:
        return
    x_out = math.sqrt(outer * outer - dy * dy)
    x_in = math.sqrt(inner * inner - dy * dy) if inner > abs(dy) else 0.0
    colour = bytes(rgb)
    for start, end in ((cx - x_out, cx - x_in), (cx + x_in, cx + x_out)):
        a, b = max(0, round(start)), min(size, round(end))
        if b > a:
            row[3 * a : 3 * b] = colour * (b - a)


def dimensions(data: bytes) -> tuple[str, int, int]:
    """(mime, width, height) of a PNG or JPEG, read from its header; ValueError for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:2] == b"\xff\xd8":
        pos = 2
        while pos + 9 <= len(data):
            if data[pos] != 0xFF:
                break
            marker = data[pos + 1]
            length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return "image/jpeg", width, height
            pos += 2 + length
    raise ValueError("not a PNG or JPEG image")


def problem(data: bytes) -> str | None:
    """Why Apple would refuse this cover (square JPEG or PNG, 1400 to 3000 px, whole), or None."""
    try:
        mime, width, height = dimensions(data)
    except (ValueError, struct.error):
        return "not a PNG or JPEG image"
    if width != height:
        return f"the cover must be square, not {width}x{height}"
    if not 1400 <= width <= 3000:
        return f"the cover must be 1400 to 3000 px wide, not {width}"
    damage = _png_damage(data) if mime == "image/png" else _jpeg_damage(data)
    return f"the cover is damaged ({damage}); export it again" if damage else None


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_MAX_INFLATED = 3000 * (1 + 3000 * 8)  # the largest image data a 3000 px cover can have


def _png_damage(data: bytes) -> str | None:
    """Every chunk's CRC, IHDR first and IEND last, and the image data inflated to the very end at
    the size IHDR announces: what a decoder would trip on, checked without decoding pixels."""
    pos, idat, header = 8, zlib.decompressobj(), b""
    inflated, ended = 0, False
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if len(body) != length or pos + 12 + length > len(data):
            return "cut short"
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            return f"bad checksum in its {kind.decode('latin-1')!r} chunk"
        if pos == 8 and kind != b"IHDR":
            return "IHDR is not first"
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            try:
                pending = body
                while pending and inflated <= _MAX_INFLATED:  # 1 MB at a time: a bomb costs no memory
                    inflated += len(idat.decompress(pending, 1 << 20))
                    pending = idat.unconsumed_tail
            except zlib.error:
                return "its image data does not inflate"
        elif kind == b"IEND":
            ended = True
            break
        pos += 12 + length
    if not ended:
        return "cut short (no IEND)"
    if not idat.eof:
        return "its image data stops early"
    if len(header) == 13:
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
        channels = _PNG_CHANNELS.get(colour)
        if channels is None:
            return f"unknown colour type {colour}"
        if not interlace and inflated != height * (1 + (width * channels * depth + 7) // 8):
            return "its image data does not match its size"
    return None


def _jpeg_damage(data: bytes) -> str | None:
    """The marker segments in order, each scan's entropy-coded data walked to its next marker,
    through EOI: a cut or overwritten file shows as a broken marker or a missing end."""
    pos, scans = 2, 0
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return "a broken marker"
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return None if scans else "no image data"
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > len(data):
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            break
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            scans += 1
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= len(data):
                    return "cut short"
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                    continue
                break
    return "cut short (no end marker)"


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return round(r * 255), round(g * 255), round(b * 255)


# The sha256 of the last cover that passed the full check, in the show's private folder: hashing
# a cover costs a few ms where inflating a 3000 px PNG costs ~20, at every build and rebuild.
CHECKED_NAME = "cover.checked"
CHECK_VERSION = "v1"  # bump when problem() checks more: covers passed before are checked again


def check_cover(config: Config) -> bytes | None:
    """The show's own cover, read and fully checked (None: the show has none and one is drawn).
    A build calls it before any sound is made, so a bad cover costs no synthesis. The same bytes
    are checked once (their sha256 is recorded); any changed byte is checked again."""
    if not config.show.cover:
        return None
    source = config.resolve(config.show.cover)
    if not source.is_file():
        raise ConfigError("show.cover not found", path=source)
    if source.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        # feedgen silently drops an itunes:image whose URL does not end in .png or .jpg.
        raise ConfigError("show.cover must be a .png, .jpg or .jpeg file", path=source)
    try:
        data = source.read_bytes()
    except OSError as err:
        raise ConfigError(f"cannot read show.cover: {err.strerror}", path=source) from None
    digest = f"{CHECK_VERSION} {hashlib.sha256(data).hexdigest()}"
    record = config.state_dir / CHECKED_NAME
    try:
        if record.read_text(encoding="ascii").strip() == digest:
            return data  # these very bytes passed the full check before
    except (OSError, UnicodeDecodeError):
        pass
    reason = problem(data)
    if reason:
        raise ConfigError(reason, path=source)
    if config.state_dir.is_dir():
        try:
            write_atomic(record, digest + "\n", mode=0o600)
        except PublishError:
            pass  # only costs the check again next time
    return data


def ensure_cover(config: Config) -> Path:
    """The show's cover in the publish folder: its own file, or a generated one for a new show."""
    return place_cover(config, check_cover(config))


def place_cover(config: Config, data: bytes | None, drawn: Future[bytes] | None = None) -> Path:
    """:func:`ensure_cover` for a cover :func:`check_cover` already read and checked (``data``; None:
    the show has none), so a build inflates a big PNG once, not twice. ``drawn``: the default cover
    from :func:`draw_ahead`, when it is needed."""
    if data is not None:
        target = inside(config.publish_dir, feed.cover_name(config))
        if not target.exists() or target.read_bytes() != data:
            write_atomic(target, data)
        return target
    target = config.publish_dir / feed.COVER_NAME
    if not target.exists():
        write_atomic(target, drawn.result() if drawn is not None else png(seed=config.show.title))
    return target


def draw_ahead(config: Config, data: bytes | None) -> Future[bytes] | None:
    """Start drawing the default cover in a thread when a new show will need it (None otherwise):
    a build starts it before reading and segmenting, which keep one core busy, and
    :func:`place_cover` writes it later, where it always did. Most of the 55 ms is zlib, which
    runs beside Python code."""
    if data is not None or (config.publish_dir / feed.COVER_NAME).exists():
        return None
    drawn: Future[bytes] = Future()

    def draw() -> None:
        try:
            drawn.set_result(png(seed=config.show.title))
        except BaseException as err:  # given to whoever waits for it
            drawn.set_exception(err)

    threading.Thread(target=draw, name="draw-cover").start()
    return drawn
