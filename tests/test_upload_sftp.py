"""podcast publish over SFTP to a real OpenSSH server (Debian's openssh-server) started on 127.0.0.1
with its own sshd_config and host key; the login user is ``nobody`` so that the server's own
permission checks are real. Faults go through a TCP proxy that drops the connection mid-upload."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import configure, free_port, helper_missing
from upload_support import FlakyProxy, assert_remote_feed_complete, copy_show, publish_in_a_process

from podcast.errors import EXIT_USAGE
from podcast.publish import remove
from podcast.site import page_name
from podcast.upload import CredentialsError, UploadError, publish

NOBODY = 65534
ROOT = Path(__file__).resolve().parent.parent
SSHD = "/usr/sbin/sshd"


@dataclass
class Server:
    folder: Path
    port: int
    host_key: paramiko.PKey
    user_key: Path

    def known_hosts(self, port: int) -> Path:
        path = self.folder / f"known_hosts-{port}"
        path.write_text(f"[127.0.0.1]:{port} {self.host_key.get_name()} {self.host_key.get_base64()}\n")
        return path

    def new_root(self, name: str) -> Path:
        """An empty remote folder the login user owns."""
        root = self.folder / "www" / name
        root.mkdir()
        os.chown(root, NOBODY, NOBODY)
        return root


@pytest.fixture(scope="module")
def sshd() -> Iterator[Server]:
    if not Path(SSHD).is_file():
        helper_missing("OpenSSH's sshd is absent (Debian: apt-get install openssh-server)")
    if os.geteuid() != 0:
        helper_missing("the sshd test server logs in as user nobody, which needs root")
    folder = Path(tempfile.mkdtemp(prefix="podcast-sshd-"))
    folder.chmod(0o755)  # sshd reads authorized_keys as the login user
    host_key = paramiko.ECDSAKey.generate()
    host_key.write_private_key_file(str(folder / "host_key"))
    (folder / "host_key").chmod(0o600)
    user_key = paramiko.ECDSAKey.generate()
    user_key.write_private_key_file(str(folder / "user_key"))
    (folder / "authorized_keys").write_text(f"{user_key.get_name()} {user_key.get_base64()}\n")
    (folder / "authorized_keys").chmod(0o644)
    www = folder / "www"
    www.mkdir(mode=0o755)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    port = free_port()
    (folder / "sshd_config").write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder / "host_key"}
PidFile {folder / "sshd.pid"}
AuthorizedKeysFile {folder / "authorized_keys"}
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers nobody
Subsystem sftp internal-sftp
ForceCommand internal-sftp
LogLevel VERBOSE
""")
    process = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(folder / "sshd_config")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen = []
    for line in process.stderr:  # sshd says when it listens, or exits with its reason
        seen.append(line)
        if "Server listening on" in line:
            break
    else:
        pytest.fail("sshd did not start:\n" + "".join(seen))
    log = folder / "sshd.log"
    with open(log, "w") as sink:  # keep sshd's pipe flowing; its log is there for a failing test
        drain = subprocess.Popen(["cat"], stdin=process.stderr, stdout=sink)
    try:
        yield Server(folder, port, host_key, folder / "user_key")
    finally:
        process.terminate()
        process.wait(timeout=30)
        drain.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def remote_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def show_for(tmp_path: Path, server: Server, root: Path, port: int | None = None, **extra: str | float):
    port = port or server.port
    return copy_show(
        tmp_path / "show",
        target=f"sftp://nobody@127.0.0.1:{port}{root}",
        ssh_key=str(server.user_key),
        known_hosts=str(server.known_hosts(port)),
        retry_delay=0.0,
        **extra,
    )


def no_sleep(_seconds: float) -> None:
    """Backoff waits are not what these tests measure."""


def test_publish_sends_all_then_only_changes_and_deletes_after_the_feed(sshd: Server, tmp_path: Path) -> None:
    root = sshd.new_root("full")
    config = show_for(tmp_path, sshd, root)
    local = config.publish_dir

    dry = publish(config, dry_run=True)
    assert dry.dry_run and "feed.xml" in dry.sent and not remote_files(root)  # a dry run sends nothing

    first = publish(config, sleep=no_sleep)
    assert first.sent[-1] == "feed.xml" and first.sent[0].startswith("episodes/")
    files = remote_files(root)
    assert set(files) == {p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()}
    named = assert_remote_feed_complete(files, local)
    assert any(n.endswith(".mp3") for n in named)
    for path in root.rglob("*"):  # readable by the web server on that host too
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path
    assert not [p for p in root.rglob(".*")], "a temporary file was left"

    assert publish(config, sleep=no_sleep).sent == []  # unchanged: nothing sent

    lost = next(n for n in named if n.endswith(".vtt"))
    (root / lost).unlink()  # lost on the host: the manifest alone would not see it
    assert publish(config, sleep=no_sleep).sent == [lost]

    gone = remove(config, "1")
    result = publish(config, sleep=no_sleep)
    assert result.sent == ["index.html", "feed.xml"]  # the show's page lists one episode less
    assert sorted(result.deleted) == sorted([*gone.files, page_name(gone)])
    files = remote_files(root)
    assert not set(gone.files) & set(files)
    assert_remote_feed_complete(files, local)


