"""robots.txt as RFC 9309 reads it, and the run's budget, through the real CLI over loopback.

robots.txt: 5xx or unreachable means "disallow everything" for the run, 4xx means "allow
everything" whatever the error page says, a disallowed URL is named once and fails the run.
Budget: a site that stops answering ends the run (`site_unreachable`), and so does the time
budget (`CLOSESPIDER_TIMEOUT`), each with one line saying why.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.fakesite import FakeSite
from tests.fakesite.routes import Response
from tests.helpers import FAST, count, crawl, rows, run_cli

# Short timeouts and retries on loopback: the same code paths as the live defaults.
QUICK = [
    "-s", "DOWNLOAD_TIMEOUT=1",
    "-s", "RETRY_TIMES=1",
    "-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.1",
]  # fmt: skip


def lines_naming(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def serve_robots(site: FakeSite, status: int, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the replica answer /robots.txt with `status` and `body` (text/plain)."""
    handle: Callable[[str], Response] = site.router.handle

    def answer(target: str) -> Response:
        if urlsplit(target).path == "/robots.txt":
            return Response(status, body.encode(), "text/plain; charset=utf-8")
        return handle(target)

    monkeypatch.setattr(site.router, "handle", answer)


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers (a hung server or a dead backend)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.socket.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.stop()


