"""Cron-grade updates against the loopback replica: request budget, lock, ledger, faults."""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsarchive.storage.lock import ArchiveLock
from newsarchive.storage.warc import read_page
from tests.fakesite import FakeSite
from tests.helpers import (
    FAST,
    ROOT,
    count,
    crawl,
    listing_requests,
    rows,
    run_cli,
    start_crawl,
)

PAGE_SIZE = 5
# Retries on loopback: the same backoff code path, with short waits.
QUICK_RETRY = ["-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.2", "-s", "NEWSARCHIVE_RETRY_BACKOFF_MAX=3"]


def update(site: FakeSite, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The listing walk (update's channels are tested in test_discover.py).
    return run_cli(
        "update", "--db", str(db), "--base-url", site.base_url, *FAST, "--discover", "listings",
        *args,
    )  # fmt: skip


def article_requests(site: FakeSite) -> list[str]:
    return [r.path for r in site.requests if r.path[1:5].isdigit()]


@pytest.fixture
def archived(tmp_path: Path) -> Iterator[tuple[FakeSite, Path]]:
    with FakeSite(articles=80, seed=21, page_size=PAGE_SIZE) as site:
        db = tmp_path / "archive.db"
        first = crawl(site, db)
        assert first.returncode == 0, first.stderr[-3000:]
        site.clear_log()
        yield site, db


def test_update_with_nothing_new_costs_one_listing_request_per_section(archived) -> None:
    site, db = archived
    done = update(site, db)
    assert done.returncode == 0, done.stderr[-3000:]
    per_section = listing_requests(site)
    assert set(per_section) == {s.slug for s in site.sections}
    assert all(n == 1 for n in per_section.values()), per_section
    others = [r.path for r in site.requests if not r.path.startswith("/category/")]
    assert sorted(others) == ["/", "/robots.txt"]
    assert count(db, "article_revisions") == count(db, "articles")


@pytest.mark.parametrize("k", [3, PAGE_SIZE, 2 * PAGE_SIZE + 1])
def test_update_with_k_new_articles_stays_within_budget(archived, k: int) -> None:
    site, db = archived
    before = count(db, "articles")
    new = site.publish(k)
    done = update(site, db)
    assert done.returncode == 0, done.stderr[-3000:]
    assert count(db, "articles") == before + k
    assert len(article_requests(site)) == k
    new_per_section = Counter(a.section.slug for a in new)
    for slug, listed in listing_requests(site).items():
        budget = math.ceil((new_per_section[slug] + 1) / PAGE_SIZE)
        assert listed <= budget, (slug, listed, budget)
    run = rows(db, "select * from crawl_runs order by id desc")[0]
    assert (run["command"], run["articles_new"], run["exit_code"]) == ("update", k, 0)
    assert run["http_statuses"]


def test_recheck_days_refetches_recent_articles_without_new_revisions(archived) -> None:
    site, db = archived
    revisions = count(db, "article_revisions")
    done = update(site, db, "--recheck-days", "100000")
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(article_requests(site)) >= count(db, "articles")
    assert count(db, "article_revisions") == revisions


def test_quiet_prints_only_the_summary_line(archived) -> None:
    site, db = archived
    done = update(site, db, "--quiet")
    assert done.returncode == 0
    assert done.stderr == ""
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsarchive update: finished")


def test_a_second_run_exits_75_naming_the_holder(archived) -> None:
    site, db = archived
    with ArchiveLock(db, "update"):
        done = update(site, db)
    assert done.returncode == 75
    assert len(done.stderr.strip().splitlines()) == 1
    assert f"pid {os.getpid()}" in done.stderr
    assert site.requests == []


def test_a_lock_left_by_a_killed_process_does_not_block(archived) -> None:
    site, db = archived
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from newsarchive.storage.lock import ArchiveLock\n"
         f"lock = ArchiveLock({str(db)!r}, 'crawl')\n"
         "lock.acquire()\n"
         "print('held', flush=True)\n"
         "time.sleep(600)\n"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    assert update(site, db).returncode == 75
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert update(site, db).returncode == 0


# --- faults --------------------------------------------------------------------------------


def test_server_errors_are_retried_with_backoff_and_archived(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=4, page_size=PAGE_SIZE) as site:
        target = site.articles[-1]
        site.fail(target, status=503, times=2)
        done = crawl(site, tmp_path / "a.db", *QUICK_RETRY)
        assert done.returncode == 0, done.stderr[-3000:]
        hits = [r for r in site.requests if r.path == target.path]
        assert [r.status for r in hits] == [503, 503, 200]
        gaps = [b.time - a.time for a, b in itertools.pairwise(hits)]
        assert gaps[0] >= 0.2 and gaps[1] >= 0.4  # 0.2 s, then doubled
        assert count(tmp_path / "a.db", "failures") == 1  # only the replica's listed 404


def test_429_honours_retry_after(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=4, page_size=PAGE_SIZE) as site:
        target = site.articles[-2]
        site.rate_limit(target, times=1, retry_after=2)
        done = crawl(site, tmp_path / "a.db", *QUICK_RETRY)
        assert done.returncode == 0, done.stderr[-3000:]
        hits = [r for r in site.requests if r.path == target.path]
        assert [r.status for r in hits] == [429, 200]
        assert hits[1].time - hits[0].time >= 2.0


def test_wrong_charset_is_archived_correctly(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=4, page_size=PAGE_SIZE) as site:
        target = site.articles[-1]
        site.wrong_charset(target)
        db = tmp_path / "a.db"
        assert crawl(site, db).returncode == 0
        row = rows(db, "select * from articles where url = ?", site.expected(target)["url"])[0]
        assert row["title"] == site.expected(target)["title"]
        assert row["body"] == site.expected(target)["body"]


def test_truncated_article_is_a_failure_not_a_half_row(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=4, page_size=PAGE_SIZE) as site:
        target = site.articles[-1]
        site.truncate(target)
        db = tmp_path / "a.db"
        done = crawl(site, db, *QUICK_RETRY)
        assert done.returncode == 1  # the page never arrived whole: the run says so
        url = site.expected(target)["url"]
        assert rows(db, "select * from articles where url = ?", url) == []
        failure = [f for f in rows(db, "select * from failures") if target.path in f["url"]]
        assert failure and failure[0]["stage"] == "fetch"
        assert "truncated" in failure[0]["reason"]
        # Tried 1 + RETRY_TIMES (3) times; the failure points at the last cut response, kept raw.
        hits = [r for r in site.requests if r.path == target.path]
        assert len(hits) == 4
        page = read_page(tmp_path / "warc" / failure[0]["warc_file"], failure[0]["warc_offset"])
        assert len(page.body) == hits[-1].bytes > 0
        assert count(db, "articles") == len(site.expected_articles()) - 1


def test_a_failing_listing_page_does_not_cost_the_rest_of_the_section(tmp_path: Path) -> None:
    with FakeSite(articles=60, seed=8, page_size=PAGE_SIZE) as site:
        slug = next(s.slug for s in site.sections if site.pages(s.slug) >= 3)
        broken = site.section_url(slug, 2)
        site.fail(broken, status=500, times=None)
        db = tmp_path / "a.db"
        crawl(site, db, *QUICK_RETRY)
        assert any(
            broken.endswith(f["url"].split(site.base_url)[-1]) or f["url"] == broken
            for f in rows(db, "select * from failures")
        )
        page3 = site.expected_listing(slug, 3)["article_urls"]
        stored = {r["url"] for r in rows(db, "select url from articles")}
        assert page3 and set(page3) <= stored | {site.expected(site.dataset.missing)["url"]}


def test_offsite_redirect_is_refused_and_recorded(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=4, page_size=PAGE_SIZE) as site:
        target = site.articles[-1]
        site.redirect(target, "http://offsite.invalid/elsewhere/")
        db = tmp_path / "a.db"
        crawl(site, db)
        assert rows(db, "select * from articles where url = ?", site.expected(target)["url"]) == []
        assert any(target.path in f["url"] for f in rows(db, "select * from failures"))


def test_article_now_redirecting_home_is_marked_removed_and_kept(archived) -> None:
    """Issue 13: a redirect of an archived article to the home page is a removal: the row and
    its revisions stay, marked; no parse failure, the run is not failed by it."""
    site, db = archived
    target = site.articles[-1]
    url = site.expected(target)["url"]
    before = rows(db, "select * from articles where url = ?", url)[0]
    site.redirect(target, "/")
    done = crawl(site, db, "--refetch")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    after = rows(db, "select * from articles where url = ?", url)[0]
    assert after["removed_status"] == 301 and after["removed_at"]
    marks = {"removed_at", "removed_status", "last_seen_at"}
    assert {k: v for k, v in after.items() if k not in marks} == {
        k: v for k, v in before.items() if k not in marks
    }
    assert count(db, "article_revisions") == count(db, "articles")
    parse_failures = rows(db, "select * from failures where stage = 'parse'")
    assert not any(target.path in f["url"] for f in parse_failures)
    # Served again: a later 200 clears the mark.
    site.clear_knobs()
    assert crawl(site, db, "--refetch").returncode == 0
    again = rows(db, "select * from articles where url = ?", url)[0]
    assert (again["removed_at"], again["removed_status"]) == (None, None)


def test_kill_9_mid_crawl_loses_nothing_committed(tmp_path: Path) -> None:
    with FakeSite(articles=150, seed=13, page_size=10) as site:
        for article in site.articles:
            site.delay(article, 0.05)
        db = tmp_path / "a.db"
        process = start_crawl(site, db, quiet=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if db.exists() and _stored(db) >= 20:
                break
        process.send_signal(signal.SIGKILL)
        process.wait()
        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        stored_before = {r["url"] for r in rows(db, "select url from articles")}
        assert 20 <= len(stored_before) < len(site.expected_articles())
        site.clear_knobs()
        done = crawl(site, db)
        assert done.returncode == 0, done.stderr[-3000:]
        urls = [r["url"] for r in rows(db, "select url from articles")]
        assert len(urls) == len(set(urls)) == len(site.expected_articles())
        assert stored_before <= set(urls)
        statuses = [r["status"] for r in rows(db, "select status from crawl_runs order by id")]
        assert statuses == ["interrupted", "finished"]


def _stored(db: Path) -> int:
    try:
        return count(db, "articles")
    except sqlite3.Error:
        return 0


def _visible(db: Path) -> int:
    """Articles a reader sees, through a read-only connection (it cannot disturb the crawl)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("select count(*) from articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_kill_9_mid_batch_keeps_whole_articles_and_the_rerun_fetches_the_lost(
    tmp_path: Path,
) -> None:
    """Issue 14: articles are committed in batches (pipelines.BATCH_ARTICLES). A kill loses at
    most the open batch, whole: every row left has all that belongs to it and points at a
    flushed WARC record, and the next crawl fetches exactly what is missing."""
    from newsarchive.pipelines import BATCH_ARTICLES
    from newsarchive.storage.stems import STEM_TABLE

    with FakeSite(articles=300, seed=29, page_size=10) as site:
        # Fast enough that batches fill up (8 downloads at a time, 30 ms each), slow enough
        # that the crawl is still running well after the rows polled for are there.
        for article in site.articles:
            site.delay(article, 0.03)
        db = tmp_path / "a.db"
        process = start_crawl(site, db, quiet=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _visible(db) < 3 * BATCH_ARTICLES:
            assert process.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        expected = {a["url"] for a in site.expected_articles()}

        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
            assert conn.execute("pragma foreign_key_check").fetchall() == []
        stored = rows(db, "select * from articles order by id")
        assert 3 * BATCH_ARTICLES <= len(stored) < len(expected)
        ids = [(row["id"],) for row in stored]
        assert rows(db, "select article_id, revision from article_revisions order by 1") == [
            {"article_id": row["id"], "revision": 1} for row in stored
        ]
        for row in stored:
            for kind, link, key in (("categories", "article_categories", "category_id"),
                                    ("tags", "article_tags", "tag_id")):  # fmt: skip
                linked = rows(db, f"select n.name from {link} l join {kind} n on n.id = l.{key} "
                                  "where l.article_id = ? order by l.position", row["id"])  # fmt: skip
                assert [r["name"] for r in linked] == json.loads(row[kind]), row["url"]
            page = read_page(tmp_path / "warc" / row["warc_file"], row["warc_offset"])
            assert page.status == 200 and page.url.startswith(site.base_url)
        with sqlite3.connect(db) as conn:
            for index in ("articles_fts", STEM_TABLE):
                assert conn.execute(f"select id from {index}_docsize order by id").fetchall() == ids
        before = {row["url"] for row in stored}
        assert before <= expected

        site.clear_knobs()
        site.clear_log()
        done = crawl(site, db)
        assert done.returncode == 0, done.stderr[-3000:]
        urls = [r["url"] for r in rows(db, "select url from articles")]
        assert len(urls) == len(set(urls)) and set(urls) == expected
        # The rerun fetched what the kill lost, and nothing that was committed.
        lost = sorted(urlsplit(url).path.rstrip("/") for url in expected - before)
        # (The replica's listed 404 is fetched again too if the killed run had not reached it.)
        served = [r.path for r in site.requests if r.path[1:5].isdigit() and r.status == 200]
        got = sorted(path.rstrip("/") for path in served)
        assert got == lost
        assert count(db, "article_revisions") == len(expected)
        statuses = [r["status"] for r in rows(db, "select status from crawl_runs order by id")]
        assert statuses == ["interrupted", "finished"]


def test_an_open_batch_is_committed_while_the_crawl_waits_for_more(tmp_path: Path) -> None:
    """The batch's timer: one article arrives, every other page takes 25 s; the article is
    committed (and seen by a reader) while the crawl still runs, not when the next item or the
    end of the crawl comes."""
    with FakeSite(articles=6, seed=30, page_size=10) as site:
        fast = site.articles[-1]
        for article in [*site.articles, site.dataset.missing]:
            if article is not None and article is not fast:
                site.delay(article, 25)
        db = tmp_path / "a.db"
        process = start_crawl(site, db, quiet=True)
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and _visible(db) == 0:
                time.sleep(0.05)
            assert process.poll() is None  # still waiting for the slow pages
            assert [r["url"] for r in rows(db, "select url from articles")] == [
                site.expected(fast)["url"]
            ]
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
