"""``podcast serve``: the publish folder over HTTP, so a producer can subscribe a real app to it.

Apps are picky: they want ``application/rss+xml`` for the feed, ``audio/mpeg`` for episodes, and
byte ranges (``206 Partial Content``) to seek and resume. The standard library's handler has
neither the types nor ranges, so this one adds them. It binds loopback unless told otherwise,
never lists folders, and never serves hidden files (staging folders, temporary files).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import socket
import urllib.parse
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO, Callable

from .errors import PublishError

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "::1", "localhost")
CHUNK = 64 * 1024
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
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte span a single ``Range`` asks for, clipped to ``size``.

    Returns None when the header is absent, malformed or asks for several ranges (the whole file
    is then served, as RFC 9110 allows); raises ValueError when it cannot be satisfied (416).
    """
    match = _RANGE.match(header.strip()) if header else None
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise ValueError("range starts past the end")
    return start, end


class PublishHandler(SimpleHTTPRequestHandler):
    """Static files with podcast content types and single byte ranges; no listings, no dotfiles."""

    server_version = "podcast-builder"
    protocol_version = "HTTP/1.1"
    timeout = 30  # a stalled client frees its thread instead of holding it forever
    extensions_map = {"": "application/octet-stream", **CONTENT_TYPES}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        log.info("%s %s", self.address_string(), format % args)

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return CONTENT_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND, "Not found")
        return None

    def _hidden(self) -> bool:
        parts = posixpath.normpath(urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)).split("/")
        return any(part.startswith(".") for part in parts if part)

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        if self._hidden():
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return None
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            index = os.path.join(path, "index.html")
            if not os.path.isfile(index):
                return self.list_directory(path)
            path = index
        try:
            handle = open(path, "rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return None
        try:
            stat = os.fstat(handle.fileno())
            size = stat.st_size
            try:
                span = parse_range(self.headers.get("Range", ""), size)
            except ValueError:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                handle.close()
                return None
            if span is None:
                start, end = 0, size - 1
                self.send_response(HTTPStatus.OK)
            else:
                start, end = span
                self.send_response(HTTPStatus.PARTIAL_CONTENT)
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Length", str(max(0, end - start + 1)))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            handle.seek(start)
            self._remaining = max(0, end - start + 1)
            return handle
        except BaseException:
            handle.close()
            raise

    def copyfile(self, source: BinaryIO, outputfile: BinaryIO) -> None:  # type: ignore[override]
        remaining = self._remaining
        while remaining > 0:
            chunk = source.read(min(CHUNK, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)


class PublishServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 16


class PublishServer6(PublishServer):
    address_family = socket.AF_INET6


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> PublishServer:
    """A server for ``directory`` (port 0 picks a free one); call ``serve_forever`` on it."""
    if not directory.is_dir():
        raise PublishError("nothing to serve yet: build an episode first", path=directory)
    handler = partial(PublishHandler, directory=str(directory))
    kind = PublishServer6 if ":" in host else PublishServer
    try:
        server = kind((host, port), handler)
    except OSError as err:
        raise PublishError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    if host not in LOOPBACK:
        log.warning("serving %s on %s: anyone who can reach this address can download it", directory, host)
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
    if base_url and not base_url.startswith(address) and host in LOOPBACK:
        log.warning("the feed's links start with %s (show.base_url), not %s: apps will fetch episodes there",
                    base_url, address)
    if on_ready is not None:
        on_ready(address)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C is how a producer stops it: not an error
        log.info("stopped")
    finally:
        server.server_close()


def url(server: PublishServer) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    return f"http://{shown}:{port}/"

