"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_write_json", "current_umask"]


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, parents: bool = True) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder, fsync, then rename over it.

    The file gets the permissions a plain ``open(path, "w")`` would give — ``0o666`` less the umask, or the
    old file's mode when it replaces one — so another service can read the nightly batch's output. Missing
    folders are made with ``parents`` (the default, for the library's own stores); the command line passes
    ``parents=False`` so that ``-o /typo/fc.csv`` is an error, not a new ``/typo``.
    """
    target = Path(path)
    if parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    elif not target.parent.is_dir():
        raise FileNotFoundError(2, f"folder {target.parent} does not exist (nothing written)", str(target))
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)  # mkstemp makes 0600 whatever the umask
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def current_umask() -> int:
    """The process's umask, read without changing it where the platform allows (Linux ``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8", *,
                      parents: bool = True) -> Path:
    """Text version of :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode(encoding), parents=parents)


def atomic_write_json(path: str | os.PathLike[str], obj: Any, *, indent: int = 2, parents: bool = True) -> Path:
    """Serialise ``obj`` as JSON (non-finite floats become null) and write it atomically."""
    return atomic_write_text(path, json.dumps(_finite(obj), indent=indent, default=str, allow_nan=False) + "\n",
                             parents=parents)


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj
