"""MP3 frame streams joined end to end, under one Xing/Info + LAME header for the whole.

Each part is an MP3 that ffmpeg's LAME encoded on its own (so parts can be encoded at once, on
every core, and cached). A LAME stream starts with an empty bit reservoir (main_data_begin = 0),
so the parts' frames can follow one another; only their Info frames are dropped, and one is
written in front for the whole: frame and byte counts, seek table, the encoder delay of the first
part, the padding of the last, the music CRC and the tag CRC. Decoded, part k's sound then starts
``samples_per_frame * (frames of the parts before it)`` samples into the episode.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import AudioError

_FLAGS = 0x0F  # frames, bytes, TOC, quality: what ffmpeg writes
# Offsets from the "Info" tag, as ffmpeg's mp3enc.c writes them (flags 0x0F).
_FRAMES, _BYTES, _TOC, _ENCODER = 8, 12, 16, 120
_DELAYS, _MUSIC_LENGTH, _MUSIC_CRC, _TAG_CRC = 141, 148, 152, 154


@dataclass(frozen=True)
class Part:
    """One encoded part: its Info frame's figures, and where its audio frames are."""

    path: Path
    info_size: int  # bytes of its own Info frame (skipped when joined)
    frames: int
    audio_bytes: int
    delay: int
    padding: int
    music_crc: int
    samples_per_frame: int
    info_frame: bytes

    @property
    def samples(self) -> int:
        """The sound it holds, without the encoder's delay and padding."""
        return self.frames * self.samples_per_frame - self.delay - self.padding


