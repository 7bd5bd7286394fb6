"""Google Translate's voice through gTTS: natural French, online, rate-limited.

gTTS itself prepares the requests (its pre-processors, tokenizer and RPC packaging run unchanged)
and explains failures (:class:`gtts.tts.gTTSError`), but its ``stream()`` turns TLS verification
off, opens a new connection per request and never retries. So we send gTTS's prepared requests
through our own :class:`requests.Session`: TLS verified, a timeout on every request, connections
reused, bounded retries with exponential backoff and jitter (honouring ``Retry-After``), a
concurrency limit and a polite request rate. When Google stays unreachable, one VoiceError comes
within ``deadline`` seconds and the build stops before anything is published.

gTTS returns MP3; we decode it with ffmpeg to PCM so mastering treats every engine alike.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import os
import queue
import random
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import ffmpeg
from ..errors import AudioError, ConfigError, VoiceError
from . import registry
from .base import Audio, Progress
from .registry import GttsOptions

log = logging.getLogger(__name__)

MAX_CHARS = 100  # gTTS cuts longer texts itself, anywhere; we cut first, at clause boundaries
RATE = 24000
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_AUDIO = re.compile(r'jQ1olc","\[\\"(.*)\\"]')  # the very pattern gTTS's stream() decodes with


class _Abort(Exception):
    """Another worker already failed: stop quietly, its error is the one reported."""


def decode_batchexecute(body: bytes) -> bytes:
    """MP3 bytes carried by a batchexecute answer, decoded line by line exactly as gTTS's ``stream()`` does.

    Returns b"" when the answer carries no audio (gTTS raises then; our caller explains why).
    """
    chunks = []
    for line in body.splitlines():
        decoded = line.decode("utf-8", "replace")
        if "jQ1olc" in decoded:
            found = _AUDIO.search(decoded)
            if not found:
                return b""
            chunks.append(base64.b64decode(found.group(1).encode("ascii")))
    return b"".join(chunks)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _Pace:
    """A polite request rate shared by every worker thread: request starts are spaced 1/rate apart,
    and a 429's Retry-After pauses everyone, not only the thread that got it."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next = 0.0
        self.lock = threading.Lock()

    def slot(self) -> float:
        """Seconds to wait before this request may start."""
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
            return start - now

    def pause(self, seconds: float) -> None:
        with self.lock:
            self.next = max(self.next, time.monotonic() + seconds)


