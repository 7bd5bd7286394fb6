"""ID3 tags: one declarative table from episode fields to frames, plus chapters (CHAP + CTOC).

Written with mutagen after encoding; nothing time-dependent is written, so the same episode gives
the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from mutagen.id3 import (
    APIC, CHAP, COMM, CTOC, ID3, PCST, TALB, TCON, TDRC, TIT2, TLAN, TPE1, TRCK, USLT, WFED,
    CTOCFlags, Encoding, PictureType,
)
from mutagen import MutagenError

from .errors import PublishError
from .master import Chapter


@dataclass(frozen=True)
class EpisodeTags:
    title: str
    show: str
    author: str
    date: str  # YYYY-MM-DD
    number: int
    description: str
    transcript: str
    feed_url: str
    language: str = "fre"
    genre: str = "Podcast"
    cover: bytes | None = None
    cover_mime: str = "image/png"


# field -> frame factory; None values are left out.
FRAMES: dict[str, Callable[[EpisodeTags], object]] = {
    "title": lambda t: TIT2(encoding=Encoding.UTF16, text=t.title),
    "author": lambda t: TPE1(encoding=Encoding.UTF16, text=t.author),
    "show": lambda t: TALB(encoding=Encoding.UTF16, text=t.show),
    "genre": lambda t: TCON(encoding=Encoding.LATIN1, text=t.genre),
    "date": lambda t: TDRC(encoding=Encoding.LATIN1, text=t.date),  # saved as TYER+TDAT in v2.3
    "number": lambda t: TRCK(encoding=Encoding.LATIN1, text=str(t.number)),
    "language": lambda t: TLAN(encoding=Encoding.LATIN1, text=t.language),
    "description": lambda t: COMM(encoding=Encoding.UTF16, lang=t.language, desc="", text=t.description),
    "transcript": lambda t: USLT(encoding=Encoding.UTF16, lang=t.language, desc="transcript", text=t.transcript),
    "feed_url": lambda t: WFED(url=t.feed_url),
    "podcast": lambda t: PCST(value=1),
    "cover": lambda t: t.cover
    and APIC(encoding=Encoding.LATIN1, mime=t.cover_mime, type=PictureType.COVER_FRONT, desc="", data=t.cover),
}


def chapter_frames(chapters: Sequence[Chapter]) -> list[object]:
    ids = [f"chp{i}" for i in range(len(chapters))]
    frames: list[object] = [
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=Encoding.UTF16, text="Chapitres")],
        )
    ]
    for cid, chapter in zip(ids, chapters):
        frames.append(
            CHAP(
                element_id=cid,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=Encoding.UTF16, text=chapter.title)],
            )
        )
    return frames


def write(path: Path, tags: EpisodeTags, chapters: Sequence[Chapter], version: int = 3) -> None:
    try:
        id3 = ID3()
        for factory in FRAMES.values():
            frame = factory(tags)
            if frame:
                id3.add(frame)
        for frame in chapter_frames(chapters):
            id3.add(frame)
        id3.save(path, v2_version=version, v1=0, padding=lambda info: 0)
    except (MutagenError, OSError) as err:
        raise PublishError(f"cannot write ID3 tags: {err}", path=path) from None
