"""Sources other than text: HTML newsletters, e-mails, web pages and feeds, served by a real local
HTTP server on 127.0.0.1; what a reader sees is read, the sending tool's boilerplate never is, and
every bad input is one line, its exit code, and nothing published.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
import tomli_w
from click.testing import CliRunner

from podcast import sources
from podcast.cli import cli
from podcast.errors import InputError
from podcast.inbox import articles
from podcast.sources.fetch import FetchError, fetch
from podcast.sources.html import read_html

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
BOILERPLATE = (
    "navigateur",
    "désabonner",
    "désinscrire",
    "préférences",
    "Facebook",
    "Instagram",
    "LinkedIn",
    "Sponsorisé",
    "Publicité",
    "VertFutur",
    "BanqueEx",
    "Copyright",
    "droits réservés",
    "Vous recevez",
    "Partager",
    "Abonnez-vous",
    "Commentaires",
    "Marie33",
    "Super article",
    "Accueil",
    "Cette semaine : la canicule",  # the preheader
    "Inflation, salaires",  # the preheader
    "masqué",
    "jamais lu",
    "Mentions légales",
)


# --- a local HTTP server ---------------------------------------------------------------------------


class Server:
    """Routes -> (status, headers, body); records every path asked for and the request headers."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.delays: dict[str, float] = {}
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path in server.delays:
                    time.sleep(server.delays[self.path])
                status, headers, body = server.routes.get(self.path, (404, {"Content-Type": "text/html"}, b"absent"))
                if "etag" in {k.lower() for k in headers} and self.headers.get("If-None-Match") == headers.get("ETag"):
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

    def add(
        self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200, **headers: str
    ) -> str:
        self.routes[path] = (status, {"Content-Type": content_type, **headers}, body)
        return self.base + path

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


def configure(show: Path, **read: object) -> Path:
    toml = show / "podcast.toml"
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    data["read"] = {**data.get("read", {}), **read}
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    return toml


def invoke(toml: Path, *args: str) -> object:
    return CliRunner(mix_stderr=False).invoke(cli, ["--config", str(toml), *args], catch_exceptions=False)


def preview(toml: Path, source: str) -> dict:
    result = invoke(toml, "preview", "--json", source)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def spoken(data: dict) -> str:
    return "\n".join(segment["text"] for segment in data["segments"])


def assert_no_boilerplate(data: dict) -> None:
    everything = json.dumps(data, ensure_ascii=False)
    for word in BOILERPLATE:
        assert word.casefold() not in everything.casefold(), word


# --- HTML files -----------------------------------------------------------------------------------


def test_substack_post_reads_as_a_reader_sees_it(show: Path) -> None:
    data = preview(show / "podcast.toml", str(FIXTURES / "substack.html"))
    assert data["title"] == "Le grand retour du train de nuit"
    assert [a["title"] for a in data["articles"]] == [
        "Le grand retour du train de nuit",
        "Paris–Nice, la ligne emblématique",
        "Et demain, l'Europe ?",
    ]
    assert [a["source"] for a in data["articles"]] == ["html lead", "html h2#1", "html h2#2"]
    assert data["articles"][1]["sections"][1]["heading"] == "Des prix en hausse"
    assert data["articles"][2]["links"] == [
        "Le rapport du ministère sur les trains de nuit (https://www.example.org/rapport-trains-de-nuit)",
        "La carte des lignes européennes (https://www.example.org/carte-europe)",
    ]
    assert data["credits"] == "Jeanne Dupont"
    assert data["meta"]["url"] == "https://lalettredurail.substack.com/p/le-grand-retour-du-train-de-nuit"
    assert data["meta"]["date"] == "2025-03-14" and data["meta"]["author"] == "Claire Martin"
    assert "rapport du ministère" not in spoken(data)  # show notes, not speech
    assert "Claire Martin · 14 mars" not in spoken(data)  # the byline
    assert all(s.get("source") for s in data["segments"] if s["article"] is not None)
    assert_no_boilerplate(data)


