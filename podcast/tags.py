"""ID3 tags: one declarative table from episode fields to frames, plus chapters (CHAP + CTOC).

Written with mutagen after encoding; nothing time-dependent is written, so the same episode gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDES,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TRCK,
    TXXX,
    USLT,
    WFED,
    WOAS,
    CTOCFlags,
    Encoding,
    Frame,
    PictureType,
)

from .errors import PublishError
from .timeline import Chapter


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
    # What made the episode and where it was read from: `podcast recover` reads them back.
    engine: str = ""
    voice: str = ""
    link: str = ""  # the source page (http(s)), as the feed item's <link>


# The descriptions of our TXXX frames (user-defined text), as recover reads them back.
ENGINE_DESC, VOICE_DESC = "podcast-builder engine", "podcast-builder voice"


_T, _U = Encoding.LATIN1, Encoding.UTF16  # UTF-16 with BOM: readable by ID3v2.3 and v2.4 readers

# The one table: ID3 frame -> how it is made from the episode's fields. Empty values are left out.
# TDRC is written as TYER + TDAT in ID3v2.3; PCST, WFED and TDES are Apple's podcast frames; WOAS
# (the official audio source page) holds the source page, TXXX frames the engine and voice.
FRAMES: dict[str, Callable[[EpisodeTags], Frame | None]] = {
    "TIT2": lambda t: TIT2(encoding=_U, text=t.title),
    "TPE1": lambda t: TPE1(encoding=_U, text=t.author),
    "TALB": lambda t: TALB(encoding=_U, text=t.show),
    "TDRC": lambda t: TDRC(encoding=_T, text=t.date),
    "TCON": lambda t: TCON(encoding=_T, text=t.genre),
    "TRCK": lambda t: TRCK(encoding=_T, text=str(t.number)),
    "TLAN": lambda t: TLAN(encoding=_T, text=t.language),
    "COMM": lambda t: COMM(encoding=_U, lang=t.language, desc="", text=t.description) if t.description else None,
    "TDES": lambda t: TDES(encoding=_U, text=t.description) if t.description else None,
    "USLT": lambda t: (
        USLT(encoding=_U, lang=t.language, desc="transcript", text=t.transcript) if t.transcript else None
    ),
    "PCST": lambda t: PCST(value=1),
    "WFED": lambda t: WFED(url=t.feed_url) if t.feed_url else None,
    "WOAS": lambda t: WOAS(url=t.link) if t.link else None,
    f"TXXX:{ENGINE_DESC}": lambda t: TXXX(encoding=_U, desc=ENGINE_DESC, text=t.engine) if t.engine else None,
    f"TXXX:{VOICE_DESC}": lambda t: TXXX(encoding=_U, desc=VOICE_DESC, text=t.voice) if t.voice else None,
    "APIC": lambda t: (
        APIC(encoding=_T, mime=t.cover_mime, type=PictureType.COVER_FRONT, desc="", data=t.cover) if t.cover else None
    ),
}


def chapter_frames(chapters: Sequence[Chapter]) -> list[CHAP | CTOC]:
    """The table of contents, then one CHAP per chapter in time order, times in milliseconds."""
    ordered = sorted(chapters, key=lambda c: c.start_ms)
    ids = [f"chp{i:03d}" for i in range(len(ordered))]
    frames: list[CHAP | CTOC] = [
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=Encoding.UTF16, text="Chapitres")],
        )
    ]
    for cid, chapter in zip(ids, ordered):
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


class _ChapteredID3(ID3):
    """mutagen orders frames by size, so CHAP frames would land shuffled, and ffprobe and many
    players list chapters in file order. Write every other frame as mutagen does, then the
    CTOC and the CHAP frames in the order given."""

    def __init__(self, chapters: Sequence[CHAP | CTOC]) -> None:
        super().__init__()
        self._chapters = list(chapters)

    def _write(self, config):  # type: ignore[no-untyped-def]
        from mutagen.id3._tags import save_frame  # the same encoder mutagen uses for every frame

        head = super()._write(config)
        return head + bytearray().join(save_frame(frame, config=config) for frame in self._chapters)


def build_tags(tags: EpisodeTags) -> list[Frame]:
    """The frames of the table, in its order; empty fields are left out."""
    return [frame for frame in (factory(tags) for factory in FRAMES.values()) if frame]


def write(path: Path, tags: EpisodeTags, chapters: Sequence[Chapter], version: int = 3) -> None:
    """Replace the MP3's ID3 tag; nothing time-dependent is written (reproducible builds)."""
    try:
        id3 = _ChapteredID3(chapter_frames(chapters))
        for frame in build_tags(tags):
            id3.add(frame)
        if version == 3:
            id3.update_to_v23()  # TDRC becomes TYER + TDAT; mutagen leaves this to the caller
        id3.save(path, v2_version=version, v1=0, padding=lambda info: 0)
    except (MutagenError, OSError) as err:
        raise PublishError(f"cannot write ID3 tags: {err}", path=path) from None
