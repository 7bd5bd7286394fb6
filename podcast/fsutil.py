"""Small file-system helpers every publishing stage shares: atomic writes, safe names, public modes.

Everything in the publish folder is meant to be read by others (a web server running as another
user, ``rsync -a`` to a host, an upload): files are made 0644 and folders 0755 whatever the umask.
A stricter umask (077) does not make published files private; a more open one (002) is not honoured
either: a published file is never group- or world-writable. The show's state (``.podcast/``) keeps
the umask's modes.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import PublishError

SLUG_MAX = 60
PUBLIC_FILE = 0o644
PUBLIC_DIR = 0o755


def slugify(text: str, max_length: int = SLUG_MAX, fallback: str = "episode") -> str:
    """ASCII, lowercase, dashes, bounded: the only thing a file name is ever made of. ``fallback``
    when nothing is left (a title of emoji, punctuation or another script)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug or fallback


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing anything that would land outside ``folder``."""
    target = (folder / name).resolve()
    root = folder.resolve()
    if target != root and root not in target.parents:
        raise PublishError(f"refusing to write outside the publish folder: {name!r}", path=folder)
    return target


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def public_dir(folder: Path) -> Path:
    """``folder`` made (with its missing parents) and readable by others: 0755 for the folders made
    here; an existing folder gains the read and search bits for others, and keeps the rest."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    for made in missing:
        os.chmod(made, PUBLIC_DIR)
    mode = folder.stat().st_mode & 0o7777
    if mode & PUBLIC_DIR != PUBLIC_DIR:
        os.chmod(folder, mode | PUBLIC_DIR)
    return folder


def publish_file(source: Path, target: Path, mode: int = PUBLIC_FILE) -> None:
    """Move a finished file into place: flushed to disk, given its public mode, then renamed, so
    the name never shows a partial or private file."""
    with open(source, "rb") as handle:
        os.fsync(handle.fileno())
    os.chmod(source, mode)
    os.replace(source, target)


@contextmanager
def atomic_path(target: Path, mode: int = PUBLIC_FILE) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto it with ``mode`` (public by default: mkstemp
    makes 0600 files) only if the block succeeds."""
    if mode & 0o044:
        public_dir(target.parent)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        publish_file(tmp, target, mode)
        fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(target: Path, data: bytes | str, mode: int = PUBLIC_FILE) -> None:
    """``data`` at ``target``, whole or not at all; readable by others unless ``mode`` says not."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with atomic_path(target, mode) as tmp:
            tmp.write_bytes(payload)
    except OSError as err:
        raise PublishError(f"cannot write: {err.strerror or err}", path=target) from None