def crawl_silent(server: SilentServer, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("crawl", "--db", str(db), "--base-url", server.base_url, *FAST, *QUICK, *args)


# --- robots.txt --------------------------------------------------------------------------------


def test_robots_txt_answering_5xx_disallows_the_whole_site(tmp_path: Path) -> None:
    with FakeSite(articles=20, seed=2, page_size=5) as site:
        site.fail("/robots.txt", 503, times=None)
        db = tmp_path / "archive.db"
        done = crawl(site, db, *QUICK)
        paths = [r.path for r in site.requests]
    # robots.txt tried once and retried once (RETRY_TIMES=1), then nothing else was fetched.
    assert paths == ["/robots.txt", "/robots.txt"]
    assert done.returncode == 1, done.stderr[-3000:]
    named = lines_naming(done.stderr, "robots.txt")
    assert len(named) == 1, done.stderr
    assert f"{site.base_url}/robots.txt" in named[0] and "503" in named[0]
    assert "Traceback" not in done.stderr
    assert "robots.txt unreachable" in done.stdout
    reasons = [r["reason"] for r in rows(db, "select reason from failures")]
    assert reasons and all("robots.txt unreachable" in r for r in reasons), reasons


def test_a_silent_site_is_given_up_after_robots_txt_times_out(
    tmp_path: Path, silent: SilentServer
) -> None:
    done = crawl_silent(silent, tmp_path / "archive.db")
    # Two tries of robots.txt, then every request to the site is refused without a connection.
    assert len(silent.connections) == 2
    assert done.returncode == 1, done.stderr[-3000:]
    named = lines_naming(done.stderr, "robots.txt")
    assert len(named) == 1, done.stderr
    assert f"{silent.base_url}/robots.txt" in named[0] and "TimeoutError" in named[0]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("status", [404, 403])
def test_robots_txt_answering_4xx_allows_everything_whatever_its_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    with FakeSite(articles=20, seed=2, page_size=5) as site:
        # An error page that happens to read like rules: a 4xx means "no rules" (RFC 9309).
        serve_robots(site, status, "User-agent: *\nDisallow: /\n", monkeypatch)
        db = tmp_path / "archive.db"
        done = crawl(site, db)
        expected = len(site.expected_articles())
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert count(db, "articles") == expected
    assert "robots.txt" not in done.stderr


def test_robots_txt_disallowing_the_listings_is_named_once_and_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSite(articles=20, seed=2, page_size=5) as site:
        serve_robots(site, 200, "User-agent: *\nDisallow: /category/\n", monkeypatch)
        db = tmp_path / "archive.db"
        done = crawl(site, db)
        paths = [r.path for r in site.requests]
    assert not [p for p in paths if p.startswith("/category/")]
    assert done.returncode == 1
    named = lines_naming(done.stderr, "robots.txt")
    assert len(named) == 1, done.stderr  # one line for every section refused
    assert f"{site.base_url}/robots.txt" in named[0] and "/category/" in named[0]
    assert "disallowed by robots.txt" in done.stdout
    reasons = [r["reason"] for r in rows(db, "select reason from failures")]
    assert len(reasons) > 1 and all("robots.txt" in r for r in reasons), reasons


def test_one_disallowed_article_fails_a_run_that_otherwise_succeeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSite(articles=20, seed=2, page_size=5) as site:
        article = site.articles[-1]  # the newest: on a first listing page
        path = urlsplit(site.url(article)).path.rstrip("/")
        serve_robots(site, 200, f"User-agent: *\nDisallow: {path}\n", monkeypatch)
        db = tmp_path / "archive.db"
        done = crawl(site, db)
        expected = len(site.expected_articles())
        paths = [r.path for r in site.requests]
    assert not [p for p in paths if p.startswith(path)]
    assert count(db, "articles") == expected - 1
    assert done.returncode == 1
    named = lines_naming(done.stderr, "robots.txt")
    assert len(named) == 1 and path in named[0], done.stderr
    assert "1 URLs disallowed by robots.txt" in done.stdout


# --- budget ------------------------------------------------------------------------------------


def test_a_site_that_stops_answering_ends_the_run_after_the_failure_budget(
    tmp_path: Path, silent: SilentServer
) -> None:
    budget = 3
    db = tmp_path / "archive.db"
    done = crawl_silent(
        silent,
        db,
        # robots.txt off: with it, the silent site ends at robots.txt (the test above).
        "-s", "ROBOTSTXT_OBEY=False",
        "-s", f"NEWSARCHIVE_MAX_CONSECUTIVE_FAILURES={budget}",
        # One download at a time: nothing else is in flight when the budget runs out.
        "-s", "CONCURRENT_REQUESTS=1",
        # Three sections, each with page 1 and its stepped-over page 2: six URLs to fail, each
        # tried twice (RETRY_TIMES=1).
        "--section", "satu", "--section", "dua", "--section", "tiga",
    )  # fmt: skip
    # `budget` URLs failed for good, and the run stopped before the other three did.
    assert len(rows(db, "select url from failures")) == budget
    assert len(silent.connections) < 6 * 2
    assert done.returncode == 1, done.stderr[-3000:]
    assert done.stdout.startswith("newsarchive crawl: site_unreachable |"), done.stdout
    named = lines_naming(done.stderr, "NEWSARCHIVE_MAX_CONSECUTIVE_FAILURES")
    assert len(named) == 1, done.stderr
    assert "site unreachable" in named[0]
    assert "Traceback" not in done.stderr


def test_the_time_budget_ends_the_run_with_one_line(tmp_path: Path, silent: SilentServer) -> None:
    done = crawl_silent(
        silent,
        tmp_path / "archive.db",
        "-s", "ROBOTSTXT_OBEY=False",
        "-s", "RETRY_TIMES=0",
        "-s", "DOWNLOAD_TIMEOUT=3",
        "-s", "CLOSESPIDER_TIMEOUT=1",
        "--section", "satu",
    )  # fmt: skip
    # Stopped while page 1 was still waiting: its stepped-over page 2 was never asked for.
    assert len(silent.connections) == 1
    assert done.returncode == 1, done.stderr[-3000:]
    assert done.stdout.startswith("newsarchive crawl: closespider_timeout |"), done.stdout
    named = lines_naming(done.stderr, "CLOSESPIDER_TIMEOUT")
    assert len(named) == 1, done.stderr
    assert "CLOSESPIDER_TIMEOUT=1" in named[0]
    assert "Traceback" not in done.stderr


def test_the_failure_budget_is_on_by_default_and_cron_can_set_a_time_budget() -> None:
    from newsarchive.crawl import crawl_settings

    settings = crawl_settings({})
    assert settings.getint("NEWSARCHIVE_MAX_CONSECUTIVE_FAILURES") > 0
    assert settings.getfloat("CLOSESPIDER_TIMEOUT") == 0  # a full crawl takes many hours
    assert crawl_settings({"CLOSESPIDER_TIMEOUT": "3600"}).getfloat("CLOSESPIDER_TIMEOUT") == 3600
