"""What espeak-ng would say, as phonemes: to hear a rule's effect without listening (``podcast say``
and the reading corpus in the tests compare phonemes, so two spellings of one sound are equal)."""

from __future__ import annotations

import ctypes
import os
import threading

from ..voices.espeak import _VOICE_FILES, _Library, _private_copy

_CHARS_UTF8 = 1
_PHONEMES_IPA = 0x02  # bit 1: IPA; bits 8+ (0): no separator between phonemes


_OWN: _Library | None = None
_GUARD = threading.Lock()


def _own_library() -> _Library:
    """A private copy of espeak-ng for phonemes only: TextToPhonemes moves state that the voice's
    history reset does not cover (after about a thousand calls the next text sounds different), so
    the copy that speaks never converts, and the same text keeps giving the same samples."""
    global _OWN
    with _GUARD:
        if _OWN is None or _OWN.pid != os.getpid():
            _OWN = _Library(_private_copy(_Library.get().path, 0))
        return _OWN


def phonemes(text: str, voice: str = "fr", *, ipa: bool = False) -> str:
    """espeak-ng's phonemes for ``text`` (its own ASCII notation, or IPA), clauses joined by spaces."""
    library = _own_library()
    lib = library.lib
    convert = lib.espeak_TextToPhonemes
    convert.restype = ctypes.c_char_p
    convert.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
    data = ctypes.create_string_buffer(text.encode("utf-8"))
    pointer = ctypes.c_char_p(ctypes.addressof(data))
    out: list[str] = []
    with library.lock:
        lib.espeak_SetVoiceByName(_VOICE_FILES.get(voice, voice).encode())
        while pointer.value:
            said = convert(ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA if ipa else 0)
            if said:
                out.append(said.decode("utf-8", "replace").strip())
    return " ".join(part for part in out if part)
