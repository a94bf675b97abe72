"""Smoke test of the benchmarks: the quick mode's extraction part, on a handful of replica pages.

It checks that the benchmark runs and reports its figures, and that newsarchive reads every
field of those pages right. It never asserts a time: speed is for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES_PER_LAYOUT = 3


def test_quick_extraction_benchmark_reports_figures_and_newsarchive_is_exact() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--only", "extraction",
         "--extraction-pages", str(PAGES_PER_LAYOUT)],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])  # the JSON line comes last
    assert figures["mode"] == "quick"
    extraction = figures["extraction"]
    assert extraction["per_layout"] == dict.fromkeys(("newkarma", "amp", "news5"), PAGES_PER_LAYOUT)

    tools = extraction["tools"]
    for name in ("newsarchive", "trafilatura", "lxml_parse", "parsel_parse"):
        assert tools[name]["available"], name
    for name, tool in tools.items():
        if not tool["available"]:  # newspaper4k is not a dependency: it may be absent
            assert tool["reason"], name
            continue
        for layout in ("all", "newkarma", "amp", "news5"):
            ms = tool["ms_per_page"][layout]
            assert isinstance(ms, float) and math.isfinite(ms) and ms > 0, (name, layout)
        for field, value in tool.get("accuracy", {}).items():
            assert 0.0 <= value <= 1.0, (name, field)

    # A real check: on the replica's pages newsarchive gets every field right.
    accuracy = tools["newsarchive"]["accuracy"]
    assert accuracy == dict.fromkeys(accuracy, 1.0), accuracy
    assert set(accuracy) >= {"title", "byline", "published_at", "body_f1", "all_contract_fields"}
    assert tools["newsarchive"]["errors"] == 0

    for name in ("trafilatura_over_newsarchive", "newsarchive_over_lxml_parse"):
        assert isinstance(extraction["ratios"][name], float), name
    accuracy_targets = [t for t in figures["targets"] if "F1" in t["name"] or "field" in t["name"]]
    assert accuracy_targets and all(t["met"] for t in accuracy_targets), accuracy_targets
