"""Voice management: the catalogue, and downloads against a local HTTP server on 127.0.0.1 (a free
port): success, 404, wrong checksum, interrupted then resumed, too slow. None leaves a voice
half-installed."""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import tiny_piper

from podcast.errors import ConfigError
from podcast.voices import store
from podcast.voices.store import CatalogueVoice, DownloadError, RemoteFile

NAME = "fr_FR-test-x_low"
FOLDER = "fr/fr_FR/test/x_low"


class Files(http.server.ThreadingHTTPServer):
    """Serves ``files`` under their path; ``mode`` breaks them on purpose."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.files: dict[str, bytes] = {}
        self.mode = "ok"  # ok | cut | slow
        self.ranges: list[str] = []
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Files

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        data = self.server.files.get(self.path)
        if data is None:
            self.send_error(404, "Not Found")
            return
        start = 0
        wanted = self.headers.get("Range")
        if wanted:
            self.server.ranges.append(wanted)
            start = int(re.match(r"bytes=(\d+)-", wanted).group(1))  # type: ignore[union-attr]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.server.mode == "cut" and self.path.endswith(".onnx"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.server.mode = "ok"
            self.connection.shutdown(2)  # the line drops mid-file
            return
        if self.server.mode == "slow" and self.path.endswith(".onnx"):
            self.wfile.write(body[:100])
            self.wfile.flush()
            self.server.release.wait(10)  # stalls until the test is over: the client's timeout fires first
            return
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[Files]:
    files = Files()
    thread = threading.Thread(target=files.serve_forever, daemon=True)
    thread.start()
    yield files
    files.release.set()
    files.shutdown()
    files.server_close()


@pytest.fixture
def voice_files(tmp_path: Path, server: Files, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The tiny voice published by the server and listed in a one-voice catalogue."""
    model = tiny_piper.make_voice(tmp_path / "src", NAME)
    data = {f"{NAME}.onnx": model.read_bytes(), f"{NAME}.onnx.json": Path(f"{model}.json").read_bytes()}
    for name, body in data.items():
        server.files[f"/{FOLDER}/{name}"] = body

    def remote(name: str) -> RemoteFile:
        return RemoteFile(name, len(data[name]), hashlib.md5(data[name]).hexdigest())

    entry = CatalogueVoice(
        NAME, FOLDER, "x_low", 1, (), tiny_piper.RATE, "test", remote(f"{NAME}.onnx"), remote(f"{NAME}.onnx.json")
    )
    monkeypatch.setattr(store, "catalogue", lambda: [entry])
    monkeypatch.setenv("PODCAST_VOICES_URL", server.url)
    monkeypatch.setenv("PODCAST_VOICES_DIR", str(tmp_path / "voices"))
    return data


def nothing_installed(root: Path) -> None:
    assert store.find(NAME, root) is None
    assert not (root / NAME).exists()
    assert store.installed(root) == []


def test_catalogue_lists_the_french_voices_with_what_they_cost() -> None:
    voices = {v.name: v for v in store.catalogue()}
    assert {
        "fr_FR-siwis-low",
        "fr_FR-siwis-medium",
        "fr_FR-tom-medium",
        "fr_FR-upmc-medium",
        "fr_FR-gilles-low",
        "fr_FR-mls-medium",
    } <= set(voices)
    assert voices["fr_FR-upmc-medium"].speakers == ("jessica", "pierre")
    for v in voices.values():
        assert v.model.size > 20_000_000 and 1000 < v.config.size < 20_000
        assert re.fullmatch(r"[0-9a-f]{32}", v.model.md5) and re.fullmatch(r"[0-9a-f]{32}", v.config.md5)
        assert v.folder == f"fr/fr_FR/{v.name.split('-')[1]}/{v.quality}" and v.licence
    with pytest.raises(ConfigError, match="no voice 'fr_FR-nobody-low' in the catalogue"):
        store.lookup("fr_FR-nobody-low")


def test_default_folder_is_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PODCAST_VOICES_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert store.folder() == tmp_path / "data" / "podcast-builder" / "voices"


