"""Update: what `newsarchive update` costs the site (requests, bytes) with 0, 1, 10 and 50 new
articles, against crawling the same replica again.

One replica in this process (it publishes the new articles between runs); every run is the real
CLI in a child process; requests and bytes come from the replica's request log.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import FAST, newsarchive, rnd, target

SEED = 11


def _kind(path: str) -> str:
    if path.startswith("/category/"):
        return "listing"
    if path[1:5].isdigit():
        return "article"
    return "other"  # robots.txt, the home page (section discovery)


def _measured(site: Any, command: str, db: Path, *args: str) -> dict[str, Any]:
    site.clear_log()
    child = newsarchive(command, "--db", str(db), "--base-url", site.base_url, *FAST, *args)
    if child.returncode != 0:
        raise RuntimeError(f"{command} exited {child.returncode}: {child.stderr[-2000:]}")
    log = site.requests
    with sqlite3.connect(db) as conn:
        new, pages = conn.execute(
            "select articles_new, pages_fetched from crawl_runs order by id desc"
        ).fetchone()
    kinds = Counter(_kind(r.path) for r in log)
    return {
        "requests": len(log),
        "listing_requests": kinds["listing"],
        "article_requests": kinds["article"],
        "other_requests": kinds["other"],
        "bytes_downloaded": sum(r.bytes for r in log),
        "articles_new": new,
        "pages_fetched": pages,
        "wall_s": rnd(child.wall_s),
    }


def run(
    articles: int = 2000, page_size: int = 10, ks: tuple[int, ...] = (1, 10, 50)
) -> dict[str, Any]:
    from tests.fakesite import FakeSite

    runs: dict[str, dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp,
        FakeSite(articles=articles, seed=SEED, page_size=page_size) as site,
    ):
        db = Path(tmp) / "archive.db"
        first = _measured(site, "crawl", db)
        runs["update k=0"] = _measured(site, "update", db)
        for k in ks:
            site.publish(k)
            runs[f"update k={k}"] = _measured(site, "update", db)
        # The alternatives on the replica as it now stands: a crawl of the same archive (walks
        # every listing page, fetches nothing archived) and a fresh full crawl.
        runs["crawl, same archive"] = _measured(site, "crawl", db)
        runs["full re-crawl"] = _measured(site, "crawl", Path(tmp) / "fresh.db")
        sections = len(site.sections)
    full = runs["full re-crawl"]
    for figures in runs.values():
        figures["share_of_full_requests"] = rnd(figures["requests"] / full["requests"], 4)
        figures["share_of_full_bytes"] = rnd(
            figures["bytes_downloaded"] / full["bytes_downloaded"], 4
        )
    idle = runs["update k=0"]
    # Each section's first listing page, the home page (section discovery) and robots.txt.
    budget = sections + 2
    targets = [
        target("update: requests with nothing new", idle["requests"], f"<= {budget}",
                idle["requests"] <= budget),
    ]  # fmt: skip
    for k in ks:
        got = runs[f"update k={k}"]
        targets.append(target(f"update: k={k} new articles archived", got["articles_new"],
                               f"== {k}", got["articles_new"] == k))  # fmt: skip
    return {
        "articles": articles,
        "page_size": page_size,
        "sections": sections,
        "first_crawl": first,
        "runs": runs,
        "targets": targets,
    }


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    out = [(
        f"update on a {result['articles']}-article replica ({result['sections']} sections, "
        f"{result['page_size']} per listing page)",
        "requests (listing/article/other), bytes, share of a full re-crawl's bytes",
    )]  # fmt: skip
    for name, r in result["runs"].items():
        out.append((
            f"  {name}",
            f"{r['requests']} ({r['listing_requests']}/{r['article_requests']}/"
            f"{r['other_requests']}), {r['bytes_downloaded'] / 1e6:.2f} MB, "
            f"{100 * r['share_of_full_bytes']:.2f}% of bytes; {r['articles_new']} new; "
            f"{r['wall_s']} s",
        ))  # fmt: skip
    return out
