"""Fetching one page or feed, and nothing else: no image, script, frame or link is ever followed.

Stdlib ``urllib`` with TLS verification on (the default context), a timeout per read and for the
whole transfer, a size limit applied to the bytes as decompressed (a gzip bomb stops at the limit),
a redirect limit (a loop stops there), only ``http`` and ``https`` (a redirect to ``file:`` is
refused), the content type checked, and a User-Agent that names the project.

Errors, each one line: :class:`FetchError` (exit 1) when the server could not be reached or failed
(offline, timeout, 5xx); :class:`~podcast.errors.InputError` (exit 2) when what was asked for is
wrong (404, a PDF, too large, a bomb, a redirect loop).
"""

from __future__ import annotations

import email.message
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from ..errors import EXIT_FAILURE, InputError, PodcastError
from . import is_url

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10_000_000
DEFAULT_TIMEOUT = 20.0
DEFAULT_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+json",
)
_CHUNK = 64 * 1024


class FetchError(PodcastError):
    """The page or feed could not be fetched: offline, timeout, or the server failed (exit 1)."""

    exit_code = EXIT_FAILURE


@dataclass(frozen=True)
class Fetched:
    """A response body, decompressed, with what the server said about it."""

    url: str  # after redirects
    body: bytes
    content_type: str
    charset: str | None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def user_agent() -> str:
    try:
        version = metadata.version("podcast-builder")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "dev"
    return f"podcast-builder/{version} (+https://github.com/podcast-builder; newsletter-to-podcast)"


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most ``max_redirections`` redirects (set per fetch), and only to http(s)."""

    max_repeats = 1  # the same address twice is a loop

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not is_url(newurl):
            raise InputError(
                f"redirects to a {newurl.split(':', 1)[0]!r} address; only http(s) is fetched", path=req.full_url
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(redirects: int) -> urllib.request.OpenerDirector:
    context = ssl.create_default_context()  # verification on, system CA store
    limited = type("_LimitedRedirects", (_Redirects,), {"max_redirections": redirects})
    return urllib.request.build_opener(
        limited(),
        urllib.request.HTTPSHandler(context=context),
    )


def _read_capped(response: Any, *, url: str, limit: int, deadline: float, encoding: str) -> bytes:
    """The body, decompressed as it comes, refused past ``limit`` bytes or past the deadline."""
    if encoding in ("gzip", "x-gzip"):
        inflater: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj()
    elif encoding in ("", "identity"):
        inflater = None
    else:
        raise InputError(f"is sent with an encoding this tool does not read ({encoding})", path=url)
    out = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise FetchError("timed out while downloading", path=url)
        chunk = response.read(_CHUNK)
        if not chunk:
            break
        if inflater is None:
            out += chunk
        else:
            try:
                out += inflater.decompress(chunk, limit + 1 - len(out))
                while inflater.unconsumed_tail and len(out) <= limit:
                    out += inflater.decompress(inflater.unconsumed_tail, limit + 1 - len(out))
            except zlib.error:
                raise InputError("is sent compressed but does not decompress", path=url) from None
        if len(out) > limit:
            what = "once decompressed " if inflater is not None else ""
            raise InputError(f"is larger {what}than the {limit / 1e6:g} MB limit ([read] max_bytes)", path=url)
    return bytes(out)


def fetch(
    url: str,
    *,
    accept: tuple[str, ...] = HTML_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    redirects: int = DEFAULT_REDIRECTS,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url`` (a page or a feed; never anything it links to). ``etag``/``last_modified`` make
    the request conditional: a 304 answer is a :class:`Fetched` with ``not_modified``."""
    if not is_url(url):
        raise InputError("only http:// and https:// addresses are fetched", path=url)
    headers = {
        "User-Agent": user_agent(),
        "Accept": ", ".join(accept) + ", */*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
        "Accept-Language": "fr, en;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    deadline = time.monotonic() + timeout * 3  # the whole transfer; ``timeout`` bounds each wait
    try:
        response = _opener(redirects).open(request, timeout=timeout)
    except urllib.error.HTTPError as err:
        err.close()
        if err.code == 304:
            return Fetched(url, b"", "", None, etag, last_modified, not_modified=True)
        if 300 <= err.code < 400:
            target = str(err.headers.get("Location", "")) if err.headers is not None else ""
            if target and ":" in target.split("/", 1)[0] and not is_url(target):
                scheme = target.split(":", 1)[0]
                raise InputError(f"redirects to a {scheme!r} address; only http(s) is fetched", path=url) from None
            raise InputError(f"too many redirects (more than {redirects}, or a loop)", path=url) from None
        if err.code >= 500:
            raise FetchError(f"the server failed (HTTP {err.code} {err.reason})", path=url) from None
        raise InputError(f"the server refused it (HTTP {err.code} {err.reason})", path=url) from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise FetchError(f"the server's TLS certificate is not valid ({reason.verify_message})", path=url) from None
        if isinstance(reason, socket.timeout | TimeoutError):
            raise FetchError(f"no answer within {timeout:g} s (offline?)", path=url) from None
        if isinstance(reason, socket.gaierror):
            raise FetchError("cannot resolve the host name (offline?)", path=url) from None
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        raise FetchError(f"cannot connect: {text}", path=url) from None
    except TimeoutError:
        raise FetchError(f"no answer within {timeout:g} s (offline?)", path=url) from None
    except OSError as err:  # reset by peer, protocol error
        raise FetchError(f"cannot fetch: {err.strerror or err}", path=url) from None
    with response:
        final = response.geturl()
        message: email.message.Message = response.headers
        content_type = message.get_content_type()
        feed_wanted = any(wanted in FEED_TYPES for wanted in accept)
        if content_type not in accept and not (feed_wanted and content_type.endswith("+xml")):
            if content_type in FEED_TYPES or content_type.endswith(("+xml", "/xml")):
                raise InputError(f"is a feed or XML ({content_type}), not a page: follow it as a feed", path=url)
            raise InputError(f"is {content_type}, not a page this tool reads ({', '.join(accept)})", path=url)
        length = message.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes and not message.get("Content-Encoding"):
            raise InputError(f"is larger than the {max_bytes / 1e6:g} MB limit ([read] max_bytes)", path=url)
        encoding = (message.get("Content-Encoding") or "").strip().lower()
        try:
            body = _read_capped(response, url=url, limit=max_bytes, deadline=deadline, encoding=encoding)
        except TimeoutError:
            raise FetchError(f"no answer within {timeout:g} s", path=url) from None
        except OSError as err:
            raise FetchError(f"the transfer broke: {err.strerror or err}", path=url) from None
        log.info("fetched %s (%d bytes, %s)", final, len(body), content_type)
        return Fetched(
            url=final,
            body=body,
            content_type=content_type,
            charset=message.get_content_charset(),
            etag=message.get("ETag"),
            last_modified=message.get("Last-Modified"),
            headers={k.lower(): v for k, v in message.items()},
        )
