"""One build at a time per show: an advisory lock file that the kernel releases if we die."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LockedError, PublishError


@contextmanager
def show_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold ``path`` exclusively; wait up to ``timeout`` seconds (0: fail at once) for another build."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise PublishError(f"cannot create the build lock: {err.strerror}", path=path) from None
    try:
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"another build of this show is running (waited {timeout:g} s); try again later",
                        path=path,
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock
