"""podcast-builder: French articles and newsletters -> podcast episodes and an RSS feed.

The pipeline, one module per stage: :mod:`article` (text -> structure), :mod:`segment` (structure
-> spoken segments), :mod:`speech` (what a voice says), :mod:`voices` (engines and cache),
:mod:`master` (audio), :mod:`tags` (ID3), :mod:`catalog` (SQLite), :mod:`feed` (RSS), and
:mod:`build`, which runs them in order.
"""

from __future__ import annotations

from .errors import PodcastError

__all__ = ["PodcastError", "__version__"]
__version__ = "0.1.0"
