"""SFTP through paramiko: files land under a temporary name and are renamed (posix-rename) into place,
so a half-sent file is never visible under its real name; the host key must be known (no
trust-on-first-use); files are made 0644 and folders 0755 there too."""

from __future__ import annotations

import errno
import logging
import posixpath
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import CredentialsError, TransientError, UploadError, credentials
from .target import Target

if TYPE_CHECKING:
    import paramiko

    from ..config import Config

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds: connect, banner, authentication and each read on the channel


class SftpRemote:
    def __init__(self, config: Config, target: Target) -> None:
        upload = config.upload
        self.target = target
        self.key_file = config.resolve(upload.ssh_key) if upload.ssh_key else None
        self.known_hosts = (
            config.resolve(upload.known_hosts) if upload.known_hosts else Path("~/.ssh/known_hosts").expanduser()
        )
        self.credentials = config.resolve(upload.credentials) if upload.credentials else None
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._folders: set[str] = set()

    # -- connection ------------------------------------------------------------------------------

    def _connect(self) -> paramiko.SFTPClient:
        if self._sftp is not None:
            return self._sftp
        import paramiko

        secrets = credentials(self.credentials)
        client = paramiko.SSHClient()
        try:
            client.load_host_keys(str(self.known_hosts))
        except OSError:
            raise CredentialsError(
                f"no known_hosts file to check {self.target.host}'s key; add it with "
                f"ssh-keyscan -p {self.target.port} {self.target.host}",
                path=self.known_hosts,
            ) from None
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        where = f"{self.target.host}:{self.target.port}"
        key = None
        if self.key_file is not None:
            try:
                key = paramiko.PKey.from_path(self.key_file, secrets.get("PODCAST_SSH_KEY_PASSPHRASE"))
            except (OSError, paramiko.SSHException, ValueError) as err:
                raise CredentialsError(
                    f"cannot load upload.ssh_key: {getattr(err, 'strerror', None) or err}", path=self.key_file
                ) from None
        try:
            client.connect(
                self.target.host,
                self.target.port,
                username=self.target.user or None,
                pkey=key,
                password=secrets.get("PODCAST_SFTP_PASSWORD"),
                look_for_keys=key is None,
                allow_agent=True,
                timeout=TIMEOUT,
                banner_timeout=TIMEOUT,
                auth_timeout=TIMEOUT,
            )
            sftp = client.open_sftp()
        except paramiko.AuthenticationException:
            client.close()
            raise CredentialsError(
                f"{where} refused our credentials (upload.ssh_key, the SSH agent or PODCAST_SFTP_PASSWORD)"
            ) from None
        except paramiko.BadHostKeyException:
            client.close()
            raise CredentialsError(
                f"{where} presented another host key than {self.known_hosts} holds: check it before trusting it"
            ) from None
        except paramiko.SSHException as err:
            transport = client.get_transport()
            at_login = transport is not None and transport.is_active() and not transport.is_authenticated()
            client.close()
            if "known_hosts" in str(err):
                raise CredentialsError(
                    f"{where}: host key unknown in {self.known_hosts}; add it with "
                    f"ssh-keyscan -p {self.target.port} {self.target.host}"
                ) from None
            if at_login:  # paramiko reports the last key it could not use rather than the refusal
                raise CredentialsError(
                    f"{where} refused our credentials (upload.ssh_key, the SSH agent or PODCAST_SFTP_PASSWORD)"
                ) from None
            raise TransientError(f"{where}: {err}") from None
        except (OSError, EOFError) as err:
            client.close()
            raise TransientError(f"cannot reach {where}: {getattr(err, 'strerror', None) or err}") from None
        channel = sftp.get_channel()
        if channel is not None:
            channel.settimeout(TIMEOUT)
        self._client, self._sftp = client, sftp
        return sftp

    def _failed(self, what: str, err: BaseException) -> UploadError:
        """A lost connection is worth a retry; a refusal by a live server (permission, full disk) is not."""
        transport = self._client.get_transport() if self._client is not None else None
        if transport is None or not transport.is_active() or isinstance(err, (EOFError, TimeoutError)):
            self.close()
            return TransientError(f"connection lost: {err or type(err).__name__}")
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        return UploadError(f"{self.target}: {what} refused by the host: {reason}")

    def _call(self, what: str, action: Callable[[paramiko.SFTPClient], Any]) -> Any:
        import paramiko

        sftp = self._connect()
        try:
            return action(sftp)
        except (OSError, EOFError, paramiko.SSHException) as err:
            raise self._failed(what, err) from None

    def _path(self, name: str) -> str:
        return posixpath.join(self.target.path, name)

    # -- the Remote protocol ---------------------------------------------------------------------

    def list(self) -> dict[str, int]:
        def walk(sftp: paramiko.SFTPClient) -> dict[str, int]:
            found: dict[str, int] = {}
            pending = [""]
            while pending:
                relative = pending.pop()
                try:
                    entries = sftp.listdir_attr(self._path(relative) if relative else self.target.path)
                except FileNotFoundError:
                    continue  # nothing published there yet
                self._folders.add(relative)
                for attr in entries:
                    name = posixpath.join(relative, attr.filename) if relative else attr.filename
                    if attr.st_mode is not None and stat.S_ISDIR(attr.st_mode):
                        pending.append(name)
                    elif attr.st_mode is None or stat.S_ISREG(attr.st_mode):
                        found[name] = attr.st_size or 0
            return found

        return dict(self._call("listing", walk))

    def put(self, local: Path, name: str, headers: dict[str, str], progress: Callable[[int], None]) -> None:
        folder, base = posixpath.split(name)
        final = self._path(name)
        temp = self._path(posixpath.join(folder, f".{base}.upload-tmp"))
        done = [0]

        def advance(sent: int, _total: int) -> None:
            progress(sent - done[0])
            done[0] = sent

        def send(sftp: paramiko.SFTPClient) -> None:
            self._make_folders(sftp, folder)
            sftp.put(str(local), temp, callback=advance, confirm=True)
            sftp.chmod(temp, 0o644)
            try:
                sftp.posix_rename(temp, final)
            except OSError:  # a server without the posix-rename extension: not atomic, but complete
                try:
                    sftp.remove(final)
                except FileNotFoundError:
                    pass
                sftp.rename(temp, final)

        log.debug("sftp put %s", name)
        self._call(f"writing {name}", send)

    def _make_folders(self, sftp: paramiko.SFTPClient, folder: str) -> None:
        parts = [p for p in folder.split("/") if p]
        for depth in range(len(parts) + 1):
            relative = "/".join(parts[:depth])
            if relative in self._folders:
                continue
            path = self._path(relative) if relative else self.target.path
            try:
                sftp.stat(path)
            except FileNotFoundError:
                sftp.mkdir(path, 0o755)
                sftp.chmod(path, 0o755)  # mkdir's mode goes through the server's umask
            self._folders.add(relative)

    def delete(self, name: str) -> None:
        def remove(sftp: paramiko.SFTPClient) -> None:
            try:
                sftp.remove(self._path(name))
            except OSError as err:
                if err.errno != errno.ENOENT and not isinstance(err, FileNotFoundError):
                    raise

        self._call(f"deleting {name}", remove)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = self._sftp = None
        self._folders.clear()
