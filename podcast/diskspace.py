"""Free space checked before big writes, so a build stops with one line instead of filling a disk.

A full disk half-way through a build leaves the system in a worse state than a refusal (other
programs fail too, a cache file or an MP3 is cut short): every large write (a cache entry, the
staging of an episode) asks first for :data:`FACTOR` times its size plus :data:`RESERVE`.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from .errors import PublishError

log = logging.getLogger(__name__)

FACTOR = 3  # room asked for: three times what is about to be written ...
RESERVE = 16 * 1024 * 1024  # ... plus this much, left to the rest of the system


def free_bytes(folder: Path) -> int | None:
    """Free bytes on the file system holding ``folder`` (or its nearest existing parent); None
    when it cannot be told (the write then goes ahead and may fail on its own)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free
            except OSError:
                return None
    return None


def ensure_space(folder: Path, size: int, what: str) -> None:
    """Raise :class:`PublishError` unless ``folder`` has room for ``size`` bytes with the margin."""
    free = free_bytes(folder)
    needed = FACTOR * size + RESERVE
    if free is not None and free < needed:
        raise PublishError(
            f"not enough free space for {what}: {_mb(needed)} needed, {_mb(free)} free; free some space and run again",
            path=folder,
        )


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
