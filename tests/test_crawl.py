"""End to end: the real CLI in a subprocess crawls the loopback replica into a real SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsarchive.items import FIELD_NAMES
from tests.fakesite import FakeSite
from tests.helpers import FAST, ROOT, count, crawl, rows, run_cli


@dataclass
class Crawled:
    site: FakeSite
    db: Path
    first: subprocess.CompletedProcess[str]
    first_requests: list[Any]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    with FakeSite(articles=240, seed=3, page_size=10) as site:
        db = tmp_path_factory.mktemp("crawl") / "archive.db"
        site.clear_log()
        first = crawl(site, db)
        yield Crawled(site, db, first, site.requests)


def test_crawl_finishes_with_a_summary_line(crawled: Crawled) -> None:
    assert crawled.first.returncode == 0, crawled.first.stderr[-3000:]
    summary = crawled.first.stdout.strip().splitlines()
    assert len(summary) == 1
    assert summary[0].startswith("newsarchive crawl: finished")
    assert "Traceback" not in crawled.first.stderr


def test_rows_equal_the_replica_ground_truth(crawled: Crawled) -> None:
    expected = {a["url"]: a for a in crawled.site.expected_articles()}
    stored = {r["url"]: r for r in rows(crawled.db, "select * from articles")}
    assert set(stored) == set(expected)
    mismatches = []
    for url, want in expected.items():
        got = dict(stored[url])
        got["categories"] = json.loads(got["categories"])
        got["tags"] = json.loads(got["tags"])
        for field in FIELD_NAMES:
            if field != "fetched_at" and got[field] != want[field]:
                mismatches.append((url, field, want[field], got[field]))
    assert not mismatches, mismatches[:5]


def test_all_three_layouts_and_both_listing_styles_were_crawled(crawled: Crawled) -> None:
    layouts = {r["layout"] for r in rows(crawled.db, "select layout from articles")}
    assert {"newkarma", "news5"} <= layouts
    paths = [r.path for r in crawled.first_requests]
    assert any("/category/" in p and "/page/" in p for p in paths)


def test_variants_and_cross_listed_articles_are_one_row(crawled: Crawled) -> None:
    urls = [r["url"] for r in rows(crawled.db, "select url from articles")]
    assert len(urls) == len(set(urls)) == len(crawled.site.expected_articles())
    for url in urls:
        assert url.startswith(crawled.site.base_url)
        assert url.endswith("/") and "/amp/" not in url and "?" not in url
    article_paths = [r.path for r in crawled.first_requests if r.path.count("/") >= 4
                     and r.path[1:5].isdigit()]
    fetched = [p.split("?")[0].removesuffix("/") for p in article_paths]
    assert len(fetched) == len(set(fetched)), "an article was fetched twice"


def test_a_listed_article_that_404s_is_a_failure_row(crawled: Crawled) -> None:
    failures = rows(crawled.db, "select * from failures")
    assert [(f["stage"], f["http_status"]) for f in failures] == [("fetch", 404)]


def test_the_run_is_in_the_ledger(crawled: Crawled) -> None:
    run = rows(crawled.db, "select * from crawl_runs order by id")[0]
    assert run["command"] == "crawl"
    assert run["status"] == "finished" and run["exit_code"] == 0
    assert run["articles_new"] == count(crawled.db, "articles")
    assert run["failures"] == 1
    assert run["pages_fetched"] >= run["articles_new"]


def test_a_second_crawl_adds_no_rows_and_no_revisions(crawled: Crawled) -> None:
    articles, revisions = count(crawled.db, "articles"), count(crawled.db, "article_revisions")
    crawled.site.clear_log()
    again = crawl(crawled.site, crawled.db)
    assert again.returncode == 0, again.stderr[-3000:]
    assert count(crawled.db, "articles") == articles
    assert count(crawled.db, "article_revisions") == revisions
    fetched_articles = [r for r in crawled.site.requests if r.path[1:5].isdigit()]
    assert fetched_articles == []  # the listed article that 404s is known to be gone


def test_refetch_after_an_edit_adds_exactly_one_revision(tmp_path: Path) -> None:
    with FakeSite(articles=40, seed=11, page_size=10) as site:
        db = tmp_path / "archive.db"
        assert crawl(site, db).returncode == 0
        revisions = count(db, "article_revisions")
        edited = site.articles[5]
        site.edit(edited, body_extra="Paragraf tambahan setelah penyuntingan redaksi.")
        done = crawl(site, db, "--refetch")
        assert done.returncode == 0, done.stderr[-3000:]
        assert count(db, "article_revisions") == revisions + 1
        row = rows(db, "select * from articles where url = ?", site.expected(edited)["url"])[0]
        assert row["revision"] == 2
        assert row["body"] == site.expected(edited)["body"]
        run = rows(db, "select * from crawl_runs order by id desc")[0]
        assert run["articles_updated"] == 1


def test_section_argument_and_limits(tmp_path: Path) -> None:
    with FakeSite(articles=60, seed=5, page_size=5) as site:
        db = tmp_path / "archive.db"
        slug = site.sections[0].slug
        done = crawl(site, db, "--section", slug, "--max-pages", "2")
        assert done.returncode == 0, done.stderr[-3000:]
        listing_pages = [r for r in site.requests if r.path.startswith(f"/category/{slug}")]
        assert len(listing_pages) == 2
        assert 0 < count(db, "articles") <= 10


def test_unknown_section_says_how_to_fix_it(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=5) as site:
        done = crawl(site, tmp_path / "a.db", "--section", "no-such-section")
        assert "answered 404" in done.stderr
        assert "--section" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "last week"),
        ("--until", "2024-13-01"),
        ("--since", "2024-02-01", "--until", "2024-01-01"),
        ("--max-pages", "0"),
        ("--max-articles", "many"),
        ("-s", "NOEQUALS"),
        ("--base-url", "kalbaronline.com"),
    ],
)
def test_bad_arguments_exit_2_before_touching_the_archive(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "untouched.db"
    done = run_cli("crawl", "--db", str(db), *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not db.exists()


def test_scrapy_crawl_works_from_the_repo_root(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=9, page_size=10) as site:
        db = tmp_path / "archive.db"
        slug = site.sections[0].slug
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "kalbaronline", "-a", f"section={slug}",
             "-s", f"NEWSARCHIVE_BASE_URL={site.base_url}", "-s", f"NEWSARCHIVE_DB={db}",
             *FAST],
            capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert count(db, "articles") > 0
        assert rows(db, "select command from crawl_runs")[0]["command"] == "scrapy crawl"


def test_amp_copies_of_the_replica_parse_to_the_same_ground_truth(crawled: Crawled) -> None:
    # The crawler requests desktop pages (the contract strips /amp/ from links), so the AMP
    # layout is checked here on the replica's AMP copies, fetched as a crawl would.
    from datetime import UTC, datetime
    from urllib.request import urlopen

    from newsarchive.pages import parse_article

    amp_articles = [a for a in crawled.site.articles if a.has_amp][:30]
    assert amp_articles
    for article in amp_articles:
        url = crawled.site.url(article, amp=True)
        with urlopen(url, timeout=10) as response:
            html = response.read()
        parsed = parse_article(url, html, datetime.now(UTC), base_url=crawled.site.base_url)
        want = crawled.site.expected(article, variant="amp")
        got = parsed.to_dict()
        assert got["layout"] == "amp"
        assert {k: got[k] for k in want if k != "fetched_at"} == {
            k: v for k, v in want.items() if k != "fetched_at"
        }


def test_requests_carry_an_honest_user_agent_and_robots_is_read_first(crawled: Crawled) -> None:
    agents = {r.user_agent for r in crawled.first_requests}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("newsarchive/") and "+https://" in agent
    assert crawled.first_requests[0].path == "/robots.txt"


def test_a_crawl_that_reads_no_listing_fails_loudly(tmp_path: Path) -> None:
    with FakeSite(articles=10, seed=1) as site:
        done = crawl(site, tmp_path / "a.db", "--section", "no-such-section")
    assert done.returncode == 1
    assert "no listing page or channel document could be read" in done.stdout
