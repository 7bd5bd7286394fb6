"""Content-addressed cache of synthesized segments, shared by every show of a user.

Key: sha256 of the voice identity (engine, voice, options) and the exact text. Files are written
to a temporary name and renamed, so builds running at once never see half a segment.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .base import Audio, Progress, Voice

if TYPE_CHECKING:
    from ..config import Config

SUFFIX = ".pcm"

log = logging.getLogger(__name__)


def default_folder() -> Path:
    """The user's cache folder (platformdirs: ``$XDG_CACHE_HOME/podcast-builder/segments`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("podcast-builder", appauthor=False)) / "segments"


def for_config(config: "Config | None") -> "SegmentCache":
    """The cache a show uses: ``cache.folder`` from podcast.toml, else the user's cache folder."""
    if config is not None and config.cache.folder:
        return SegmentCache(config.resolve(config.cache.folder))
    return SegmentCache()


def key(identity: str, text: str) -> str:
    return hashlib.sha256(f"{identity}\x00{text}".encode("utf-8")).hexdigest()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


class SegmentCache:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()

    def path(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}{SUFFIX}"

    def get(self, digest: str) -> bytes | None:
        try:
            pcm = self.path(digest).read_bytes()
        except OSError:
            return None
        return pcm if len(pcm) % 2 == 0 else None  # 16-bit samples: an odd size is damage, not audio

    def put(self, digest: str, pcm: bytes) -> None:
        """Write under a temporary name in the same folder, then rename: readers see all or nothing."""
        target = self.path(digest)
        tmp: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=SUFFIX)
            with os.fdopen(fd, "wb") as out:
                out.write(pcm)
            os.replace(tmp, target)
        except OSError as err:
            # A cache that cannot be written only costs speed, never a build.
            log.warning("cannot write the speech cache in %s: %s", self.folder, err)
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    def synthesize(self, voice: Voice, texts: Sequence[str], progress: Progress | None = None) -> tuple[list[Audio], CacheStats]:
        """Every text's audio, synthesizing only what the cache does not hold."""
        identity = voice.identity
        digests = [key(identity, text) for text in texts]
        found: dict[str, bytes] = {}
        for digest in dict.fromkeys(digests):
            pcm = self.get(digest)
            if pcm is not None:
                found[digest] = pcm
        missing = [d for d in dict.fromkeys(digests) if d not in found]
        stats = CacheStats(hits=len(texts) - sum(1 for d in digests if d in missing), misses=len(missing))
        if progress and stats.hits:
            progress(stats.hits)
        if missing:
            text_of = dict(zip(digests, texts))
            audios = voice.synthesize([text_of[d] for d in missing], progress)
            for digest, audio in zip(missing, audios):
                found[digest] = audio.pcm
                self.put(digest, audio.pcm)
        return [Audio(found[d], voice.rate) for d in digests], stats

    def info(self) -> tuple[int, int]:
        """(number of segments, bytes) held."""
        count = size = 0
        if self.folder.is_dir():
            for path in self.folder.rglob(f"*{SUFFIX}"):
                if path.name.startswith(".tmp-"):
                    continue
                try:
                    size += path.stat().st_size
                except OSError:
                    continue  # removed by a concurrent clear
                count += 1
        return count, size

    def clear(self) -> int:
        """Delete every cached segment; returns how many. A build running meanwhile only loses speed."""
        count = 0
        if self.folder.is_dir():
            for path in self.folder.rglob(f"*{SUFFIX}"):
                try:
                    path.unlink()
                    count += 0 if path.name.startswith(".tmp-") else 1
                except OSError:
                    pass
            for sub in self.folder.iterdir():
                if sub.is_dir():
                    try:
                        sub.rmdir()
                    except OSError:
                        pass  # a concurrent build just wrote into it
        return count
