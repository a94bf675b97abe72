"""Crawl: articles archived per second end to end vs the ceiling, and the cost of a big crawl.

newsarchive runs as an operator runs it: `python -m newsarchive crawl` in a child process
(fetch from the loopback replica, parse, validate, store, WARC on), into a fresh archive. The
ceiling is benchmarks/bare_spider.py, also a child process, fetching the very URLs that crawl
requested (robots.txt, home, listings, articles) with the same concurrency and doing nothing
else. The two alternate, against the same replica, which runs in this process (this process
does nothing else meanwhile, so its CPU time is the replica's).

Rates are articles / wall time of the child process (interpreter start included, for both);
`span` rates use the replica's log instead (first to last request served).
"""

from __future__ import annotations

import json
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import FAST, Child, newsarchive, replica_nodelay, rnd, run_child, target

SEED = 1


def _replica_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _span(site: Any) -> tuple[float, int, int]:
    """Seconds from the first to the last request served, requests, body bytes."""
    log = site.requests
    if not log:
        return 0.0, 0, 0
    return log[-1].time - log[0].time, len(log), sum(r.bytes for r in log)


def crawl_once(site: Any) -> tuple[dict[str, Any], list[str]]:
    """One newsarchive crawl of the whole replica into a fresh archive; its figures and the
    URLs it requested, in order."""
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
        db = Path(tmp) / "archive.db"
        site.clear_log()
        cpu_before = _replica_cpu()
        child = newsarchive("crawl", "--db", str(db), "--base-url", site.base_url, *FAST)
        replica_cpu = _replica_cpu() - cpu_before
        span, requests, body_bytes = _span(site)
        urls = [site.base_url + r.path for r in site.requests]
        if child.returncode != 0:
            raise RuntimeError(f"crawl exited {child.returncode}: {child.stderr[-2000:]}")
        with sqlite3.connect(db) as conn:
            pages, new, failures = conn.execute(
                "select pages_fetched, articles_new, failures from crawl_runs order by id desc"
            ).fetchone()
        figures = {
            **_child_figures(child, new),
            "articles": new,
            "pages_fetched": pages,
            "failures": failures,
            "requests": requests,
            "bytes_downloaded": body_bytes,
            "span_s": rnd(span),
            "articles_per_s_span": rnd(new / span, 1) if span else None,
            "replica_cpu_ms_per_request": rnd(1000 * replica_cpu / max(requests, 1)),
            "db_mb": rnd(db.stat().st_size / 2**20, 1),
            "warc_mb": rnd(_tree_bytes(Path(tmp) / "warc") / 2**20, 1),
            "summary": child.stdout.strip(),
        }
        return figures, urls


def bare_once(site: Any, urls: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(urls))
    try:
        site.clear_log()
        child = run_child([sys.executable, "-m", "benchmarks.bare_spider", listing.name])
        span, requests, body_bytes = _span(site)
    finally:
        os.unlink(listing.name)
    if child.returncode != 0:
        raise RuntimeError(f"bare spider exited {child.returncode}: {child.stderr[-2000:]}")
    done = json.loads(child.stdout.strip().splitlines()[-1])
    return {
        **_child_figures(child, done["articles"]),
        "articles": done["articles"],
        "requests": requests,
        "bytes_downloaded": body_bytes,
        "span_s": rnd(span),
        "articles_per_s_span": rnd(done["articles"] / span, 1) if span else None,
    }


def _child_figures(child: Child, articles: int) -> dict[str, Any]:
    return {
        "wall_s": rnd(child.wall_s),
        "articles_per_s": rnd(articles / child.wall_s, 1),
        "cpu_s": rnd(child.cpu_s),
        "cpu_ms_per_article": rnd(1000 * child.cpu_s / max(articles, 1)),
        "peak_rss_mb": rnd(child.peak_rss_mb, 1),
    }


def throughput(articles: int, reps: int, nodelay: bool) -> dict[str, Any]:
    """newsarchive and the bare spider alternating `reps` times on one replica."""
    from tests.fakesite import FakeSite

    runs: dict[str, list[dict[str, Any]]] = {"newsarchive": [], "bare_scrapy": []}
    with replica_nodelay(nodelay), FakeSite(articles=articles, seed=SEED) as site:
        for _ in range(reps):
            ours, urls = crawl_once(site)
            runs["newsarchive"].append(ours)
            runs["bare_scrapy"].append(bare_once(site, urls))

    def median(tool: str, key: str) -> float:
        return float(statistics.median(r[key] for r in runs[tool]))

    rate, ceiling = median("newsarchive", "articles_per_s"), median("bare_scrapy", "articles_per_s")
    span_rate = median("newsarchive", "articles_per_s_span")
    span_ceiling = median("bare_scrapy", "articles_per_s_span")
    return {
        "articles": articles,
        "reps": reps,
        "replica_tcp_nodelay": nodelay,
        "articles_per_s": rnd(rate, 1),
        "ceiling_articles_per_s": rnd(ceiling, 1),
        "ratio": rnd(rate / ceiling, 3),
        "ratio_span": rnd(span_rate / span_ceiling, 3),
        "cpu_ms_per_article": rnd(median("newsarchive", "cpu_ms_per_article")),
        "ceiling_cpu_ms_per_article": rnd(median("bare_scrapy", "cpu_ms_per_article")),
        "runs": runs,
    }


