"""`reparse --jobs N` (worker processes extract, one writer) gives what `--jobs 1` gives.

The archive comes from a real crawl of the replica, with its WARC files; then some rows are
made to look like an older parser's (so they change), some lose their raw page, one points at a
record cut short, one at a record over the size cap, one at an offset holding no record. Two
identical copies are re-parsed by the real CLI in a subprocess, `--jobs 1` and `--jobs 2`, and
must end with the same report line, exit code, rows, revisions and failures. A worker killed in
the middle of a run, and Ctrl-C, are real signals sent to the real processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsarchive.reparse import CHUNK, MIN_PER_WORKER
from newsarchive.storage.warc import Capture, WarcStore
from tests.fakesite import FakeSite
from tests.helpers import ROOT, crawl, rows, run_cli

ARTICLES = 150  # chunks for two workers, so an explicit --jobs 2 starts a pool

# Columns that hold the time of the run that wrote them, not what was written.
VOLATILE = {"last_changed_at", "captured_at", "at"}


@dataclass
class Crawled:
    base_url: str
    folder: Path  # archive.db and warc/


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    folder = tmp_path_factory.mktemp("crawled")
    with FakeSite(articles=ARTICLES, seed=29, page_size=10) as site:
        done = crawl(site, folder / "archive.db")
        assert done.returncode == 0, done.stderr[-3000:]
        base_url = site.base_url
    assert rows(folder / "archive.db", "select count(*) as n from articles")[0]["n"] == ARTICLES
    yield Crawled(base_url, folder)


def _execute(db: Path, sql: str, *params: Any) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(sql, params)


def _cut_copy(warc: Path, offset: int, target: Path) -> None:
    """`warc` up to 60% of the gzip member at `offset`: that record is cut short."""
    whole = warc.read_bytes()
    member = zlib.decompressobj(31)
    member.decompress(whole[offset:])
    member_size = len(whole) - offset - len(member.unused_data)
    target.write_bytes(whole[: offset + member_size * 6 // 10])


def _variant(crawled: Crawled, folder: Path) -> Path:
    """A copy of the crawled archive with every kind of row reparse tells apart."""
    shutil.copytree(crawled.folder, folder)
    db = folder / "archive.db"
    warc = folder / "warc"
    ids = [r["id"] for r in rows(db, "select id from articles order by id")]
    # An older parser's output: titles on every third row, bodies on every fifth.
    _execute(db, "update articles set title = title || ' (lama)', content_hash = 'old'"
                 " where id % 3 = 0")  # fmt: skip
    _execute(db, "update articles set body = 'Isi lama.', content_hash = 'old' where id % 5 = 0")
    _execute(db, "update articles set warc_file = null, warc_offset = null where id in (?, ?)",
             ids[1], ids[7])  # fmt: skip
    cut = rows(db, "select warc_file, warc_offset from articles where id = ?", ids[10])[0]
    _cut_copy(warc / cut["warc_file"], cut["warc_offset"], warc / "cut.warc.gz")
    _execute(db, "update articles set warc_file = 'cut.warc.gz' where id = ?", ids[10])
    _execute(db, "update articles set warc_offset = 3 where id = ?", ids[20])  # no record there
    url = rows(db, "select url from articles where id = ?", ids[30])[0]["url"]
    big = WarcStore(warc, "big")
    html = b"<html><body>" + b" " * (17 * 1024 * 1024) + b"</body></html>"
    raw = big.write(Capture(url, "GET", [], 200, "HTTP/1.1",
                            [("Content-Type", "text/html; charset=UTF-8")], html,
                            datetime(2025, 1, 2, tzinfo=UTC)))  # fmt: skip
    big.close()
    _execute(db, "update articles set warc_file = ?, warc_offset = ? where id = ?",
             raw.warc_file, raw.warc_offset, ids[30])  # fmt: skip
    return db


def _contents(db: Path) -> dict[str, list[dict[str, Any]]]:
    tables = {
        "articles": "select * from articles order by id",
        "article_revisions": "select * from article_revisions order by article_id, revision",
        "failures": "select * from failures order by id",
        "article_categories": "select * from article_categories order by article_id, position",
        "article_tags": "select * from article_tags order by article_id, position",
    }
    return {
        name: [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows(db, sql)]
        for name, sql in tables.items()
    }


def _reparse(db: Path, base_url: str, jobs: int) -> subprocess.CompletedProcess[str]:
    return run_cli("reparse", "--db", str(db), "--base-url", base_url, "--jobs", str(jobs))


def _copies(crawled: Crawled, tmp_path: Path, *names: str) -> list[Path]:
    """Identical copies (archive and WARC folder) of one variant of the crawled archive."""
    original = _variant(crawled, tmp_path / "original")
    for name in names:
        shutil.copytree(original.parent, tmp_path / name)
    return [tmp_path / name / "archive.db" for name in names]


def test_jobs_2_gives_what_jobs_1_gives(crawled: Crawled, tmp_path: Path) -> None:
    before, one, two = _copies(crawled, tmp_path, "before", "one", "two")
    assert ARTICLES >= 2 * CHUNK

    single = _reparse(one, crawled.base_url, 1)
    pooled = _reparse(two, crawled.base_url, 2)

    assert single.returncode == pooled.returncode == 1  # unreadable pages
    assert single.stderr == pooled.stderr == ""
    assert pooled.stdout == single.stdout
    report = single.stdout
    assert f"examined {ARTICLES} |" in report
    assert "| no raw page 2 | unreadable 3 (too large 1, truncated 1)" in report
    assert "fields changed: body " in report and ", title " in report
    after, untouched = _contents(two), _contents(before)
    assert after == _contents(one)
    assert len(after["article_revisions"]) > len(untouched["article_revisions"])
    assert len(after["failures"]) == len(untouched["failures"]) + 2  # too large, truncated


# --- workers that die, and Ctrl-C ---------------------------------------------------------


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _workers(root: int) -> list[int]:
    """The pool's workers: the fork server's children, grandchildren of the CLI."""
    found = []
    for pid in _descendants(root):
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if parent != root:
            found.append(pid)
    return found


def _start(db: Path, base_url: str, jobs: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "reparse", "--db", str(db),
         "--base-url", base_url, "--jobs", str(jobs)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, so Ctrl-C can be sent to it alone
    )  # fmt: skip


def _a_worker(proc: subprocess.Popen[str], jobs: int = 2, deadline: float = 60) -> int | None:
    """One worker, once all `jobs` have started and had a moment to take pages."""
    give_up = time.monotonic() + deadline
    while time.monotonic() < give_up and proc.poll() is None:
        workers = _workers(proc.pid)
        if len(workers) == jobs:
            time.sleep(0.2)
            return workers[0]
        time.sleep(0.005)
    return None


def _finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # a hung run: its whole group, then fail
        proc.communicate()
        raise


def test_a_worker_killed_mid_run_loses_nothing(crawled: Crawled, tmp_path: Path) -> None:
    one, two = _copies(crawled, tmp_path, "one", "two")
    single = _reparse(one, crawled.base_url, 1)
    proc = _start(two, crawled.base_url, 2)
    worker = _a_worker(proc)
    assert worker is not None, "no worker process appeared"
    os.kill(worker, signal.SIGKILL)
    stdout, stderr = _finish(proc)
    # Every page the dead worker held is extracted again: nothing is counted lost.
    assert (proc.returncode, stdout, stderr) == (single.returncode, single.stdout, "")
    assert _contents(two) == _contents(one)


def test_ctrl_c_stops_cleanly_with_the_pool_shut_down(crawled: Crawled, tmp_path: Path) -> None:
    db = _variant(crawled, tmp_path / "db")
    proc = _start(db, crawled.base_url, 2)
    assert _a_worker(proc) is not None, "no worker process appeared"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C: the whole group
    stdout, stderr = _finish(proc)
    if proc.returncode != 130:  # the run ended before the signal came: nothing to check
        assert proc.returncode == 1, stderr
        pytest.skip("the run finished before Ctrl-C reached it")
    assert stderr == "newsarchive: interrupted\n"
    assert stdout == ""
    # The workers were stopped before the CLI exited; the fork server and the resource
    # tracker end on their own once their parent is gone.
    give_up = time.monotonic() + 30
    while (left := _group_members(proc.pid)) and time.monotonic() < give_up:
        time.sleep(0.05)
    assert left == []
    assert rows(db, "pragma integrity_check") == [{"integrity_check": "ok"}]
    # The next run finishes the job.
    again = _reparse(db, crawled.base_url, 2)
    assert again.returncode == 1 and again.stderr == ""
    assert f"examined {ARTICLES} |" in again.stdout


def test_a_killed_writer_leaves_no_worker_behind(crawled: Crawled, tmp_path: Path) -> None:
    db = _variant(crawled, tmp_path / "db")
    proc = _start(db, crawled.base_url, 2)
    assert _a_worker(proc) is not None, "no worker process appeared"
    os.kill(proc.pid, signal.SIGKILL)  # the writer alone, as the OOM killer or a timeout would
    proc.communicate()
    # Workers waiting for their next task, the fork server and the resource tracker end once
    # the writer is gone; none is left holding pipes (or the machine's memory) for good.
    give_up = time.monotonic() + 30
    while (left := _group_members(proc.pid)) and time.monotonic() < give_up:
        time.sleep(0.05)
    assert left == []
    assert rows(db, "pragma integrity_check") == [{"integrity_check": "ok"}]


def _group_members(group: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                members.append(int(entry))
    return members


def test_the_help_states_the_default_rule() -> None:
    done = run_cli("reparse", "--help")
    text = " ".join(done.stdout.split())
    assert f"one per {MIN_PER_WORKER} articles" in text
    assert f"fewer than {2 * MIN_PER_WORKER:,} articles: in this process" in text
