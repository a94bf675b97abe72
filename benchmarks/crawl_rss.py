"""Peak memory and throughput of a full crawl of the replica, measured from outside the crawl.

    python benchmarks/crawl_rss.py --articles 20000

The replica runs in its own process, so its memory is not counted; the crawl is the real CLI in
a child process, and its peak RSS comes from the kernel (getrusage of children).
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    args = parser.parse_args()
    port = free_port()
    site = subprocess.Popen(
        [sys.executable, "-m", "tests.fakesite", "--port", str(port), "--articles",
         str(args.articles)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert site.stdout is not None
        base = site.stdout.readline().split()[0]
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "archive.db"
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "newsarchive", "crawl", "--db", str(db), "--base-url",
                 base, *FAST],
                cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            elapsed = time.monotonic() - started
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            with sqlite3.connect(db) as conn:
                run = conn.execute(
                    "select pages_fetched, articles_new, failures from crawl_runs"
                ).fetchone()
            result = {
                "articles": args.articles,
                "exit_code": done.returncode,
                "wall_s": round(elapsed, 1),
                "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                "cpu_ms_per_article": round(
                    1000 * (usage.ru_utime + usage.ru_stime) / max(run[1], 1), 2
                ),
                "pages_fetched": run[0],
                "articles_new": run[1],
                "failures": run[2],
                "articles_per_s": round(run[1] / elapsed, 1),
                "db_mb": round(db.stat().st_size / 2**20, 1),
            }
            print(done.stdout.strip())
            print(json.dumps(result))
    finally:
        site.terminate()
        site.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
