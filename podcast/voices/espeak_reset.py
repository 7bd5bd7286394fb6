"""The clever part of the offline voice, fenced: putting espeak-ng's hidden statics back after each text.

espeak-ng's wave generator (wavegen.c) keeps three function-local statics across utterances, which no
API call resets (not even ``espeak_Initialize``): ``Flutter_ix`` (the phase of the pitch-flutter
table), ``cycle_count`` (the phase of the voice's roughness modulation) and ``agc`` (the automatic
gain after a clipped sample). So a text's samples would depend on what was spoken before it. We find
the statics in the library's ELF symbol table and put back their initial bytes before each text.

This reads a private layout of one build of the library (espeakng-loader is pinned to the versions
tested), so it is checked when a library is loaded: :func:`self_check` speaks a probe, another text,
then the probe again, and the two probes must be the same samples. When the symbols are missing or
the check fails, the caller falls back to the simple path: reloading the library before each text
(correct, slower: 0.38 s of CPU instead of 0.21 s for the 64 segments of the sample newsletter).
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable

HISTORY = ("wavegen.c", ("Flutter_ix", "cycle_count", "agc"))
CHECK_SETTINGS = ("fr", 170, 50)  # voice, words per minute, pitch of the self-check's texts
PROBE = "Bonjour, ceci est un essai."
OTHER = "Quatre-vingt-dix-neuf euros, vraiment ? Oui !"  # moves the flutter phase and the roughness cycle


def symbols(path: str) -> list[tuple[str, str, int, int, bytes]]:
    """(source file, name, type, offset, bytes at load) of each symbol in an ELF64 library's table.

    The bytes at load come from the file (zeros for .bss), so they do not depend on what this
    process, or the parent it was forked from, has already spoken. Empty when the file is not
    little-endian ELF64 or was stripped.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    if data[:6] != b"\x7fELF\x02\x01":
        return []
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    symbols = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 2 or not entsize:  # SHT_SYMTAB (not the dynamic table: statics are not exported)
            continue
        strings = sections[link][4]
        source = ""
        for at in range(offset, offset + size, entsize):
            name_at, info, _other, index, value, length = struct.unpack_from("<IBBHQQ", data, at)
            name = data[strings + name_at : data.index(b"\0", strings + name_at)].decode("ascii", "replace")
            if info & 0xF == 4:  # STT_FILE: the symbols that follow come from this source file
                source = name
                continue
            initial = b""
            if info & 0xF == 1 and 0 < index < len(sections):  # STT_OBJECT in a real section
                _n, section_kind, _f, address, section_offset, *_ = sections[index]
                start = section_offset + value - address
                initial = bytes(length) if section_kind == 8 else data[start : start + length]  # 8: NOBITS
            symbols.append((source, name, info & 0xF, value, initial))
    return symbols


def history_reset(lib: ctypes.CDLL, path: str) -> Callable[[], None] | None:
    """A function putting wavegen's history statics back to their bytes at load time, or None.

    Function-local statics are named ``name.NNNN`` in the table; an exported function's address
    in the process minus its offset in the file gives where the library was loaded.
    """
    source, names = HISTORY
    statics: dict[str, tuple[int, bytes]] = {}
    anchor = None
    for file, name, kind, offset, initial in symbols(path):
        if kind == 1 and file == source and name.split(".")[0] in names and initial:  # STT_OBJECT
            statics[name.split(".")[0]] = (offset, initial)
        elif kind == 2 and name == "espeak_Synth":  # STT_FUNC
            anchor = offset
    if set(statics) != set(names) or anchor is None:
        return None
    base = ctypes.cast(lib.espeak_Synth, ctypes.c_void_p).value - anchor  # type: ignore[operator]
    saved = [(base + offset, initial) for offset, initial in statics.values()]

    def reset() -> None:
        for address, initial in saved:
            ctypes.memmove(address, initial, len(initial))

    return reset


def self_check(speak: Callable[[str], bytes]) -> str | None:
    """None when ``speak`` (which resets before each text) gives a text the same samples after another
    text was spoken in between; else why not, for the log."""
    try:
        first = speak(PROBE)
        speak(OTHER)
        again = speak(PROBE)
    except Exception as err:
        return f"the reset's self-check could not speak ({err})"
    if not first:
        return "the reset's self-check got no samples"
    if first != again:
        return "the reset of wavegen's statics did not make speech repeatable (another espeak-ng build?)"
    return None
