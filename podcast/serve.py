"""``podcast serve``: the publish folder over HTTP, so a producer can subscribe a real app to it.

Apps are picky: they want ``application/rss+xml`` for the feed, ``audio/mpeg`` for episodes, and
byte ranges (``206 Partial Content``) to seek and resume. The standard library's file handler has
neither, and it follows symbolic links anywhere, drops the connection on ``%00`` and answers
HTTP/0.9 lines with a bare file; so this handler is written on the bare request parser instead.

What it promises (RFC 9110):

- Only regular files whose real path lies inside the publish folder are served: a symbolic link
  is followed only when it lands inside the folder; no listings; nothing hidden (a dot anywhere in
  the path: the catalog's ``.podcast``, staging ``.build-*``, temporary files). Refusals are 404.
- Every request gets a status line: 400 for a target that is not a clean path (``%00``, bad
  percent-encoding, not UTF-8, HTTP/0.9), 414 past ``MAX_TARGET``, 405 with ``Allow`` for the
  methods HTTP defines, 501 for the others.
- ETag and Last-Modified on every file; ``If-None-Match``/``If-Modified-Since`` give 304; a single
  byte range gives 206, an unsatisfiable one 416 with ``Content-Range: bytes */SIZE``. Several
  ranges are answered with the whole body (200): apps ask for one, and multipart answers would be
  code for nobody. ``If-Range`` lets the range through only when its validator matches (strong
  ETag comparison, or the exact Last-Modified date of a file older than a second), else 200.
- Range is defined for GET only (§14.2: a server MUST ignore it on other methods), so HEAD always
  answers what a GET *without* Range would: same status, same headers, no body.

It binds loopback unless told otherwise, and warns when the address it bound is not loopback.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import os
import re
import socket
import stat as stat_mod
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .errors import PublishError

log = logging.getLogger(__name__)

STATE_FOLDER = ".podcast"  # the show's catalog and state: never served
CHUNK = 64 * 1024
MAX_TARGET = 2048  # characters of request path: ours are short; longer is a probe (414)
ALLOW = "GET, HEAD"
RANGE_METHODS = frozenset({"GET"})  # RFC 9110 §14.2
# Methods HTTP defines that we do not allow (405); anything else is unknown to us (501).
KNOWN_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})
CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.ASCII)
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CLEAN_TARGET = re.compile(r"[!-~]+", re.ASCII)  # visible ASCII only: no spaces, controls or raw bytes
_ETAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')
_HUGE = 10**18  # bigger than any file; stands for numbers with more digits than that
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)}


class Refusal(Exception):
    """A request we answer with an error status instead of a file."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


def _number(digits: str) -> int:
    """A decimal of any length, capped (int() refuses more than 4300 digits; no file is that big)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else _HUGE


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte span a single ``Range`` asks for, clipped to ``size``.

    Returns None when the header is absent, malformed or asks for several ranges (the whole file
    is then served, as RFC 9110 allows); raises ValueError when it cannot be satisfied (416).
    """
    match = _RANGE.fullmatch(header.strip()) if header else None
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = _number(last)
        if length == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = _number(first)
    if start >= size or (last and _number(last) < start):
        raise ValueError("range starts past the end")
    return start, min(_number(last), size - 1) if last else size - 1


def resolve(root: str, target: str) -> str:
    """The real path of the file a request target names inside ``root`` (itself a real path).

    A folder names its ``index.html`` (the show page at ``/``). Refuses (400) what is not a clean path,
    (414) what is too long, and (404) anything hidden, any folder without an index, and anything
    whose real path, symbolic links followed, is outside ``root``.
    """
    if target[:7].lower() == "http://" or target[:8].lower() == "https://":  # absolute form (proxies)
        target = urllib.parse.urlsplit(target).path or "/"
    if not _CLEAN_TARGET.fullmatch(target) or not target.startswith("/"):
        raise Refusal(HTTPStatus.BAD_REQUEST, "the request target is not a path")
    path = target.split("?", 1)[0].split("#", 1)[0]
    if len(path) > MAX_TARGET:
        raise Refusal(HTTPStatus.REQUEST_URI_TOO_LONG, "the path is too long")
    if _BAD_PERCENT.search(path):
        raise Refusal(HTTPStatus.BAD_REQUEST, "the path has a stray '%'")
    try:
        text = urllib.parse.unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(HTTPStatus.BAD_REQUEST, "the path is not UTF-8") from None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):  # %00 cuts a C string, %0a forges log lines
        raise Refusal(HTTPStatus.BAD_REQUEST, "the path holds a control character")
    if text.endswith("/"):  # a folder is never listed: its index.html, as on any static host, or 404
        text += "index.html"
    parts = [part for part in text.split("/") if part]
    if any(part.startswith(".") for part in parts):  # hidden, and also every '.' and '..'
        raise Refusal(HTTPStatus.NOT_FOUND, "hidden")
    real = os.path.realpath(os.path.join(root, *parts))
    if real == root or os.path.commonpath((root, real)) != root:
        if real != root:
            log.warning("refused %s: it leads out of the publish folder, to %s", text, real)
        raise Refusal(HTTPStatus.NOT_FOUND, "outside the publish folder")
    if any(part.startswith(".") for part in os.path.relpath(real, root).split(os.sep)):
        raise Refusal(HTTPStatus.NOT_FOUND, "hidden")  # a link to a hidden file inside the folder
    return real


