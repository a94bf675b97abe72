"""The pagination safety net (issue 12, item 4): a listing page with articles and no next link
the cascade recognises is still followed by ``…/page/N+1``, and the section ends quietly at the
first 404, empty or all-repeated page; ``newsarchive/listing_next_guessed`` counts the guesses.

End to end against the loopback replica, with a section whose listing pages carry no pagination
markup at all (served through the ``serve`` knob), and a normal crawl to measure the cost.
"""

from __future__ import annotations

import re
import subprocess
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from newsarchive.pages.listings import parse_listing
from tests.fakesite import FakeSite
from tests.helpers import FAST, count, crawl, listing_requests, rows, run_cli

PAGE_SIZE = 5
#: Every piece of pagination markup the replica prints (site-notes §2.3, §9.4).
PAGINATION_MARKUP = (
    "link[rel~=next], link[rel~=prev], .inf-pagination, .nav-pagination, .pagination,"
    " .gmr-newinfinite, .page-load-status"
)
#: Scrapy dumps its stats at INFO when the crawl closes; the CLI logs WARNING and up by default.
STATS = ("-s", "LOG_LEVEL=INFO")
EMPTY_LISTING = (
    "<!DOCTYPE html><html><head><title>x</title></head><body><main></main></body></html>"
)


def fetch(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def strip_pagination(html: str) -> str:
    tree = lxml.html.document_fromstring(html)
    for element in tree.cssselect(PAGINATION_MARKUP):
        element.drop_tree()
    return str(lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>"))


def both_slash_forms(site: FakeSite, url: str) -> list[str]:
    path = url.removeprefix(site.base_url)
    return [path.rstrip("/") + "/", path.rstrip("/")]


def serve_without_pagination(site: FakeSite, slug: str) -> int:
    """Serve every listing page of the section with its pagination stripped; its page count."""
    pages = site.pages(slug)
    for n in range(1, pages + 1):
        url = site.section_url(slug, n)
        html = strip_pagination(fetch(url))
        listing = parse_listing(url, html, site.base_url)
        assert listing.article_urls and listing.next_page is None  # nothing left to recognise
        for path in both_slash_forms(site, url):
            site.serve(path, html)
    site.clear_log()
    return pages


def section_listed(site: FakeSite, slug: str) -> set[str]:
    return {
        url
        for n in range(1, site.pages(slug) + 1)
        for url in site.expected_listing(slug, n)["article_urls"]
    }


def stat(done: subprocess.CompletedProcess[str], name: str) -> int:
    """A value of the crawl's stats, from Scrapy's closing dump on stderr (0 when absent)."""
    found = re.findall(rf"'newsarchive/{re.escape(name)}': (\d+)", done.stderr)
    return int(found[-1]) if found else 0


def last_run(db: Path) -> dict[str, object]:
    return rows(db, "select * from crawl_runs order by id desc")[0]


def quiet_section(site: FakeSite) -> str:
    """A section with several pages and without the replica's listed 404 article."""
    ghost = site.dataset.missing
    missing = site.dataset.canonical_url(ghost) if ghost else None
    return next(
        s.slug
        for s in site.sections
        if site.pages(s.slug) >= 3 and missing not in section_listed(site, s.slug)
    )


def test_a_section_without_pagination_markup_is_archived_whole(tmp_path: Path) -> None:
    with FakeSite(articles=80, seed=21, page_size=PAGE_SIZE) as site:
        slug = quiet_section(site)
        pages = serve_without_pagination(site, slug)
        db = tmp_path / "a.db"
        done = crawl(site, db, "--section", slug, *STATS)
        assert done.returncode == 0, done.stderr[-3000:]
        stored = {r["url"] for r in rows(db, "select url from articles")}
        assert stored == section_listed(site, slug)
        # Page 1 as given, pages 2..P guessed, then the guessed P+1: a 404, the quiet end.
        assert listing_requests(site) == {slug: pages + 1}
        assert [r.status for r in site.requests if r.path.startswith("/category/")][-1] == 404
        assert stat(done, "listing_next_guessed") == pages
        assert count(db, "failures") == 0  # the guessed 404 is no failure row
        run = last_run(db)
        assert (run["status"], run["exit_code"], run["failures"]) == ("finished", 0, 0)
        assert '"404": 1' in str(run["http_statuses"])  # the guess that ended the section


@pytest.mark.parametrize("ending", ["empty", "repeated"])
def test_a_guessed_empty_or_repeated_page_ends_the_section(tmp_path: Path, ending: str) -> None:
    with FakeSite(articles=80, seed=21, page_size=PAGE_SIZE) as site:
        slug = quiet_section(site)
        pages = serve_without_pagination(site, slug)
        # A theme's own query answering 200 past the last page: nothing, or page 1 again.
        beyond = site.section_url(slug, 1) + f"page/{pages + 1}/"
        body = (
            EMPTY_LISTING
            if ending == "empty"
            else strip_pagination(fetch(site.section_url(slug, 1)))
        )
        site.clear_log()
        for path in both_slash_forms(site, beyond):
            site.serve(path, body)
        db = tmp_path / "a.db"
        done = crawl(site, db, "--section", slug, *STATS)
        assert done.returncode == 0, done.stderr[-3000:]
        assert listing_requests(site) == {slug: pages + 1}  # nothing asked past page P+1
        assert {r["url"] for r in rows(db, "select url from articles")} == section_listed(
            site, slug
        )
        assert count(db, "failures") == 0
        assert stat(done, "listing_next_guessed") == pages
        assert stat(done, "listing_guess_repeated") == (ending == "repeated")


def test_max_pages_stops_before_any_guess(tmp_path: Path) -> None:
    with FakeSite(articles=80, seed=21, page_size=PAGE_SIZE) as site:
        slug = quiet_section(site)
        serve_without_pagination(site, slug)
        done = crawl(site, tmp_path / "a.db", "--section", slug, "--max-pages", "2", *STATS)
        assert done.returncode == 0, done.stderr[-3000:]
        assert listing_requests(site) == {slug: 2}
        assert stat(done, "listing_next_guessed") == 1  # page 2 only; none after --max-pages


def test_update_still_stops_at_the_archived_frontier(tmp_path: Path) -> None:
    with FakeSite(articles=80, seed=21, page_size=PAGE_SIZE) as site:
        slug = quiet_section(site)
        serve_without_pagination(site, slug)
        db = tmp_path / "a.db"
        assert crawl(site, db, "--section", slug).returncode == 0
        assert {r["url"] for r in rows(db, "select url from articles")} == section_listed(
            site, slug
        )
        site.publish(2)
        serve_without_pagination(site, slug)  # the stripped pages, with the new posts on top
        done = run_cli(
            "update", "--db", str(db), "--base-url", site.base_url, *FAST, "--section", slug,
            "--discover", "listings",
            *STATS,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert listing_requests(site) == {slug: 1}  # the frontier is on page 1: no guess
        assert stat(done, "listing_next_guessed") == 0
        assert {r["url"] for r in rows(db, "select url from articles")} == section_listed(
            site, slug
        )


def test_the_cost_is_one_listing_request_per_section_per_full_crawl(tmp_path: Path) -> None:
    with FakeSite(articles=240, seed=3, page_size=10) as site:
        site.clear_log()
        db = tmp_path / "a.db"
        done = crawl(site, db, *STATS)
        assert done.returncode == 0, done.stderr[-3000:]
        before = {s.slug: site.pages(s.slug) for s in site.sections}  # what the links lead to
        after = listing_requests(site)
        # Measured: one extra request per section, the 404 just past its last page.
        assert {slug: after[slug] - before[slug] for slug in before} == dict.fromkeys(before, 1)
        beyond = [r for r in site.requests if r.path.startswith("/category/") and r.status == 404]
        assert len(beyond) == len(before)
        assert stat(done, "listing_next_guessed") == len(before)
        # The listed article that 404s stays the only failure; the guesses add none.
        assert [(f["stage"], f["http_status"]) for f in rows(db, "select * from failures")] == [
            ("fetch", 404)
        ]
        assert last_run(db)["exit_code"] == 0
