"""Benchmarks: podcast-builder against the least possible pipeline, on this machine, in one run.

The bare pipeline is espeak-ng speaking the whole text to a WAV file (in-process, through the same
library) and the same ffmpeg encoding it to MP3 at the same bitrate. Every figure is reported as a
ratio to a baseline measured in the same run, so machines of different speeds compare.

Each build runs `podcast build` in a child process (imports included, as a producer sees it); wall
time, CPU time (child and its ffmpeg/worker children) and peak memory come from os.wait4.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "samples" / "newsletter-ia.txt"
EXAMPLE = ROOT / "examples" / "lettre-numerique.txt"
PODCAST = Path(sys.executable).parent / "podcast"
BENCH_DOC = ROOT / "docs" / "benchmarks.md"  # its table between these markers is the latest run's
TABLE_START = "<!-- bench:start -->"
TABLE_END = "<!-- bench:end -->"


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run a command; its wall time, CPU time (with its children) and peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.decode(errors='replace')}{out.decode(errors='replace')}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def best(runs: list[Run]) -> Run:
    """The fastest of several runs (least disturbed by the machine's other work); peak is the max."""
    fastest = min(runs, key=lambda r: r.wall)
    return Run(fastest.wall, fastest.cpu, max(r.peak_mb for r in runs))


# --- the bare pipeline ---------------------------------------------------------------------------

BARE = r"""
import ctypes, sys, wave, espeakng_loader
lib = ctypes.CDLL(espeakng_loader.get_library_path())
lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
rate = lib.espeak_Initialize(2, 0, espeakng_loader.get_data_path().encode(), 0)
chunks = []
CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
def collect(wav, n, events):
    if n > 0:
        chunks.append(ctypes.string_at(wav, n * 2))
    return 0
callback = CB(collect)
lib.espeak_SetSynthCallback(callback)
lib.espeak_SetVoiceByName(b"fr")
text = open(sys.argv[1], encoding="utf-8").read().encode()
lib.espeak_Synth(text, len(text) + 1, 0, 1, 0, 1, None, None)
lib.espeak_Synchronize()
with wave.open(sys.argv[2], "wb") as out:
    out.setnchannels(1); out.setsampwidth(2); out.setframerate(rate); out.writeframes(b"".join(chunks))
"""


def encode_mp3(wav: Path, mp3: Path, bitrate: int) -> Run:
    """The bare pipeline's second half: the bundled ffmpeg, WAV to a mono MP3 at ``bitrate``."""
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav)]
    return measure([*command, "-c:a", "libmp3lame", "-b:a", f"{bitrate}k", "-ar", "44100", "-ac", "1", str(mp3)])


def bare_pipeline(text: Path, work: Path, bitrate: int = 96) -> Run:
    wav, mp3 = work / "bare.wav", work / "bare.mp3"
    speak = measure([sys.executable, "-c", BARE, str(text), str(wav)])
    encode = encode_mp3(wav, mp3, bitrate)
    return Run(speak.wall + encode.wall, speak.cpu + encode.cpu, max(speak.peak_mb, encode.peak_mb))


# --- synthetic articles --------------------------------------------------------------------------

SUBJECTS = [
    "Le gouvernement",
    "La start-up nantaise",
    "Le géant américain",
    "L'opérateur historique",
    "La Commission européenne",
    "Le fabricant de puces",
    "Un collectif de chercheurs",
    "La région Occitanie",
]
VERBS = ["annonce", "prépare", "abandonne", "finance", "teste", "reporte", "défend", "critique"]
OBJECTS = [
    "un nouveau réseau de fibre",
    "une plateforme de paiement",
    "un centre de calcul",
    "une batterie au sodium",
    "un satellite d'observation",
    "une application de santé",
    "un modèle de langage",
    "une usine de recyclage",
]
TAILS = [
    "pour un coût de {n} millions d'euros",
    "d'ici à {y}",
    "malgré l'opposition de {n} associations",
    "avec {n} ingénieurs recrutés",
    "selon un rapport publié en {y}",
    "dans {n} villes françaises",
]


def sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS).format(n=rng.randint(2, 950), y=rng.randint(2026, 2040))
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {tail}."


def synthetic_issue(articles: int, paragraphs: int = 4, seed: int = 7) -> str:
    """A newsletter in the sample's shape whose sentences almost never repeat (no cache help)."""
    rng = random.Random(seed)
    lines = [f"La lettre synthétique numéro {seed}", "Et aussi: des chiffres et des lettres"]
    for a in range(articles):
        lines.append(f"Article {a + 1} : {rng.choice(OBJECTS)} en question")
        for p in range(paragraphs):
            body = " ".join(sentence(rng) for _ in range(5))
            lines.append(body if p == 0 else f"Partie {p + 1} – {body}")
    lines.append("Crédit photos: banc d'essai")
    return "\n".join(lines) + "\n"


