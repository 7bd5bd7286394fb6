"""podcast publish to S3-compatible storage: moto's server (a real HTTP S3 API) on 127.0.0.1, with
IAM authentication on, so wrong keys and refused writes are the server's answers. Faults go through
a TCP proxy that drops the connection mid-upload."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from helpers import free_port, helper_missing
from upload_support import FlakyProxy, assert_remote_feed_complete, copy_show, publish_in_a_process

from podcast import config as config_mod
from podcast.cli import cli
from podcast.errors import EXIT_USAGE
from podcast.publish import remove
from podcast.site import page_name
from podcast.upload import UploadError, publish

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "podcast-test"
REGION = "us-east-1"
SETUP_ACTIONS = 4  # unauthenticated calls moto allows before it checks every request


@dataclass
class Storage:
    port: int
    key_id: str
    secret: str

    def client(self, port: int | None = None) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port or self.port}",
            region_name=REGION,
            aws_access_key_id=self.key_id,
            aws_secret_access_key=self.secret,
        )

    def files(self, prefix: str) -> dict[str, bytes]:
        client = self.client()
        found = {}
        for item in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []):
            found[item["Key"][len(prefix) :]] = client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        return found


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Storage]:
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if exe is None:
        helper_missing("moto's server is absent (pip install 'moto[server]', the test extra)")
    port = free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_ACTIONS)}
    process = subprocess.Popen(
        [exe, "-H", "127.0.0.1", "-p", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    seen = []
    for line in process.stderr:  # werkzeug says when it listens
        seen.append(line)
        if "Running on" in line:
            break
    else:
        pytest.fail("moto_server did not start:\n" + "".join(seen))
    drain = subprocess.Popen(["cat"], stdin=process.stderr, stdout=subprocess.DEVNULL)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        iam = boto3.client(
            "iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup", aws_secret_access_key="setup"
        )
        iam.create_user(UserName="podcast")
        key = iam.create_access_key(UserName="podcast")["AccessKey"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                # A prefix where the storage refuses new objects, as a full quota would.
                {
                    "Effect": "Deny",
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{BUCKET}/refused/episodes/*bonus*",
                },
            ],
        }
        iam.put_user_policy(UserName="podcast", PolicyName="publish", PolicyDocument=json.dumps(policy))
        s3 = boto3.client(
            "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup", aws_secret_access_key="setup"
        )
        s3.create_bucket(Bucket=BUCKET)
        yield Storage(port, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        process.terminate()
        process.wait(timeout=30)
        drain.wait(timeout=30)


@pytest.fixture(autouse=True)
def _no_ambient_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def show_for(
    tmp_path: Path,
    storage: Storage,
    prefix: str,
    port: int | None = None,
    secret: str | None = None,
    **extra: str | float,
) -> config_mod.Config:
    """A show whose keys live in a credentials file beside it, outside podcast.toml."""
    secrets = tmp_path / "s3-credentials"
    secrets.write_text(f"AWS_ACCESS_KEY_ID={storage.key_id}\nAWS_SECRET_ACCESS_KEY={secret or storage.secret}\n")
    secrets.chmod(0o600)
    return copy_show(
        tmp_path / "show",
        target=f"s3://{BUCKET}/{prefix}",
        endpoint_url=f"http://127.0.0.1:{port or storage.port}",
        region=REGION,
        credentials=str(secrets),
        retry_delay=0.0,
        **extra,
    )


def no_sleep(_seconds: float) -> None:
    """Backoff waits are not what these tests measure."""


@pytest.mark.slow
def test_publish_sets_headers_sends_changes_and_deletes_after_the_feed(storage: Storage, tmp_path: Path) -> None:
    config = show_for(tmp_path, storage, "main")
    first = publish(config, sleep=no_sleep)
    assert first.sent[-1] == "feed.xml"
    files = storage.files("main/")
    local = config.publish_dir
    assert set(files) == {p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()}
    named = assert_remote_feed_complete(files, local)
    client = storage.client()
    feed = client.head_object(Bucket=BUCKET, Key="main/feed.xml")
    assert feed["ContentType"].startswith("application/rss+xml") and feed["CacheControl"] == "public, max-age=300"
    mp3 = next(n for n in named if n.endswith(".mp3"))
    head = client.head_object(Bucket=BUCKET, Key=f"main/{mp3}")
    assert head["ContentType"] == "audio/mpeg" and "immutable" in head["CacheControl"]

    assert publish(config, sleep=no_sleep).sent == []
    client.delete_object(Bucket=BUCKET, Key=f"main/{mp3}")  # lost on the host
    assert publish(config, sleep=no_sleep).sent == [mp3]

    gone = remove(config, "2")
    dry = publish(config, dry_run=True)
    assert dry.sent == ["index.html", "feed.xml"]  # the show's page lists one episode less
    assert sorted(dry.deleted) == sorted([*gone.files, page_name(gone)])
    assert set(gone.files) <= set(storage.files("main/"))  # a dry run deletes nothing
    result = publish(config, sleep=no_sleep)
    assert sorted(result.deleted) == sorted([*gone.files, page_name(gone)])
    assert_remote_feed_complete(storage.files("main/"), local)


def test_dropped_connection_then_a_rerun_completes(storage: Storage, tmp_path: Path) -> None:
    proxy = FlakyProxy(storage.port)
    config = show_for(tmp_path, storage, "drop", port=proxy.port, retries=1)
    proxy.cut_after(40_000, stay_down=True)
    with pytest.raises(UploadError, match="gave up after 1 retries"):
        publish(config, sleep=no_sleep)
    assert proxy.cuts == 1
    files = storage.files("drop/")
    assert "feed.xml" not in files
    for name, data in files.items():
        assert data == (config.publish_dir / name).read_bytes(), f"{name} is incomplete"
    proxy.down = False
    proxy.cut_after(40_000)  # and once more, now retried within the run
    publish(config, sleep=no_sleep)
    assert proxy.cuts == 2
    assert_remote_feed_complete(storage.files("drop/"), config.publish_dir)
    proxy.close()


def test_wrong_secret_is_one_line_exit_2_and_deletes_nothing(storage: Storage, tmp_path: Path) -> None:
    config = show_for(tmp_path, storage, "creds")
    publish(config, sleep=no_sleep)
    remove(config, "1")
    before = storage.files("creds/")
    wrong = "not-the-secret-" + "x" * 24
    (tmp_path / "s3-credentials").write_text(f"AWS_ACCESS_KEY_ID={storage.key_id}\nAWS_SECRET_ACCESS_KEY={wrong}\n")
    done = publish_in_a_process(config)
    assert done.returncode == EXIT_USAGE, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused our credentials" in lines[0], done.stderr
    assert wrong not in done.stderr + done.stdout and storage.secret not in done.stderr + done.stdout
    assert storage.files("creds/") == before


def test_a_refused_object_stops_before_the_feed(storage: Storage, tmp_path: Path) -> None:
    config = show_for(tmp_path, storage, "refused")
    publish(config, sleep=no_sleep)
    before = storage.files("refused/")
    remove(config, "2")
    (config.publish_dir / "episodes" / "003-bonus.mp3").write_bytes(b"x" * 10_000)  # the storage refuses it
    with pytest.raises(UploadError, match="refused by the storage: AccessDenied"):
        publish(config, sleep=no_sleep)
    after = storage.files("refused/")
    assert after == before  # nothing deleted, the old feed still names complete files
    assert_remote_feed_complete(after)


def test_cli_dry_run_then_build_with_publish(storage: Storage, tmp_path: Path) -> None:
    config = show_for(tmp_path, storage, "cli")
    toml = str(config.root / "podcast.toml")
    dry = CliRunner().invoke(cli, ["--config", toml, "publish", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[-2] == "would send   feed.xml" and lines[-1].startswith(f"Dry run for s3://{BUCKET}/cli/: ")
    assert storage.files("cli/") == {}
    article = tmp_path / "troisieme.txt"
    article.write_text(
        "La Lettre Envoi : troisième numéro\nLa gare rouvre\nLes trains reviennent lundi.\n", encoding="utf-8"
    )
    built = CliRunner().invoke(cli, ["--config", toml, "build", str(article), "--publish"])
    assert built.exit_code == 0, built.output
    assert built.output.splitlines()[-1].startswith(f"Published to s3://{BUCKET}/cli/: ")
    named = assert_remote_feed_complete(storage.files("cli/"), config.publish_dir)
    assert len([n for n in named if n.endswith(".mp3")]) == 3
