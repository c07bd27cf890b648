"""Package hygiene: the core imports without optional extras; the exception tree; atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import wfm
from wfm import exceptions as exc
from wfm._io import atomic_write_json, atomic_write_text


def test_core_imports_without_optional_extras():
    # Block every optional dependency, then import each subpackage in a clean interpreter.
    code = textwrap.dedent(
        """
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                root = name.split(".")[0]
                if root in {"matplotlib", "fastapi", "uvicorn", "httpx", "pyworkforce", "statsforecast",
                            "mpmath", "hypothesis", "dask"}:
                    raise ImportError(f"blocked {name}")
                return None
        sys.meta_path.insert(0, Block())
        import wfm, wfm.erlang, wfm.forecast, wfm.roster, wfm.api
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_exception_tree_subclasses_builtins():
    assert issubclass(exc.InvalidParameterError, ValueError)
    assert issubclass(exc.DataFormatError, ValueError)
    assert issubclass(exc.NotFittedError, AttributeError)
    assert issubclass(exc.MissingExtraError, ImportError)
    for cls in (exc.InvalidParameterError, exc.DataFormatError, exc.NotFittedError, exc.InfeasibleError,
                exc.NoSolutionError, exc.MissingExtraError):
        assert issubclass(cls, wfm.WfmError)
    err = exc.InfeasibleError("clash", conflicts=["max_days(agent=a1)"])
    assert err.conflicts == ["max_days(agent=a1)"]


def test_require_extra_names_the_extra():
    with pytest.raises(exc.MissingExtraError, match=r"pip install 'wfm\[plot\]'"):
        exc.require_extra("surely_not_a_module_xyz", "plot")


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "report.json"
    atomic_write_json(target, {"a": 1.0, "nan": float("nan")})
    assert json.loads(target.read_text()) == {"a": 1.0, "nan": None}
    atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert os.listdir(target.parent) == ["report.json"]


def test_atomic_write_keeps_old_file_when_serialisation_fails(tmp_path):
    target = tmp_path / "ledger.json"
    atomic_write_text(target, "old")

    class Unserialisable:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write_json(target, {"x": Unserialisable()})
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["ledger.json"]
