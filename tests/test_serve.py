"""``podcast serve`` over real HTTP on 127.0.0.1: content types, byte ranges (206/416), no
listings or hidden files, and a client stand-in that subscribes with podcastparser and downloads
every enclosure through the server (resuming with Range), checking the announced lengths."""

from __future__ import annotations

import http.client
import io
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import podcastparser
import pytest

from podcast import config as config_mod
from podcast.build import build
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
    config_mod.init(folder, title="La Lettre Serveur", author="Équipe", email="test@example.org")
    (folder / "feed").mkdir()
    server = make_server(folder / "feed", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    toml = folder / "podcast.toml"
    text = toml.read_text(encoding="utf-8").replace('engine = "auto"', 'engine = "espeak"')
    text = re.sub(r'base_url = "[^"]*"', f'base_url = "{url(server)}"', text)
    toml.write_text(text, encoding="utf-8")
    config = config_mod.load(toml)
    article = folder / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = build(config, article)
    yield config, result, server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


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
    assert (status, headers["content-length"], body) == (206, "10", b"")


def test_no_listings_hidden_files_or_escapes(served) -> None:
    _config, _result, server = served
    for path in ("/episodes/", "/", "/../podcast.toml", "/%2e%2e/podcast.toml", "/.podcast/catalog.sqlite",
                 "/episodes/.build-x/episode.mp3", "/nothing.mp3"):
        status, _headers, body = request(server, path)
        assert status == 404, path
        assert b"base_url" not in body


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
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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
