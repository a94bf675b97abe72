"""What the end-to-end tests share: the real CLI in a subprocess, and reading the archive file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.fakesite import LOOPBACK_CRAWL_FLAGS, FakeSite

ROOT = Path(__file__).resolve().parents[1]
FAST = LOOPBACK_CRAWL_FLAGS


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # A proxy in the environment would send loopback requests elsewhere (Scrapy's tests do the same).
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.run(
        [sys.executable, "-m", "newsarchive", *args],
        capture_output=True, text=True, encoding="utf-8", timeout=600, cwd=cwd, env=env,
    )  # fmt: skip


def crawl(site: FakeSite, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("crawl", "--db", str(db), "--base-url", site.base_url, *FAST, *args)


def start_crawl(
    site: FakeSite, db: Path, *args: str, quiet: bool = False
) -> subprocess.Popen[str]:
    """The real CLI crawling the replica in the background (its output piped, or with `quiet`
    dropped: a test that never reads it must not let a full pipe stall the crawl)."""
    command = [sys.executable, "-m", "newsarchive", "crawl", "--db", str(db),
               "--base-url", site.base_url, *FAST, *args]  # fmt: skip
    output = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=output, text=True)


def listing_requests(site: FakeSite) -> Counter[str]:
    """Listing requests the replica answered, per section slug."""
    per_section: Counter[str] = Counter()
    for record in site.requests:
        if record.path.startswith("/category/"):
            per_section[record.path.split("/")[2]] += 1
    return per_section


def rows(db: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def count(db: Path, table: str) -> int:
    return int(rows(db, f"select count(*) as n from {table}")[0]["n"])




# URLs urllib cannot split ("Invalid IPv6 URL" and kin): an unclosed bracket, a stray one, a
# bracketed host that is no IP address, a host that NFKC turns into URL delimiters. Pages carry
# such links; they lead nowhere.
UNSPLITTABLE_URLS = [
    "http://[kalbaronline.com/2020/01/01/lain/",
    "//[kalbaronline.com/2020/01/01/lain/",
    "http://[::1",
    "http://]x",
    "https://]kalbaronline.com[/2020/01/01/lain/",
    "https://[kalbaronline.com]/2020/01/01/lain/",
    "https://[kalbaronline.com]/pontianak/page/2",
    "https://kalbaronline\u2100.com/2020/01/01/lain/",
]
