"""Content-addressed cache of synthesized segments, shared by every show of a user.

Key: sha256 of the voice identity (engine, voice, options) and the exact text. Files are written
to a temporary name and renamed, so builds running at once never see half a segment.

The same folder keeps mastered chunks (``chunks/<sha256>.mp3``, see :mod:`podcast.master`), so a
one-paragraph edit re-encodes one chunk. Synthesis streams: :meth:`SegmentCache.synthesize` with
``stream=True`` speaks missing texts in batches of about :data:`BATCH_CHARS` characters and yields
each segment as its turn comes, so a one-hour episode is never held whole in memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .base import Audio, Progress, Voice

if TYPE_CHECKING:
    from ..config import Config

SUFFIX = ".pcm"
CHUNKS = "chunks"
CHUNK_SUFFIX = ".mp3"
BATCH_CHARS = 12_000  # about 12 minutes of speech (30 MB at 22 kHz) per call to the voice

log = logging.getLogger(__name__)


def default_folder() -> Path:
    """The user's cache folder (platformdirs: ``$XDG_CACHE_HOME/podcast-builder/segments`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("podcast-builder", appauthor=False)) / "segments"


def for_config(config: Config | None) -> SegmentCache:
    """The cache a show uses: ``cache.folder`` from podcast.toml, else the user's cache folder."""
    if config is not None and config.cache.folder:
        return SegmentCache(config.resolve(config.cache.folder))
    return SegmentCache()


def key(identity: str, text: str) -> str:
    return hashlib.sha256(f"{identity}\x00{text}".encode()).hexdigest()


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
        self._write(self.path(digest), SUFFIX, pcm)

    def _write(self, target: Path, suffix: str, data: bytes | Path) -> None:
        tmp: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=suffix)
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, Path):
                    with open(data, "rb") as source:
                        shutil.copyfileobj(source, out)
                else:
                    out.write(data)
            os.replace(tmp, target)
        except OSError as err:
            # A cache that cannot be written only costs speed, never a build.
            log.warning("cannot write the speech cache in %s: %s", self.folder, err)
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    # --- mastered chunks (podcast.master.ChunkStore) ---

    def chunk_path(self, digest: str) -> Path:
        return self.folder / CHUNKS / f"{digest}{CHUNK_SUFFIX}"

    def get_chunk(self, digest: str) -> Path | None:
        path = self.chunk_path(digest)
        return path if path.is_file() else None

    def put_chunk(self, digest: str, path: Path) -> None:
        self._write(self.chunk_path(digest), CHUNK_SUFFIX, path)

    # --- synthesis ---

    def _held(self, digest: str) -> bool:
        try:
            size = self.path(digest).stat().st_size
        except OSError:
            return False
        return size % 2 == 0  # an odd size is damage: a miss

    def synthesize(
        self,
        voice: Voice,
        texts: Sequence[str],
        progress: Progress | None = None,
        *,
        stream: bool = False,
        batch_chars: int = BATCH_CHARS,
    ) -> tuple[list[Audio] | Iterator[Audio], CacheStats]:
        """Every text's audio, synthesizing only what the cache does not hold.

        The stats are known at once (the cache is looked up before any synthesis). With ``stream``
        the audios come as an iterator, to be consumed once and in order: missing texts are spoken
        in batches as the iteration reaches them, and held ones are read from disk one by one."""
        texts = list(texts)
        digests = [key(voice.identity, text) for text in texts]
        distinct = list(dict.fromkeys(digests))
        missing = [d for d in distinct if not self._held(d)]
        missing_set = set(missing)
        stats = CacheStats(hits=sum(1 for d in digests if d not in missing_set), misses=len(missing))
        if progress and stats.hits:
            progress(stats.hits)
        text_of = dict(zip(digests, texts))
        batches: list[list[str]] = [[]]
        size = 0
        for digest in missing:
            if batches[-1] and size + len(text_of[digest]) > batch_chars:
                batches.append([])
                size = 0
            batches[-1].append(digest)
            size += len(text_of[digest])
        audios = self._stream(voice, digests, text_of, missing_set, [b for b in batches if b], progress)
        return (audios if stream else list(audios)), stats

    def _stream(
        self,
        voice: Voice,
        digests: list[str],
        text_of: dict[str, str],
        missing: set[str],
        batches: list[list[str]],
        progress: Progress | None,
    ) -> Iterator[Audio]:
        spoken: set[str] = set()
        recent: dict[str, bytes] = {}  # the last batch spoken: yielded from memory
        next_batch = 0
        repeats = Counter(digests)  # a text said twice is spoken once but counts twice in progress
        for digest in digests:
            if digest in missing and digest not in spoken:
                batch = batches[next_batch]
                next_batch += 1
                audios = voice.synthesize([text_of[d] for d in batch], progress)
                if progress and (again := sum(repeats[d] - 1 for d in batch)):
                    progress(again)
                recent = {}
                for d, audio in zip(batch, audios):
                    recent[d] = audio.pcm
                    self.put(d, audio.pcm)
                spoken.update(batch)
                del audios
            pcm = recent.get(digest)
            if pcm is None:
                pcm = self.get(digest)
            if pcm is None:  # removed meanwhile (a concurrent clear) or never writable: speak it again
                pcm = voice.synthesize([text_of[digest]])[0].pcm
            yield Audio(pcm, voice.rate)

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
            for path in (self.folder / CHUNKS).glob(f"*{CHUNK_SUFFIX}"):
                path.unlink(missing_ok=True)  # mastered chunks go too; they count as no segment
            for sub in self.folder.iterdir():
                if sub.is_dir():
                    try:
                        sub.rmdir()
                    except OSError:
                        pass  # a concurrent build just wrote into it
        return count


