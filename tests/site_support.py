"""Shared by tests/test_site*.py (a helper module, not a test module): a show with two real episodes
built once per test session (copy it, never change it), and the reading of a page's links."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from helpers import new_show

from podcast import config as config_mod
from podcast.build import build

BASE_URL = "https://ecoute.example.org/lettre/"
HOSTILE = "La lettre <script>alert(1)</script> & « Cie »"
# Two issues of a newsletter, each of two short articles: every episode has three chapters
# (introduction and two articles); the first has a hostile title.
ARTICLES = {
    "lettre-1.txt": f"""{HOSTILE}
Le marché du samedi
Les producteurs reviennent sur la place avec les premières fraises. Les prix restent sages.
La bibliothèque rouvre
Après six mois de travaux, la médiathèque accueille de nouveau les lecteurs dès lundi.
""",
    "lettre-2.txt": """La lettre du canal : deuxième numéro
Une piste cyclable vers la gare
La commune trace deux kilomètres de piste protégée le long du canal.
Le cinéma fête ses cent ans
Une semaine de projections gratuites est prévue en juin.
""",
}
_TEMPLATE: list[Path] = []


def template_show() -> Path:
    """The built show (two episodes, pages written), made once per session."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="podcast-site-template-"))
        atexit.register(shutil.rmtree, folder, True)
        show = new_show(folder / "show", {"show": {"title": "La Lettre Écoute", "base_url": BASE_URL}})
        for index, (name, text) in enumerate(ARTICLES.items()):
            article = show / name
            article.write_text(text, encoding="utf-8")
            build(config_mod.load(show / "podcast.toml"), article, day=date(2025, 3, index + 1))
        _TEMPLATE.append(show)
    return _TEMPLATE[0]


def copy_show(destination: Path) -> config_mod.Config:
    """A copy of the built show, to change freely."""
    shutil.copytree(template_show(), destination)
    return config_mod.load(destination / "podcast.toml")


class Page(HTMLParser):
    """A page's tags as (tag, attributes), its text, and the URLs it refers to."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def meta(self, prop: str) -> str:
        found = [a["content"] for a in self.all("meta") if a.get("property") == prop]
        assert len(found) == 1, f"{prop}: {found}"
        return found[0]

    def urls(self) -> list[str]:
        return [attrs[key] for _, attrs in self.tags for key in ("href", "src") if attrs.get(key)]