def scale(articles: int) -> dict[str, Any]:
    """One big crawl: peak RSS, CPU per article, rate, archive and WARC size."""
    from tests.fakesite import FakeSite

    with FakeSite(articles=articles, seed=SEED) as site:
        figures, _ = crawl_once(site)
    return figures


# Where a crawl's time goes: (file, function) of the steps newsarchive adds to a bare fetch.
PROFILED_STEPS = {
    "parse_article": ("newsarchive/pages/article.py", "parse_article"),
    "parse_listing": ("newsarchive/pages/listings/__init__.py", "parse_listing"),
    "store": ("newsarchive/storage/archive.py", "store_all"),  # batches, commits included
    "warc_write": ("newsarchive/storage/warc.py", "write"),
}


def _profiled(cmd: list[str], out: Path) -> dict[Any, Any]:
    child = run_child([sys.executable, "-m", "cProfile", "-o", str(out), *cmd])
    if child.returncode != 0:
        raise RuntimeError(f"profiled {cmd[1]} exited {child.returncode}: {child.stderr[-2000:]}")
    stats: dict[Any, Any] = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    return stats


def _cumulative(stats: dict[Any, Any], file_end: str, function: str) -> float:
    return float(
        sum(
            row[3]
            for (path, _, name), row in stats.items()
            if path.endswith(file_end) and name == function
        )
    )


def profile(articles: int) -> dict[str, Any]:
    """The crawl under cProfile, then the bare spider on the URLs it fetched, also profiled:
    milliseconds per article in each step newsarchive adds, the bare spider's whole cost, and
    what newsarchive spends beyond both (its middlewares, spider and pipeline glue). Profiling
    slows Python code most: compare these figures with each other, not with unprofiled ones."""
    from tests.fakesite import FakeSite

    with (
        tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp,
        FakeSite(articles=articles, seed=SEED) as site,
    ):
        db = Path(tmp) / "archive.db"
        crawl = ["-m", "newsarchive", "crawl", "--db", str(db), "--base-url", site.base_url]
        site.clear_log()
        ours = _profiled([*crawl, *FAST], Path(tmp) / "crawl.prof")
        urls = Path(tmp) / "urls.txt"
        urls.write_text("\n".join(site.base_url + r.path for r in site.requests))
        bare = _profiled(["-m", "benchmarks.bare_spider", str(urls)], Path(tmp) / "bare.prof")

    total = _cumulative(ours, "newsarchive/crawl.py", "run_crawl")
    steps = {name: _cumulative(ours, *where) for name, where in PROFILED_STEPS.items()}
    bare_total = _cumulative(bare, "benchmarks/bare_spider.py", "main")
    seconds = {
        **steps,
        "bare_scrapy_fetch": bare_total,
        "other_newsarchive": total - sum(steps.values()) - bare_total,
    }
    return {
        "articles": articles,
        "profiled_ms_per_article": {k: rnd(1000 * v / articles, 2) for k, v in seconds.items()},
        "profiled_total_ms_per_article": rnd(1000 * total / articles, 2),
    }


def run(
    articles: int = 3000,
    reps: int = 2,
    scale_articles: int | None = 20000,
    profile_articles: int | None = 600,
) -> dict[str, Any]:
    shipped = throughput(articles, reps, nodelay=False)
    tuned = throughput(articles, reps, nodelay=True)
    # Quick mode: the first throughput crawl stands in for the big one.
    big = scale(scale_articles) if scale_articles else dict(shipped["runs"]["newsarchive"][0])
    profiled = profile(profile_articles) if profile_articles else None
    ratio = min(shipped["ratio"], tuned["ratio"])
    targets = [
        target("crawl: share of the bare-Scrapy ceiling (worst replica setting)", ratio,
                ">= 0.6", ratio >= 0.6),
        target(f"crawl: peak RSS of a {big['articles']}-article crawl, MB", big["peak_rss_mb"],
                "< 300", big["peak_rss_mb"] < 300),
    ]  # fmt: skip
    return {"shipped_replica": shipped, "nodelay_replica": tuned, "scale": big,
            "profile": profiled, "targets": targets}  # fmt: skip


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, label in (("shipped_replica", "replica as shipped"),
                       ("nodelay_replica", "replica with TCP_NODELAY")):  # fmt: skip
        t = result[key]
        out.append((
            f"crawl {t['articles']} articles, {label} (median of {t['reps']})",
            f"newsarchive {t['articles_per_s']}/s vs bare Scrapy {t['ceiling_articles_per_s']}/s"
            f" = {t['ratio']:.2f} of the ceiling (by replica log span {t['ratio_span']:.2f}); "
            f"CPU {t['cpu_ms_per_article']} vs {t['ceiling_cpu_ms_per_article']} ms/article",
        ))  # fmt: skip
    big = result["scale"]
    out.append((
        f"crawl of {big['articles']} articles (WARC on)",
        f"peak RSS {big['peak_rss_mb']} MB, CPU {big['cpu_ms_per_article']} ms/article, "
        f"{big['articles_per_s']} articles/s, {big['wall_s']} s, archive {big['db_mb']} MB, "
        f"WARC {big['warc_mb']} MB",
    ))  # fmt: skip
    profiled = result.get("profile")
    if profiled:
        steps = ", ".join(f"{k} {v}" for k, v in profiled["profiled_ms_per_article"].items())
        out.append((f"crawl profile, {profiled['articles']} articles (cProfile ms/article)",
                    f"{steps}; total {profiled['profiled_total_ms_per_article']}"))  # fmt: skip
    return out
