"""What a build loads before it knows it has sound to make: an unchanged article is skipped without
the speech rules, mastering, ID3 or network modules (docs/benchmarks.md). No timing here: the
modules themselves are checked, in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Imported only by the stages that need them; each costs milliseconds at every start.
HEAVY = (
    "markdown_it",
    "num2words",
    "mutagen",
    "ssl",
    "urllib.request",
    "podcast.sources.fetch",
    "podcast.speech",
    "podcast.master",
    "podcast.tags",
)
LOADED = """
import sys
from pathlib import Path

import podcast.build
import podcast.cli
from podcast import article

article.read(Path(sys.argv[1]))
print(" ".join(name for name in sys.argv[2:] if name in sys.modules))
"""


def _loaded_after_reading(path: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", LOADED, str(path), *HEAVY], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_reading_a_text_article_loads_no_sound_stage_nor_network(tmp_path: Path) -> None:
    text = tmp_path / "lettre.txt"
    text.write_text("Une piste cyclable\nLa ville ouvre une piste de 12 km.\n", encoding="utf-8")
    assert _loaded_after_reading(text) == set()


def test_the_check_sees_a_module_that_is_loaded(tmp_path: Path) -> None:
    """The same check does see a heavy module once something needs it: Markdown needs markdown-it."""
    markdown = tmp_path / "lettre.md"
    markdown.write_text("# Une piste cyclable\n\nLa ville ouvre une [piste](https://ex.org/p).\n", encoding="utf-8")
    assert "markdown_it" in _loaded_after_reading(markdown)


def test_fetch_error_is_still_reachable_from_the_sources_package() -> None:
    from podcast import sources
    from podcast.sources.fetch import FetchError

    assert sources.FetchError is FetchError
    assert sources.is_url("HTTPS://ex.org/a") and not sources.is_url("ex.org/a")
