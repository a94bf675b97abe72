"""Update: what `newsarchive update` costs the site (requests, bytes) with 0, 1, 10 and 50 new
articles, against crawling the same replica again — through each discovery channel side by
side: the default (`--discover auto`: the REST API), the feed (REST refused with a 401), and the
listing walk (`--discover listings`, what update did before the channels).

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
    if path.startswith("/category/") and "/feed/" not in path:
        return "listing"
    if path[1:5].isdigit():
        return "article"
    if "wp-json" in path or "rest_route" in path or "/feed/" in path or "sitemap" in path:
        return "channel"
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
        "channel_requests": kinds["channel"],
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
        # Each mode on its own copy of the archive, the same new articles published for all.
        modes = {"auto": (), "feed": (), "listings": ("--discover", "listings")}
        dbs = {mode: Path(tmp) / f"{mode}.db" for mode in modes}
        for copy in dbs.values():
            copy.write_bytes(db.read_bytes())

        def measure(k: int) -> None:
            for mode, args in modes.items():
                if mode == "feed":
                    site.disable_channel("rest", status=401)
                runs[f"{mode} k={k}"] = _measured(site, "update", dbs[mode], *args)
                site.clear_knobs()

        measure(0)
        for k in ks:
            site.publish(k)
            measure(k)
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
    # Issue 13: robots.txt + 1 request with nothing new, whatever the number of sections; with
    # k new, k article requests + at most ceil(k/10) discovery requests (a refused REST costs
    # its two tries on top, in feed mode).
    targets = []
    # The feed cannot tell that page n+1 holds nothing new without asking for it (its dates
    # are publication dates, and a backdated post would be missed): when all k new posts fill
    # whole pages of 10, it asks for one more page than ceil(k/10). Kept as a missed target.
    for mode, extra in (("auto", 0), ("feed", 2)):
        idle = runs[f"{mode} k=0"]
        targets.append(target(f"update ({mode}): requests with nothing new", idle["requests"],
                              f"<= {2 + extra}", idle["requests"] <= 2 + extra))  # fmt: skip
        for k in ks:
            got = runs[f"{mode} k={k}"]
            ok = got["articles_new"] == k and got["article_requests"] == k
            ok = ok and got["channel_requests"] - extra <= -(-k // 10)
            targets.append(target(
                f"update ({mode}): k={k}: k articles, <= ceil(k/10) discovery requests",
                f"{got['article_requests']} + {got['channel_requests']}",
                f"{k} + <= {-(-k // 10) + extra}", ok,
            ))  # fmt: skip
    listings_idle = runs["listings k=0"]
    budget = sections + 2  # each section's first listing page, the home page and robots.txt
    targets.append(target("update (listings): requests with nothing new",
                          listings_idle["requests"], f"<= {budget}",
                          listings_idle["requests"] <= budget))  # fmt: skip
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
        "requests (listing/article/channel/other), bytes, share of a full re-crawl's bytes",
    )]  # fmt: skip
    for name, r in result["runs"].items():
        out.append((
            f"  {name}",
            f"{r['requests']} ({r['listing_requests']}/{r['article_requests']}/"
            f"{r['channel_requests']}/{r['other_requests']}), "
            f"{r['bytes_downloaded'] / 1e6:.2f} MB, "
            f"{100 * r['share_of_full_bytes']:.2f}% of bytes; {r['articles_new']} new; "
            f"{r['wall_s']} s",
        ))  # fmt: skip
    return out
