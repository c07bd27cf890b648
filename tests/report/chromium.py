"""Drive a real headless Chromium over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

No client library: the browser reads JSON commands, each ended by a NUL byte, on its fd 3 and writes replies
and events the same way on fd 4. :func:`render` opens one page and returns everything a test needs to judge
it: the value of a probe script, every console error, uncaught exception, browser log error and network
request the page made, and a full-page PNG screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Rendered", "find_chromium", "render"]

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
          "--disable-extensions", "--disable-sync", "--mute-audio", "--disable-dev-shm-usage",
          "--remote-debugging-pipe"]


def find_chromium() -> str | None:
    """Path of a Chromium (Debian's ``chromium`` package) or Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Rendered:
    """What the browser showed and said while loading one page."""

    probe: Any
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""

    @property
    def problems(self) -> list[str]:
        """Every console error, exception, browser error and fetch beyond the file itself."""
        remote = [f"network request: {u}" for u in self.requests if not u.startswith(("file:", "data:", "about:"))]
        return [*self.console_errors, *self.exceptions, *self.log_errors, *remote]


def _high(fd: int) -> int:
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


class _Pipe:
    def __init__(self, binary: str, profile: str) -> None:
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()
        # the child's ends go above 10 first, so putting them on 3 and 4 cannot overwrite one with the other
        to_r, from_w = _high(to_r), _high(from_w)
        # bash puts our pipe ends on fds 3 and 4, where --remote-debugging-pipe expects them
        script = f'exec "$0" "$@" 3<&{to_r} 4>&{from_w} {to_r}<&- {from_w}>&-'
        self.proc = subprocess.Popen(["bash", "-c", script, binary, *_FLAGS, f"--user-data-dir={profile}",
                                      "about:blank"], pass_fds=(to_r, from_w), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 60.0) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session is not None:
            msg["sessionId"] = session
        os.write(self._to_w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60.0) -> dict[str, Any]:
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events.pop(i)
        while True:
            ev = self._read(timeout)
            if ev.get("method") == method:
                return ev
            self.events.append(ev)

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_r], [], [], left)[0]:
                raise TimeoutError(f"no answer from Chromium within {timeout} s")
            chunk = os.read(self._from_r, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium closed the pipe (exit status {self.proc.poll()})")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_w)
        os.close(self._from_r)


def render(path: Path, probe: str, *, width: int = 1400, height: int = 900, binary: str | None = None,
           timeout: float = 60.0) -> Rendered:
    """Load ``path`` (file:// URL) in headless Chromium at ``width`` × ``height`` CSS px, run the JavaScript
    expression ``probe`` after the load event, take a full-page screenshot, and report what went wrong."""
    binary = binary or find_chromium()
    if binary is None:
        raise FileNotFoundError("no chromium binary on PATH")
    with tempfile.TemporaryDirectory(prefix="wfm-chromium-") as profile:
        pipe = _Pipe(binary, profile)
        try:
            target = pipe.send("Target.createTarget", {"url": "about:blank"}, timeout=timeout)["targetId"]
            sid = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                pipe.send(f"{domain}.enable", session=sid)
            pipe.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                              "deviceScaleFactor": 1, "mobile": False}, session=sid)
            pipe.events.clear()  # what about:blank said is not the page's
            pipe.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=sid)
            pipe.wait_for("Page.loadEventFired", timeout=timeout)
            value = pipe.send("Runtime.evaluate", {"expression": probe, "returnByValue": True,
                                                   "awaitPromise": True}, session=sid)
            if "exceptionDetails" in value:
                raise RuntimeError(f"probe failed: {value['exceptionDetails']}")
            size = pipe.send("Page.getLayoutMetrics", session=sid)["cssContentSize"]
            shot = pipe.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": min(size["height"], 16000), "scale": 1}},
                session=sid, timeout=timeout)
            out = Rendered(probe=value["result"].get("value"), screenshot=base64.b64decode(shot["data"]))
            for ev in pipe.events:
                m, p = ev.get("method"), ev.get("params", {})
                if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                    out.console_errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                                       for a in p.get("args", [])))
                elif m == "Runtime.exceptionThrown":
                    d = p.get("exceptionDetails", {})
                    out.exceptions.append(d.get("exception", {}).get("description") or d.get("text", ""))
                elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                    e = p["entry"]
                    out.log_errors.append(f"{e.get('source')}: {e.get('text')} {e.get('url', '')}".strip())
                elif m == "Network.requestWillBeSent":
                    out.requests.append(p.get("request", {}).get("url", ""))
            return out
        finally:
            pipe.close()
