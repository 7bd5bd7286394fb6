"""``podcast serve`` over real HTTP on 127.0.0.1: content types, byte ranges (206/416), no
listings or hidden files, and a client stand-in that subscribes with podcastparser and downloads
every enclosure through the server (resuming with Range), checking the announced lengths."""

from __future__ import annotations

import http.client
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import podcastparser
import pytest
from helpers import load_show, new_show, serving

from podcast.build import build
from podcast.errors import PublishError
from podcast.serve import make_server, parse_range, url

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = """La Lettre Serveur : un épisode à écouter
Le quartier ouvre son jardin partagé
Les habitants plantent des tomates et des courges. La récolte sera partagée en septembre.
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A show whose base_url is the live server, with one built episode."""
    folder = tmp_path_factory.mktemp("serve") / "show"
    with serving(folder / "feed") as server:
        show = {"title": "La Lettre Serveur", "author": "Équipe", "base_url": url(server)}
        config = load_show(new_show(folder, {"show": show}, articles={"article.txt": ARTICLE}))
        result = build(config, folder / "article.txt")
        yield config, result, server


def request(server, path: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_binds_loopback_by_default(served) -> None:
    _config, _result, server = served
    assert server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize(
    ("field", "mime"),
    [("audio", "audio/mpeg"), ("vtt", "text/vtt"), ("srt", "application/x-subrip"), ("chapters", "application/json")],
)
def test_content_types(served, field: str, mime: str) -> None:
    config, result, server = served
    name = getattr(result.episode, field)
    status, headers, body = request(server, "/" + name)
    assert status == 200
    assert headers["content-type"].split(";")[0] == mime
    assert body == (config.publish_dir / name).read_bytes()
    assert int(headers["content-length"]) == len(body)


def test_feed_is_rss(served) -> None:
    config, _result, server = served
    status, headers, body = request(server, "/feed.xml")
    assert status == 200 and headers["content-type"].startswith("application/rss+xml")
    assert body == (config.publish_dir / "feed.xml").read_bytes()


def test_byte_ranges(served) -> None:
    config, result, server = served
    path = "/" + result.episode.audio
    data = (config.publish_dir / result.episode.audio).read_bytes()
    size = len(data)
    status, headers, body = request(server, path, headers={"Range": "bytes=0-99"})
    assert (status, headers["content-range"], body) == (206, f"bytes 0-99/{size}", data[:100])
    assert headers["accept-ranges"] == "bytes" and headers["content-type"] == "audio/mpeg"
    status, headers, body = request(server, path, headers={"Range": "bytes=-500"})
    assert (status, headers["content-range"], body) == (206, f"bytes {size - 500}-{size - 1}/{size}", data[-500:])
    status, headers, body = request(server, path, headers={"Range": f"bytes=1000-{size + 99}"})
    assert (status, body) == (206, data[1000:])
    status, headers, body = request(server, path, headers={"Range": f"bytes={size}-"})
    assert (status, headers["content-range"], body) == (416, f"bytes */{size}", b"")
    status, headers, body = request(server, path, method="HEAD", headers={"Range": "bytes=10-19"})
    assert (status, headers["content-length"], body) == (200, str(size), b"")  # RFC 9110 §14.2: GET only


def test_no_listings_hidden_files_or_escapes(served) -> None:
    _config, _result, server = served
    for path in (
        "/episodes/",
        "/../podcast.toml",
        "/%2e%2e/podcast.toml",
        "/.podcast/catalog.sqlite",
        "/episodes/.build-x/episode.mp3",
        "/nothing.mp3",
    ):
        status, _headers, body = request(server, path)
        assert status == 404, path
        assert b"base_url" not in body


def test_the_folder_url_is_the_show_page(served) -> None:
    """A listener given the show's URL gets its page (never a listing), as from any static host."""
    _config, _result, server = served
    status, headers, body = request(server, "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert body == request(server, "/index.html")[2] and b'lang="fr"' in body


def test_a_client_subscribes_and_downloads_every_episode(served) -> None:
    """The stand-in for a podcast app: parse the served feed, fetch each enclosure in two ranged
    halves as an app resuming a download would, and compare with the announced length."""
    config, result, server = served
    _status, _headers, body = request(server, "/feed.xml")
    podcast = podcastparser.parse(config.feed_url, io.BytesIO(body))
    assert [e["guid"] for e in podcast["episodes"]] == [result.episode.guid]
    for episode in podcast["episodes"]:
        enclosure = episode["enclosures"][0]
        path = urlsplit(enclosure["url"]).path
        half = enclosure["file_size"] // 2
        got = b""
        for header in (f"bytes=0-{half - 1}", f"bytes={half}-"):
            status, _headers, part = request(server, path, headers={"Range": header})
            assert status == 206
            got += part
        assert len(got) == enclosure["file_size"]
        assert got == (config.publish_dir / result.episode.audio).read_bytes()


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-0", 10, (0, 0)),
        ("bytes=5-", 10, (5, 9)),
        ("bytes=-3", 10, (7, 9)),
        ("bytes=-30", 10, (0, 9)),
        ("bytes=2-100", 10, (2, 9)),
        ("", 10, None),
        ("bytes=0-1,4-5", 10, None),  # several ranges: the whole file
        ("items=0-1", 10, None),
    ],
)
def test_parse_range(header: str, size: int, expected) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=5-2", "bytes=-0"])
def test_parse_range_unsatisfiable(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header, 10)


