"""Headless Chromium driven over the Chrome DevTools protocol, for the HTML pages and the Mermaid check.

Debian's ``chromium`` runs with ``--remote-debugging-pipe``: protocol messages are JSON, each ended by a
NUL byte, on file descriptors 3 (to the browser) and 4 (from it), so no port, no WebSocket library and
nothing on the network. :func:`installed` installs the package with apt where it is absent (the test
set-up; Debian's packages are reachable) and skips only when apt itself is not there.

A :class:`Page` records what a reviewer's browser would complain about: console errors, uncaught
exceptions, log entries of level error (a blocked request, a Content-Security-Policy violation), and every
request to anything but ``file:``, ``data:`` or ``about:``.
"""

from __future__ import annotations

import json
import os
import pathlib
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = pathlib.Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--remote-debugging-pipe",
)
LOCAL = ("file:", "data:", "about:", "blob:")


def installed() -> pathlib.Path | str:
    """Chromium's path, installed with apt if absent; a reason to skip when apt is not available."""
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None:
        return "Debian's chromium is not installed and apt-get is not available to install it"
    prefix = [] if os.geteuid() == 0 else [shutil.which("sudo") or "sudo", "-n"]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, apt, "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(install, env=environment, capture_output=True, check=False).returncode != 0:
        subprocess.run([*prefix, apt, "update"], env=environment, capture_output=True, check=False)
        done = subprocess.run(install, env=environment, capture_output=True, text=True, check=False)
        assert done.returncode == 0, (
            f"apt-get install chromium failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return CHROMIUM


class Browser:
    """One Chromium process and its protocol pipe."""

    def __init__(self, executable: pathlib.Path) -> None:
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        devnull = os.open(os.devnull, os.O_RDWR)
        argv = [str(executable), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"]
        self.pid = os.posix_spawn(
            str(executable),
            argv,
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, devnull, 0),
                (os.POSIX_SPAWN_DUP2, devnull, 1),
                (os.POSIX_SPAWN_DUP2, devnull, 2),
                (os.POSIX_SPAWN_DUP2, to_browser, 3),
                (os.POSIX_SPAWN_DUP2, from_browser, 4),
            ],
        )
        for fd in (to_browser, from_browser, devnull):
            os.close(fd)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        """Send one command and wait for its result (events that arrive meanwhile are kept)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(timeout=30)
            if reply.get("id") == self._next:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        """The first event named ``method`` (already received or arriving within ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._receive(timeout=max(0.1, deadline - time.monotonic())))

    def _receive(self, timeout: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._read], [], [], timeout)
            assert ready, "Chromium did not answer in time"
            chunk = os.read(self._read, 1 << 16)
            assert chunk, "Chromium closed the protocol pipe"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        found: dict[str, Any] = json.loads(message)
        return found

    def close(self) -> None:
        """Ask Chromium to quit, then make sure it has."""
        try:
            self._next += 1
            os.write(self._write, json.dumps({"id": self._next, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        for _ in range(50):
            if os.waitpid(self.pid, os.WNOHANG) != (0, 0):
                break
            time.sleep(0.1)
        else:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self._write)
        os.close(self._read)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """A tab: open a file, then evaluate JavaScript in it and read what the browser complained about."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session: str = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            browser.send(f"{domain}.enable", session=self.session)

    def open(self, path: pathlib.Path) -> None:
        """Load a file and wait until it has loaded."""
        self.browser.events.clear()
        self.browser.send("Page.navigate", {"url": path.resolve().as_uri()}, session=self.session)
        self.browser.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (a promise is awaited)."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def complaints(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries since the page was opened."""
        found = []
        for event in self.browser.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console: {[a.get('value', a.get('description')) for a in params['args']]}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
        return found

    def requests(self) -> list[str]:
        """Every URL the page asked for that is not local."""
        urls = [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e.get("method") == "Network.requestWillBeSent"
        ]
        return [url for url in urls if not url.startswith(LOCAL)]


@contextmanager
def browser(executable: pathlib.Path) -> Iterator[Browser]:
    """A Chromium for the block; closed after it."""
    found = Browser(executable)
    try:
        yield found
    finally:
        found.close()