# --- builds --------------------------------------------------------------------------------------


class Show:
    def __init__(self, work: Path, name: str) -> None:
        self.folder = work / name
        self.cache = work / f"{name}-cache"
        self.folder.mkdir(parents=True)
        subprocess.run(
            [str(PODCAST), "init", "--title", "Banc d'essai"], cwd=self.folder, check=True, capture_output=True
        )
        config = self.folder / "podcast.toml"
        text = config.read_text(encoding="utf-8").replace('engine = "auto"', 'engine = "espeak"')
        config.write_text(text, encoding="utf-8")
        self.env = dict(os.environ, XDG_CACHE_HOME=str(self.cache))

    def build(self, article: Path, *extra: str) -> Run:
        return measure([str(PODCAST), "-q", "build", str(article), *extra], env=self.env, cwd=self.folder)

    def reset(self) -> None:
        """Empty cache, fresh show: a cold build."""
        shutil.rmtree(self.cache, ignore_errors=True)
        for name in ("feed", ".podcast"):
            shutil.rmtree(self.folder / name, ignore_errors=True)


def edit_one_paragraph(text: str) -> str:
    """Change one word in the last body paragraph, as a producer fixing a typo would."""
    lines = text.splitlines()
    body = max(range(len(lines)), key=lambda i: len(lines[i]) if i > len(lines) // 2 else 0)
    lines[body] = re.sub(r"\b(\w{6,})\b", r"\1s", lines[body], count=1)
    return "\n".join(lines) + "\n"


def compile_package() -> None:
    """Byte-compile podcast/ as pip does when it installs a wheel: with PYTHONDONTWRITEBYTECODE set
    (CI, some shells) every build would otherwise compile ~100 modules first, which a producer's
    installed command never does (45 ms of each unchanged rebuild, measured)."""
    import compileall

    compileall.compile_dir(ROOT / "podcast", quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the fastest counts)")
    parser.add_argument("--quick", action="store_true", help="one run each, skip the one-hour episode")
    parser.add_argument(
        "--update-docs",
        "--update-readme",  # its old name, from when the table was in the README
        dest="update_docs",
        action="store_true",
        help="write the results table into docs/benchmarks.md",
    )
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    # the bare pipeline and the cold build are timed in turns, so both meet the machine's other work
    pairs = max(2, repeat)
    source = SAMPLE if SAMPLE.is_file() else EXAMPLE
    compile_package()
    rows: list[tuple[str, str, str, str]] = []

    with tempfile.TemporaryDirectory(prefix="podcast-bench-") as tmp:
        work = Path(tmp)
        article = work / "article.txt"
        shutil.copy(source, article)

        show = Show(work, "show")
        bares, colds = [], []
        for _ in range(pairs):
            bares.append(bare_pipeline(article, work))
            show.reset()
            colds.append(show.build(article))
        bare, cold = best(bares), best(colds)
        print(f"bare pipeline ({source.name}): {bare.wall:.2f} s wall, {bare.cpu:.2f} s CPU, {bare.peak_mb:.0f} MB")
        unchanged = best([show.build(article) for _ in range(repeat)])
        edits = []
        for i in range(repeat):
            edited = work / f"edited-{i}.txt"
            edited.write_text(
                edit_one_paragraph(article.read_text(encoding="utf-8")) + f"\nCrédit photos: essai {i}\n",
                encoding="utf-8",
            )
            edits.append(show.build(edited))
        edit = best(edits)

        one = work / "one.txt"
        one.write_text(synthetic_issue(1, seed=11), encoding="utf-8")
        fifty = work / "fifty.txt"
        fifty.write_text(synthetic_issue(50, seed=12), encoding="utf-8")
        show.reset()
        one_run = show.build(one)
        show.reset()
        fifty_run = show.build(fifty)

        def timed(run: Run) -> str:
            return f"{run.wall:.2f} s ({run.cpu:.2f} s CPU, {run.peak_mb:.0f} MB)"

        rows += [
            ("bare pipeline (espeak-ng to WAV, ffmpeg to MP3)", timed(bare), "1.00x bare", "baseline"),
            ("cold build (empty cache, fresh show)", timed(cold), f"{cold.wall / bare.wall:.2f}x bare", "<= 1.0x bare"),
            ("unchanged rebuild (skip)", timed(unchanged), f"{unchanged.wall / bare.wall:.2f}x bare", "<= 0.3 s"),
            ("one-paragraph edit", timed(edit), f"{edit.wall / cold.wall:.2f}x cold", "<= 0.5x cold"),
            ("one synthetic article", timed(one_run), "", ""),
            (
                "50-article issue",
                timed(fifty_run),
                f"{fifty_run.wall / (50 * one_run.wall):.2f}x (50 x one article)",
                "<= 1.1x",
            ),
        ]
        for label, run in (("cold build", cold), ("one-paragraph edit", edit), ("50 articles", fifty_run)):
            print(f"{label}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, peak {run.peak_mb:.0f} MB")

        if not args.quick:
            hour = work / "hour.txt"
            hour.write_text(synthetic_issue(36, paragraphs=5, seed=13), encoding="utf-8")
            show.reset()
            hour_run = show.build(hour)
            duration = _episode_seconds(show.folder)
            rows.append(
                (
                    f"long episode ({duration / 60:.0f} min): peak memory",
                    f"{hour_run.peak_mb:.0f} MB",
                    f"{hour_run.wall:.1f} s wall",
                    "<= 300 MB for one hour",
                )
            )

    rows.append(_long_line_row())
    gtts_row = _gtts_row()
    if gtts_row:
        rows.append(gtts_row)
    load = os.getloadavg()[0]
    table = _table(rows) + f"\n\nMeasured on {os.cpu_count()} cores, load average {load:.1f} at the end of the run."
    print()
    print(table)
    if args.update_docs:
        update_doc(table)
        print(f"{BENCH_DOC.relative_to(ROOT)} updated")


def _long_line_row() -> tuple[str, str, str, str]:
    """Reading and cutting a 5 MB line without punctuation (in-process): linear in the text's length."""
    from podcast.article import parse
    from podcast.segment import segment_issue
    from podcast.speech import default_lexicon, speaker

    rng = random.Random(5)
    words = [
        "la",
        "maison",
        "de",
        "Paris",
        "en",
        "2025",
        "chez",
        "monsieur",
        "Dupont",
        "le",
        "14",
        "mars",
        "pour",
        "cent",
        "une",
        "grande",
        "offensive",
    ]
    line = " ".join(rng.choice(words) for _ in range(5_000_000 // 6))[:5_000_000]
    start = time.perf_counter()
    segments = segment_issue(parse("Titre\n" + line), limit=100, speak=speaker(default_lexicon()))
    wall = time.perf_counter() - start
    print(f"5 MB line without punctuation: {wall:.1f} s, {len(segments)} segments")
    return (
        "5 MB line without punctuation: read, spoken, cut to 100 characters",
        f"{wall:.1f} s",
        "",
        "seconds, linear",
    )


def _episode_seconds(show: Path) -> float:
    from mutagen.mp3 import MP3

    mp3 = next((show / "feed" / "episodes").glob("*.mp3"))
    return MP3(mp3).info.length


def _gtts_row() -> tuple[str, str, str, str] | None:
    """gTTS against the local fake endpoint with injected latency (scripts/bench-gtts), if present."""
    script = ROOT / "scripts" / "bench-gtts"
    if not script.exists():
        return None
    # a bash script (it sets up the venv itself) taking the latency in seconds as its one argument
    done = subprocess.run(["bash", str(script), "0.3"], capture_output=True, text=True, check=False)
    match = re.search(r"ratio[^\d]*([\d.]+)", done.stdout)
    if done.returncode != 0 or not match:
        print(f"bench-gtts failed:\n{done.stdout}{done.stderr}")
        return None
    seconds = re.search(r"GttsVoice.*?([\d.]+) s", done.stdout)
    return (
        "gTTS, 300 ms latency per request (fake endpoint)",
        f"{seconds.group(1)} s" if seconds else "",
        f"{float(match.group(1)):.2f}x sequential gTTS",
        "<= 0.35x",
    )


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = ["| measure | time or size | ratio | target |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def update_doc(table: str, doc: Path = BENCH_DOC) -> None:
    """Replace the table between the markers in ``doc`` (appended with them when they are missing)."""
    text = doc.read_text(encoding="utf-8")
    block = f"{TABLE_START}\n{table}\n{TABLE_END}"
    if TABLE_START in text:
        text = re.sub(re.escape(TABLE_START) + r".*?" + re.escape(TABLE_END), lambda _: block, text, flags=re.S)
    else:
        text += f"\n{block}\n"
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
