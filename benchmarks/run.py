"""Run newsarchive's benchmarks; print a table, the targets, and last one JSON line of figures.

    python benchmarks/run.py --quick            # every part, small sizes (under 3 minutes)
    python benchmarks/run.py                    # every part at full size (about 20 minutes)
    python benchmarks/run.py --quick --only extraction

Parts: extraction (vs trafilatura, newspaper4k, a bare lxml parse), crawl (vs a bare Scrapy
spider; peak RSS, CPU per article), update (requests and bytes vs a re-crawl), storage (insert
rate, size, FTS latency, analyst commands), reparse (articles/s with --jobs 2 vs one process).
Results and the commands that made them are in benchmarks/RESULTS.md. Ratios are measured side
by side in one run; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: import from the repository, not from benchmarks/
    sys.path[0] = str(ROOT)

from benchmarks import crawl, extraction, reparse, storage, update  # noqa: E402
from benchmarks.common import machine_notes  # noqa: E402

PARTS = ("extraction", "crawl", "update", "storage", "reparse")

SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "quick": {
        "extraction": {"per_layout": 30, "rounds": 3, "isolated_rounds": 2},
        "crawl": {"articles": 600, "reps": 1, "scale_articles": None, "profile_articles": None},
        "update": {"articles": 300},
        "storage": {"n": 5000, "reps": 10, "command_reps": 2},
        "reparse": {"articles": 2000, "reps": 2},
    },
    "full": {
        "extraction": {"per_layout": 100, "rounds": 5, "isolated_rounds": 3},
        "crawl": {"articles": 3000, "reps": 2, "scale_articles": 20000, "profile_articles": 600},
        "update": {"articles": 2000},
        "storage": {"n": 100_000, "reps": 20, "command_reps": 3},
        "reparse": {"articles": 20_000, "reps": 2},
    },
}

RUNNERS: dict[str, tuple[Callable[..., dict[str, Any]], Callable[..., list[tuple[str, str]]]]] = {
    "extraction": (extraction.run, extraction.rows),
    "crawl": (crawl.run, crawl.rows),
    "update": (update.run, update.rows),
    "storage": (storage.run, storage.rows),
    "reparse": (reparse.run, reparse.rows),
}


def commit() -> str:
    # A snapshot of the tree (git archive, no .git) says where it came from.
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def _clean(value: Any) -> Any:
    """NaN (a tool that was not measured) as null, so the JSON line is strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[1]) for r in rows)
    for part, metric, value in rows:
        print(f"{part:<11} {metric:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (under 3 minutes)")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only this part")
    parser.add_argument(
        "--extraction-pages", type=int, metavar="N", help="pages per layout (smoke tests: 3)"
    )
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    sizes = {part: dict(options) for part, options in SIZES[mode].items()}
    if args.extraction_pages:
        sizes["extraction"].update(
            per_layout=args.extraction_pages,
            rounds=1,
            isolated_rounds=1,
            profile=False,
            wordpress=False,
        )
    parts = [p for p in PARTS if not args.only or p in args.only]

    notes = machine_notes()
    figures: dict[str, Any] = {"mode": mode, "commit": commit(), "machine": notes}
    rows: list[tuple[str, str, str]] = []
    targets: list[dict[str, Any]] = []
    seconds: dict[str, float] = {}
    print(f"newsarchive benchmarks, {mode} mode, commit {figures['commit']}", flush=True)
    print(", ".join(f"{k} {v}" for k, v in notes.items()), flush=True)
    for part in parts:
        run, to_rows = RUNNERS[part]
        started = time.perf_counter()
        print(f"[{part}] running with {sizes[part]} ...", file=sys.stderr, flush=True)
        result = run(**sizes[part])
        seconds[part] = round(time.perf_counter() - started, 1)
        figures[part] = result
        targets += result["targets"]
        rows += [(part, metric, value) for metric, value in to_rows(result)]
    figures["targets"] = targets
    figures["seconds"] = seconds

    print()
    print_table(rows)
    print()
    print_table(
        [
            ("target", t["name"], f"{t['value']} (want {t['target']}): {_verdict(t)}")
            for t in targets
        ]
    )
    print(f"wall time per part (s): {seconds}")
    print(json.dumps(_clean(figures), ensure_ascii=False, allow_nan=False))
    return 0


def _verdict(target: dict[str, Any]) -> str:
    return "met" if target["met"] else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
