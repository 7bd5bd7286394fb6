"""The ``podcast`` command: parse, call one library function, turn PodcastError into one line.

Logging and progress bars are configured here only; a progress bar appears only on a terminal.
"""

from . import episodes, show, tools  # noqa: F401 - each module registers its commands on the group
from .base import _interactive, cli, main

__all__ = ["cli", "main", "_interactive"]
