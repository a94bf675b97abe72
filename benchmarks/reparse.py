"""Reparse: articles re-extracted per second, in one process (`--jobs 1`) and with worker
processes (`--jobs 2`), side by side on identical copies of one archive.

The archive is built without HTTP or parsing: the replica's pages (tests/fakesite's renderer)
written as WARC records by the crawl's own WarcStore, and a row per page stored through
`Archive.store` pointing at its record. Each row holds the replica's ground truth with its
title marked as an older parser's, so the first reparse of a copy changes every row (a parser
change: every row gets a revision, the realistic heavy case); a second reparse of the same copy
then finds nothing changed (extraction only, no writes).

Every run is the real CLI in a child process. Memory is the process tree's (the CLI, the fork
server and its workers), sampled from /proc every 50 ms: the peak of the summed RSS, and of the
summed PSS (shared pages counted once, split between the processes sharing them). CPU time is
the kernel's (wait4: the CLI and every descendant it reaped). The two modes alternate and swap
order each repetition; the machine's other load is reported as the spread over repetitions.

    python -m benchmarks.reparse                   # 2,000 articles, 2 repetitions
    python -m benchmarks.reparse --articles 20000 --reps 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, rnd, target

SEED = 23
BASE_URL = "http://127.0.0.1:8090"
MODES = (1, 2)  # --jobs
TARGET_RATIO = 1.7


def build(folder: Path, n: int) -> dict[str, Any]:
    """An archive of `n` articles in `folder` (archive.db, warc/), every row one parser behind."""
    from newsarchive.items import Article
    from newsarchive.storage import Archive
    from newsarchive.storage.warc import Capture, WarcStore
    from tests.fakesite import render
    from tests.fakesite.dataset import Dataset

    started = time.perf_counter()
    dataset = Dataset(size=n, seed=SEED, base_url=BASE_URL)
    fetched_at = datetime.now(UTC).replace(microsecond=0)
    store = WarcStore(folder / "warc", "bench")
    headers = [("Content-Type", "text/html; charset=UTF-8")]
    with Archive(folder / "archive.db") as archive:
        for start in range(0, len(dataset.articles), 500):
            with archive.batch():
                for page in dataset.articles[start : start + 500]:
                    html = render.article_page(dataset, page).encode("utf-8")
                    capture = Capture(dataset.url(page), "GET", [], 200, "HTTP/1.1", headers,
                                      html, fetched_at)  # fmt: skip
                    raw = store.write(capture)
                    expected = dataset.expected(page)
                    expected["title"] = f"{expected['title']} (parser v0)"
                    archive.store(Article(**expected, fetched_at=fetched_at.isoformat()), raw)
        articles = archive.count("articles")
    store.close()
    warc_bytes = sum(p.stat().st_size for p in (folder / "warc").iterdir())
    return {
        "articles": articles,
        "build_s": rnd(time.perf_counter() - started, 1),
        "warc_mb": rnd(warc_bytes / 2**20, 1),
        "db_mb": rnd((folder / "archive.db").stat().st_size / 2**20, 1),
    }


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _cpu_s(pid: int) -> float | None:
    """The process's own user + system CPU time so far (not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


_TICKS = os.sysconf("SC_CLK_TCK")


def _memory_kib(pids: list[int]) -> tuple[int, int]:
    """Summed RSS and PSS of `pids`, in KiB (processes that ended meanwhile count 0)."""
    rss = pss = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss, pss


def reparse_once(db: Path, jobs: int) -> dict[str, Any]:
    """One `newsarchive reparse --jobs N` run: wall, CPU, tree memory, its report line."""
    cmd = [sys.executable, "-m", "newsarchive", "reparse", "--db", str(db),
           "--base-url", BASE_URL, "--jobs", str(jobs)]  # fmt: skip
    peak = [0, 0]
    cpu: dict[int, float] = {}  # the last reading of each descendant (the fork server, workers)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            pids = _tree(proc.pid)
            rss, pss = _memory_kib(pids)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            for pid in pids[1:]:
                seconds = _cpu_s(pid)
                if seconds is not None:
                    cpu[pid] = seconds

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Read the pipes before waiting: a full pipe would block the child.
    out_bytes, err_bytes = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = out_bytes.decode(), err_bytes.decode()
    if proc.returncode != 0 or err.strip():
        raise RuntimeError(f"reparse --jobs {jobs} exited {proc.returncode}: {err[-2000:]}")
    return {
        "wall_s": wall,
        # The CLI's own and its reaped children's (wait4), plus the fork server's tree, which
        # the CLI never reaps: sampled, so up to 50 ms per process short.
        "cpu_s": usage.ru_utime + usage.ru_stime + sum(cpu.values()),
        "tree_rss_mb": peak[0] / 1024,
        "tree_pss_mb": peak[1] / 1024,
        "max_process_rss_mb": usage.ru_maxrss / 1024,
        "report": out.strip().removeprefix("newsarchive reparse: "),
    }


