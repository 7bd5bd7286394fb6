"""Content-addressed cache of synthesized segments, shared by every show of a user.

Key: sha256 of the voice identity (engine, voice, options) and the exact text. Files are written
to a temporary name and renamed, so builds running at once never see half a segment. Every entry
carries its length and sha256 (a header before a segment's samples, a ``.sum`` file beside a
chunk), checked on every read: a damaged entry (a bad restore, a full disk, a flipped bit) is
discarded with a warning and made again, never used.

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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..diskspace import ensure_space
from .base import Audio, Progress, Voice

if TYPE_CHECKING:
    from ..config import Config

SUFFIX = ".seg"  # header + s16le samples (entries of older versions, ``.pcm``, are not read)
LEGACY_SUFFIX = ".pcm"
CHUNKS = "chunks"
CHUNK_SUFFIX = ".mp3"
SUM_SUFFIX = ".sum"  # beside each chunk: "<length> <sha256>"
# A segment file: MAGIC, the samples' length (8 bytes, big-endian), their sha256, then the samples.
MAGIC = b"PCBSEG1\n"
HEADER = len(MAGIC) + 8 + 32
BATCH_CHARS = 12_000  # about 12 minutes of speech (30 MB at 22 kHz) per call to the voice
# A ``.tmp-*`` file older than this was left by a killed build: a running build renames its own
# within seconds (a one-hour segment is never written), so sweeping it never breaks a writer.
STALE_TEMP_SECONDS = 3600
USAGE_NAME = "usage.json"  # the bytes the cache held at its last scan, plus what builds wrote since
RESCAN_SECONDS = 86_400  # the usage is counted again at least daily (concurrent builds, hand deletions)
TEMP_PREFIX = ".tmp-"

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
        self._swept = False
        self.written = 0  # bytes this object put in the cache (for :func:`evict`'s usage count)

    def path(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}{SUFFIX}"

    def get(self, digest: str) -> bytes | None:
        """The segment's samples, or None when absent or damaged (a damaged entry is removed)."""
        path = self.path(digest)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        problem = _segment_problem(data)
        if problem:
            self._discard(path, problem)
            return None
        return data[HEADER:]

    def put(self, digest: str, pcm: bytes) -> None:
        """Write under a temporary name in the same folder, then rename: readers see all or nothing."""
        header = MAGIC + len(pcm).to_bytes(8, "big") + hashlib.sha256(pcm).digest()
        self._write(self.path(digest), SUFFIX, [header, pcm])

    def _discard(self, path: Path, problem: str) -> None:
        log.warning("discarding a damaged cache entry %s (%s); it is made again", path, problem)
        for damaged in (path, path.with_name(path.name + SUM_SUFFIX)):
            try:
                damaged.unlink(missing_ok=True)
            except OSError:
                pass

    def _write(self, target: Path, suffix: str, data: list[bytes] | Path) -> None:
        """All or nothing under ``target``. Free space is checked first: a build stops cleanly
        (:class:`~podcast.errors.PublishError`) rather than filling the disk with cache."""
        if not self._swept:
            self._swept = True
            sweep_temporary(self.folder)
        size = data.stat().st_size if isinstance(data, Path) else sum(map(len, data))
        ensure_space(self.folder, size, "the speech cache")
        tmp: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=suffix)
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, Path):
                    with open(data, "rb") as source:
                        shutil.copyfileobj(source, out)
                else:
                    for block in data:
                        out.write(block)
            os.replace(tmp, target)
            tmp = None
            self.written += size
        except OSError as err:
            # A cache that cannot be written only costs speed, never a build.
            log.warning("cannot write the speech cache in %s: %s", self.folder, err)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    # --- mastered chunks (podcast.master.ChunkStore) ---

    def chunk_path(self, digest: str) -> Path:
        return self.folder / CHUNKS / f"{digest}{CHUNK_SUFFIX}"

    def get_chunk(self, digest: str) -> Path | None:
        """The stored chunk, once its length and sha256 match what was recorded when it was put."""
        path = self.chunk_path(digest)
        try:
            recorded = path.with_name(path.name + SUM_SUFFIX).read_text(encoding="ascii").split()
            data = path.read_bytes()
        except FileNotFoundError:
            if path.exists():
                self._discard(path, "no length and digest recorded")
            return None
        except (OSError, UnicodeDecodeError) as err:
            self._discard(path, f"unreadable: {err}")
            return None
        expected = [str(len(data)), hashlib.sha256(data).hexdigest()]
        if recorded != expected:
            why = "its length changed" if recorded[:1] != expected[:1] else "its content changed"
            self._discard(path, why)
            return None
        return path

    def put_chunk(self, digest: str, path: Path) -> None:
        """The chunk, then its record: a record exists only beside a complete chunk."""
        data = path.read_bytes()
        target = self.chunk_path(digest)
        record = f"{len(data)} {hashlib.sha256(data).hexdigest()}\n".encode("ascii")
        self._write(target, CHUNK_SUFFIX, [data])
        self._write(target.with_name(target.name + SUM_SUFFIX), SUM_SUFFIX, [record])

    # --- synthesis ---

    def _held(self, digest: str) -> bool:
        """Whether the entry is there at its recorded length (its digest is checked when read)."""
        path = self.path(digest)
        try:
            with open(path, "rb") as handle:
                header = handle.read(HEADER)
                size = os.fstat(handle.fileno()).st_size
        except OSError:
            return False
        problem = _segment_problem(header, size)
        if problem:
            self._discard(path, problem)
            return False
        return True

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
        # A batch's entries are written (hashed, checked for space, renamed) by a thread while its
        # segments are mastered: ~1 ms each, which kept a core idle between synthesis and encoding.
        # Writes are drained before the next batch (it may read one back) and at the end, where a
        # failed one (a full disk: PublishError) is raised as it was when written in line.
        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-write")
        writing: list[Future[None]] = []

        def drain() -> None:
            for done in writing:
                done.result()
            writing.clear()

        try:
            for digest in digests:
                if digest in missing and digest not in spoken:
                    drain()
                    batch = batches[next_batch]
                    next_batch += 1
                    audios = voice.synthesize([text_of[d] for d in batch], progress)
                    if progress and (again := sum(repeats[d] - 1 for d in batch)):
                        progress(again)
                    recent = {}
                    for d, audio in zip(batch, audios):
                        recent[d] = audio.pcm
                        writing.append(writer.submit(self.put, d, audio.pcm))
                    spoken.update(batch)
                    del audios
                pcm = recent.get(digest)
                if pcm is None:
                    pcm = self.get(digest)
                if pcm is None:  # damaged or removed meanwhile (a concurrent clear): speak it again
                    pcm = voice.synthesize([text_of[digest]])[0].pcm
                    self.put(digest, pcm)
                    recent[digest] = pcm
                yield Audio(pcm, voice.rate)
            drain()
        finally:
            writer.shutdown(wait=True)  # on an error elsewhere, its own exception wins

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
            for path in self.folder.rglob(f"*{LEGACY_SUFFIX}"):
                path.unlink(missing_ok=True)  # entries of older versions, never read again
            for pattern in (f"*{CHUNK_SUFFIX}", f"*{SUM_SUFFIX}"):
                for path in (self.folder / CHUNKS).glob(pattern):
                    path.unlink(missing_ok=True)  # mastered chunks go too; they count as no segment
            for sub in self.folder.iterdir():
                if sub.is_dir():
                    try:
                        sub.rmdir()
                    except OSError:
                        pass  # a concurrent build just wrote into it
        return count


