"""Errors of the command line as one line each: the file, the field and the bad value.

A nightly batch reads its log line by line, so every failure from bad input — a wfm error, a problem file
that does not match the schema, a missing or unreadable file, a CSV pandas cannot parse — becomes one line,
built from the error's structured data (``field``, ``value``), never a traceback.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wfm.exceptions import InvalidParameterError, WfmError, bounded_value

__all__ = ["INPUT_ERRORS", "describe", "reading", "output_dir", "output_file"]

#: What bad input can raise; anything else is a bug and keeps its traceback.
INPUT_ERRORS: tuple[type[BaseException], ...] = (WfmError, ValidationError, OSError, ValueError)

_SOURCE = "wfm_source"


@contextlib.contextmanager
def reading(path: str | os.PathLike[str]) -> Iterator[None]:
    """Errors raised inside the block are about ``path``: :func:`describe` names it."""
    try:
        yield
    except INPUT_ERRORS as err:
        if getattr(err, _SOURCE, None) is None:
            setattr(err, _SOURCE, str(path))
        raise


def output_dir(path: Path) -> Path:
    """Make the output folder ``path`` (not its parents: a typo must not create a tree); it must not be a file."""
    if path.exists() and not path.is_dir():
        raise InvalidParameterError(f"`--out-dir` {path} is a file, not a folder", field="out_dir", value=str(path))
    if not path.parent.is_dir():
        raise InvalidParameterError(f"`--out-dir` {path}: its parent folder {path.parent} does not exist",
                                    field="out_dir", value=str(path))
    path.mkdir(exist_ok=True)
    return path


def output_file(path: Path | None) -> None:
    """Check, before any work, that ``-o path`` can be written: its folder exists and it is not a folder."""
    if path is None:
        return
    if path.is_dir():
        raise InvalidParameterError(f"`-o` {path} is a folder; give a file name", field="out", value=str(path))
    if not path.parent.is_dir():
        raise InvalidParameterError(f"`-o` {path}: folder {path.parent} does not exist (nothing written)",
                                    field="out", value=str(path))


def describe(err: BaseException) -> str:
    """One line: ``<file>: <message>`` with the field and the value when the message lacks them."""
    source = getattr(err, _SOURCE, None)
    prefix = f"{source}: " if source else ""
    if isinstance(err, ValidationError):
        return prefix + _pydantic(err)
    if isinstance(err, WfmError):
        line = _first_line(str(err))
        about_file = err.field == "path" and err.value == source  # the prefix already names the file
        if err.field and not about_file and f"`{err.field}`" not in line and err.field not in line:
            line = f"field `{err.field}`: {line}"
        if err.value is not None and not about_file and str(err.value) not in line:
            line += f" (got {err.value!r})"
        return prefix + line
    if isinstance(err, OSError):
        where = err.filename if err.filename is not None else source
        what = err.strerror or _first_line(str(err)) or type(err).__name__
        return f"{where}: {what}" if where else what
    if isinstance(err, UnicodeDecodeError):
        return prefix + f"not UTF-8 text (byte {err.start})"
    return prefix + (_first_line(str(err)) or type(err).__name__)


def _pydantic(err: ValidationError) -> str:
    errors = err.errors(include_url=False)
    first = errors[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    value: Any = first.get("input")
    if isinstance(value, dict):
        value = f"<object with {len(value)} keys>"
    elif isinstance(value, list):
        value = f"<array of {len(value)} items>"
    line = f"field `{loc}`: {first['msg']}" if loc else str(first["msg"])
    if first.get("type") not in ("missing", "json_invalid"):
        line += f" (got {bounded_value(value, 80)!r})"
    if len(errors) > 1:
        line += f"; and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''}"
    return line


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else ""
