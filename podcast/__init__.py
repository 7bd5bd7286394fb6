"""podcast-builder: French articles and newsletters -> podcast episodes and an RSS feed.

The pipeline, one module per stage: :mod:`article` (text -> structure), :mod:`segment` (structure
-> spoken segments), :mod:`speech` (what a voice says), :mod:`voices` (engines and cache),
:mod:`master` (audio), :mod:`tags` (ID3), :mod:`catalog` (SQLite), :mod:`feed` (RSS),
:mod:`publish` (the locked, atomic transaction that changes files, catalog and feed together), and
:mod:`build`, which runs them in order.

The public API is re-exported here and loaded on first use, so ``import podcast`` (and the CLI's
start-up) stays cheap::

    import podcast
    show = podcast.load_config("podcast.toml")
    result = podcast.build_episode(show, Path("numero-12.txt"))
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import PodcastError

__version__ = "0.1.0"

# name -> (module, attribute): what `from podcast import X` offers.
_EXPORTS = {
    "Config": ("config", "Config"),
    "load_config": ("config", "load"),
    "init_show": ("config", "init"),
    "Issue": ("article", "Issue"),
    "Article": ("article", "Article"),
    "Section": ("article", "Section"),
    "read_article": ("article", "read"),
    "parse_article": ("article", "parse"),
    "Segment": ("segment", "Segment"),
    "Plan": ("build", "Plan"),
    "BuildResult": ("build", "BuildResult"),
    "BuildStatus": ("build", "BuildStatus"),
    "VoiceChoice": ("build", "VoiceChoice"),
    "Reporter": ("build", "Reporter"),
    "plan": ("build", "plan"),
    "build_episode": ("build", "build"),  # not "build": that is the submodule's name
    "regenerate_feed": ("publish", "regenerate_feed"),
    "list_episodes": ("publish", "list_episodes"),
    "remove": ("publish", "remove"),
    "french_date": ("dates", "french_date"),
    "build_inbox": ("inbox", "run"),
    "Episode": ("catalog", "Episode"),
    "upload_show": ("upload", "publish"),  # not "publish": that is the submodule's name
    "PublishResult": ("upload", "PublishResult"),
}

__all__ = ["PodcastError", "__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'podcast' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value
