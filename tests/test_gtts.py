"""gTTS done right, against a local fake of Google's batchexecute endpoint (tests/fake_gtts.py).

The fake answers with real MP3 bytes, so gTTS's request preparation, the batchexecute decoding and
ffmpeg all run for real; faults are injected per request. Why a plain-HTTP endpoint override rather
than a fake translate.google.fr: the product never turns TLS verification off, and no test can make
Google's name resolve to loopback; the override changes only the URL. TLS verification itself is
shown on by a self-signed HTTPS fake (refused, then accepted once trusted through REQUESTS_CA_BUNDLE).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_gtts import FakeGoogle, batchexecute_body, make_mp3
from helpers import closed_url, configure, helper_missing, load_show, new_show, published

from podcast.errors import EXIT_VOICE, VoiceError
from podcast.voices.gtts import GttsVoice, decode_batchexecute, retry_after


@pytest.fixture
def closed() -> str:
    """A loopback URL nothing listens on: its connections are refused."""
    return closed_url()


@pytest.fixture(scope="module")
def mp3() -> bytes:
    return make_mp3()


@pytest.fixture(scope="module")
def google(mp3: bytes):
    with FakeGoogle(mp3) as fake:
        yield fake


@pytest.fixture
def fake(google: FakeGoogle) -> FakeGoogle:
    google.reset()
    return google


def voice(fake: FakeGoogle | str, **options) -> GttsVoice:
    options.setdefault("backoff", 0.05)
    return GttsVoice(endpoint=fake if isinstance(fake, str) else fake.url, **options)


def test_fake_mp3_is_real_audio(mp3: bytes, tmp_path: Path, ffprobe) -> None:
    path = tmp_path / "fake.mp3"
    path.write_bytes(mp3)
    stream = ffprobe(path)["streams"][0]
    assert stream["codec_name"] == "mp3" and stream["sample_rate"] == "24000"
    assert 1.0 < float(stream["duration"]) < 5.0


def test_decoding_matches_gtts_own_stream(fake: FakeGoogle, mp3: bytes) -> None:
    """gTTS's own stream() (sequential, its decoding) and ours read the same bytes from the same answer."""
    from gtts import gTTS

    class Local(gTTS):
        def _prepare_requests(self):
            prepared = super()._prepare_requests()
            for request in prepared:
                request.url = fake.url + "/_/TranslateWebserverUi/data/batchexecute"
            return prepared

    theirs = b"".join(Local("Bonjour.", lang="fr", lang_check=False, timeout=5).stream())
    assert theirs == mp3
    assert decode_batchexecute(batchexecute_body(mp3)) == mp3
    assert decode_batchexecute(batchexecute_body(None)) == b""


@pytest.fixture(scope="module")
def three_lengths() -> list[bytes]:
    """Three MP3s of clearly different lengths, to see which answer lands where."""
    return [
        make_mp3(text)
        for text in (
            "Oui.",
            "Une phrase de longueur moyenne.",
            "Une phrase nettement plus longue, pour que sa durée se distingue des autres.",
        )
    ]


def test_synthesis_speaks_each_text_in_order_on_reused_connections(
    fake: FakeGoogle, ffprobe, tmp_path: Path, three_lengths: list[bytes]
) -> None:
    texts = [f"Phrase numéro {n}, lue par la voix de Google." for n in range(12)]
    fake.answers = {text: three_lengths[n % 3] for n, text in enumerate(texts)}
    lengths = []
    for n, data in enumerate(three_lengths):
        (tmp_path / f"{n}.mp3").write_bytes(data)
        lengths.append(float(ffprobe(tmp_path / f"{n}.mp3")["format"]["duration"]))
    assert lengths[0] + 0.5 < lengths[1] < lengths[2] - 0.5  # far enough apart to tell them by duration
    expected = [lengths[n % 3] for n in range(12)]
    audios = voice(fake, concurrency=3).synthesize(texts)
    assert len(audios) == 12 and all(abs(a.seconds - e) < 0.1 for a, e in zip(audios, expected)), [
        (round(a.seconds, 2), round(e, 2)) for a, e in zip(audios, expected)
    ]  # each answer in its text's place
    assert sorted(h.text for h in fake.hits) == sorted(texts)  # gTTS's own RPC packaging, read by the fake
    assert {(h.lang, h.slow) for h in fake.hits} == {("fr", False)}
    assert fake.max_in_flight <= 3
    assert len({h.client for h in fake.hits}) <= 3  # keep-alive: one connection per thread, not per request


def test_long_text_is_split_by_gtts_and_joined(fake: FakeGoogle) -> None:
    text = "Une phrase assez longue pour dépasser la limite, " * 4
    audio = voice(fake).synthesize([text])[0]
    assert len(fake.hits) >= 2 and all(len(h.text) <= 100 for h in fake.hits)
    assert audio.seconds > 3.5  # two or more MP3 parts decoded as one


def test_429_then_success_honours_retry_after(fake: FakeGoogle) -> None:
    fake.script(["429:1", "ok"])
    audio = voice(fake).synthesize(["Bonjour."])[0]
    assert audio.seconds > 1
    first, second = fake.hits
    assert second.at - first.at >= 0.95


def test_500_forever_gives_up_with_one_line(fake: FakeGoogle) -> None:
    fake.script([], default="500")
    with pytest.raises(VoiceError) as caught:
        voice(fake, retries=3).synthesize(["Un.", "Deux.", "Trois."])
    message = str(caught.value)
    assert "500" in message and "gave up" in message and "\n" not in message
    assert 4 <= len(fake.hits) <= 4 * 3  # bounded retries, the first failure stops the others