def test_mailchimp_table_layout_keeps_titles_and_drops_footer_and_sponsor(show: Path) -> None:
    data = preview(show / "podcast.toml", str(FIXTURES / "mailchimp.html"))
    assert data["title"] == "L'Hebdo Climat n°42"
    assert [a["title"] for a in data["articles"]] == [
        "L'Hebdo Climat n°42",
        "Une canicule en plein mois de mars",
        "Les éoliennes en mer tournent enfin",
        "La question de la semaine",
    ]
    assert data["articles"][2]["sections"][0]["heading"] == "Saint-Nazaire en tête"
    assert data["credits"] == "Marc Leroy / Hans Lucas"
    assert "31 degrés" in spoken(data)
    assert_no_boilerplate(data)


def test_sponsored_blocks_are_read_when_the_show_asks(show: Path) -> None:
    toml = configure(show, sponsored=True)
    data = preview(toml, str(FIXTURES / "mailchimp.html"))
    assert "Passez à l'énergie verte avec VertFutur" in [a["title"] for a in data["articles"]]


def test_hidden_and_never_read_elements() -> None:
    html = """<html><body><h1>Titre</h1>
    <p>Visible.</p>
    <p style="display: none">Caché un.</p><p hidden>Caché deux.</p><div aria-hidden="true">Caché trois.</div>
    <span class="preheader">Caché quatre.</span><p style="font-size:0">Caché cinq.</p>
    <script>var x = "Caché six";</script><style>p::after{content:"Caché sept"}</style>
    <template><p>Caché huit.</p></template><noscript>Caché neuf.</noscript>
    <iframe src="https://evil.example/">Caché dix.</iframe><p>Encore visible, <b>en gras</b> et &amp; entité.</p>
    </body></html>"""
    issue = read_html(html, name="t.html")
    text = json.dumps(issue.to_dict(), ensure_ascii=False)
    assert "Caché" not in text
    assert "Encore visible, en gras et & entité." in text


def test_inbox_lists_html_and_eml(tmp_path: Path) -> None:
    for name in ("a.html", "b.htm", "c.eml", "d.md", "e.pdf"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in articles(tmp_path)] == ["a.html", "b.htm", "c.eml", "d.md"]


# --- e-mails --------------------------------------------------------------------------------------


def test_brevo_email_prefers_html_and_takes_subject_date_sender(show: Path) -> None:
    data = preview(show / "podcast.toml", str(FIXTURES / "brevo.eml"))
    assert data["title"] == "La Lettre de l'Éco n°18"  # « TR: Fwd: » gone
    assert data["teaser"] == "la fin du ticket de caisse papier"
    assert [a["title"] for a in data["articles"]] == [
        "L'inflation repasse sous les 2 %",
        "Les salaires rattrapent les prix",
    ]
    assert {a["source"] for a in data["articles"]} == {"email text/html h2#1", "email text/html h2#2"}
    assert data["meta"]["id"] == "<20250307080000.18.lettre-eco@sendibm1.com>"
    assert data["meta"]["date"] == "2025-03-07"
    assert data["meta"]["author"] == "La Lettre de l'Éco"
    assert "C'est la première fois depuis 2021" in spoken(data)  # only in the HTML part
    from podcast import config as config_mod
    from podcast.build import plan

    the_plan = plan(config_mod.load(show / "podcast.toml"), FIXTURES / "brevo.eml")
    assert the_plan.day.isoformat() == "2025-03-07"  # the e-mail's date, --date not given
    assert "PDF" not in json.dumps(data)
    assert_no_boilerplate(data)


def test_plain_text_email_in_latin1_base64(show: Path) -> None:
    data = preview(show / "podcast.toml", str(FIXTURES / "plain-latin1.eml"))
    assert data["title"] == "La gazette du quartier"
    assert data["articles"][0]["source"] == "email text/plain"
    assert "La fête des voisins aura lieu le samedi 14 juin" in spoken(data)
    assert "Travaux rue Victor-Hugo" in [a["title"] for a in data["articles"]]
    assert "président de l'association" not in spoken(data)  # the signature
    assert data["meta"]["author"] == "Jean Petit"


def test_subject_prefixes() -> None:
    from podcast.sources.email import subject_title

    assert subject_title("TR: Fwd: RE : La lettre") == "La lettre"
    assert subject_title("[Fwd] Re: Réf: Le point") == "Le point"
    assert subject_title("Retour sur la semaine") == "Retour sur la semaine"


# --- web pages ------------------------------------------------------------------------------------


