"""Shared by tests/test_site_browser.py (a helper module, not a test module): Debian's Chromium driven
by Playwright's Python API, never a downloaded browser (no ``playwright install``), and a watch on a
page: console errors, script errors, dialogs, and every request, those leaving the test server aborted.

Chromium is a test helper from Debian (``.ci/run`` installs it): absent, the tests skip with the
reason, or fail under CI=true (helpers.helper_missing).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers import helper_missing

# We may run as root (no sandbox then); the background-networking flags keep Chromium from calling
# Google's services (the closed network refuses them, and a test must see no request but ours).
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS_ENV = "PODCAST_TEST_ARTIFACTS"


def chromium_path() -> str:
    """Debian's Chromium (or the one PODCAST_CHROMIUM names); skips (fails under CI) without it."""
    for candidate in (os.environ.get("PODCAST_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    helper_missing("Debian's chromium is not installed (apt-get install chromium)")
    raise AssertionError("unreachable")


def artifacts_dir(factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $PODCAST_TEST_ARTIFACTS if set, else a folder of this test run."""
    given = os.environ.get(ARTIFACTS_ENV)
    folder = Path(given) / "site" if given else factory.mktemp("site-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Watch:
    """What a page did: console errors, uncaught exceptions, dialogs, requests (ours and others)."""

    allowed: tuple[str, ...]  # URL prefixes a page may load from
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> Any:
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda err: self.errors.append(str(err)))
        page.on("dialog", self._dialog)
        page.on("request", lambda request: self.requests.append(request.url))
        page.route("**/*", self._route)
        return page

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.allowed):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def check(self) -> None:
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.foreign, f"requests leaving the test server: {self.foreign}"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
