"""Google Translate's voice through gTTS: natural French, online, rate-limited.

gTTS returns MP3; we decode it with ffmpeg to PCM so mastering treats every engine alike.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

from .. import ffmpeg
from ..errors import AudioError, VoiceError
from .base import Audio, Progress

log = logging.getLogger(__name__)

MAX_CHARS = 100  # gTTS cuts longer texts itself, anywhere; we cut first, at clause boundaries
RATE = 24000


@dataclass
class GttsVoice:
    lang: str = "fr"
    tld: str = "fr"
    slow: bool = False
    timeout: float = 10.0
    concurrency: int = 4

    engine = "gtts"
    max_chars = MAX_CHARS
    rate = RATE

    @property
    def identity(self) -> str:
        return f"gtts:{self.lang}:tld={self.tld}:slow={self.slow}:sr={self.rate}"

    @property
    def description(self) -> str:
        return f"Google Translate voice {self.lang} via translate.google.{self.tld} (online)"

    def fetch_mp3(self, text: str) -> bytes:
        """One text -> MP3 bytes, through gTTS's own request and decoding code."""
        from gtts import gTTS
        from gtts.tts import gTTSError

        try:
            tts = gTTS(text, lang=self.lang, tld=self.tld, slow=self.slow, lang_check=False, timeout=self.timeout)
            return b"".join(tts.stream())
        except (gTTSError, AssertionError, ValueError) as err:
            raise VoiceError(f"gTTS failed: {err}") from None

    def synthesize_one(self, text: str) -> Audio:
        mp3 = self.fetch_mp3(text)
        try:
            return Audio(ffmpeg.decode(mp3, self.rate), self.rate)
        except AudioError as err:
            raise VoiceError(f"gTTS returned audio ffmpeg cannot read: {err}") from None

    def synthesize(self, texts: Sequence[str], progress: Progress | None = None) -> list[Audio]:
        def one(text: str) -> Audio:
            audio = self.synthesize_one(text)
            if progress:
                progress(1)
            return audio

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(one, texts))

    def probe(self, timeout: float = 3.0) -> str | None:
        """None when Google answers within ``timeout`` seconds, else why not."""
        import requests

        from gtts.utils import _translate_url

        try:
            requests.head(_translate_url(tld=self.tld, path=""), timeout=timeout, allow_redirects=False)
        except requests.RequestException as err:
            return f"translate.google.{self.tld} is unreachable ({type(err).__name__})"
        return None