def test_news_page_by_url_main_content_only(show: Path, server: Server) -> None:
    url = server.add("/bordeaux/tramway", (FIXTURES / "news.html").read_bytes())
    data = preview(show / "podcast.toml", url)
    assert data["title"] == "Bordeaux : le tramway de nuit prolongé jusqu'en décembre"
    assert [a["title"] for a in data["articles"]][1:] == ["Un coût maîtrisé", "Une décision attendue en juin"]
    assert data["articles"][1]["source"] == "web h2#1"
    assert data["meta"]["url"] == "https://www.courrier-sud-ouest.example/bordeaux/tramway-de-nuit-prolonge"
    assert data["meta"]["date"] == "2025-04-02"
    assert "40 000 voyageurs" in spoken(data)
    assert_no_boilerplate(data)
    assert "Le vélo progresse" not in json.dumps(data, ensure_ascii=False)  # the aside
    assert server.paths() == ["/bordeaux/tramway"]  # no script, image or link fetched
    assert server.requests[0][1]["user-agent"].startswith("podcast-builder/")


def test_text_preview_names_the_source(show: Path, server: Server) -> None:
    url = server.add("/news", (FIXTURES / "news.html").read_bytes())
    result = invoke(show / "podcast.toml", "preview", url)
    assert result.exit_code == 0, result.output
    assert (
        "Source:  web https://www.courrier-sud-ouest.example/bordeaux/tramway-de-nuit-prolonge 2025-04-02"
        in result.output
    )
    assert "Article 2: Un coût maîtrisé  [web h2#1]" in result.output


def test_hostile_page_fetches_nothing_and_writes_inside_the_show(show: Path, server: Server) -> None:
    bait = server.base + "/bait"
    hostile = f"""<html><head><title>../../../../tmp/evil</title>
    <link rel="stylesheet" href="{bait}/css"><script src="{bait}/js"></script>
    <meta http-equiv="refresh" content="0; url={bait}/refresh"><base href="{bait}/"></head>
    <body><h1>../../../../tmp/evil</h1><img src="{bait}/img.png"><iframe src="{bait}/frame"></iframe>
    <object data="{bait}/obj"></object><video src="{bait}/video" poster="{bait}/poster"></video>
    <p style="background:url({bait}/bg)">Un paragraphe inoffensif pour que l'épisode ait du texte.</p>
    <p><a href="{bait}/link">Un lien jamais suivi</a>.</p>
    <svg><image href="{bait}/svg"/></svg></body></html>"""
    page = show / "hostile.html"
    page.write_text(hostile, encoding="utf-8")
    url = server.add("/hostile", hostile.encode())
    result = invoke(show / "podcast.toml", "build", url)
    assert result.exit_code == 0, result.output
    result = invoke(show / "podcast.toml", "build", str(page))
    assert result.exit_code == 0, result.output
    assert server.paths() == ["/hostile"]
    assert not Path("/tmp/evil").exists()
    outside = [p for p in (show.parent).rglob("*") if show not in p.parents and p != show and p.is_file()]
    assert outside == []


# --- bad input ------------------------------------------------------------------------------------


def _bad_routes(server: Server) -> dict[str, tuple[str, int, str]]:
    """name -> (URL, exit code, a word of the one-line message)."""
    bomb = gzip.compress(b"\0" * 50_000_000)
    big = b"<html><body><p>" + b"a" * 50_000_000 + b"</p></body></html>"
    server.add("/loop1", b"", status=302, Location="/loop2")
    server.add("/loop2", b"", status=302, Location="/loop1")
    server.add("/tofile", b"", status=302, Location="file:///etc/passwd")
    server.add("/500", b"boom", status=500)
    server.delays["/slow"] = 3.0
    server.add("/slow", b"<p>trop tard</p>")
    return {
        "404": (server.base + "/absent", 2, "HTTP 404"),
        "500": (server.base + "/500", 1, "HTTP 500"),
        "timeout": (server.base + "/slow", 1, "no answer"),
        "loop": (server.base + "/loop1", 2, "redirect"),
        "file redirect": (server.base + "/tofile", 2, "'file'"),
        "50 MB": (server.add("/big", big), 2, "limit"),
        "bomb": (server.add("/bomb", bomb, **{"Content-Encoding": "gzip"}), 2, "decompressed"),
        "pdf": (server.add("/doc.pdf", b"%PDF-1.4\n", "application/pdf"), 2, "application/pdf"),
        "charset": (server.add("/broken", b"<p>caf\xe9 cr\xe8me</p>", "text/html; charset=utf-8"), 2, "charset"),
        "no text": (server.add("/empty", (FIXTURES / "empty.html").read_bytes()), 2, "no text"),
        "closed port": ("http://127.0.0.1:9/", 1, "cannot connect"),
        "feed as a page": (server.add("/f.xml", (FIXTURES / "rss.xml").read_bytes(), "application/rss+xml"), 2, "feed"),
    }


