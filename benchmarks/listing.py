"""Listing pages: newsarchive's listing parser vs a bare lxml parse of the same bytes.

    python -m benchmarks.listing [ROUNDS] [ARTICLES]

The pages are every section listing page of a loopback replica (its Newkarma-era and News5-era
sections) and its first home pages, fetched over HTTP as a crawl sees them, plus the saved
listing fixtures. Each round visits every page and runs both on it, in alternating order, so
drift of a shared machine lands on both alike; no garbage is collected inside a timed call. A
page's time is the best of its rounds (the other rounds only add the noise of a shared
machine); a figure is the mean over pages, in ms per page.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.common import rnd

HOME_PAGES = 3


@dataclass(frozen=True)
class Page:
    url: str
    base_url: str
    era: str  # "newkarma", "news5" (the section's listing markup), "home", "fixture"
    html: bytes


def collect_pages(articles: int = 300, seed: int = 7) -> list[Page]:
    from tests.fakesite import FakeSite
    from tests.fixtures import all_fixtures

    pages: list[Page] = []
    with FakeSite(articles=articles, seed=seed) as site:
        urls = [
            (site.section_url(section.slug, n), section.style)
            for section in site.sections
            for n in range(1, site.pages(section.slug) + 1)
        ]
        urls += [(f"{site.base_url}/" + (f"page/{n}/" if n > 1 else ""), "home")
                 for n in range(1, HOME_PAGES + 1)]  # fmt: skip
        for url, era in urls:
            with urllib.request.urlopen(url, timeout=30) as response:
                pages.append(Page(url, site.base_url, era, response.read()))
    pages += [
        Page(f.url, "https://kalbaronline.com", "fixture", f.html)
        for f in all_fixtures("listing", "sections")
    ]
    return pages


def _tools() -> dict[str, Callable[[Page], Any]]:
    import lxml.html

    from newsarchive.pages.listings import parse_listing

    return {
        "newsarchive": lambda page: parse_listing(page.url, page.html, page.base_url),
        "lxml_parse": lambda page: lxml.html.fromstring(page.html),
    }


def _timed(run: Callable[[Page], Any], page: Page) -> float:
    gc.disable()
    try:
        started = time.perf_counter()
        run(page)
        return time.perf_counter() - started
    finally:
        gc.enable()


def run(rounds: int = 7, articles: int = 300, seed: int = 7) -> dict[str, Any]:
    pages = collect_pages(articles, seed)
    tools = _tools()
    for run_tool in tools.values():  # warm-up: imports, compiled selectors; not timed
        for page in pages:
            run_tool(page)
    best = {name: [float("inf")] * len(pages) for name in tools}
    order = list(tools)
    gc.collect()
    for round_no in range(rounds):
        for i, page in enumerate(pages):
            for name in order if (i + round_no) % 2 == 0 else order[::-1]:
                best[name][i] = min(best[name][i], _timed(tools[name], page))
            gc.collect()  # this page's garbage, outside every timed call
    eras = sorted({page.era for page in pages})

    def ms(name: str) -> dict[str, float]:
        times = [1000 * t for t in best[name]]
        out = {"all": rnd(statistics.fmean(times), 3)}
        for era in eras:
            own = [t for t, page in zip(times, pages, strict=True) if page.era == era]
            out[era] = rnd(statistics.fmean(own), 3)
        return out

    figures = {name: ms(name) for name in tools}
    ratio = {
        key: rnd(figures["newsarchive"][key] / figures["lxml_parse"][key])
        for key in figures["newsarchive"]
    }
    return {
        "pages": len(pages),
        "per_era": {era: sum(page.era == era for page in pages) for era in eras},
        "rounds": rounds,
        "ms_per_page": figures,
        "newsarchive_over_lxml_parse": ratio,
    }


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    out = [("pages; rounds", f"{result['pages']} {result['per_era']}; best of {result['rounds']}")]
    for name, ms in result["ms_per_page"].items():
        out.append((f"{name} ms/page", ", ".join(f"{k} {v:.3f}" for k, v in ms.items())))
    ratio = result["newsarchive_over_lxml_parse"]
    out.append(("newsarchive / lxml_parse", ", ".join(f"{k} {v}" for k, v in ratio.items())))
    return out


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 7
    articles = int(argv[1]) if len(argv) > 1 else 300
    for metric, value in rows(run(rounds, articles)):
        print(f"{metric:<26} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
