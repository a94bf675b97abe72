"""What the user or the world can do to a crawl, and what must survive it: locks, writers,
signals, full disks, the run ledger, exit codes. Real CLI in a subprocess, real files, the
loopback replica."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakesite import FakeSite
from tests.helpers import FAST, ROOT, count, crawl, rows, run_cli, start_crawl

QUICK_RETRY = ["-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.1", "-s", "NEWSARCHIVE_RETRY_BACKOFF_MAX=1"]


def update(site: FakeSite, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "update", "--db", str(db), "--base-url", site.base_url, *FAST, "--discover", "listings",
        *args,
    )  # fmt: skip


def wait_for_articles(db: Path, n: int, process: subprocess.Popen[str], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
        try:
            if db.exists() and count(db, "articles") >= n:
                return
        except sqlite3.Error:
            pass
    raise AssertionError(f"fewer than {n} articles stored in time")


def slow_site(articles: int, seed: int) -> FakeSite:
    site = FakeSite(articles=articles, seed=seed, page_size=10).start()
    for article in site.articles:
        site.delay(article, 0.05)
    return site


def assert_one_line(stream: str) -> None:
    assert "Traceback" not in stream, stream[-3000:]
    assert len(stream.strip().splitlines()) == 1, stream[-3000:]


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("pragma integrity_check").fetchone()[0])


# --- the lock -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["symlink", "directory"])
def test_a_planted_lock_path_is_refused_in_one_line(tmp_path: Path, kind: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    db = tmp_path / "a.db"
    note = tmp_path / "a.db.lock"
    if kind == "symlink":
        note.symlink_to(victim)
    else:
        note.mkdir()
    with FakeSite(articles=10, seed=2, page_size=5) as site:
        done = update(site, db)
        assert site.requests == []
    assert done.returncode == 2, done.stderr
    assert_one_line(done.stderr)
    assert kind in done.stderr
    assert victim.read_text() == "precious\n"
    assert not db.exists()


def test_deleting_the_lock_file_does_not_let_a_second_writer_in(tmp_path: Path) -> None:
    site = slow_site(articles=120, seed=31)
    # One page answered only after 10 s keeps the first crawl running while the second process
    # starts and reaches the lock, however fast the crawl stores the rest.
    site.delay(site.articles[len(site.articles) // 2], 10)
    try:
        db = tmp_path / "a.db"
        first = start_crawl(site, db)
        wait_for_articles(db, 10, first)
        (tmp_path / "a.db.lock").unlink()
        second = update(site, db)
        assert second.returncode == 75, second.stderr[-3000:]
        assert_one_line(second.stderr)
        site.clear_knobs()
        _out, err = first.communicate(timeout=300)
        assert first.returncode == 0, err[-3000:]
        assert "Traceback" not in err
        urls = [r["url"] for r in rows(db, "select url from articles")]
        assert len(urls) == len(set(urls)) == len(site.expected_articles())
        statuses = [r["status"] for r in rows(db, "select status from crawl_runs")]
        assert statuses == ["finished"]
    finally:
        site.stop()


def test_an_outside_write_transaction_is_waited_for_then_recorded_never_lost(
    tmp_path: Path,
) -> None:
    site = slow_site(articles=60, seed=32)
    try:
        db = tmp_path / "a.db"
        first = start_crawl(site, db, "-s", "NEWSARCHIVE_DB_BUSY_TIMEOUT=0.3")
        wait_for_articles(db, 5, first)
        # An analyst's sqlite3 shell with an open write transaction, for a few seconds.
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("begin immediate")
        time.sleep(4)
        blocker.execute("rollback")
        blocker.close()
        _out, err = first.communicate(timeout=300)
        assert "Traceback" not in err, err[-3000:]
        stored = count(db, "articles")
        store_failures = rows(db, "select url from failures where stage = 'store'")
        unrecorded = [line for line in err.splitlines() if "could not record the failure" in line]
        if stored < len(site.expected_articles()):
            # Whatever was not stored says so, in a failure row or an error line, and the run
            # does not pass as good.
            assert store_failures or unrecorded, err[-3000:]
            assert first.returncode == 1
        site.clear_knobs()
        again = crawl(site, db)
        assert again.returncode == 0, again.stderr[-3000:]
        urls = [r["url"] for r in rows(db, "select url from articles")]
        assert len(urls) == len(set(urls)) == len(site.expected_articles())
    finally:
        site.stop()


# --- signals and the run ledger ------------------------------------------------------------


@pytest.mark.parametrize(
    ("signals", "code"),
    [((signal.SIGINT,), 130), ((signal.SIGTERM,), 143), ((signal.SIGINT, signal.SIGINT), 130)],
    ids=["sigint", "sigterm", "forced"],
)
def test_a_stopped_crawl_is_recorded_interrupted_with_its_counts(
    tmp_path: Path, signals: tuple[int, ...], code: int
) -> None:
    site = slow_site(articles=150, seed=33)
    try:
        db = tmp_path / "a.db"
        process = start_crawl(site, db)
        wait_for_articles(db, 15, process)
        if len(signals) > 1:
            # Slow downloads in flight, so that the graceful stop is still waiting for them
            # when the second signal forces the stop.
            for article in site.articles:
                site.delay(article, 20)
            time.sleep(1)
        for number in signals:
            process.send_signal(number)
            time.sleep(0.5)
        out, err = process.communicate(timeout=60)
        assert process.returncode == code, err[-3000:]
        assert "Traceback" not in err
        assert integrity(db) == "ok"
        run = rows(db, "select * from crawl_runs")[0]
        stored = count(db, "articles")
        assert run["status"] == "interrupted"
        assert run["exit_code"] == code
        assert run["finished_at"] is not None
        assert run["articles_new"] == stored > 0
        assert run["pages_fetched"] >= stored
        assert out.strip().startswith("newsarchive crawl: interrupted by SIG")
        site.clear_knobs()
        again = crawl(site, db)
        assert again.returncode == 0, again.stderr[-3000:]
        assert count(db, "articles") == len(site.expected_articles())
    finally:
        site.stop()


def test_scrapy_crawl_and_newsarchive_crawl_record_the_same_ledger(tmp_path: Path) -> None:
    with FakeSite(articles=30, seed=34, page_size=5) as site:
        ours = tmp_path / "ours.db"
        assert crawl(site, ours).returncode == 0
        bare = tmp_path / "bare.db"
        done = subprocess.run(
            ["scrapy", "crawl", "kalbaronline", "-s", f"NEWSARCHIVE_DB={bare}",
             "-s", f"NEWSARCHIVE_BASE_URL={site.base_url}", *FAST, "-s", "LOG_LEVEL=WARNING"],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
    columns = ("status", "exit_code", "finish_reason", "pages_fetched", "articles_new",
               "articles_updated", "articles_unchanged", "failures")  # fmt: skip
    mine = rows(ours, "select * from crawl_runs")
    theirs = rows(bare, "select * from crawl_runs")
    assert len(mine) == len(theirs) == 1
    assert [mine[0][c] for c in columns] == [theirs[0][c] for c in columns]
    assert (mine[0]["command"], theirs[0]["command"]) == ("crawl", "scrapy crawl")
    assert theirs[0]["status"] == "finished" and theirs[0]["exit_code"] == 0


def test_an_update_without_the_archive_pipeline_refuses_to_recrawl_everything(
    tmp_path: Path,
) -> None:
    with FakeSite(articles=20, seed=35, page_size=5) as site:
        db = tmp_path / "a.db"
        assert crawl(site, db).returncode == 0
        site.clear_log()
        done = update(site, db, "-s", "ITEM_PIPELINES={}")
        assert done.returncode == 1
        assert "is_known" in done.stderr and "Traceback" not in done.stderr
        assert not [r for r in site.requests if r.path[1:5].isdigit()]


# --- a full disk ---------------------------------------------------------------------------


@pytest.fixture
def small_mount(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"CI must be able to mount a tmpfs: {done.stderr.strip()}")
        pytest.skip(f"needs root to mount a tmpfs: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_crawl_in_one_line_and_a_rerun_completes(
    small_mount: Path,
) -> None:
    with FakeSite(articles=400, seed=36, page_size=10) as site:
        db = small_mount / "a.db"
        done = crawl(site, db)
        assert done.returncode == 1, done.stderr[-3000:]
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        full = [line for line in done.stderr.splitlines() if "cannot write" in line]
        assert len(full) == 1 and str(small_mount) in full[0], done.stderr[-3000:]
        assert len(done.stderr.strip().splitlines()) <= 3, done.stderr[-3000:]
        # It stopped: far fewer article requests than the site has.
        fetched = [r for r in site.requests if r.path[1:5].isdigit()]
        assert len(fetched) < len(site.expected_articles()) - 100
        assert integrity(db) == "ok"
        stored_before = {r["url"] for r in rows(db, "select url from articles")}

        still_full = crawl(site, db)
        assert still_full.returncode == 1
        assert "Traceback" not in still_full.stderr, still_full.stderr[-3000:]

        subprocess.run(["mount", "-o", "remount,size=200m", str(small_mount)], check=True)
        again = crawl(site, db)
        assert again.returncode == 0, again.stderr[-3000:]
        urls = [r["url"] for r in rows(db, "select url from articles")]
        assert len(urls) == len(set(urls)) == len(site.expected_articles())
        assert stored_before <= set(urls)
        statuses = [r["status"] for r in rows(db, "select status from crawl_runs order by id")]
        assert statuses[-1] == "finished" and "running" not in statuses


# --- exit codes and failure rows -----------------------------------------------------------


def test_size_capped_pages_and_refused_redirects_fail_the_run_like_timeouts(
    tmp_path: Path,
) -> None:
    with FakeSite(articles=20, seed=37, page_size=5) as site:
        target = site.articles[-1]
        cases = {
            "size cap": (lambda: site.serve(target, "<p>" + "x" * 3_000_000 + "</p>"),
                         ("-s", "DOWNLOAD_MAXSIZE=1000000")),
            "offsite redirect": (lambda: site.redirect(target, "http://offsite.invalid/x/"), ()),
            "redirect to no URL": (lambda: site.redirect(target, "http://[broken/x/"), ()),
            "timeout": (lambda: site.delay(target, 3),
                        ("-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=0")),
        }  # fmt: skip
        codes = {}
        for name, (fault, args) in cases.items():
            site.clear_knobs()
            fault()
            db = tmp_path / f"{name}.db"
            done = crawl(site, db, *args, *QUICK_RETRY)
            assert "Traceback" not in done.stderr, done.stderr[-3000:]
            codes[name] = done.returncode
            assert [
                r["url"] for r in rows(db, "select url from failures where http_status is null")
            ]
    assert codes == {"size cap": 1, "offsite redirect": 1, "redirect to no URL": 1, "timeout": 1}


def test_a_listed_404_alone_is_the_sites_business(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=38, page_size=5) as site:
        site.remove(site.articles[-1])
        db = tmp_path / "a.db"
        done = crawl(site, db)
        assert done.returncode == 0, done.stderr[-3000:]
        assert rows(db, "select http_status from failures where http_status = 404")


def test_a_url_failing_on_every_attempt_is_one_failure_row_per_run(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=39, page_size=5) as site:
        target = site.articles[-1]
        site.redirect(target, target.path)  # a redirect loop: every hop the same URL
        site.fail(site.articles[-2], status=503, times=None)
        db = tmp_path / "a.db"
        for _ in range(2):
            done = crawl(site, db, "--refetch", *QUICK_RETRY)
            assert done.returncode == 1
        per_run = rows(db, "select run_id, url, count(*) as n from failures group by run_id, url")
        assert per_run and all(r["n"] == 1 for r in per_run), per_run


# --- --db in a directory that does not exist -------------------------------------------------


def test_a_typo_in_the_db_folder_creates_nothing_unless_asked(tmp_path: Path) -> None:
    with FakeSite(articles=10, seed=40, page_size=5) as site:
        db = tmp_path / "typo" / "dir" / "x.db"
        done = crawl(site, db)
        assert done.returncode == 2
        assert_one_line(done.stderr)
        assert "--create-dirs" in done.stderr
        assert not (tmp_path / "typo").exists()
        assert site.requests == []
        made = crawl(site, db, "--create-dirs")
        assert made.returncode == 0, made.stderr[-3000:]
        assert count(db, "articles") == len(site.expected_articles())
