"""Where a show is uploaded: the ``[upload]`` target URL read once, and the credentials for it.

Credentials never live in podcast.toml (it is copied, shared, versioned): they come from the
environment or from a ``KEY=VALUE`` file named by ``upload.credentials``, and are never printed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# The names read from the environment (first) and the credentials file.
CREDENTIAL_KEYS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "PODCAST_SFTP_PASSWORD",
    "PODCAST_SSH_KEY_PASSPHRASE",
)


@dataclass(frozen=True)
class Target:
    scheme: str  # "sftp" | "s3"
    host: str  # SFTP host, or the S3 bucket
    port: int
    user: str
    path: str  # SFTP folder (absolute, or relative to the login folder); S3 key prefix ("" or ending in /)

    def __str__(self) -> str:
        """The target as a producer wrote it, for messages (it never holds a secret)."""
        if self.scheme == "s3":
            return f"s3://{self.host}/{self.path}"
        return f"sftp://{self.user + '@' if self.user else ''}{self.host}:{self.port}/{self.path.lstrip('/')}"


def parse(url: str) -> Target:
    """``sftp://user@host:port/path`` or ``s3://bucket/prefix``; ValueError says what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("sftp", "s3"):
        raise ValueError("upload.target must start with sftp:// or s3://")
    if parts.password is not None:
        raise ValueError("upload.target must not hold a password: use PODCAST_SFTP_PASSWORD or upload.credentials")
    if parts.query or parts.fragment:
        raise ValueError("upload.target must not have a '?query' or '#fragment'")
    host = parts.hostname or ""
    path = unquote(parts.path)
    if parts.scheme == "s3":
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", host) or parts.username or parts.port:
            raise ValueError("upload.target must name a bucket: s3://bucket/prefix")
        prefix = path.strip("/")
        return Target("s3", host, 0, "", prefix + "/" if prefix else "")
    if not host:
        raise ValueError("upload.target must name a host: sftp://user@host:port/path")
    try:
        port = parts.port or 22
    except ValueError:
        raise ValueError("upload.target has an invalid port") from None
    if path.startswith("/~/") or path == "/~":
        path = path[3:] or "."  # relative to the login folder
    path = path.rstrip("/") or "/"
    if ".." in path.split("/"):
        raise ValueError("upload.target path must not contain '..'")
    return Target("sftp", host, port, unquote(parts.username or ""), path)


def read_credentials(file: Path | None) -> dict[str, str]:
    """The known credential names, from the environment or else from ``file`` (KEY=VALUE lines)."""
    found: dict[str, str] = {}
    if file is not None:
        for line in file.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key.strip() in CREDENTIAL_KEYS:
                found[key.strip()] = value.strip().strip("'\"")
    for key in CREDENTIAL_KEYS:
        if os.environ.get(key):
            found[key] = os.environ[key]
    return found
