"""Run the benchmark suites and write JSON plus a markdown report.

    python -m benchmarks                 # full suites
    python -m benchmarks --quick         # CI mode: smaller sizes, shorter time limits
    python -m benchmarks --suite erlang  # one suite (repeatable)

Each suite is a module ``benchmarks/bench_<name>.py`` exposing ``run(quick: bool) -> list[Table]``.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
import traceback
from pathlib import Path

from benchmarks._common import PROJECT_ROOT, Table
from wfm._io import atomic_write_json, atomic_write_text


def available_suites() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in (PROJECT_ROOT / "benchmarks").glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    suites = available_suites()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI mode: small sizes and short time limits")
    parser.add_argument("--suite", action="append", choices=suites, help="run only this suite (repeatable)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks" / "results",
                        help="folder for <suite>.json and report.md (default: benchmarks/results)")
    args = parser.parse_args(argv)

    mode = "quick" if args.quick else "full"
    report = [f"# wfm benchmark report ({mode})", "",
              f"Python {platform.python_version()} on {platform.machine()}, {time.strftime('%Y-%m-%d %H:%M')}.", ""]
    failed: list[str] = []
    for name in args.suite or suites:
        print(f"== suite {name} ({mode})", flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            tables: list[Table] = module.run(quick=args.quick)
        except Exception:  # a broken suite must fail the run, but the others still report
            traceback.print_exc()
            failed.append(name)
            report += [f"## {name}", "", "**FAILED** — see the log.", ""]
            continue
        elapsed = time.perf_counter() - t0
        atomic_write_json(args.out / f"{name}.json",
                          {"suite": name, "mode": mode, "seconds": elapsed, "tables": [t.to_dict() for t in tables]})
        report += [f"## {name} ({elapsed:.1f} s)", ""] + [t.to_markdown() for t in tables]
        for t in tables:
            print(t.to_markdown(), flush=True)
    atomic_write_text(args.out / "report.md", "\n".join(report))
    print(f"report: {args.out / 'report.md'}")
    if failed:
        print(f"FAILED suites: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