def _frame_length(header: bytes) -> tuple[int, int]:
    """(bytes, samples) of the MPEG audio Layer III frame starting with ``header``."""
    b1, b2 = header[1], header[2]
    version = (b1 >> 3) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    if header[0] != 0xFF or (b1 & 0xE0) != 0xE0 or ((b1 >> 1) & 3) != 1 or version == 1:
        raise AudioError("the encoder did not produce an MPEG Layer III stream")
    mpeg1 = version == 3
    rates = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}[version]
    kbps = (
        (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
        if mpeg1
        else (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
    )[b2 >> 4]
    rate, pad = rates[(b2 >> 2) & 3], (b2 >> 1) & 1
    samples = 1152 if mpeg1 else 576
    return samples // 8 * kbps * 1000 // rate + pad, samples


def read_part(path: Path) -> Part:
    """The figures of an MP3 ffmpeg wrote with ``-write_xing 1`` and a LAME encoder string."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        if len(head) < 4:
            raise AudioError("the encoder produced no audio")
        size, samples = _frame_length(head)
        frame = head + handle.read(size - 4)
    at = max(frame.find(b"Info"), frame.find(b"Xing"))
    if at < 0 or len(frame) < at + _TAG_CRC + 2 or struct.unpack_from(">I", frame, at + 4)[0] != _FLAGS:
        raise AudioError("the encoder wrote no Info header")
    frames, total = struct.unpack_from(">II", frame, at + _FRAMES)
    delays = int.from_bytes(frame[at + _DELAYS : at + _DELAYS + 3], "big")
    (music_crc,) = struct.unpack_from(">H", frame, at + _MUSIC_CRC)
    return Part(path, size, frames, total - size, delays >> 12, delays & 0xFFF, music_crc, samples, frame)


def join(parts: Sequence[Part], out: BinaryIO, last_samples: int) -> None:
    """Write one Info frame for the whole, then every part's audio frames, in order.

    ``last_samples`` is the sound the last part holds: the end padding is computed from it,
    since ffmpeg's own figure is a few samples off when LAME's last input frame is short."""
    if not parts:
        raise AudioError("nothing to join")
    first, last = parts[0], parts[-1]
    padding = last.frames * last.samples_per_frame - last.delay - last_samples
    if not 0 <= padding < 4096:
        raise AudioError("the encoded audio does not match its length")
    frame = bytearray(first.info_frame)
    at = max(frame.find(b"Info"), frame.find(b"Xing"))
    frames = sum(p.frames for p in parts)
    total = len(frame) + sum(p.audio_bytes for p in parts)
    struct.pack_into(">II", frame, at + _FRAMES, frames, total)
    frame[at + _TOC : at + _TOC + 100] = _toc(parts, len(frame), total)
    frame[at + _DELAYS : at + _DELAYS + 3] = ((first.delay << 12) | padding).to_bytes(3, "big")
    music_crc = 0
    for part in parts:
        music_crc = crc16_combine(music_crc, part.music_crc, part.audio_bytes)
    struct.pack_into(">IH", frame, at + _MUSIC_LENGTH, total, music_crc)
    # LAME's rule, which ffmpeg's demuxer checks: the CRC of every byte before the field.
    struct.pack_into(">H", frame, at + _TAG_CRC, crc16(bytes(frame[: at + _TAG_CRC])))
    out.write(frame)
    for part in parts:
        with open(part.path, "rb") as handle:
            handle.seek(part.info_size)
            while block := handle.read(1 << 20):
                out.write(block)


def _toc(parts: Sequence[Part], offset: int, total: int) -> bytes:
    """Xing seek table: byte position (in 256ths of the file) at each percent of the frames.

    Within a part, frames are taken as equally long (CBR; they differ by one padding byte)."""
    starts = []  # (first frame, byte offset, frames, bytes) per part
    frame_at = 0
    for part in parts:
        starts.append((frame_at, offset, part.frames, part.audio_bytes))
        frame_at += part.frames
        offset += part.audio_bytes
    toc = bytearray(100)
    k = 0
    for i in range(1, 100):
        target = i * frame_at // 100
        while k + 1 < len(starts) and starts[k + 1][0] <= target:
            k += 1
        first, byte, count, size = starts[k]
        position = byte + (target - first) * size // max(count, 1)
        toc[i] = min(255, 256 * position // total)
    return bytes(toc)


# --- CRC-16/ARC (poly 0x8005 reflected), as LAME and ffmpeg use for the LAME tag ------------------


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc16(data: bytes, crc: int = 0) -> int:
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def _mat_vec(matrix: list[int], vector: int) -> int:
    out = 0
    i = 0
    while vector:
        if vector & 1:
            out ^= matrix[i]
        vector >>= 1
        i += 1
    return out


def _mat_square(matrix: list[int]) -> list[int]:
    return [_mat_vec(matrix, column) for column in matrix]


def crc16_combine(crc1: int, crc2: int, length2: int) -> int:
    """CRC of A + B from CRC(A), CRC(B) and len(B), in O(log len(B)) (zlib's crc32_combine,
    for 16 bits): the parts' CRCs, which ffmpeg computed, give the whole's without rereading it."""
    if length2 <= 0:
        return crc1
    # the operator "one zero bit" on a reflected CRC register, as 16 columns
    odd = [0xA001] + [1 << (n - 1) for n in range(1, 16)]
    even = _mat_square(odd)  # two zero bits
    odd = _mat_square(even)  # four zero bits
    while True:
        even = _mat_square(odd)  # first pass: one zero byte
        if length2 & 1:
            crc1 = _mat_vec(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _mat_square(even)
        if length2 & 1:
            crc1 = _mat_vec(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


# --- reading a whole file back, as a decoder would --------------------------------------------------


@dataclass(frozen=True)
class Walked:
    """What walking every frame of a tagged MP3 found, beside what its Info header claims."""

    frames: int  # audio frames actually present (the Info frame not counted)
    header_frames: int  # audio frames the Info header claims
    samples: int  # decoded samples: the frames' less the header's encoder delay and padding
    rate: int


def walk(data: bytes) -> Walked:
    """Every MPEG frame from the one after the ID3v2 tag to the end (an ID3v1 tag may close the
    file), back to back; AudioError where one is broken or the file ends inside one."""
    at = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = 0
        for byte in data[6:10]:  # a "synchsafe" integer: 7 bits a byte
            size = size << 7 | (byte & 0x7F)
        at = 10 + size + (10 if data[5] & 0x10 else 0)
    end = len(data) - (128 if len(data) >= 128 and data[-128:-125] == b"TAG" else 0)
    if end - at < 4:
        raise AudioError("no audio frames")
    size, samples_per_frame = _checked_length(data[at : at + 4])
    frame = data[at : at + size]
    tag = max(frame.find(b"Info"), frame.find(b"Xing"))
    if tag < 0 or len(frame) < tag + _DELAYS + 3:
        raise AudioError("no Info header")
    (header_frames,) = struct.unpack_from(">I", frame, tag + _FRAMES)
    delays = int.from_bytes(frame[tag + _DELAYS : tag + _DELAYS + 3], "big")
    b1, b2 = data[at + 1], data[at + 2]
    version = (b1 >> 3) & 3
    rate = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}[version][(b2 >> 2) & 3]
    frames, pos = -1, at  # the Info frame is walked but holds no sound
    sizes: dict[bytes, int] = {}  # a stream has a handful of distinct headers: each checked once
    while pos < end:
        if end - pos < 4:
            raise AudioError("the file ends inside a frame header")
        header = data[pos : pos + 4]
        length = sizes.get(header)
        if length is None:
            length = sizes[header] = _checked_length(header)[0]
        pos += length
        frames += 1
    if pos != end:
        raise AudioError("the file ends inside a frame")
    samples = frames * samples_per_frame - (delays >> 12) - (delays & 0xFFF)
    return Walked(frames, header_frames, samples, rate)


def _checked_length(header: bytes) -> tuple[int, int]:
    """:func:`_frame_length` for bytes read back from disk: a reserved rate or bitrate index, or a
    free-format frame (length unknown), is damage too."""
    try:
        size, samples = _frame_length(header)
    except IndexError:
        raise AudioError("a frame header with a reserved value") from None
    if size < 4:
        raise AudioError("a free-format or empty frame")
    return size, samples
