"""Piper benchmark: a cold `podcast build` with the piper engine against the bare pipeline of the same
voice (piper-tts's own `piper` command speaking the whole text to WAV, then ffmpeg to MP3), and
synthesis alone with one single-threaded onnxruntime session per core versus one session shared by
the threads. Reports wall time, the ratio, and the real-time factor (wall seconds per second of
audio) and per core (that times the number of cores: what one core would take).

Usage: scripts/bench-piper [--model VOICE.onnx] [--repeat N]. Without --model it builds a random
stand-in of Piper's medium size (scripts/piper_standin.py); with a downloaded voice it measures that.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import EXAMPLE, PODCAST, SAMPLE, Run, best, encode_mp3, measure


def bare(model: Path, text: Path, work: Path, bitrate: int = 96) -> tuple[Run, float]:
    """piper CLI to WAV, then ffmpeg to MP3; returns the run and the seconds of audio."""
    wav, mp3 = work / "bare.wav", work / "bare.mp3"
    piper_cli = Path(sys.executable).parent / "piper"
    speak = measure([str(piper_cli), "-m", str(model), "-f", str(wav), "-i", str(text)])
    with wave.open(str(wav)) as handle:
        seconds = handle.getnframes() / handle.getframerate()
    encode = encode_mp3(wav, mp3, bitrate)
    return Run(speak.wall + encode.wall, speak.cpu + encode.cpu, max(speak.peak_mb, encode.peak_mb)), seconds


def cold_build(model: Path, article: Path, work: Path, index: int) -> Run:
    show = work / f"show-{index}"
    env = dict(os.environ, XDG_CACHE_HOME=str(work / f"cache-{index}"))
    show.mkdir()
    measure(
        [
            str(PODCAST),
            "init",
            "--title",
            "Bench",
            "--author",
            "Bench",
            "--email",
            "bench@example.org",
            "--base-url",
            "https://example.org/",
        ],
        env=env,
        cwd=show,
    )
    toml = show / "podcast.toml"
    text = re.sub(r'engine = "[a-z]+"', 'engine = "piper"', toml.read_text(encoding="utf-8"))
    toml.write_text(text + f'\n[voice.piper]\nmodel = "{model}"\n', encoding="utf-8")
    return measure([str(PODCAST), "build", str(article)], env=env, cwd=show)


def synthesis(model: Path, texts: list[str], shared: bool) -> tuple[float, float, float]:
    """Wall and CPU seconds to speak ``texts`` (model loaded, sessions made), and seconds of audio."""
    from podcast.voices.piper import PiperOptions, PiperVoice

    voice = PiperVoice(PiperOptions(model=str(model)), shared_session=shared)
    voice.synthesize(texts[: os.cpu_count() or 1])  # warm-up: sessions made, first-run allocations done
    started, cpu = time.perf_counter(), time.process_time()
    audios = voice.synthesize(texts)
    return time.perf_counter() - started, time.process_time() - cpu, sum(a.seconds for a in audios)


def segments(article: Path) -> list[str]:
    from podcast import config as config_mod
    from podcast.build import plan

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "show"
        config_mod.init(folder, title="B", author="B", email="b@example.org", base_url="https://example.org/")
        the_plan = plan(config_mod.load(folder / "podcast.toml"), article, engine="espeak")
    return [s.text for s in the_plan.segments]  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a Piper voice .onnx (default: a random medium-size stand-in)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure (the fastest counts)")
    args = parser.parse_args()
    source = SAMPLE if SAMPLE.is_file() else EXAMPLE
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="podcast-bench-piper-") as tmp:
        work = Path(tmp)
        model = args.model.resolve() if args.model else None
        if model is None:
            from piper_standin import build

            model = build(work / "voice" / "fr_FR-standin-medium.onnx")
            print(f"voice: random stand-in of Piper medium size ({model.stat().st_size / 1e6:.0f} MB)")
        else:
            print(f"voice: {model}")
        article = work / "article.txt"
        shutil.copy(source, article)
        plain = work / "plain.txt"  # the bare pipeline reads the article's text as it is
        plain.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")

        runs = [bare(model, plain, work) for _ in range(args.repeat)]
        bare_run, audio = best([r for r, _ in runs]), runs[0][1]
        print(
            f"bare pipeline (piper CLI to WAV, ffmpeg to MP3): {bare_run.wall:.2f} s wall, "
            f"{bare_run.cpu:.2f} s CPU, {bare_run.peak_mb:.0f} MB; {audio:.0f} s of audio"
        )
        cold = best([cold_build(model, article, work, i) for i in range(args.repeat)])
        print(
            f"cold build with piper: {cold.wall:.2f} s wall, {cold.cpu:.2f} s CPU, {cold.peak_mb:.0f} MB "
            f"-> {cold.wall / bare_run.wall:.2f}x bare"
        )

        texts = segments(article)
        labels = {False: "one session per core", True: "one session shared by the threads"}
        results: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
        for _ in range(args.repeat):  # interleaved, so a busy moment of the machine hits both alike
            for shared in (False, True):
                results[shared].append(synthesis(model, texts, shared))
        for shared, label in labels.items():
            wall, cpu, seconds = min(results[shared])
            print(
                f"synthesis, {label}: {wall:.2f} s wall, {cpu:.2f} s CPU for {seconds:.0f} s of audio "
                f"({len(texts)} segments) -> real-time factor {wall / seconds:.3f}, "
                f"per core {wall * cores / seconds:.3f}"
            )


if __name__ == "__main__":
    main()