def test_bad_inputs_are_one_line_with_their_exit_code_and_publish_nothing(show: Path, server: Server) -> None:
    toml = configure(show, timeout=1.0)
    for name, (url, code, word) in _bad_routes(server).items():
        started = time.monotonic()
        result = invoke(toml, "build", url)
        assert result.exit_code == code, (name, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and word in lines[0], (name, result.stderr)
        assert time.monotonic() - started < 8, name
    files = [FIXTURES / "broken-charset.html", FIXTURES / "empty.html", FIXTURES / "no-text.eml"]
    for path in files:
        result = invoke(toml, "build", str(path))
        assert result.exit_code == 2, (path, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (show / "feed").exists() or not any((show / "feed").iterdir())


def test_offline_host_is_one_line_within_seconds(show: Path) -> None:
    started = time.monotonic()
    result = invoke(configure(show, timeout=2.0), "build", "https://newsletter.invalid/numero-12")
    assert result.exit_code == 1, result.output
    assert re.fullmatch(r"Error: https://newsletter\.invalid/numero-12: .+\n", result.stderr), result.stderr
    assert time.monotonic() - started < 10


def test_fetch_decompresses_within_the_cap(server: Server) -> None:
    body = "<p>Un texte compressé, lu entier.</p>".encode() * 100
    url = server.add("/gz", gzip.compress(body), **{"Content-Encoding": "gzip"})
    assert fetch(url).body == body
    with pytest.raises(InputError, match="larger once decompressed"):
        fetch(url, max_bytes=len(body) - 1)
    with pytest.raises(FetchError, match="cannot connect"):
        fetch("http://127.0.0.1:9/", timeout=1)


# --- feeds ----------------------------------------------------------------------------------------


def test_feed_followed_twice_builds_each_item_once(show: Path, server: Server) -> None:
    rss = (FIXTURES / "rss.xml").read_bytes()
    url = server.add("/feed.xml", rss, "application/rss+xml", ETag='"v1"')
    toml = show / "podcast.toml"
    first = invoke(toml, "build", "--feed", url)
    assert first.exit_code == 0, first.output
    assert "2 built" in first.output
    second = invoke(toml, "build", "--feed", url)
    assert second.exit_code == 0, second.output
    assert "not modified" in second.output
    assert server.requests[-1][1].get("if-none-match") == '"v1"'  # a conditional request
    server.add("/feed.xml", rss, "application/rss+xml")  # no ETag any more: a full download
    third = invoke(toml, "build", "--feed", url)
    assert "2 skipped" in third.output and "built" not in third.output, third.output
    published = feedparser.parse((show / "feed" / "feed.xml").read_bytes())
    titles = sorted(entry.title for entry in published.entries)
    assert titles == ["Le fret ferroviaire en reprise", "Le grand retour du train de nuit"]
    dates = {entry.title: entry.published_parsed[:3] for entry in published.entries}
    assert dates["Le grand retour du train de nuit"] == (2025, 3, 14)  # the item's date
    # The item links its page, and the page the article it was read from.
    links = {entry.title: entry.link for entry in published.entries}
    page = (show / "feed" / links["Le fret ferroviaire en reprise"].split("/show/", 1)[1]).read_text(encoding="utf-8")
    assert '<a href="https://lalettredurail.example/p/fret-en-reprise">Lire l\'article original</a>' in page
    assert all(p[0] != "/pixel.gif" for p in server.requests)
    # An item changed at the source updates its episode; the other stays.
    changed = rss.replace(b"60 000 camions par an", b"70 000 camions par an")
    server.add("/feed.xml", changed, "application/rss+xml")
    fourth = invoke(toml, "build", "--feed", url)
    assert "1 updated" in fourth.output and "1 skipped" in fourth.output, fourth.output
    assert len(feedparser.parse((show / "feed" / "feed.xml").read_bytes()).entries) == 2


def test_atom_file_feed_with_max(show: Path) -> None:
    toml = show / "podcast.toml"
    data = preview(toml, str(FIXTURES / "substack.html"))  # previews never write
    assert data
    result = invoke(toml, "build", "--feed", str(FIXTURES / "atom.xml"), "--max", "1")
    assert result.exit_code == 0, result.output
    assert "1 built" in result.output and "La fibre arrive dans les campagnes" in result.output
    state = json.loads((show / ".podcast" / "feeds.json").read_text(encoding="utf-8"))
    assert list(state[str((FIXTURES / "atom.xml").resolve())]["items"]) == [
        "tag:billet-numerique.example,2025:billet-12"
    ]
    again = invoke(toml, "build", "--feed", str(FIXTURES / "atom.xml"))
    assert "1 built" in again.output and "1 skipped" in again.output, again.output


def test_read_items_of_both_kinds() -> None:
    from podcast.sources.feeds import read_items

    rss = read_items((FIXTURES / "rss.xml").read_bytes(), name="rss.xml")
    assert [item.id for item in rss] == ["rail-2025-03-21", "rail-2025-03-14"]
    fret = rss[0].issue
    assert fret is not None
    assert [a.title for a in fret.articles] == [
        "Le fret ferroviaire en reprise",
        "Les autoroutes ferroviaires",
        "Le transport combiné",
    ]
    assert "jamais lu" not in json.dumps(fret.to_dict()) and "désabonner" not in json.dumps(fret.to_dict())
    assert fret.meta["url"] == "https://lalettredurail.example/p/fret-en-reprise"
    atom = read_items((FIXTURES / "atom.xml").read_bytes(), name="atom.xml")
    assert atom[1].issue is not None and atom[1].issue.meta["author"] == "Sophie Bernard"
    assert atom[1].day is not None and atom[1].day.isoformat() == "2025-02-03"
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        read_items(b"<html><body>pas un flux</body></html>", name="x")


def test_sources_dispatch() -> None:
    assert sources.handles("https://example.org/a") and sources.handles(Path("a.HTML"))
    assert sources.handles("lettre.eml") and not sources.handles("lettre.md")


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Voir la version en ligne", True),
        ("Voir cet e-mail dans votre navigateur", True),
        ("Se désabonner", True),
        ("Mettre à jour vos préférences ou vous désinscrire", True),
        ("Vous recevez cet e-mail car vous êtes inscrit à La Lettre.", True),
        ("Copyright © 2025 La Lettre, tous droits réservés.", True),
        ("Partager", True),
        ("Suivez-nous sur les réseaux", True),
        ("Abonnez-vous", True),
        # What an author writes with the same words stays.
        ("Cette voiture est propulsée par un moteur électrique de 150 chevaux, conçu à Lyon.", False),
        ("Pour ne plus recevoir de factures papier, les abonnés devront passer par l'espace client en ligne.", False),
        ("Les électeurs désinscrits des listes ont jusqu'au 6 mars pour régulariser leur situation en mairie.", False),
        ("Vous avez reçu cette semaine beaucoup de réponses à notre question, merci à toutes et à tous.", False),
        ("Les élus veulent partager cette expérience avec les autres communes du département, dès cet été.", False),
        ("On peut lire en ligne le rapport de la Cour des comptes, publié mardi, qui détaille les dépenses.", False),
    ],
)
def test_boilerplate_rules(text: str, tool: bool) -> None:
    from podcast.sources.clean import boilerplate

    assert boilerplate(text) is tool


def test_preview_feed_lists_items_and_what_a_build_does(show: Path, server: Server) -> None:
    url = server.add("/rss", (FIXTURES / "rss.xml").read_bytes(), "application/rss+xml")
    result = invoke(show / "podcast.toml", "preview", "--feed", url)
    assert result.exit_code == 0, result.output
    assert "new      2025-03-21 Le fret ferroviaire en reprise  [rail-2025-03-21]" in result.output
    assert "  Article 2: Les autoroutes ferroviaires  [feed item h2#1]" in result.output
    data = json.loads(invoke(show / "podcast.toml", "preview", "--json", "--feed", str(FIXTURES / "atom.xml")).stdout)
    assert [(i["status"], i["date"]) for i in data["items"]] == [("new", "2025-02-10"), ("new", "2025-02-03")]
    assert data["items"][0]["issue"]["articles"][1]["source"] == "feed item h2#1"
    assert not (show / ".podcast" / "feeds.json").exists()  # a preview writes nothing
