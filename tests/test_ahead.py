"""Work a build starts ahead, while it reads and segments (the jingles decoded, a new show's cover
drawn), lands where it always did: the same cover and sound, and nothing written by a build that
stops before making sound."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import configure, load_show

from podcast import cover, sounds
from podcast.build import build
from podcast.errors import ConfigError

ARTICLE = "Une piste cyclable\nLa ville ouvre une piste cyclable de douze kilomètres le long du canal.\n"


def test_a_new_shows_cover_is_the_drawn_one(make_show) -> None:
    show = make_show(articles={"a.txt": ARTICLE})
    config = load_show(show)
    build(config, show / "a.txt")
    assert (config.publish_dir / "cover.png").read_bytes() == cover.png(seed=config.show.title)


def test_a_build_refused_after_the_work_ahead_started_writes_no_cover(make_show) -> None:
    show = make_show(articles={"a.txt": ARTICLE})
    (show / "notes.wav").write_text("pas du son", encoding="utf-8")
    configure(show, {"audio": {"jingle_intro": "notes.wav"}})
    config = load_show(show)
    with pytest.raises(ConfigError, match="audio.jingle_intro"):
        build(config, show / "a.txt")
    assert not (config.publish_dir / "cover.png").exists()


def test_a_prefetched_sound_is_the_one_decoded_in_line(tmp_path: Path, make_show) -> None:
    config = load_show(make_show())
    sounds.prefetch(config.audio, config.root)
    path = sounds.shipped_jingle("transition")
    level = config.audio.loudness + config.audio.jingle_level
    ahead = sounds.music(path, config.audio.sample_rate, level, fade_in=0.0, fade_out=0.0)
    in_line = sounds._decode(path, config.audio.sample_rate, level)
    assert ahead.tobytes() == in_line
