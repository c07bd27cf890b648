"""Without the optional extras: the batch, the tables and the console import; rich falls back to plain lines;
a Dask scheduler asks for the ``distributed`` extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_workflow_modules_work_without_rich_and_dask():
    code = textwrap.dedent(
        """
        import io, sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"rich", "dask", "distributed"}:
                    raise ImportError(f"blocked {name}")
                return None
        sys.meta_path.insert(0, Block())
        import wfm.batch, wfm.roster.tables, wfm.api.cli_workflow
        from wfm.api.console import Console
        from wfm.batch.manifest import Manifest, TeamSpec
        from wfm.exceptions import MissingExtraError
        from wfm.progress import Progress

        class Tty(io.StringIO):
            def isatty(self):
                return True

        assert Console("auto", Tty()).mode == "plain"
        try:
            Console("rich", io.StringIO())(Progress(task="roster"))
        except MissingExtraError as err:
            assert "wfm[cli]" in str(err)
        else:
            raise AssertionError("rich mode without rich")
        spec = TeamSpec(id="t", out_dir="/nonexistent", problem="/nonexistent/p.json")
        try:
            wfm.batch.run_batch(Manifest(path="m", out_dir="/nonexistent", teams=[spec]), scheduler="tcp://x:1")
        except MissingExtraError as err:
            assert "wfm[distributed]" in str(err)
        else:
            raise AssertionError("a scheduler without distributed")
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
