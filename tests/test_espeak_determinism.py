"""The offline voice is a function of the text: same text, same samples, whatever came before.

The synthesis cache is keyed by text and builds must be reproducible, so a sentence cannot depend on
what its process spoke earlier, nor on which worker process speaks it. The reference is espeak-ng
loaded afresh for every text (the library's own state at load, nothing carried over).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from podcast.voices import espeak_reset
from podcast.voices.espeak import PARALLEL_MIN_CHARS, EspeakVoice, _Library, _private_copy

TARGET = "Bonjour, ceci est une phrase de test pour la voix française."
OTHERS = [
    "Le chat dort sur le canapé. Il fait beau !",
    "Quelle heure est-il ?",
    "Un, deux, trois ; quatre : cinq.",
    "AAAH ! Quatre-vingt-dix-neuf euros, vraiment ?",
]
SETTINGS = ("fr", 170, 50)


def digest(pcm: bytes) -> str:
    return hashlib.sha256(pcm).hexdigest()


@pytest.fixture(scope="module")
def fresh() -> dict[str, str]:
    """Each text spoken by a freshly loaded library in a child process: the ground truth."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return dict(zip([TARGET, *OTHERS], pool.map(_fresh_digest, [TARGET, *OTHERS]), strict=True))


def _fresh_digest(text: str) -> str:
    library = _Library.get()
    library._reset = None  # the fallback path: reload the library before every text after the first
    library.speak("Une phrase d'abord, pour que la suivante ait un passé.", *SETTINGS)
    return digest(library.speak(text, *SETTINGS))


def test_the_fast_path_is_in_use() -> None:
    """This wheel has its symbol table: the reset, not the slower reload, is what the tests below see."""
    assert _Library.get()._reset is not None


def test_twice_in_a_row_gives_the_same_samples(fresh: dict[str, str]) -> None:
    library = _Library.get()
    first, second = library.speak(TARGET, *SETTINGS), library.speak(TARGET, *SETTINGS)
    assert digest(first) == digest(second) == fresh[TARGET]


def test_history_does_not_leak_into_the_next_text(fresh: dict[str, str]) -> None:
    library = _Library.get()
    for other in OTHERS:
        assert digest(library.speak(other, *SETTINGS)) == fresh[other]
        assert digest(library.speak(TARGET, *SETTINGS)) == fresh[TARGET]
    library.speak(OTHERS[0], "fr-ch", 300, 90)  # other voice and settings in between
    assert digest(library.speak(TARGET, *SETTINGS)) == fresh[TARGET]


def test_without_the_reset_history_does_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    """The defect the reset exists for is real in this espeak-ng build: the test above can fail."""
    library = _Library.get()
    monkeypatch.setattr(library, "_reset", lambda: None)
    monkeypatch.setattr(library, "_spoken", False)
    outputs = {digest(library.speak(TARGET, *SETTINGS))}
    for other in OTHERS:
        library.speak(other, *SETTINGS)
        outputs.add(digest(library.speak(TARGET, *SETTINGS)))
    assert len(outputs) > 1


def test_every_copy_of_the_library_speaks_alike(fresh: dict[str, str]) -> None:
    """Parallel synthesis speaks on private copies of the library; each is as fresh as the first."""
    _Library.get().speak(OTHERS[3], *SETTINGS)  # the first copy has a history by now
    copies = _Library.pool(3)
    assert len({id(c.lib) for c in copies}) == 3 and len({c.path for c in copies}) == 3
    for library in copies:
        assert [digest(library.speak(t, *SETTINGS)) for t in [*OTHERS, TARGET]] == [fresh[t] for t in [*OTHERS, TARGET]]


def test_threads_and_their_share_of_texts_do_not_change_a_byte() -> None:
    texts = [f"{OTHERS[n % 4]} Paragraphe {n}, {TARGET}" for n in range(48)]
    assert sum(map(len, texts)) >= PARALLEL_MIN_CHARS  # large enough for the parallel path
    single = EspeakVoice(workers=1).synthesize(texts)
    two = EspeakVoice(workers=2).synthesize(texts)
    reversed_three = EspeakVoice(workers=3).synthesize(texts[::-1])[::-1]
    assert [a.pcm for a in two] == [a.pcm for a in single] == [a.pcm for a in reversed_three]


def test_the_self_check_can_fail() -> None:
    """Without the reset the self-check's probe comes out different: the check is not a formality."""
    library = _Library.get()
    assert espeak_reset.self_check(lambda text: library.speak(text, *SETTINGS)) is None
    saved = library._reset
    try:
        library._reset = lambda: None  # speaks on with its history, like an unpatched build
        assert espeak_reset.self_check(lambda text: library.speak(text, *SETTINGS)) is not None
    finally:
        library._reset = saved


def test_a_failed_self_check_falls_back_to_reloading(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh: dict[str, str]
) -> None:
    """A reset that patches the wrong bytes is caught at load, logged, and the reload path is used."""
    monkeypatch.setattr(espeak_reset, "history_reset", lambda lib, path: lambda: None)
    with caplog.at_level(logging.WARNING, logger="podcast.voices.espeak"):
        library = _Library(_private_copy(_Library.get().path, 99))  # its own copy: a reload really unloads it
    assert library._reset is None
    assert any("reloading the library before each text" in r.getMessage() for r in caplog.records)
    for other in OTHERS:
        assert digest(library.speak(other, *SETTINGS)) == fresh[other]
        assert digest(library.speak(TARGET, *SETTINGS)) == fresh[TARGET]
