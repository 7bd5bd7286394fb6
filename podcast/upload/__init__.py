"""``podcast publish``: the publish folder mirrored to a host, in an order no listener sees broken.

Order: media and every other file first, pages next, ``feed.xml`` last, so the remote feed never
names a file that is not there yet; remote files the show no longer has are deleted only after the
new feed is up. Only changed files are sent: a manifest (sizes and sha256 digests of what was sent
to this target) lives in the show's ``.podcast/`` folder and is checked against the sizes the remote
lists, so a file lost on the host is sent again. Transient failures (a dropped connection) are
retried with exponential backoff; anything else stops the run with the remote feed as it was.

The remote side is one small protocol (:class:`Remote`); SFTP (paramiko) and S3-compatible object
storage (boto3) implement it in their own modules, imported only when used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..errors import EXIT_USAGE, ConfigError, PublishError
from .target import Target, parse, read_credentials

if TYPE_CHECKING:
    from ..build import Reporter
    from ..config import Config

log = logging.getLogger(__name__)

FEED_NAME = "feed.xml"
MEDIA_MAX_AGE = 31_536_000  # a year: names that carry a content hash never change
# Episode files are named <number>-<slug>-<8 hex of the audio's sha256>.<ext> (podcast.build).
_HASHED = re.compile(r"-[0-9a-f]{8}\.[a-z0-9.]+$")
_TEMP = re.compile(r"(^|/)\.[^/]*\.upload-tmp$")
_TYPES = {
    ".mp3": "audio/mpeg",
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}

T = TypeVar("T")


class UploadError(PublishError):
    """The host refused a file or could not be reached; the remote feed is still the previous one."""


class CredentialsError(UploadError):
    """The host refused our credentials (or its key is unknown): fix the settings, not the network."""

    exit_code = EXIT_USAGE


class TransientError(UploadError):
    """A dropped connection or a timeout: the same call may well succeed if tried again."""


class Remote(Protocol):
    """A folder on a host. Names are relative, with ``/``; ``put`` makes a file appear whole or not at
    all under its name. After a :class:`TransientError` the next call connects again."""

    def list(self) -> dict[str, int]: ...  # every file below the folder -> its size

    def put(self, local: Path, name: str, headers: dict[str, str], progress: Callable[[int], None]) -> None: ...

    def delete(self, name: str) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Entry:
    """What was sent (or is to be sent) under one name."""

    size: int
    sha256: str
    mtime_ns: int = 0  # local only: lets an unchanged file skip hashing


@dataclass(frozen=True)
class Plan:
    send: list[str]  # in upload order
    delete: list[str]
    unchanged: int
    bytes: int


@dataclass(frozen=True)
class PublishResult:
    target: str
    sent: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    bytes_sent: int = 0
    dry_run: bool = False


def credentials(file: Path | None) -> dict[str, str]:
    """The host's secrets (environment first, then ``file``); an unreadable file is a CredentialsError."""
    try:
        return read_credentials(file)
    except OSError as err:
        raise CredentialsError(f"cannot read upload.credentials: {err.strerror or err}", path=file) from None


def config_problem(config: Config) -> str | None:
    """Why the ``[upload]`` table cannot work, in one line (podcast.toml loading calls this)."""
    upload = config.upload
    if upload.retries < 0 or upload.retries > 20 or not upload.retry_delay >= 0:
        return "upload.retries must be 0..20 and upload.retry_delay 0 or more seconds"
    if upload.feed_max_age < 0:
        return "upload.feed_max_age must be 0 or more seconds"
    if upload.endpoint_url:
        parts = re.match(r"^(https?)://([^/:\s]+)(:\d+)?/?$", upload.endpoint_url)
        if not parts:
            return "upload.endpoint_url must be a base URL such as https://<account>.r2.cloudflarestorage.com"
        if parts.group(1) == "http" and parts.group(2) not in ("127.0.0.1", "localhost", "::1"):
            return "upload.endpoint_url must use https (plain http only for a server on this machine)"
    if upload.credentials:
        file = config.resolve(upload.credentials)
        publish = config.publish_dir
        if file == publish or publish in file.parents or file.name == "podcast.toml":
            return "upload.credentials must be a file outside the publish folder and not podcast.toml"
    if not upload.target:
        return None
    try:
        parse(upload.target)
    except ValueError as err:
        return str(err)
    return None


def content_headers(name: str, feed_max_age: int) -> dict[str, str]:
    """Content-Type, and Cache-Control: long for names that carry a hash, short for the rest."""
    suffix = Path(name).suffix.lower()
    content_type = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if _HASHED.search(name) and not name.endswith(".html"):  # a page changes with the show: not immutable
        cache = f"public, max-age={MEDIA_MAX_AGE}, immutable"
    else:
        cache = f"public, max-age={feed_max_age}"
    return {"Content-Type": content_type, "Cache-Control": cache}


def _rank(name: str) -> tuple[int, int, str]:
    """Upload order: episode files, other files (cover), pages, and the feed last of all."""
    if name == FEED_NAME:
        return (3, 0, name)
    if name.endswith((".html", ".htm")):
        return (2, 0, name)
    return (1, 0 if name.startswith("episodes/") else 1, name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan(folder: Path, known: dict[str, Entry]) -> dict[str, tuple[Path, Entry]]:
    """Every file to publish (hidden names, such as a build's temporary files, are not), hashed
    unless the manifest already has its size and modification time."""
    found: dict[str, tuple[Path, Entry]] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in name.split("/")) or not path.is_file():
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            # What ``podcast serve`` refuses is never uploaded either: a link out of the folder.
            log.warning("not publishing %s: it links out of the publish folder", name)
            continue
        info = path.stat()
        old = known.get(name)
        if old and old.size == info.st_size and old.mtime_ns == info.st_mtime_ns:
            found[name] = (path, old)
        else:
            found[name] = (path, Entry(info.st_size, _sha256(path), info.st_mtime_ns))
    return found