def test_download_installs_both_files_checked_and_reports_progress(voice_files: dict, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    model = store.download(NAME, progress=lambda *a: seen.append(a))
    root = tmp_path / "voices"
    assert model == root / NAME / f"{NAME}.onnx" and model.read_bytes() == voice_files[f"{NAME}.onnx"]
    assert [v.name for v in store.installed()] == [NAME]
    assert seen[-1] == (f"{NAME}.onnx", len(voice_files[f"{NAME}.onnx"]), len(voice_files[f"{NAME}.onnx"]))
    assert sorted(p.name for p in root.iterdir()) == [NAME]  # no staging left behind
    from podcast.voices.piper import PiperOptions, PiperVoice

    assert PiperVoice(PiperOptions(model=NAME)).synthesize(["Bonjour."])[0].samples > 0
    assert store.remove(NAME) == root / NAME
    nothing_installed(root)
    with pytest.raises(ConfigError, match="is not installed"):
        store.remove(NAME)


def test_404_installs_nothing(voice_files: dict, server: Files, tmp_path: Path) -> None:
    del server.files[f"/{FOLDER}/{NAME}.onnx"]
    with pytest.raises(DownloadError, match="answered 404"):
        store.download(NAME)
    nothing_installed(tmp_path / "voices")


def test_wrong_checksum_installs_nothing(voice_files: dict, server: Files, tmp_path: Path) -> None:
    body = bytearray(voice_files[f"{NAME}.onnx"])
    body[-1] ^= 0xFF  # same size, one bit wrong
    server.files[f"/{FOLDER}/{NAME}.onnx"] = bytes(body)
    with pytest.raises(DownloadError, match="wrong MD5 digest; deleted, nothing installed"):
        store.download(NAME)
    nothing_installed(tmp_path / "voices")
    assert not list((tmp_path / "voices").rglob("*.onnx.part"))  # a bad file is not resumed


def test_interrupted_download_resumes_with_a_range_request(voice_files: dict, server: Files, tmp_path: Path) -> None:
    server.mode = "cut"
    with pytest.raises(DownloadError, match="run again to resume") as err:
        store.download(NAME)
    assert "\n" not in str(err.value)
    nothing_installed(tmp_path / "voices")
    size = len(voice_files[f"{NAME}.onnx"])
    kept = tmp_path / "voices" / f".{NAME}.part" / f"{NAME}.onnx.part"
    assert kept.stat().st_size == size // 2
    model = store.download(NAME)
    assert server.ranges == [f"bytes={size // 2}-"]
    assert model.read_bytes() == voice_files[f"{NAME}.onnx"]


def test_too_slow_times_out_and_installs_nothing(voice_files: dict, server: Files, tmp_path: Path) -> None:
    server.mode = "slow"
    with pytest.raises(DownloadError, match=r"no data for 0.5 s; offline, copy .*onnx\.json from .* into ") as err:
        store.download(NAME, timeout=0.5)
    assert "\n" not in str(err.value)
    nothing_installed(tmp_path / "voices")


def test_unreachable_mirror_says_how_to_install_by_hand(voice_files: dict, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port found free, then closed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DownloadError) as err:
        store.download(NAME, url=f"http://127.0.0.1:{port}")
    message = str(err.value)
    assert f"copy {NAME}.onnx and {NAME}.onnx.json from" in message
    assert str(tmp_path / "voices" / NAME) in message and "\n" not in message
    nothing_installed(tmp_path / "voices")


def test_cli_lists_downloads_and_removes(voice_files: dict, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from podcast.cli import cli

    runner = CliRunner()
    listed = runner.invoke(cli, ["voices"])
    assert listed.exit_code == 0, listed.output
    assert f"  {NAME} " in listed.output and str(tmp_path / "voices") in listed.output
    done = runner.invoke(cli, ["voices", "download", NAME])
    assert done.exit_code == 0 and done.output == f"Installed {NAME} in {tmp_path / 'voices' / NAME}\n"
    assert f"* {NAME}" in runner.invoke(cli, ["voices"]).output
    gone = runner.invoke(cli, ["voices", "remove", NAME])
    assert gone.exit_code == 0 and gone.output.startswith(f"Removed {NAME} from ")
    again = runner.invoke(cli, ["voices", "remove", NAME])
    assert again.exit_code == 2 and again.output.count("\n") == 1 and "is not installed" in again.output


def test_cli_download_failure_is_one_line_and_exit_4(voice_files: dict, server: Files) -> None:
    from click.testing import CliRunner

    from podcast.cli import cli

    server.files.clear()
    result = CliRunner().invoke(cli, ["voices", "download", NAME])
    assert result.exit_code == 4 and result.output.count("\n") == 1 and "answered 404" in result.output
    unknown = CliRunner().invoke(cli, ["voices", "download", "fr_FR-nobody-low"])
    assert unknown.exit_code == 2 and "no voice 'fr_FR-nobody-low' in the catalogue" in unknown.output
