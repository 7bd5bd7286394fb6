"""One base exception for everything a producer can get wrong or the machine can refuse.

The CLI catches :class:`PodcastError` once, prints ``str(err)`` on one line and exits with
``err.exit_code``; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path

# Documented exit codes (README, "Exit codes"; docs/operations.md, "Reliability").
EXIT_OK = 0
EXIT_FAILURE = 1  # a build or publish step failed
EXIT_USAGE = 2  # bad command line or bad input (article, podcast.toml)
EXIT_LOCKED = 3  # another build holds the show's lock
EXIT_VOICE = 4  # the chosen voice cannot speak (gTTS unreachable, espeak-ng missing)
EXIT_CATALOG = 5  # the show has published episodes but no usable catalog: run `podcast recover`
EXIT_INTERRUPTED = 130  # stopped by SIGINT (Ctrl-C): 128 + 2, as shells report it
EXIT_TERMINATED = 143  # stopped by SIGTERM (systemd, kill): 128 + 15


class PodcastError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code: int = EXIT_FAILURE

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.where = str(path) if path is not None else None  # as given: a URL keeps its "//"
        super().__init__(message)

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.where}: {message}" if self.where is not None else message


class ConfigError(PodcastError):
    """podcast.toml is missing, unreadable or holds a value we cannot use."""

    exit_code = EXIT_USAGE


class NoShowError(ConfigError):
    """No podcast.toml where the show was looked for."""


class ShowExistsError(ConfigError):
    """A new show was asked for where one already lives."""


class InputError(PodcastError):
    """The article given to build or preview cannot be read as text."""

    exit_code = EXIT_USAGE


class VoiceError(PodcastError):
    """A speech engine could not load or could not synthesize."""

    exit_code = EXIT_VOICE


class AudioError(PodcastError):
    """ffmpeg failed or produced something we cannot use."""


class CatalogError(PodcastError):
    """The SQLite catalog is unreadable, corrupted or locked."""


class CatalogLostError(CatalogError):
    """The publish folder holds episodes but the catalog is missing, empty or damaged.

    A new catalog would forget them: the next build would delete their files and number from 1 again.
    Nothing is written; ``podcast recover`` rebuilds the catalog from the feed, sidecars and ID3 tags."""

    exit_code = EXIT_CATALOG


class PublishError(PodcastError):
    """Writing the episode files or the feed failed; the published feed was left as it was."""


class LockedError(PodcastError):
    """Another build of the same show is running."""

    exit_code = EXIT_LOCKED


class NotFoundError(PodcastError):
    """The episode named on the command line is not in the catalog."""

    exit_code = EXIT_USAGE


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread by the CLI's handler so that, as for Ctrl-C, every
    context manager runs: the staging folder and temporary files go, the lock is released.
    A KeyboardInterrupt (not a PodcastError), so no ``except Exception`` can swallow it."""

    exit_code = EXIT_TERMINATED