def _summary(runs: list[dict[str, Any]], articles: int) -> dict[str, Any]:
    rates = [articles / r["wall_s"] for r in runs]
    return {
        "articles_per_s": rnd(statistics.median(rates), 1),
        "articles_per_s_runs": [rnd(r, 1) for r in rates],
        "wall_s_runs": [rnd(r["wall_s"]) for r in runs],
        "cpu_ms_per_article": rnd(1000 * statistics.median(r["cpu_s"] for r in runs) / articles),
        "peak_tree_rss_mb": rnd(max(r["tree_rss_mb"] for r in runs), 1),
        "peak_tree_pss_mb": rnd(max(r["tree_pss_mb"] for r in runs), 1),
        "peak_process_rss_mb": rnd(max(r["max_process_rss_mb"] for r in runs), 1),
        "report": runs[0]["report"],
    }


def run(articles: int = 2000, reps: int = 2) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-reparse-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        built = build(base, articles)
        n = built["articles"]
        runs: dict[str, dict[int, list[dict[str, Any]]]] = {
            case: {jobs: [] for jobs in MODES} for case in ("changed", "unchanged")
        }
        for rep in range(reps):
            order = MODES if rep % 2 == 0 else MODES[::-1]
            for jobs in order:
                copy = Path(tmp) / f"copy-{jobs}"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(base, copy)
                # Every row changes on the first run of a copy; nothing on the second.
                runs["changed"][jobs].append(reparse_once(copy / "archive.db", jobs))
                runs["unchanged"][jobs].append(reparse_once(copy / "archive.db", jobs))
    result: dict[str, Any] = {"build": built, "reps": reps}
    targets = []
    for case, per_mode in runs.items():
        figures = {f"jobs_{jobs}": _summary(per_mode[jobs], n) for jobs in MODES}
        reports = {r["report"] for jobs in MODES for r in per_mode[jobs]}
        one, two = figures["jobs_1"], figures["jobs_2"]
        ratios = [
            b["wall_s"] and a["wall_s"] / b["wall_s"]
            for a, b in zip(per_mode[1], per_mode[2], strict=True)
        ]
        figures.update(
            ratio=rnd(two["articles_per_s"] / one["articles_per_s"]),
            ratio_runs=[rnd(r) for r in ratios],
            reports_equal=len(reports) == 1,
        )
        if len(reports) != 1:
            raise RuntimeError(f"reparse reports differ between runs: {sorted(reports)}")
        result[case] = figures
    ratio = result["changed"]["ratio"]
    name = f"reparse --jobs 2 at least {TARGET_RATIO}x the single-process rate"
    targets.append(target(name, ratio, f">= {TARGET_RATIO}", ratio >= TARGET_RATIO))
    result["targets"] = targets
    return result


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    n = result["build"]["articles"]
    out = [("archive", f"{n:,} articles, WARC {result['build']['warc_mb']} MB, "
                       f"built in {result['build']['build_s']} s")]  # fmt: skip
    for case in ("changed", "unchanged"):
        figures = result[case]
        for jobs in MODES:
            f = figures[f"jobs_{jobs}"]
            out.append((
                f"{case}: --jobs {jobs}",
                f"{f['articles_per_s']} articles/s (runs {f['articles_per_s_runs']}),"
                f" {f['cpu_ms_per_article']} ms CPU/article, peak tree RSS"
                f" {f['peak_tree_rss_mb']} MB (PSS {f['peak_tree_pss_mb']} MB)",
            ))  # fmt: skip
        out.append((f"{case}: ratio --jobs 2 / 1",
                    f"{figures['ratio']}x (runs {figures['ratio_runs']}), reports equal"
                    f" {figures['reports_equal']}: {figures['jobs_1']['report']}"))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="archived articles")
    parser.add_argument("--reps", type=int, default=2, help="repetitions of each mode")
    args = parser.parse_args(argv)
    result = run(args.articles, args.reps)
    for metric, value in rows(result):
        print(f"{metric:<28} {value}")
    for t in result["targets"]:
        print(f"target {t['name']}: {t['value']} (want {t['target']}): "
              + ("met" if t["met"] else "MISSED"))  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