def _open_file(path: str) -> tuple[int, os.stat_result]:
    """A descriptor on the regular file at ``path``; no following a link swapped in meanwhile,
    no blocking on a FIFO, no devices or folders (404)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        raise Refusal(HTTPStatus.NOT_FOUND, "no such file") from None
    info = os.fstat(fd)
    if not stat_mod.S_ISREG(info.st_mode):
        os.close(fd)
        raise Refusal(HTTPStatus.NOT_FOUND, "not a file")
    return fd, info


def _date(value: str | None) -> int | None:
    """An HTTP-date as whole seconds since the epoch, None when absent or not a date."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())


def _etags(value: str) -> list[tuple[bool, str]] | None:
    """``If-None-Match``'s entity tags as (weak, opaque-tag); None when the list is malformed."""
    found: list[tuple[bool, str]] = []
    position = 0
    while position < len(value):
        match = _ETAG.match(value, position)
        if not match or match.end() == position:
            return None
        found.append((bool(match.group(1)), match.group(2)))
        position = match.end()
    return found


def not_modified(headers: Any, etag: str, mtime: int) -> bool:
    """RFC 9110 §13.1.2-3: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        tags = _etags(if_none_match) or []
        return any(tag == etag for _weak, tag in tags)
    since = _date(headers.get("If-Modified-Since"))
    return since is not None and mtime <= since


def if_range_holds(value: str | None, etag: str, mtime: int, now: float) -> bool:
    """RFC 9110 §13.1.5: a range only for the representation the client already has part of.

    An entity tag must match strongly (a weak one never does); a date must equal Last-Modified, and
    only counts when the file is more than a second old (§8.8.2.2: else it may change within the
    second and the date would not tell).
    """
    if value is None:
        return True
    value = value.strip()
    if value.startswith(("W/", '"')):
        return value == etag
    return _date(value) == mtime and mtime + 1 < now


@dataclass(frozen=True)
class Reply:
    """What a GET answers: status, headers, and which bytes of the open file form the body."""

    status: HTTPStatus
    headers: tuple[tuple[str, str], ...]
    start: int = 0
    length: int = 0


def plan(method: str, headers: Any, path: str, info: os.stat_result, now: float) -> Reply:
    """The answer to ``method`` for the file ``path`` whose status is ``info``; pure, so testable."""
    size, mtime = info.st_size, int(info.st_mtime)
    etag = f'"{info.st_ino:x}-{size:x}-{info.st_mtime_ns:x}"'
    validators = (
        ("ETag", etag),
        ("Last-Modified", email.utils.formatdate(mtime, usegmt=True)),
        ("Cache-Control", "no-cache"),
        ("Accept-Ranges", "bytes"),
    )
    if not_modified(headers, etag, mtime):
        return Reply(HTTPStatus.NOT_MODIFIED, validators)
    span = None
    ranges = (headers.get_all("Range") or []) if method in RANGE_METHODS else []
    if len(ranges) == 1 and if_range_holds(headers.get("If-Range"), etag, mtime, now):
        try:
            span = parse_range(ranges[0], size)
        except ValueError:
            return Reply(
                HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                (("Content-Range", f"bytes */{size}"), ("Content-Length", "0"), *validators),
            )
    kind = (("Content-Type", CONTENT_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")),)
    if span is None:
        return Reply(HTTPStatus.OK, (*kind, ("Content-Length", str(size)), *validators), 0, size)
    start, end = span
    return Reply(
        HTTPStatus.PARTIAL_CONTENT,
        (
            *kind,
            ("Content-Range", f"bytes {start}-{end}/{size}"),
            ("Content-Length", str(end - start + 1)),
            *validators,
        ),
        start,
        end - start + 1,
    )


class PublishHandler(BaseHTTPRequestHandler):
    """GET and HEAD of the regular files inside one folder; a status line for everything else."""

    server_version = "podcast-builder"
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # even a garbled first line gets a status line, not a bare body
    timeout = 30  # a stalled client frees its thread instead of holding it forever

    def __init__(self, *args: Any, directory: str, **kwargs: Any) -> None:
        self.root = directory
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # 'format': the base class's name
        log.info("%s %s", self.address_string(), (format % args).translate(_CONTROL))

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if len(self.requestline.split()) == 2:  # "GET /path": HTTP/0.9 has no status line to give
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not served")
            return False
        if self.command not in ("GET", "HEAD"):
            known = self.command in KNOWN_METHODS
            self._error(
                HTTPStatus.METHOD_NOT_ALLOWED if known else HTTPStatus.NOT_IMPLEMENTED,
                f"{self.command} is not served here",
                close=True,
                extra=(("Allow", ALLOW),),
            )
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The base class's errors (bad request line, 414, 431, 505) in our one format."""
        self._error(HTTPStatus(code), explain or message or "", close=True)

    def _error(
        self, status: HTTPStatus, reason: str, *, close: bool = False, extra: tuple[tuple[str, str], ...] = ()
    ) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.log_error("%d %s: %s", status.value, reason, self.requestline[:200])
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # the base class dispatches on do_<METHOD>
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        try:
            path = resolve(self.root, self.path)
            fd, info = _open_file(path)
        except Refusal as refusal:
            self._error(refusal.status, refusal.reason)
            return
        with os.fdopen(fd, "rb") as handle:
            reply = plan(self.command, self.headers, path, info, time.time())
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command == "GET" and reply.length:
                self._copy(handle, reply.start, reply.length)

    def _copy(self, source: Any, start: int, length: int) -> None:
        source.seek(start)
        while length > 0:
            chunk = source.read(min(CHUNK, length))
            if not chunk:  # the file shrank since fstat: the client sees a short body, and we hang up
                self.close_connection = True
                return
            self.wfile.write(chunk)
            length -= len(chunk)


class PublishServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 16

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-download is ordinary: a debug line, not a traceback on stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.debug("%s left: %s", client_address[0], error)
        else:
            log.error("request from %s failed", client_address[0], exc_info=error)


class PublishServer6(PublishServer):
    address_family = socket.AF_INET6


def is_loopback(server: PublishServer) -> bool:
    """Whether the address actually bound (not the name asked for) is reachable from this machine only."""
    try:
        return ipaddress.ip_address(str(server.server_address[0]).split("%")[0]).is_loopback
    except ValueError:
        return False


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> PublishServer:
    """A server for ``directory`` (port 0 picks a free one); call ``serve_forever`` on it."""
    if not directory.is_dir():
        raise PublishError("nothing to serve yet: build an episode first", path=directory)
    root = os.path.realpath(directory)
    if STATE_FOLDER in Path(root).parts or os.path.lexists(os.path.join(root, STATE_FOLDER)):
        raise PublishError(
            f"holds or is the show's private {STATE_FOLDER} folder: serve the publish folder", path=directory
        )
    handler = partial(PublishHandler, directory=root)
    kind = PublishServer6 if ":" in host else PublishServer
    try:
        server = kind((host, port), handler)
    except (OSError, OverflowError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise PublishError(f"cannot listen on {host}:{port}: {reason}") from None
    if not is_loopback(server):
        log.warning(
            "serving %s on %s, not loopback: anyone who can reach this address can download it", directory, host
        )
    return server


def serve(
    directory: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    base_url: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted. ``base_url``: the show's, to warn when the feed points elsewhere."""
    server = make_server(directory, host, port)
    address = url(server)
    if not (directory / "feed.xml").is_file():
        log.warning("%s holds no feed.xml: is it a show's publish folder? Every file in it is served", directory)
    if base_url and not base_url.startswith(address) and is_loopback(server):
        log.warning(
            "the feed's links start with %s (show.base_url), not %s: apps will fetch episodes there", base_url, address
        )
    if on_ready is not None:
        on_ready(address)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C is how a producer stops it: not an error
        log.info("stopped")
    finally:
        server.server_close()


def url(server: PublishServer) -> str:
    host, port = str(server.server_address[0]), server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"
