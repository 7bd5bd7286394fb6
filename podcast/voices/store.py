"""The Piper voices on this machine, and the catalogue of French ones we know how to fetch.

A voice is two files, ``NAME.onnx`` and ``NAME.onnx.json``, installed together in
``<voices folder>/NAME/`` (platformdirs' user data folder, or ``$PODCAST_VOICES_DIR``). A download
goes to a hidden ``.NAME.part/`` folder beside it: each file grows as ``FILE.part`` (resumed with an
HTTP Range request after an interruption), is checked against the catalogue's size and MD5, and the
folder is renamed to ``NAME/`` only when both files are complete and right. So a voice is either
installed whole or not at all. The catalogue (``voices-fr.json``) comes from the voice repository's
own ``voices.json``, which publishes sizes and MD5 digests, not sha256.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigError, VoiceError

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
ENV_URL = "PODCAST_VOICES_URL"  # a mirror with the repository's layout: BASE/fr/fr_FR/siwis/medium/...
ENV_DIR = "PODCAST_VOICES_DIR"
BLOCK = 1 << 16

DownloadProgress = Callable[[str, int, int], None]  # (file name, bytes so far, bytes in all)


class DownloadError(VoiceError):
    """A voice could not be fetched or failed its checks; nothing was installed."""


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    md5: str


@dataclass(frozen=True)
class CatalogueVoice:
    """One voice of the catalogue: where it lives in the repository and what it costs."""

    name: str
    folder: str  # in the repository: fr/fr_FR/siwis/medium
    quality: str
    num_speakers: int
    speakers: tuple[str, ...]
    sample_rate: int
    licence: str
    model: RemoteFile
    config: RemoteFile

    @property
    def files(self) -> tuple[RemoteFile, RemoteFile]:
        return self.config, self.model  # the small one first: a wrong mirror shows at once


@dataclass(frozen=True)
class InstalledVoice:
    name: str
    model: Path
    size: int


def folder() -> Path:
    """Where voices are installed: ``$PODCAST_VOICES_DIR``, else ``<user data>/podcast-builder/voices``."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("podcast-builder", appauthor=False)) / "voices"


def base_url() -> str:
    return (os.environ.get(ENV_URL) or DEFAULT_BASE_URL).rstrip("/")


def catalogue() -> list[CatalogueVoice]:
    """The French Piper voices we can download, from the package's ``voices-fr.json``."""
    data = json.loads(resources.files(__package__).joinpath("voices-fr.json").read_text(encoding="utf-8"))
    voices = []
    for item in data["voices"]:
        name = item["name"]
        voices.append(
            CatalogueVoice(
                name=name,
                folder=item["folder"],
                quality=item["quality"],
                num_speakers=item["num_speakers"],
                speakers=tuple(item["speakers"]),
                sample_rate=item["sample_rate"],
                licence=item["licence"],
                model=RemoteFile(f"{name}.onnx", item["model"]["size"], item["model"]["md5"]),
                config=RemoteFile(f"{name}.onnx.json", item["config"]["size"], item["config"]["md5"]),
            )
        )
    return voices


def lookup(name: str) -> CatalogueVoice:
    for voice in catalogue():
        if voice.name == name:
            return voice
    known = ", ".join(voice.name for voice in catalogue())
    raise ConfigError(f"no voice {name!r} in the catalogue; choose one of {known}")


def installed(where: Path | None = None) -> list[InstalledVoice]:
    """Voices whose two files are both in place, by name."""
    root = where or folder()
    found = []
    if root.is_dir():
        for sub in sorted(root.iterdir()):
            model = sub / f"{sub.name}.onnx"
            if sub.is_dir() and not sub.name.startswith(".") and model.is_file() and Path(f"{model}.json").is_file():
                found.append(InstalledVoice(sub.name, model, model.stat().st_size))
    return found


@dataclass(frozen=True)
class Listing:
    """One line of ``podcast voices``: a catalogue voice, an installed one, or both."""

    name: str
    entry: CatalogueVoice | None
    installed: InstalledVoice | None


def overview(where: Path | None = None) -> list[Listing]:
    """Every voice installed here or in the catalogue, installed ones first."""
    local = {voice.name: voice for voice in installed(where)}
    entries = {voice.name: voice for voice in catalogue()}
    names = sorted(set(local) | set(entries), key=lambda n: (n not in local, n))
    return [Listing(name, entries.get(name), local.get(name)) for name in names]


def find(name: str, where: Path | None = None) -> Path | None:
    """The .onnx of the installed voice ``name``, or None."""
    model = (where or folder()) / name / f"{name}.onnx"
    return model if model.is_file() and Path(f"{model}.json").is_file() else None


