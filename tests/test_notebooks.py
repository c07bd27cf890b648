"""The numbered notebooks in examples/ run top to bottom in a fresh kernel (nbclient), each within a minute's
budget, and each is in step with the ``# %%`` script it was made from (jupytext).

They read the bank data, so they are skipped where it is absent — except under CI (env ``CI`` set), where
absent data is a failure, not a skip.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from wfm.datasets import find_data_dir

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("[0-9][0-9]_*.ipynb"))
BUDGET_S = 60  # the per-notebook budget the kernel is given (a guard against runaway cells, not a speed test)

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
jupytext = pytest.importorskip("jupytext")


def _data_or_skip() -> Path:
    try:
        return find_data_dir()
    except FileNotFoundError as exc:
        if os.environ.get("CI"):
            raise  # CI must run the notebooks: missing data there is a broken setup
        pytest.skip(f"the bank data is absent: {exc}")


def test_every_numbered_notebook_has_its_script():
    assert [p.stem for p in NOTEBOOKS] == ["01_forecast_bank", "02_staff_erlang_c_vs_a", "03_roster_bank",
                                           "04_explain_shortfall"]
    for nb_path in NOTEBOOKS:
        script = jupytext.read(nb_path.with_suffix(".py"))
        notebook = nbformat.read(nb_path, as_version=4)
        # the notebook holds exactly the script's cells (regenerate with: jupytext --to ipynb examples/0*.py)
        assert [(c.cell_type, c.source) for c in notebook.cells] == \
            [(c.cell_type, c.source) for c in script.cells], nb_path.name


@pytest.mark.slow
def test_notebooks_run_in_order(tmp_path, monkeypatch):
    data = _data_or_skip()
    # the kernel is this interpreter (jupyter_client maps the "python3" kernel to sys.executable) importing this
    # checkout's wfm; notebook 3 writes the roster that notebook 4 explains into WFM_EXAMPLES_OUT
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("WFM_DATA", str(data))
    monkeypatch.setenv("WFM_EXAMPLES_OUT", str(tmp_path))
    # figures as inline images, whatever backend the caller set (CI sets Agg, which cannot show them)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    seconds = {}
    for nb_path in NOTEBOOKS:
        nb = nbformat.read(nb_path, as_version=4)
        client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=BUDGET_S,
                                         resources={"metadata": {"path": str(EXAMPLES)}})
        t0 = time.perf_counter()
        client.execute()
        seconds[nb_path.stem] = time.perf_counter() - t0
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert not errors, (nb_path.name, errors)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert "".join(o.get("text", "") for o in outputs).strip(), f"{nb_path.name} printed nothing"
        if "plt.show()" in "".join(c.source for c in nb.cells):
            assert any("image/png" in o.get("data", {}) for o in outputs), f"{nb_path.name} drew no figure"
    assert (tmp_path / "problem.json").exists() and (tmp_path / "solution.json").exists()
    print({k: round(v, 1) for k, v in seconds.items()}, file=sys.stderr)
