"""Content-addressed cache of synthesized segments, shared by every show of a user.

Key: sha256 of the voice identity (engine, voice, options) and the exact text. Files are written
to a temporary name and renamed, so builds running at once never see half a segment.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .base import Audio, Progress, Voice

SUFFIX = ".pcm"


def default_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("podcast-builder", appauthor=False)) / "segments"


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
            return self.path(digest).read_bytes()
        except OSError:
            return None

    def put(self, digest: str, pcm: bytes) -> None:
        target = self.path(digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=SUFFIX)
            with os.fdopen(fd, "wb") as out:
                out.write(pcm)
            os.replace(tmp, target)
        except OSError:
            # A cache that cannot be written only costs speed, never a build.
            try:
                os.unlink(tmp)  # type: ignore[possibly-undefined]
            except (OSError, NameError):
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
                count += 1
                size += path.stat().st_size
        return count, size

    def clear(self) -> int:
        count, _ = self.info()
        shutil.rmtree(self.folder, ignore_errors=True)
        return count
