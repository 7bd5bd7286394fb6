"""A local fake of Google Translate's ``/_/TranslateWebserverUi/data/batchexecute`` endpoint.

It reads the form gTTS posts (``f.req`` holding the ``jQ1olc`` RPC), records what was asked, and
answers the way Google does: an anti-XSSI prefix, length-prefixed JSON chunks, the MP3 base64-encoded
inside the ``jQ1olc`` payload. The MP3 is real (the offline voice, encoded by ffmpeg), so gTTS's and
our decoding and ffmpeg's reading all run for real.

Faults are scripted per request: ``server.script(["429:1", "ok"])`` answers a 429 with
``Retry-After: 1`` and then audio; once the script is used up, ``server.default`` applies. Modes:
``ok``, ``<status>`` or ``<status>:<retry-after>``, ``slow:<seconds>`` (then audio), ``noaudio``.
``server.latency`` adds a delay to every answer (the benchmark's 300 ms).
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PATH = "/_/TranslateWebserverUi/data/batchexecute"


def make_mp3(text: str = "Bonjour, ceci est un essai de la voix.", rate: int = 24000) -> bytes:
    """Real MP3 bytes like Google's (24 kHz mono, 32 kbit/s), spoken by the offline voice."""
    from podcast import ffmpeg
    from podcast.voices.espeak import EspeakVoice

    voice = EspeakVoice()
    pcm = voice.synthesize([text])[0].pcm
    done = ffmpeg.run(
        [
            "-f",
            "s16le",
            "-ar",
            str(voice.rate),
            "-ac",
            "1",
            "-i",
            "pipe:0",
            "-ar",
            str(rate),
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
            "-f",
            "mp3",
            "pipe:1",
        ],
        input=pcm,
    )
    return done.stdout


def batchexecute_body(mp3: bytes | None) -> bytes:
    """What Google answers: )]}' then length-prefixed chunks; no audio -> a null payload, as Google sends."""
    payload = json.dumps([base64.b64encode(mp3).decode("ascii")]) if mp3 is not None else None
    first = json.dumps(
        [
            ["wrb.fr", "jQ1olc", payload, None, None, None if payload else [3], "generic"],
            ["di", 48],
            ["af.httprm", 47, "-5830183926104474217", 12],
        ],
        separators=(",", ":"),
    )
    last = json.dumps([["e", 4, None, None, len(first) + 40]], separators=(",", ":"))
    return f")]}}'\n\n{len(first)}\n{first}\n{len(last)}\n{last}\n".encode()


def parse_request(body: bytes) -> tuple[str, str, bool]:
    """(text, lang, slow) out of the form gTTS posts."""
    form = urllib.parse.parse_qs(body.decode("utf-8"))
    rpc = json.loads(form["f.req"][0])
    rpc_id, parameter = rpc[0][0][0], rpc[0][0][1]
    if rpc_id != "jQ1olc":
        raise ValueError(f"unexpected RPC {rpc_id}")
    text, lang, speed, _ = json.loads(parameter)
    return text, lang, bool(speed)


@dataclass
class Hit:
    text: str
    lang: str
    slow: bool
    at: float
    client: tuple[str, int]
    headers: dict[str, str] = field(default_factory=dict)


class FakeGoogle(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mp3: bytes, *, certfile: Path | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mp3 = mp3
        self.answers: dict[str, bytes] = {}  # text -> its own MP3, where order must be observable
        self.default = "ok"
        self.latency = 0.0
        self.hits: list[Hit] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.generation = 0
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self.scheme = "http"
        if certfile is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certfile)
            self.socket = context.wrap_socket(self.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def script(self, modes: list[str], default: str | None = None) -> None:
        with self._lock:
            self._script = deque(modes)
            if default is not None:
                self.default = default

    def next_mode(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self._script.clear()
            self.default = "ok"
            self.latency = 0.0
            self.max_in_flight = 0
            self.answers = {}
            # Requests of an earlier test still sleeping (a "slow:" answer the client gave up on) are
            # not this test's: only requests started after the reset count as in flight.
            self.generation += 1
            self.in_flight = 0

    def __enter__(self) -> FakeGoogle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is observable
    server: FakeGoogle

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_HEAD(self) -> None:  # the auto probe
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path.split("?")[0] != PATH:
            self._answer(404, b"not found")
            return
        try:
            text, lang, slow = parse_request(body)
        except (KeyError, ValueError, IndexError) as err:
            self._answer(400, str(err).encode())
            return
        server = self.server
        with server._lock:
            server.hits.append(Hit(text, lang, slow, time.monotonic(), self.client_address, dict(self.headers)))
            generation = server.generation
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            mode = server.next_mode()
            if server.latency:
                time.sleep(server.latency)
            if mode.startswith("slow:"):
                time.sleep(float(mode.split(":")[1]))
                mode = "ok"
            if mode == "ok":
                self._answer(200, batchexecute_body(server.answers.get(text, server.mp3)))
            elif mode == "noaudio":
                self._answer(200, batchexecute_body(None))
            else:
                status, _, after = mode.partition(":")
                self._answer(int(status), b"<html>error</html>", {"Retry-After": after} if after else None)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): exactly what a slow answer is for
        finally:
            with server._lock:
                if server.generation == generation:
                    server.in_flight -= 1

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