def sweep_temporary(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove the ``.tmp-*`` files killed builds left in the cache (older than ``older_than``
    seconds); returns how many. Called once per :class:`SegmentCache`, at its first write: one
    scandir of the cache folder and of each of its folders (segments' ``ab/``, ``chunks/``), and a
    stat only of the temporary files. Errors are ignored: a cache only costs or saves speed."""
    limit = time.time() - older_than
    removed = 0
    folders, seen = [Path(folder)], 0
    while seen < len(folders):  # the cache folder, then each folder in it (one level: that is all it has)
        sub, top = folders[seen], seen == 0
        seen += 1
        try:
            with os.scandir(sub) as entries:
                temps = []
                for entry in entries:
                    if entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
                        temps.append(entry)
                    elif top and entry.is_dir(follow_symlinks=False):
                        folders.append(Path(entry.path))
        except OSError:
            continue
        for entry in temps:
            try:
                if entry.stat(follow_symlinks=False).st_mtime < limit:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue  # renamed or removed meanwhile
    if removed:
        log.info("removed %d temporary file(s) left in the speech cache by interrupted builds", removed)
    return removed


def _segment_problem(data: bytes, size: int | None = None) -> str | None:
    """Why a segment file (``data``, or only its header when ``size`` is the file's size) is not
    what was written, or None."""
    if len(data) < HEADER or not data.startswith(MAGIC):
        return "empty" if not data else "no valid header"
    length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "big")
    actual = (len(data) if size is None else size) - HEADER
    if actual != length:
        return f"{actual} bytes of samples instead of {length}"
    if length % 2:
        return "an odd number of bytes cannot be 16-bit samples"
    if size is None and hashlib.sha256(data[HEADER:]).digest() != data[len(MAGIC) + 8 : HEADER]:
        return "its content changed"
    return None


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
        cache._write(_stats_path(cache), ".json", [json.dumps(dataclasses.asdict(total)).encode()])
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
    it again (a missing segment is a miss).

    Listing a full cache costs about 0.5 s (60,000 entries under the default 2 GB cap), after every
    build: so the folder is listed only when the usage counted at the last listing plus what was
    written since could exceed the cap, or that count is a day old or missing. Builds racing may
    lose one another's additions; the daily listing corrects that, and the cap is a soft one."""
    if max_bytes <= 0:
        return 0
    usage = _usage(cache)
    if usage is not None and usage[0] + cache.written <= max_bytes and time.time() - usage[1] < RESCAN_SECONDS:
        _save_usage(cache, usage[0] + cache.written, usage[1])
        return 0
    entries = sorted(_entries(cache), key=lambda entry: entry[0])
    total = sum(size for _, size, _ in entries)
    freed = 0
    for _, size, path in entries:
        if total - freed <= max_bytes:
            break
        try:
            path.unlink()
            path.with_name(path.name + SUM_SUFFIX).unlink(missing_ok=True)  # a chunk's length and digest
        except OSError:
            continue
        freed += size
    if freed:
        log.info(
            "speech cache over %d MB: %.1f MB of least recently used audio removed", max_bytes // 10**6, freed / 1e6
        )
    _save_usage(cache, total - freed, time.time())
    return freed


def _usage(cache: SegmentCache) -> tuple[int, float] | None:
    """(bytes, when counted) from the cache's usage file; None when absent or unreadable."""
    try:
        data = json.loads((cache.folder / USAGE_NAME).read_text(encoding="utf-8"))
        return int(data["bytes"]), float(data["scanned"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_usage(cache: SegmentCache, size: int, scanned: float) -> None:
    """Record the usage; what this object wrote is counted in it from now on."""
    cache._write(cache.folder / USAGE_NAME, ".json", [json.dumps({"bytes": size, "scanned": scanned}).encode()])
    cache.written = 0
