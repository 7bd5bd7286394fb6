"""The upload rules on their own: target parsing, [upload] validation, what is sent in which order,
what is deleted, the headers; and the CLI's publish command (servers: test_upload_sftp/_s3.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import configure

from podcast import config as config_mod
from podcast.cli import cli
from podcast.errors import EXIT_USAGE, ConfigError
from podcast.upload import Entry, content_headers, plan, scan
from podcast.upload.target import parse, read_credentials


@pytest.mark.parametrize(
    "url,expected",
    [
        ("sftp://me@example.org:2222/srv/www/show", ("sftp", "example.org", 2222, "me", "/srv/www/show")),
        ("sftp://example.org/srv/www/", ("sftp", "example.org", 22, "", "/srv/www")),
        ("sftp://me@example.org/~/public_html", ("sftp", "example.org", 22, "me", "public_html")),
        ("s3://my-bucket/shows/lettre/", ("s3", "my-bucket", 0, "", "shows/lettre/")),
        ("s3://my-bucket", ("s3", "my-bucket", 0, "", "")),
    ],
)
def test_targets(url: str, expected: tuple[object, ...]) -> None:
    target = parse(url)
    assert (target.scheme, target.host, target.port, target.user, target.path) == expected


@pytest.mark.parametrize(
    "url,word",
    [
        ("ftp://example.org/x", "sftp:// or s3://"),
        ("sftp://me:secret@example.org/x", "must not hold a password"),
        ("s3://Bad_Bucket/x", "bucket"),
        ("sftp://example.org/a/../b", ".."),
    ],
)
def test_bad_targets_are_one_line_config_errors(show: Path, url: str, word: str) -> None:
    toml = configure(show, {"upload": {"target": url}})
    with pytest.raises(ConfigError, match=word.replace(".", r"\.").replace("/", "/")) as err:
        config_mod.load(toml)
    assert "\n" not in str(err.value) and "secret" not in str(err.value)


@pytest.mark.parametrize(
    "key,value,word",
    [
        ("endpoint_url", "http://storage.example.org", "https"),
        ("credentials", "feed/keys.env", "outside the publish folder"),
        ("retries", -1, "upload.retries"),
    ],
)
def test_bad_upload_settings(show: Path, key: str, value: object, word: str) -> None:
    toml = configure(show, {"upload": {key: value}})
    with pytest.raises(ConfigError, match=word):
        config_mod.load(toml)


def test_order_is_media_then_cover_then_pages_then_feed() -> None:
    local = {
        "feed.xml": Entry(1, "a"),
        "index.html": Entry(2, "b"),
        "cover.png": Entry(3, "c"),
        "episodes/001-a-0123abcd.mp3": Entry(4, "d"),
        "episodes/001-a-0123abcd.vtt": Entry(5, "e"),
    }
    todo = plan(local, {}, {})
    assert todo.send == [
        "episodes/001-a-0123abcd.mp3",
        "episodes/001-a-0123abcd.vtt",
        "cover.png",
        "index.html",
        "feed.xml",
    ]
    assert todo.bytes == 15 and todo.delete == []


def test_only_changed_or_missing_files_are_sent() -> None:
    local = {
        "feed.xml": Entry(10, "new"),
        "cover.png": Entry(3, "c"),
        "episodes/a.mp3": Entry(4, "d"),
        "episodes/b.mp3": Entry(5, "e"),
    }
    manifest = {
        "feed.xml": Entry(10, "old"),
        "cover.png": Entry(3, "c"),
        "episodes/a.mp3": Entry(4, "d"),
        "episodes/b.mp3": Entry(5, "e"),
    }
    remote = {"feed.xml": 10, "cover.png": 3, "episodes/b.mp3": 2}  # a.mp3 lost there, b.mp3 cut short
    todo = plan(local, manifest, remote)
    assert todo.send == ["episodes/a.mp3", "episodes/b.mp3", "feed.xml"] and todo.unchanged == 1


def test_deletes_what_the_show_sent_or_owns_and_nothing_else() -> None:
    local = {"feed.xml": Entry(1, "a")}
    manifest = {"feed.xml": Entry(1, "a"), "old-page.html": Entry(2, "b")}
    remote = {
        "feed.xml": 1,
        "old-page.html": 2,
        "episodes/001-x-0123abcd.mp3": 9,
        "episodes/.x.mp3.upload-tmp": 4,
        ".htaccess": 7,
        "robots.txt": 3,
    }
    assert plan(local, manifest, remote).delete == [
        "episodes/.x.mp3.upload-tmp",
        "episodes/001-x-0123abcd.mp3",
        "old-page.html",
    ]


def test_headers_short_for_the_feed_long_for_hashed_media() -> None:
    feed = content_headers("feed.xml", 300)
    assert feed == {"Content-Type": "application/rss+xml; charset=utf-8", "Cache-Control": "public, max-age=300"}
    mp3 = content_headers("episodes/001-la-lettre-0123abcd.mp3", 300)
    assert mp3["Content-Type"] == "audio/mpeg" and mp3["Cache-Control"].endswith("immutable")
    assert content_headers("cover.png", 60)["Cache-Control"] == "public, max-age=60"
    assert content_headers("episodes/001-x-0123abcd.vtt", 60)["Content-Type"].startswith("text/vtt")


def test_credentials_environment_first_then_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "keys.env"
    file.write_text("AWS_ACCESS_KEY_ID=from-file\nAWS_SECRET_ACCESS_KEY='file secret'\nOTHER=ignored\n")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    found = read_credentials(file)
    assert found["AWS_ACCESS_KEY_ID"] == "from-env" and found["AWS_SECRET_ACCESS_KEY"] == "file secret"
    assert "OTHER" not in found


def test_publish_without_a_target_is_one_line(show: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(show / "podcast.toml"), "publish"])
    assert result.exit_code == EXIT_USAGE
    assert result.output.strip().splitlines() == [
        f"Error: {show.resolve()}: no upload target: set target in the [upload] table of podcast.toml"
    ]


def test_a_link_out_of_the_publish_folder_is_never_uploaded(tmp_path: Path) -> None:
    """What ``podcast serve`` refuses is not sent to the host either (a link to /etc/passwd)."""
    folder = tmp_path / "feed"
    (folder / "episodes").mkdir(parents=True)
    (folder / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (folder / "episodes" / "001-a.mp3").write_bytes(b"\xff\xfb" * 10)
    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe", encoding="utf-8")
    (folder / "passwd").symlink_to(secret)
    (folder / "inner.mp3").symlink_to(folder / "episodes" / "001-a.mp3")  # a link inside stays
    assert sorted(scan(folder, {})) == ["episodes/001-a.mp3", "feed.xml", "inner.mp3"]
