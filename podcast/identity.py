"""What makes an episode itself (its source, not its title) and a show public (no placeholder left).

Build, inbox and recover key episodes with :func:`episode_key`; builds and the feed ask
:func:`placeholders` and :func:`placeholder_host` whether the show is still a trial.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .article import Issue
from .fsutil import slugify

if TYPE_CHECKING:
    from .config import Config


def episode_key(config: Config, source: Path | str, issue: Issue, source_id: str | None = None) -> str:
    """What makes two builds the same episode: its source, not its title. In order: ``source_id``
    (``--id``), the ``id`` of the front matter (a feed item's guid), a canonical ``url``, else the
    file: its path relative to the show folder (with ``..`` when outside it).
    The prefixes keep the kinds apart, and no title key (a slug) contains a colon."""
    for kind, value in (("id", source_id), ("id", issue.meta.get("id")), ("url", issue.meta.get("url"))):
        text = str(value).strip() if value is not None else ""
        if text:
            return f"{kind}:{text}"
    if isinstance(source, str) and "://" in source:  # a page that names no canonical URL
        return f"url:{source}"
    # Relative to the show folder even when outside it ("../inbox/x.txt"): a show moved or copied
    # together with its inbox keeps its episodes' identities.
    path = Path(source).resolve()
    return f"file:{Path(os.path.relpath(path, config.root.resolve())).as_posix()}"


def title_key(issue: Issue) -> str:
    """How episodes were keyed before sources were (their title's slug): the key of legacy rows,
    which the first build of the same title from a new source adopts (:meth:`Catalog.claim`).
    A title with nothing to slug (emoji, another script) is keyed by its hash."""
    digest = hashlib.sha256(issue.title.encode("utf-8")).hexdigest()[:12]
    return slugify(issue.title, max_length=120, fallback=f"episode-{digest}")


def text_hash(issue: Issue) -> str:
    return hashlib.sha256(json.dumps(issue.to_dict(), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# Settings a producer has not made their own yet: published as they are, they look like a test show.
PLACEHOLDERS = {"title": "Mon podcast", "author": "Podcast Builder", "email": "podcast@example.org"}
_EXAMPLE_HOSTS = ("example.org", "example.com", "example.net", "example", "test", "invalid", "localhost", "local")


def placeholder_host(url: str) -> bool:
    """Whether a URL's host is no public one: loopback, a private or unspecified address, an
    example or test domain (RFC 2606), localhost."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower()).split("/", 1)[0].rsplit("@", 1)[-1]
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "" or any(host == name or host.endswith("." + name) for name in _EXAMPLE_HOSTS)
    return address.is_loopback or address.is_unspecified or address.is_private or address.is_link_local


def placeholders(config: Config) -> list[str]:
    """One sentence per setting still at a placeholder value (builds log each as a warning)."""
    show = config.show
    found = [
        f"show.{name} is still the placeholder {getattr(show, name)!r}; set your own in podcast.toml"
        for name, value in PLACEHOLDERS.items()
        if getattr(show, name) == value
    ]
    if placeholder_host(show.base_url):
        found.append(
            f"show.base_url {show.base_url!r} is not a public address: listeners cannot reach the feed, "
            "and the show's podcast:guid is not fixed until it is"
        )
    return found