# --- size cap and hit rate (kept apart from storage: functions of their own) ---

STATS_NAME = "stats.json"


def _stats_path(cache: SegmentCache) -> Path:
    return cache.folder / STATS_NAME


def stats(cache: SegmentCache) -> CacheStats:
    """Hits and misses of every build that used this cache folder (``podcast cache info``)."""
    try:
        data = json.loads(_stats_path(cache).read_text(encoding="utf-8"))
        return CacheStats(hits=int(data["hits"]), misses=int(data["misses"]))
    except (OSError, ValueError, KeyError, TypeError):
        return CacheStats()


def record_use(cache: SegmentCache, identity: str, texts: Sequence[str], run: CacheStats) -> None:
    """After a build: the segments it used marked as used now (eviction is least recently used;
    atime is not trusted, mounts often disable it) and its hits and misses added to the totals.
    Concurrent builds may lose one another's counts; never a build."""
    now = time.time()
    for digest in dict.fromkeys(key(identity, text) for text in texts):
        try:
            os.utime(cache.path(digest), (now, now))
        except OSError:
            continue  # never written (a read-only cache) or evicted by another build
    total = stats(cache)
    total.hits += run.hits
    total.misses += run.misses
    try:
        cache._write(_stats_path(cache), ".json", json.dumps(dataclasses.asdict(total)).encode())
    except OSError:  # _write already logs; a cache folder that cannot be written only costs speed
        pass


def _entries(cache: SegmentCache) -> list[tuple[float, int, Path]]:
    """(last use, size, path) of every cached segment and chunk."""
    found = []
    if not cache.folder.is_dir():
        return []
    for pattern in (f"*/*{SUFFIX}", f"{CHUNKS}/*{CHUNK_SUFFIX}"):
        for path in cache.folder.glob(pattern):
            if path.name.startswith(".tmp-"):
                continue
            try:
                info = path.stat()
            except OSError:
                continue
            found.append((max(info.st_mtime, info.st_atime), info.st_size, path))
    return found


def evict(cache: SegmentCache, max_bytes: int) -> int:
    """Delete the least recently used segments and chunks until the cache holds at most
    ``max_bytes`` (0: no cap); returns how many bytes went. A build reading one meanwhile speaks
    it again (a missing segment is a miss)."""
    if max_bytes <= 0:
        return 0
    entries = sorted(_entries(cache), key=lambda entry: entry[0])
    total = sum(size for _, size, _ in entries)
    freed = 0
    for _, size, path in entries:
        if total - freed <= max_bytes:
            break
        try:
            path.unlink()
        except OSError:
            continue
        freed += size
    if freed:
        log.info(
            "speech cache over %d MB: %.1f MB of least recently used audio removed", max_bytes // 10**6, freed / 1e6
        )
    return freed