def test_not_retried_on_client_error(fake: FakeGoogle) -> None:
    fake.script([], default="403")
    with pytest.raises(VoiceError, match="403"):
        voice(fake).synthesize(["Un."])
    assert len(fake.hits) == 1


def test_connection_refused(closed: str) -> None:
    with pytest.raises(VoiceError, match=f"{re.escape(closed)} is unreachable"):
        voice(closed).synthesize(["Un."])


def test_slow_answer_times_out_then_retries(fake: FakeGoogle) -> None:
    fake.script(["slow:2"])
    audio = voice(fake, timeout=0.5).synthesize(["Bonjour."])[0]
    assert audio.seconds > 1 and len(fake.hits) == 2
    fake.script([], default="slow:2")
    with pytest.raises(VoiceError, match="did not answer within 0.5 s"):
        voice(fake, timeout=0.5, retries=1).synthesize(["Bonjour."])


def test_deadline_bounds_the_whole_wait(fake: FakeGoogle) -> None:
    fake.script([], default="503:60")  # Google asks for a minute: more than the deadline allows
    with pytest.raises(VoiceError, match="503.*Retry-After 60"):
        voice(fake, deadline=5).synthesize(["Un."])
    assert len(fake.hits) == 1


def test_answer_without_audio(fake: FakeGoogle) -> None:
    fake.script([], default="noaudio")
    with pytest.raises(VoiceError, match="No audio stream"):
        voice(fake).synthesize(["Un."])


def test_retry_after_parsing() -> None:
    assert retry_after("3") == 3.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not shutil.which("openssl"):
        helper_missing("openssl is needed to make a test certificate (Debian: apt-get install openssl)")
    folder = tmp_path_factory.mktemp("tls")
    pem = folder / "fake.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(pem),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    pem.write_bytes(pem.read_bytes() + (folder / "cert.pem").read_bytes())
    return folder


def test_tls_is_verified(mp3: bytes, certificate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeGoogle(mp3, certfile=certificate / "fake.pem") as https:
        with pytest.raises(VoiceError, match="TLS verification"):
            voice(https.url).synthesize(["Un."])
        assert "TLS" in (voice(https.url).probe() or "")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate / "cert.pem"))
        assert voice(https.url).synthesize(["Un."])[0].seconds > 1
        assert len(https.hits) == 1


def test_auto_probe_chooses_gtts_when_it_answers(fake: FakeGoogle, closed: str) -> None:
    from podcast.config import VoiceConfig
    from podcast.voices import choose
    from podcast.voices.registry import GttsOptions

    chosen = choose("auto", VoiceConfig(engines={"gtts": GttsOptions(endpoint=fake.url)}))
    assert chosen.voice.engine == "gtts" and "answered" in chosen.reason
    offline = choose("auto", VoiceConfig(engines={"gtts": GttsOptions(endpoint=closed)}))
    assert offline.voice.engine == "espeak" and "unreachable" in offline.reason


# -- through build() and the CLI -------------------------------------------------------------


@pytest.fixture(scope="module")
def template_show(tmp_path_factory: pytest.TempPathFactory, example_text: str) -> Path:
    """A show with one episode already published by the offline voice; copied, never changed."""
    from podcast.build import build

    folder = new_show(tmp_path_factory.mktemp("gtts-show") / "show", articles={"one.txt": example_text})
    build(load_show(folder), folder / "one.txt", day=date(2024, 6, 3))
    return folder


@pytest.fixture
def built_show(template_show: Path, tmp_path: Path) -> Path:
    shutil.copytree(template_show, tmp_path / "show")
    return tmp_path / "show"


@pytest.fixture(scope="module")
def example_text() -> str:
    return (Path(__file__).resolve().parent.parent / "examples" / "lettre-numerique.txt").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("refused", [True, False], ids=["refused", "real-google"])
def test_gtts_build_fails_fast_and_publishes_nothing(
    built_show: Path, example_text: str, refused: bool, closed: str
) -> None:
    from podcast.cli import cli

    endpoint = closed if refused else ""
    if not endpoint and GttsVoice().probe() is None:
        pytest.skip("Google answers from here: this test is about an offline machine")
    configure(built_show, {"voice": {"gtts": {"endpoint": endpoint}}})
    (built_show / "two.txt").write_text(example_text.replace("Le Fil Tech", "Le Fil Bis", 1), encoding="utf-8")
    before = published(built_show / "feed")
    result = CliRunner(mix_stderr=False).invoke(
        cli, ["--config", str(built_show / "podcast.toml"), "build", str(built_show / "two.txt"), "--engine", "gtts"]
    )
    assert result.exit_code == EXIT_VOICE, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "gTTS gave up" in errors[0] and "unreachable" in errors[0]
    assert published(built_show / "feed") == before


@pytest.mark.slow
def test_gtts_build_through_fake_records_engine(built_show: Path, example_text: str, fake: FakeGoogle, ffprobe) -> None:
    import feedparser

    from podcast import config
    from podcast.build import build

    configure(built_show, {"voice": {"engine": "auto", "gtts": {"endpoint": fake.url}}})
    (built_show / "three.txt").write_text(example_text.replace("Le Fil Tech", "Le Fil Ter", 1), encoding="utf-8")
    result = build(config.load(built_show), built_show / "three.txt", day=date(2024, 6, 10))
    assert result.episode.engine == "gtts" and result.episode.voice.startswith("gtts:fr")
    assert result.voice is not None and "answered" in result.voice.reason and not result.voice.fallback
    assert all(len(h.text) <= 100 for h in fake.hits) and len(fake.hits) == result.cache.misses
    assert ffprobe(result.audio_path)["streams"][0]["codec_name"] == "mp3"
    parsed = feedparser.parse((built_show / "feed" / "feed.xml").read_bytes())
    assert len(parsed.entries) == 2
