"""The Python example and the manifest in docs/workflow.md run as written."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


def test_doc_python_example_runs(capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 1, "docs/workflow.md lost its example"
    exec(compile(blocks[0], str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    assert "12 agents," in capsys.readouterr().out


def test_doc_manifest_is_a_valid_manifest(tmp_path) -> None:
    from wfm.batch import load_manifest

    block = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S)[0]
    assert tomllib.loads(block)["teams"][1]["problem"] == "south.json"
    (tmp_path / "nightly.toml").write_text(block)
    manifest = load_manifest(tmp_path / "nightly.toml")
    assert [t.id for t in manifest.teams] == ["north", "south"]
    assert manifest.teams[1].settings["workers"] == 2 and manifest.teams[0].settings["days"] == 28