def manual_hint(name: str, where: Path | None = None) -> str:
    """One line: how to install a voice by hand, for a machine that cannot download it."""
    try:
        remote = f"{base_url()}/{lookup(name).folder}/"
    except ConfigError:
        remote = "the Piper voice repository"
    target = (where or folder()) / name
    return f"copy {name}.onnx and {name}.onnx.json from {remote} into {target}/"


def not_installed(name: str) -> str:
    return f"voice {name!r} is not installed: download it (podcast voices download {name}) or {manual_hint(name)}"


def remove(name: str, where: Path | None = None) -> Path:
    """Delete an installed voice (and any unfinished download of it); returns the folder removed."""
    root = where or folder()
    target = root / name
    partial = root / f".{name}.part"
    if not target.is_dir() and not partial.is_dir():
        raise ConfigError(f"voice {name!r} is not installed in {root}")
    shutil.rmtree(partial, ignore_errors=True)
    if target.is_dir():
        try:
            shutil.rmtree(target)
        except OSError as err:
            raise VoiceError(f"cannot remove {target}: {err.strerror}") from None
    return target


def download(
    name: str,
    *,
    progress: DownloadProgress | None = None,
    url: str | None = None,
    where: Path | None = None,
    timeout: float = 30.0,
) -> Path:
    """Fetch ``name``'s model and config, check them, install them together; returns the .onnx path.

    An interrupted or too slow transfer keeps what arrived (``.NAME.part/FILE.part``) for the next
    call to resume; a file of the wrong size or digest is deleted. Either way nothing is installed.
    """
    voice = lookup(name)
    root = where or folder()
    target = root / name
    if find(name, root) is not None:
        return target / f"{name}.onnx"
    staging = root / f".{name}.part"
    try:
        staging.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DownloadError(f"cannot write voices into {root}: {err.strerror}") from None
    remote = f"{(url or base_url()).rstrip('/')}/{voice.folder}"
    try:
        for item in voice.files:
            done = staging / item.name
            if done.is_file() and _matches(done, item):
                continue
            _fetch(f"{remote}/{item.name}", staging / f"{item.name}.part", item, progress, timeout, name)
            os.replace(staging / f"{item.name}.part", done)
    except DownloadError:
        if not any(staging.iterdir()):
            staging.rmdir()  # nothing to resume: leave no trace
        raise
    try:
        if target.exists():  # a broken install (one file missing): replaced whole
            shutil.rmtree(target)
        os.replace(staging, target)
    except OSError as err:
        raise DownloadError(f"cannot install {name} into {target}: {err.strerror}") from None
    log.info("installed voice %s in %s", name, target)
    return target / f"{name}.onnx"


def _matches(path: Path, item: RemoteFile) -> bool:
    return path.stat().st_size == item.size and _md5(path) == item.md5


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _interrupted(url: str, part: Path, item: RemoteFile, name: str, reason: object) -> DownloadError:
    kept = part.stat().st_size if part.is_file() else 0
    more = f" ({kept} of {item.size} bytes kept: run again to resume)" if kept else ""
    return DownloadError(
        f"cannot download {item.name} from {urlsplit(url).netloc}: {reason}{more}; offline, {manual_hint(name)}"
    )


def _fetch(
    url: str, part: Path, item: RemoteFile, progress: DownloadProgress | None, timeout: float, name: str
) -> None:
    """Append the rest of ``url`` to ``part``, then check its size and MD5 (a bad file is deleted)."""
    have = part.stat().st_size if part.is_file() else 0
    if have > item.size:
        part.unlink()
        have = 0
    if have < item.size:
        request = urllib.request.Request(url, headers={"User-Agent": "podcast-builder"})
        if have:
            request.add_header("Range", f"bytes={have}-")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # TLS verified by default
                if have and response.status != 206:
                    have = 0  # the server ignored the range: start again
                with open(part, "ab" if have else "wb") as out:
                    while block := response.read(BLOCK):
                        out.write(block)
                        have += len(block)
                        if progress:
                            progress(item.name, have, item.size)
                        if have > item.size:
                            break
        except urllib.error.HTTPError as err:
            if err.code != 416:  # 416: nothing left to send, the check below decides
                raise DownloadError(f"{url} answered {err.code} {err.reason}; nothing installed") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
            reason = getattr(err, "reason", None) or err
            if isinstance(reason, TimeoutError):
                reason = f"no data for {timeout:g} s"
            raise _interrupted(url, part, item, name, reason) from None
    size = part.stat().st_size if part.is_file() else 0
    if size < item.size:  # the server closed the connection early
        raise _interrupted(url, part, item, name, "the connection closed early")
    if size != item.size or _md5(part) != item.md5:
        part.unlink()
        what = f"{size} bytes instead of {item.size}" if size != item.size else "a wrong MD5 digest"
        raise DownloadError(f"{item.name} from {url} has {what}; deleted, nothing installed")
