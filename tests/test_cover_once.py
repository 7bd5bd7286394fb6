"""A show's own cover is inflated once per content, not at every build: the sha256 of the bytes
that passed the full check is recorded in the show's private folder; any other bytes are checked."""

from __future__ import annotations

import pytest
from helpers import configure, load_show

from podcast import cover
from podcast.errors import ConfigError


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = cover._png_damage

    def counting(data: bytes) -> str | None:
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(cover, "_png_damage", counting)
    return calls


def test_the_same_cover_is_inflated_once(make_show, monkeypatch: pytest.MonkeyPatch) -> None:
    show = make_show()
    (show / "cover.png").write_bytes(cover.png(size=1400, seed="Mon émission"))
    configure(show, {"show": {"cover": "cover.png"}})
    config = load_show(show)
    config.state_dir.mkdir(parents=True, exist_ok=True)  # as after a first build
    calls = _counted(monkeypatch)
    first = cover.check_cover(config)
    assert cover.check_cover(config) == first and len(calls) == 1


def test_a_damaged_cover_of_the_same_size_is_still_refused(make_show, monkeypatch: pytest.MonkeyPatch) -> None:
    show = make_show()
    good = cover.png(size=1400, seed="Mon émission")
    (show / "cover.png").write_bytes(good)
    configure(show, {"show": {"cover": "cover.png"}})
    config = load_show(show)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    calls = _counted(monkeypatch)
    cover.check_cover(config)
    damaged = bytearray(good)
    damaged[len(good) // 2] ^= 0xFF  # inside the image data: its CRC no longer matches
    (show / "cover.png").write_bytes(bytes(damaged))
    with pytest.raises(ConfigError, match="damaged"):
        cover.check_cover(config)
    assert len(calls) == 2
