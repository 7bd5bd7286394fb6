"""Small file-system helpers every publishing stage shares: atomic writes and safe names."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import PublishError

SLUG_MAX = 60


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


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto it only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(target: Path, data: bytes | str) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with atomic_path(target) as tmp:
            tmp.write_bytes(payload)
    except OSError as err:
        raise PublishError(f"cannot write: {err.strerror or err}", path=target) from None