def plan(local: dict[str, Entry], manifest: dict[str, Entry], remote: dict[str, int]) -> Plan:
    """What to send (changed here, never sent, or missing or of another size there) and what to
    delete there (files this show sent or owns, temporary files of an interrupted upload)."""
    send = [
        name
        for name, entry in local.items()
        if remote.get(name) != entry.size
        or name not in manifest
        or (manifest[name].size, manifest[name].sha256) != (entry.size, entry.sha256)
    ]
    send.sort(key=_rank)
    delete = sorted(
        name
        for name in remote
        if name not in local and (name in manifest or name.startswith("episodes/") or _TEMP.search(name))
    )
    return Plan(send, delete, len(local) - len(send), sum(local[name].size for name in send))


def manifest_path(config: Config, target: Target) -> Path:
    """One manifest per target: moving the show to another host sends everything there."""
    return config.state_dir / f"upload-{hashlib.sha256(str(target).encode()).hexdigest()[:16]}.json"


def load_manifest(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {name: Entry(**values) for name, values in data["files"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("%s unreadable (%s): every file is compared again", path, err)
        return {}


def save_manifest(path: Path, target: Target, entries: dict[str, Entry]) -> None:
    from ..fsutil import write_atomic

    files = {name: {"size": e.size, "sha256": e.sha256, "mtime_ns": e.mtime_ns} for name, e in sorted(entries.items())}
    write_atomic(path, json.dumps({"target": str(target), "files": files}, indent=1), mode=0o600)


def open_remote(config: Config, target: Target) -> Remote:
    """The client for ``target``'s scheme; it connects on first use."""
    if target.scheme == "s3":
        from .s3 import S3Remote

        return S3Remote(config, target)
    from .sftp import SftpRemote

    return SftpRemote(config, target)


class _Retrier:
    def __init__(self, retries: int, delay: float, sleep: Callable[[float], None]) -> None:
        self.retries, self.delay, self.sleep = retries, delay, sleep

    def __call__(self, what: str, action: Callable[[], T]) -> T:
        for attempt in range(self.retries + 1):
            try:
                return action()
            except TransientError as err:
                if attempt == self.retries:
                    raise UploadError(f"{what}: {err} (gave up after {self.retries} retries)") from None
                wait = self.delay * 2**attempt
                log.warning("%s: %s; retrying in %.1f s", what, err, wait)
                self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


class _Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        log.info("%s", name)

    def advance(self, count: int) -> None:
        pass


def publish(
    config: Config,
    *,
    dry_run: bool = False,
    reporter: Reporter | None = None,
    remote: Remote | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishResult:
    """Send what changed in the publish folder to ``[upload] target``; feed last, deletions after it.

    Holds the show's build lock, so a build never changes the folder half-way through an upload.
    ``dry_run`` compares with the remote listing and changes nothing."""
    from ..lock import show_lock

    if not config.upload.target:
        raise ConfigError("no upload target: set target in the [upload] table of podcast.toml", path=config.root)
    target = parse(config.upload.target)
    report: Reporter | _Silent = reporter or _Silent()
    retry = _Retrier(config.upload.retries, config.upload.retry_delay, sleep)
    folder = config.publish_dir
    if not dry_run and (folder / FEED_NAME).is_file():
        from ..publish import regenerate_feed

        regenerate_feed(config)  # scheduled episodes whose time has come join the feed first
    with show_lock(config.state_dir / "build.lock", config.publish.lock_timeout):
        if not (folder / FEED_NAME).is_file():
            raise UploadError("nothing to publish yet: build an episode first", path=folder)
        mpath = manifest_path(config, target)
        manifest = load_manifest(mpath)
        files = scan(folder, manifest)
        local = {name: entry for name, (_, entry) in files.items()}
        client = remote or open_remote(config, target)
        try:
            listing = retry(f"listing {target}", client.list)
            todo = plan(local, manifest, listing)
            if dry_run:
                return PublishResult(str(target), todo.send, todo.delete, todo.unchanged, todo.bytes, dry_run=True)
            report.stage(f"Uploading to {target}", total=todo.bytes or None)
            sent: list[str] = []
            for name in todo.send:
                path, entry = files[name]
                headers = content_headers(name, config.upload.feed_max_age)
                retry(f"sending {name}", partial(client.put, path, name, headers, report.advance))
                manifest[name] = entry
                save_manifest(mpath, target, manifest)
                sent.append(name)
            deleted: list[str] = []
            for name in todo.delete:  # the new feed is up: nothing it names is deleted
                retry(f"deleting {name}", partial(client.delete, name))
                manifest.pop(name, None)
                deleted.append(name)
            if deleted:
                save_manifest(mpath, target, manifest)
            # Names gone from both sides leave the manifest too.
            stale = [name for name in manifest if name not in local]
            for name in stale:
                del manifest[name]
            if stale:
                save_manifest(mpath, target, manifest)
        finally:
            client.close()
    log.info("published to %s: %d sent, %d deleted, %d unchanged", target, len(sent), len(deleted), todo.unchanged)
    return PublishResult(str(target), sent, deleted, todo.unchanged, todo.bytes, dry_run=False)


__all__ = [
    "CredentialsError",
    "Entry",
    "Plan",
    "PublishResult",
    "Remote",
    "TransientError",
    "UploadError",
    "config_problem",
    "content_headers",
    "plan",
    "publish",
]