def test_cli_serve_prints_its_address_and_serves(served) -> None:
    config, _result, _server = served
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "podcast", "--config", str(config.root / "podcast.toml"), "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = ""
        for _ in range(20):  # bounded: the address line comes first, after at most a warning
            line = proc.stderr.readline()
            if line.startswith("Serving") or not line:
                break
        match = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("GET", "/feed.xml")
        response = conn.getresponse()
        assert response.status == 200 and response.read() == (config.publish_dir / "feed.xml").read_bytes()
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


# --- Faults: a folder of plain files (no build needed), attacked over real sockets ----------------

BODY = bytes(range(256)) * 40  # 10240 bytes, every offset distinguishable


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A publish folder with traps around it: the show's private state next door, symbolic links
    out of the folder and into its hidden corners, a FIFO that would block an ``open``."""
    show = tmp_path_factory.mktemp("faults") / "show"
    feed = show / "feed"
    (feed / "episodes" / ".build-1").mkdir(parents=True)
    (show / ".podcast").mkdir()
    (show / ".podcast" / "catalog.sqlite").write_bytes(b"SQLite format 3\x00 secret")
    (show / "secret.txt").write_text("base_url secret\n", encoding="utf-8")
    (feed / "feed.xml").write_text("<rss/>\n", encoding="utf-8")
    (feed / "episodes" / "ep.mp3").write_bytes(BODY)
    (feed / "empty.mp3").write_bytes(b"")
    (feed / "episodes" / ".build-1" / "episode.mp3").write_bytes(b"staging")
    (feed / "episodes" / ".ep.mp3.part").write_bytes(b"temporary")
    (feed / "etc").symlink_to("/etc")  # the issue's own example
    (feed / "passwd.mp3").symlink_to("/etc/passwd")
    (feed / "secret.mp3").symlink_to(show / "secret.txt")
    (feed / "state").symlink_to(show / ".podcast")
    (feed / "inner.mp3").symlink_to(feed / "episodes" / "ep.mp3")  # inside the folder: fine
    (feed / "sneaky.mp3").symlink_to(feed / "episodes" / ".build-1" / "episode.mp3")
    os.mkfifo(feed / "pipe.mp3")
    for name in ("feed.xml", "episodes/ep.mp3", "empty.mp3"):  # a day old: Last-Modified is a strong validator
        os.utime(feed / name, (time.time() - 86400, time.time() - 86400))
    server = make_server(feed, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield feed, server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def raw(server, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are (http.client would fix them) and read the answer to the end."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def status_of(answer: bytes) -> int:
    """The status of a raw answer; fails when there is none (a dropped connection, an HTTP/0.9 body)."""
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    assert match, answer[:200]
    return int(match.group(1))


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "/etc/hostname",
        "/etc/",
        "/passwd.mp3",
        "/secret.mp3",
        "/state/catalog.sqlite",
        "/sneaky.mp3",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/episodes/%2E%2E/%2E%2E/secret.txt",
        "/.podcast/catalog.sqlite",
        "/episodes/.build-1/episode.mp3",
        "/episodes/%2ebuild-1/episode.mp3",
        "/episodes/.ep.mp3.part",
        "/episodes/",
        "/episodes",
        "/",
        "/nothing.mp3",
        "/feed.xml/",
        "/" + "a" * 300 + ".mp3",
    ],
)
def test_never_leaves_the_folder_nor_shows_hidden_files(site, path: str) -> None:
    _feed, server = site
    status, _headers, body = request(server, path)
    assert status == 404, path
    assert b"root:" not in body and b"secret" not in body and b"staging" not in body and b"temporary" not in body


def test_a_symlink_inside_the_folder_is_served(site) -> None:
    _feed, server = site
    assert request(server, "/inner.mp3")[::2] == (200, BODY)


def test_a_fifo_is_not_opened(site) -> None:
    """Opening a FIFO for reading blocks until a writer comes: the thread would hang for ever."""
    _feed, server = site
    assert status_of(raw(server, b"GET /pipe.mp3 HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)) == 404


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"GET /feed.xml%00.mp3 HTTP/1.1", 400),  # the issue's: the connection was dropped
        (b"GET /feed.xml%00 HTTP/1.1", 400),
        (b"GET /feed%0a.xml HTTP/1.1", 400),
        (b"GET /%zz.mp3 HTTP/1.1", 400),  # not percent-encoding
        (b"GET /feed.xml% HTTP/1.1", 400),
        (b"GET /%C3%28.mp3 HTTP/1.1", 400),  # not UTF-8
        (b"GET /\xff\xfe.mp3 HTTP/1.1", 400),
        (b"GET /" + b"a/" * 3000 + b" HTTP/1.1", 414),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1", 414),
        (b"GET feed.xml HTTP/1.1", 400),
        (b"GET * HTTP/1.1", 400),
        (b"GET /feed.xml HTTP/9.9", 505),
        (b"GET /feed.xml FOO/1.1", 400),
        (b"GET /feed.xml HTTP/1.1 extra", 400),
        (b"GARBAGE", 400),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400),  # a TLS hello on the plain port
    ],
)
def test_malformed_requests_get_a_status(site, line: bytes, expected: int) -> None:
    _feed, server = site
    assert status_of(raw(server, line + b"\r\nHost: x\r\n\r\n")) == expected


def test_http_09_lines_get_a_status_not_a_body(site) -> None:
    """``GET /feed.xml`` alone is HTTP/0.9: the standard library answers with the bare file."""
    _feed, server = site
    answer = raw(server, b"GET /feed.xml\r\n")
    assert status_of(answer) == 400 and b"<rss/>" not in answer


def test_absolute_form_targets_are_served(site) -> None:
    _feed, server = site
    answer = raw(server, b"GET http://x/feed.xml HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(answer) == 200 and answer.endswith(b"<rss/>\n")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"])
def test_other_methods_get_405_with_allow(site, method: str) -> None:
    _feed, server = site
    answer = raw(server, f"{method} /feed.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
    assert status_of(answer) == 405
    assert re.search(rb"\r\nAllow: GET, HEAD\r\n", answer)


def test_unknown_methods_get_501(site) -> None:
    _feed, server = site
    answer = raw(server, b"BREW /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(answer) == 501 and re.search(rb"\r\nAllow: GET, HEAD\r\n", answer)


SIZE = len(BODY)
HUGE = "9" * 30
ENORMOUS = "9" * 5000  # more digits than int() accepts by default


@pytest.mark.parametrize(
    ("header", "status", "content_range", "body"),
    [
        (f"bytes={HUGE}-", 416, f"bytes */{SIZE}", b""),
        (f"bytes={ENORMOUS}-", 416, f"bytes */{SIZE}", b""),
        (f"bytes=0-{HUGE}", 206, f"bytes 0-{SIZE - 1}/{SIZE}", BODY),
        (f"bytes=-{HUGE}", 206, f"bytes 0-{SIZE - 1}/{SIZE}", BODY),
        (f"bytes=-{ENORMOUS}", 206, f"bytes 0-{SIZE - 1}/{SIZE}", BODY),
        (f"bytes=100-{ENORMOUS}", 206, f"bytes 100-{SIZE - 1}/{SIZE}", BODY[100:]),
        ("bytes=5-2", 416, f"bytes */{SIZE}", b""),
        ("bytes=-0", 416, f"bytes */{SIZE}", b""),
        ("bytes=0-1,4-5", 200, None, BODY),  # several ranges: the whole body (documented choice)
        ("bytes=0-1," * 2000 + "0-1", 200, None, BODY),
        ("bytes=abc", 200, None, BODY),
        ("bytes=-", 200, None, BODY),
        ("bytes=٣-", 200, None, BODY),  # a non-ASCII digit is not a digit here
        ("octets=0-1", 200, None, BODY),
        ("bytes=0-0", 206, f"bytes 0-0/{SIZE}", BODY[:1]),
    ],
)
def test_absurd_ranges(site, header: str, status: int, content_range: str | None, body: bytes) -> None:
    _feed, server = site
    line = f"GET /episodes/ep.mp3 HTTP/1.1\r\nHost: x\r\nRange: {header}\r\n\r\n".encode()
    answer = raw(server, line)
    head, _, got = answer.partition(b"\r\n\r\n")
    assert status_of(answer) == status
    headers = dict(h.split(": ", 1) for h in head.decode("latin-1").split("\r\n")[1:])
    assert headers.get("Content-Range") == content_range
    assert int(headers["Content-Length"]) == len(got) and got == body


def test_ranges_on_an_empty_file_are_unsatisfiable(site) -> None:
    _feed, server = site
    for header in ("bytes=0-", "bytes=-5", "bytes=0-0"):
        status, headers, body = request(server, "/empty.mp3", headers={"Range": header})
        assert (status, headers["content-range"], body) == (416, "bytes */0", b"")
    assert request(server, "/empty.mp3")[::2] == (200, b"")


def _comparable(headers: dict) -> dict:
    return {k: v for k, v in headers.items() if k != "date"}


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/episodes/ep.mp3", {}),
        ("/feed.xml", {}),
        ("/nothing.mp3", {}),
        ("/etc/passwd", {}),
        ("/empty.mp3", {}),
        ("/episodes/ep.mp3", {"Range": "bytes=0-1,4-5"}),
    ],
)
def test_head_answers_what_get_would_without_the_body(site, path: str, headers: dict) -> None:
    _feed, server = site
    get_status, get_headers, _ = request(server, path, headers=headers)
    head_status, head_headers, body = request(server, path, "HEAD", headers=headers)
    assert (head_status, _comparable(head_headers), body) == (get_status, _comparable(get_headers), b"")


@pytest.mark.parametrize("header", ["bytes=10-19", "bytes=-5", f"bytes={SIZE}-"])
def test_head_ignores_range(site, header: str) -> None:
    """RFC 9110 §14.2: range handling is defined for GET only, a server MUST ignore Range on other
    methods; HEAD then answers what a GET without Range would (200, whole length, no Content-Range)."""
    _feed, server = site
    _s, whole, _b = request(server, "/episodes/ep.mp3")
    status, headers, body = request(server, "/episodes/ep.mp3", "HEAD", headers={"Range": header})
    assert (status, _comparable(headers), body) == (200, _comparable(whole), b"")
    assert "content-range" not in headers and headers["content-length"] == str(SIZE)


def test_validators_are_sent(site) -> None:
    feed, server = site
    _s, headers, _b = request(server, "/episodes/ep.mp3")
    assert re.fullmatch(r'"[0-9a-f-]+"', headers["etag"])
    assert headers["last-modified"].endswith(" GMT")
    stat = (feed / "episodes" / "ep.mp3").stat()
    from email.utils import parsedate_to_datetime

    assert parsedate_to_datetime(headers["last-modified"]).timestamp() == int(stat.st_mtime)
    other = request(server, "/feed.xml")[1]["etag"]
    assert other != headers["etag"]


def test_if_range(site) -> None:
    """A range is served only when If-Range's validator matches; otherwise the whole body (200)."""
    feed, server = site
    path = "/episodes/ep.mp3"
    _s, headers, _b = request(server, path)
    etag, modified = headers["etag"], headers["last-modified"]
    cases = [
        (etag, 206),
        (modified, 206),
        ('"not-the-etag"', 200),
        ("W/" + etag, 200),  # weak validators never match (strong comparison)
        ("Mon, 01 Jan 2001 00:00:00 GMT", 200),
        ("yesterday", 200),
        ("", 200),
    ]
    for if_range, expected in cases:
        status, got_headers, body = request(server, path, headers={"Range": "bytes=10-19", "If-Range": if_range})
        assert status == expected, if_range
        if expected == 206:
            assert (got_headers["content-range"], body) == (f"bytes 10-19/{SIZE}", BODY[10:20])
        else:
            assert "content-range" not in got_headers and body == BODY
    fresh = feed / "fresh.mp3"  # written this second: its date may not tell two versions apart
    fresh.write_bytes(BODY)
    modified = request(server, "/fresh.mp3")[1]["last-modified"]
    assert request(server, "/fresh.mp3", headers={"Range": "bytes=10-19", "If-Range": modified})[0] == 200
    # If-Range without Range changes nothing; an unsatisfiable range under a stale If-Range is not a 416
    assert request(server, path, headers={"If-Range": '"x"'})[::2] == (200, BODY)
    assert request(server, path, headers={"Range": f"bytes={SIZE}-", "If-Range": '"x"'})[0] == 200