@dataclass
class GttsVoice:
    """Google Translate's French voice, spoken over HTTPS with TLS verified."""

    lang: str = "fr"
    tld: str = "fr"
    slow: bool = False
    timeout: float = 10.0  # seconds, for each request (connect and read)
    concurrency: int = 4  # requests in flight at once
    requests_per_second: float = 12.0  # polite pace across all threads; 0: no pacing
    retries: int = 4  # further attempts after a 429, 5xx, timeout or connection error
    backoff: float = 0.5  # first retry waits up to this (full jitter), doubling each time
    deadline: float = 25.0  # seconds one text may take, retries included, before the episode is abandoned
    endpoint: str = ""  # base URL replacing https://translate.google.<tld> (tests, mirrors); TLS still verified

    engine = "gtts"
    max_chars = MAX_CHARS
    rate = RATE

    def __post_init__(self) -> None:
        options = GttsOptions(
            tld=self.tld,
            slow=self.slow,
            timeout=self.timeout,
            concurrency=self.concurrency,
            rate=self.requests_per_second,
            retries=self.retries,
            deadline=self.deadline,
            endpoint=self.endpoint,
        )
        try:
            registry.check("gtts", options)
        except ConfigError as err:
            raise VoiceError(str(err)) from None

    @property
    def identity(self) -> str:
        return f"gtts:{self.lang}:tld={self.tld}:slow={self.slow}:sr={self.rate}"

    @property
    def description(self) -> str:
        return f"Google Translate voice {self.lang} via {self.host} (online)"

    @property
    def host(self) -> str:
        return self.endpoint.rstrip("/") if self.endpoint else f"translate.google.{self.tld}"

    # -- requests -----------------------------------------------------------------------------

    def _tts(self, text: str) -> Any:
        from gtts import gTTS

        try:
            return gTTS(text, lang=self.lang, tld=self.tld, slow=self.slow, lang_check=False, timeout=self.timeout)
        except AssertionError as err:  # gTTS validates with assert; an empty text is our bug
            raise VoiceError(f"gTTS refused the text {text[:40]!r}: {err}") from None

    def prepare(self, text: str) -> list:
        """gTTS's own prepared requests for one text (one per ~100-character part), aimed at our endpoint."""
        tts = self._tts(text)
        try:
            prepared = tts._prepare_requests()
        except AssertionError:
            return []  # nothing speakable left after gTTS's cleaning (punctuation only)
        if self.endpoint:
            for request in prepared:
                request.url = self.endpoint.rstrip("/") + "/_/TranslateWebserverUi/data/batchexecute"
        return prepared

    @staticmethod
    def _session() -> Any:
        """A session keeping one connection alive: requests reuse it instead of a handshake each."""
        import requests
        from requests.adapters import HTTPAdapter

        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def _send(self, request: Any, text: str, pace: _Pace, stop: threading.Event, session: Any) -> bytes:
        """One prepared request -> MP3 bytes, retried within the deadline; VoiceError otherwise."""
        import requests
        from gtts.tts import gTTSError

        settings = session.merge_environment_settings(request.url, {}, None, True, None)  # proxies, CA bundle
        if settings.get("verify") is False:  # pragma: no cover - requests never returns False here
            settings["verify"] = True
        started = time.monotonic()
        attempt = 0
        while True:
            if stop.is_set():
                raise _Abort()
            if stop.wait(pace.slot()):
                raise _Abort()
            remaining = self.deadline - (time.monotonic() - started)
            problem: str
            wait_for: float | None = None
            try:
                response = session.send(
                    request,
                    timeout=max(0.1, min(self.timeout, remaining)),
                    allow_redirects=False,
                    proxies=settings["proxies"],
                    verify=settings["verify"],
                    cert=settings.get("cert"),
                )
            except requests.exceptions.SSLError as err:
                raise VoiceError(f"gTTS: TLS verification of {self.host} failed ({_root_cause(err)})") from None
            except requests.exceptions.Timeout:
                problem = f"{self.host} did not answer within {self.timeout:g} s"
            except requests.exceptions.ConnectionError as err:
                problem = f"{self.host} is unreachable ({_root_cause(err)})"
            except requests.exceptions.RequestException as err:
                raise VoiceError(f"gTTS request failed: {_root_cause(err)}") from None
            else:
                if response.status_code == 200:
                    mp3 = decode_batchexecute(response.content)
                    if mp3:
                        return mp3
                    raise VoiceError(f"gTTS: {gTTSError(tts=self._tts(text), response=response).msg}")
                if response.status_code not in RETRY_STATUS:
                    raise VoiceError(f"gTTS: {gTTSError(tts=self._tts(text), response=response).msg}")
                problem = f"{response.status_code} {response.reason} from {self.host}"
                wait_for = retry_after(response.headers.get("Retry-After"))
                if wait_for is not None:
                    problem += f", Retry-After {wait_for:g} s"
                    pace.pause(wait_for)
            attempt += 1
            delay = random.uniform(0, self.backoff * 2 ** (attempt - 1))  # full jitter
            if wait_for is not None:
                delay = max(delay, wait_for)
            elapsed = time.monotonic() - started
            if attempt > self.retries or elapsed + delay >= self.deadline:
                tries = f"{attempt} attempt{'s' if attempt > 1 else ''} in {elapsed:.0f} s"
                raise VoiceError(
                    f"gTTS gave up: {problem} ({tries}); the offline voice (engine espeak) needs no network"
                )
            log.info("gTTS: %s; retrying in %.1f s", problem, delay)
            if stop.wait(delay):
                raise _Abort()

    def fetch_mp3(
        self, text: str, pace: _Pace | None = None, stop: threading.Event | None = None, session: Any = None
    ) -> bytes:
        """One text -> MP3 bytes: every part gTTS prepares, sent in order on one session."""
        pace = pace or _Pace(self.requests_per_second)
        stop = stop or threading.Event()
        own = session is None
        session = session or self._session()
        try:
            return b"".join(self._send(request, text, pace, stop, session) for request in self.prepare(text))
        finally:
            if own:
                session.close()

    def synthesize_one(
        self,
        text: str,
        pace: _Pace | None = None,
        stop: threading.Event | None = None,
        sessions: queue.Queue[Any] | None = None,
    ) -> Audio:
        """One text -> PCM. Only the fetch holds one of the ``sessions``: decoding never delays a request."""
        if sessions is None:
            mp3 = self.fetch_mp3(text, pace, stop)
        else:
            session = sessions.get()
            try:
                mp3 = self.fetch_mp3(text, pace, stop, session)
            finally:
                sessions.put(session)
        if not mp3:
            return Audio(b"", self.rate)
        try:
            return Audio(ffmpeg.decode(mp3, self.rate), self.rate)
        except AudioError as err:
            raise VoiceError(f"gTTS returned audio ffmpeg cannot read: {err}") from None

    def synthesize(self, texts: Sequence[str], progress: Progress | None = None) -> list[Audio]:
        """Every text with at most ``concurrency`` requests in flight; the first failure stops the others.

        Threads beyond ``concurrency`` only decode MP3 (ffmpeg, one process per segment), so decoding
        runs alongside the requests instead of between them.
        """
        pace = _Pace(self.requests_per_second)
        stop = threading.Event()
        # ``concurrency`` sessions, each one kept-alive connection: taking one is the right to send.
        sessions: queue.Queue[Any] = queue.Queue()
        opened = [self._session() for _ in range(self.concurrency)]
        for session in opened:
            sessions.put(session)

        def one(text: str) -> Audio:
            audio = self.synthesize_one(text, pace, stop, sessions)
            if progress:
                progress(1)
            return audio

        workers = min(len(texts), self.concurrency + (os.cpu_count() or 1)) or 1
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gtts")
        try:
            futures = [pool.submit(one, text) for text in texts]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in futures if f.done() and not f.cancelled() and f.exception() is not None]
            real = [e for f in failed if (e := f.exception()) is not None and not isinstance(e, _Abort)]
            if failed:
                stop.set()
                for future in futures:
                    future.cancel()
                raise real[0] if real else VoiceError("gTTS synthesis was interrupted")
            return [f.result() for f in futures]
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            for session in opened:
                session.close()

    def probe(self, timeout: float = 3.0) -> str | None:
        """None when Google answers within ``timeout`` seconds (TLS verified), else why not."""
        import requests
        from gtts.utils import _translate_url

        url = self.endpoint.rstrip("/") + "/" if self.endpoint else _translate_url(tld=self.tld, path="")
        answer: list[str | None] = []

        def ask() -> None:
            try:
                requests.head(url, timeout=(timeout, timeout), allow_redirects=False)
            except requests.exceptions.SSLError as err:
                answer.append(f"{self.host} failed TLS verification ({_root_cause(err)})")
            except requests.RequestException as err:
                answer.append(f"{self.host} is unreachable ({_root_cause(err)})")
            else:
                answer.append(None)

        # requests' timeout does not bound name resolution: a thread and a join bound the whole probe.
        asker = threading.Thread(target=ask, name="gtts-probe", daemon=True)
        asker.start()
        asker.join(timeout)
        if not answer:
            return f"{self.host} did not answer within {timeout:g} s"
        return answer[0]


def from_options(options: GttsOptions, root: Path | None = None) -> GttsVoice:
    """The registry's factory: the show's ``[voice.gtts]`` table -> a voice."""
    return GttsVoice(
        tld=options.tld,
        slow=options.slow,
        timeout=options.timeout,
        concurrency=options.concurrency,
        requests_per_second=options.rate,
        retries=options.retries,
        deadline=options.deadline,
        endpoint=options.endpoint,
    )


def _root_cause(err: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, short enough for one line."""
    seen = err
    while True:
        nxt = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if nxt is None or nxt is seen or not isinstance(nxt, BaseException):
            break
        seen = nxt
    text = str(seen) or type(seen).__name__
    text = re.sub(r"<[^>]*>: ", "", text)
    text = re.sub(r"\s+", " ", text)
    return text[:160]
