"""A real ``wfm serve`` in a subprocess on 127.0.0.1 (a free port), for fuzzing and load tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Any

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, as a service manager would; the exit status (0 for a graceful stop)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
            finally:
                self.log.close()
        return self.process.returncode


def start(env: dict[str, str] | None = None, timeout: float = 60.0) -> Server:
    """Start ``python -m wfm serve`` with the given ``WFM_*`` limits and wait until /health answers."""
    port = free_port()
    log = tempfile.TemporaryFile()  # a pipe nobody reads would block the server once full
    full_env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "wfm", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning", "--grace", "5"], env=full_env, cwd=str(ROOT),
                               stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"wfm serve exited: {log.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return Server(url=url, process=process, log=log)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("wfm serve did not answer /health in time")