def test_conditional_get(site) -> None:
    _feed, server = site
    path = "/feed.xml"
    _s, headers, _b = request(server, path)
    etag, modified = headers["etag"], headers["last-modified"]
    for condition in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"x", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
    ):
        status, got, body = request(server, path, headers=condition)
        assert (status, got["etag"], body) == (304, etag, b""), condition
    for condition in (
        {"If-None-Match": '"x"'},
        {"If-None-Match": '"x"', "If-Modified-Since": modified},
        {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
        {"If-Modified-Since": "garbage"},
    ):
        assert request(server, path, headers=condition)[0] == 200, condition


def test_a_client_leaving_mid_download_leaves_no_traceback(tmp_path, capfd) -> None:
    big = tmp_path / "big.mp3"
    big.write_bytes(os.urandom(8 * 1024 * 1024))
    server = make_server(tmp_path, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            with socket.create_connection(server.server_address[:2], timeout=5) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.sendall(b"GET /big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
                sock.recv(1000)
        assert request(server, "/big.mp3", headers={"Range": "bytes=0-9"})[0] == 206  # still serving
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert "Traceback" not in capfd.readouterr().err


def test_keeps_serving_after_faults(site) -> None:
    _feed, server = site
    for line in (b"GET /feed.xml%00.mp3 HTTP/1.1", b"GET /feed.xml", b"\xff\xff"):
        raw(server, line + b"\r\n\r\n")
    assert request(server, "/feed.xml")[::2] == (200, b"<rss/>\n")


def test_loopback_by_default_and_a_warning_elsewhere(tmp_path, caplog) -> None:
    import ipaddress
    import logging

    caplog.set_level(logging.WARNING, logger="podcast.serve")
    for host in (None, "localhost", "127.0.0.2"):
        server = make_server(tmp_path, port=0) if host is None else make_server(tmp_path, host, 0)
        try:
            assert ipaddress.ip_address(server.server_address[0]).is_loopback
        finally:
            server.server_close()
    assert not caplog.records
    server = make_server(tmp_path, "0.0.0.0", 0)
    server.server_close()
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "0.0.0.0" in caplog.records[0].getMessage() and "anyone" in caplog.records[0].getMessage()


def test_cli_serve_defaults_to_loopback() -> None:
    from click.testing import CliRunner

    from podcast.cli import cli

    params = {p.name: p for p in cli.commands["serve"].params}
    assert params["host"].default == "127.0.0.1"
    assert "loopback" in CliRunner().invoke(cli, ["serve", "--help"]).output


@pytest.mark.parametrize("layout", ["is", "inside", "contains"])
def test_refuses_to_serve_the_show_state(tmp_path, layout: str) -> None:
    """The catalog lives in .podcast: a folder that is, is inside or holds one is never served."""
    state = tmp_path / ".podcast"
    (state / "feed").mkdir(parents=True)
    folder = {"is": state, "inside": state / "feed", "contains": tmp_path}[layout]
    with pytest.raises(PublishError, match=r"\.podcast"):
        make_server(folder, port=0).server_close()


def test_cli_warns_when_not_bound_to_loopback(tmp_path) -> None:
    (tmp_path / "feed.xml").write_text("<rss/>\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [
        sys.executable,
        "-m",
        "podcast",
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--directory",
        str(tmp_path),
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for _ in range(5):
            lines.append(proc.stderr.readline())
            if lines[-1].startswith("Serving") or not lines[-1]:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert lines[0].startswith("WARNING: ") and "0.0.0.0, not loopback" in lines[0], lines
    assert lines[1].startswith("Serving"), lines