def test_dropped_connection_is_retried_within_the_run(sshd: Server, tmp_path: Path) -> None:
    proxy = FlakyProxy(sshd.port)
    root = sshd.new_root("retry")
    config = show_for(tmp_path, sshd, root, port=proxy.port)
    proxy.cut_after(60_000)  # well inside the first MP3
    result = publish(config, sleep=no_sleep)
    assert proxy.cuts == 1
    assert "feed.xml" in result.sent
    assert_remote_feed_complete(remote_files(root), config.publish_dir)
    assert not [p for p in root.rglob(".*")], "the temporary file of the cut upload was left"
    proxy.close()


def test_host_down_mid_upload_then_a_rerun_completes(sshd: Server, tmp_path: Path) -> None:
    proxy = FlakyProxy(sshd.port)
    root = sshd.new_root("down")
    config = show_for(tmp_path, sshd, root, port=proxy.port, retries=2)
    proxy.cut_after(60_000, stay_down=True)  # from the cut on, the host is unreachable
    with pytest.raises(UploadError, match="gave up after 2 retries"):
        publish(config, sleep=no_sleep)
    assert proxy.cuts == 1
    files = remote_files(root)
    assert "feed.xml" not in files  # the feed goes last: no feed naming missing files
    for name, data in files.items():  # nothing half-sent under a real name
        assert name.rsplit("/", 1)[-1].startswith(".") or data == (config.publish_dir / name).read_bytes(), name
    proxy.down = False
    result = publish(config, sleep=no_sleep)
    assert "feed.xml" in result.sent
    assert_remote_feed_complete(remote_files(root), config.publish_dir)
    assert not [p for p in root.rglob(".*")]
    proxy.close()


def test_wrong_key_is_one_line_exit_2_and_deletes_nothing(sshd: Server, tmp_path: Path) -> None:
    root = sshd.new_root("creds")
    config = show_for(tmp_path, sshd, root)
    publish(config, sleep=no_sleep)
    remove(config, "1")  # a publish now would delete its files remotely
    before = remote_files(root)
    stranger = paramiko.ECDSAKey.generate()
    stranger.write_private_key_file(str(tmp_path / "stranger_key"))
    configure(config.root, {"upload": {"ssh_key": str(tmp_path / "stranger_key")}})
    done = publish_in_a_process(config)
    assert done.returncode == EXIT_USAGE, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused our credentials" in lines[0], done.stderr
    assert "BEGIN" not in done.stderr + done.stdout
    assert remote_files(root) == before
    assert_remote_feed_complete(before)


def test_unknown_host_key_is_refused(sshd: Server, tmp_path: Path) -> None:
    root = sshd.new_root("hostkey")
    config = show_for(tmp_path, sshd, root)
    (config.root / "empty_known_hosts").write_text("")
    configure(config.root, {"upload": {"known_hosts": "empty_known_hosts"}})
    from podcast import config as config_mod

    with pytest.raises(CredentialsError, match="host key unknown"):
        publish(config_mod.load(config.root / "podcast.toml"), sleep=no_sleep)
    assert not remote_files(root)


def test_a_refused_file_stops_before_the_feed(sshd: Server, tmp_path: Path) -> None:
    root = sshd.new_root("refused")
    config = show_for(tmp_path, sshd, root)
    publish(config, sleep=no_sleep)
    before = remote_files(root)
    remove(config, "2")
    episode = config.publish_dir / "episodes"
    extra = episode / (next(iter(episode.glob("*.mp3"))).stem + "-bonus.mp3")
    extra.write_bytes(b"x" * 10_000)
    (root / "episodes").chmod(0o755)
    os.chown(root / "episodes", 0, 0)  # the host now refuses any new file there (as a full quota would)
    with pytest.raises(UploadError, match="refused by the host"):
        publish(config, sleep=no_sleep)
    after = remote_files(root)
    assert after["feed.xml"] == before["feed.xml"]  # the old feed stays, and so does every file it names
    assert_remote_feed_complete(after)
    assert set(before) <= set(after)
