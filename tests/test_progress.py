"""Progress on stderr: the text (with and without a total), the extension on a terminal and off
one, and a real crawl's progress lines."""

from __future__ import annotations

import io
import os
import re
import select
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from twisted.internet import task

from newsarchive import progress
from newsarchive.progress import (
    ProgressReporter,
    count_text,
    eta_text,
    progress_done,
    progress_text,
    progress_total,
    summary_line,
)
from tests.fakesite import FakeSite
from tests.helpers import crawl

STATS = {
    "newsarchive/pages_fetched": 130,
    "newsarchive/articles_new": 100,
    "newsarchive/articles_updated": 10,
    "newsarchive/articles_unchanged": 5,
    "newsarchive/failures": 5,
}

SUMMARY = (
    r"pages \d+ \| articles new \d+ updated \d+ unchanged \d+ \| failures \d+ \| [\d.]+ articles/s"
)
LINE = re.compile(
    rf"^newsarchive: {SUMMARY}"
    r"(?: \| (?P<done>\d+)/(?P<total>\d+)(?: \((?P<pct>\d+)%\)(?:, ETA (?P<eta>\d+[hms][\dms]*))?)?)?"
    r"(?: \| (?P<where>\S.*))?$"
)


# --- the text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.2, "1s"),  # rounded up: "0s" left would be a lie
        (45, "45s"),
        (59.5, "1m00s"),
        (190, "3m10s"),
        (3599, "59m59s"),
        (3600, "1h00m"),
        (7500, "2h05m"),
        (-5, "0s"),
    ],
)
def test_eta_text(seconds: float, text: str) -> None:
    assert eta_text(seconds) == text


def test_done_counts_every_post_dealt_with() -> None:
    assert progress_done(STATS) == 120
    assert progress_done({}) == 0


def test_coverage_done_is_the_channel_furthest_along() -> None:
    stats = {
        **STATS,
        "newsarchive/channel/sitemaps/listed": 300,
        "newsarchive/channel/rest/listed": 120,
        "newsarchive/channel/rest/pages": 9,  # not a listed count
    }
    assert progress_done(stats, "coverage") == 300
    assert progress_done(STATS, "coverage") == 0
    assert progress_done(stats, "crawl") == 120


def test_total_absent_or_zero_is_unknown() -> None:
    assert progress_total({}) is None
    assert progress_total({"newsarchive/progress/total": 0}) is None
    assert progress_total({"newsarchive/progress/total": 540}) == 540


def test_count_text_with_total() -> None:
    # 120 done in 60 s: 2/s, 420 left: 210 s.
    assert count_text(120, 540, 60.0) == "120/540 (22%), ETA 3m30s"
    assert count_text(540, 540, 60.0) == "540/540 (100%), ETA 0s"


def test_count_text_without_rate_or_total() -> None:
    assert count_text(0, 540, 60.0) == "0/540 (0%)"  # nothing done yet: no ETA
    assert count_text(5, 540, 0.0) == "5/540 (0%)"
    assert count_text(120, None, 60.0) == ""


def test_count_text_done_past_total_has_no_eta() -> None:
    assert count_text(600, 540, 60.0) == "600/540"


def test_progress_text_with_total_and_where() -> None:
    stats = {**STATS, "newsarchive/progress/total": 540, "newsarchive/progress/where": "rest"}
    assert progress_text(stats, 60.0, "crawl") == (
        f"{summary_line(stats, 60.0)} | 120/540 (22%), ETA 3m30s | rest"
    )


def test_progress_text_without_total_shows_where() -> None:
    stats = {**STATS, "newsarchive/progress/where": "/category/pontianak/ p.3"}
    assert progress_text(stats, 60.0) == f"{summary_line(stats, 60.0)} | /category/pontianak/ p.3"


def test_progress_text_plain_is_the_summary_line() -> None:
    assert progress_text(STATS, 60.0) == summary_line(STATS, 60.0)
    assert progress_text({}, 0.0) == summary_line({}, 0.0)


def test_progress_text_coverage() -> None:
    stats = {
        "newsarchive/channel/sitemaps/listed": 270,
        "newsarchive/progress/total": 540,
        "newsarchive/progress/where": "sitemaps",
    }
    assert progress_text(stats, 10.0, "coverage").endswith(" | 270/540 (50%), ETA 10s | sitemaps")


def test_line_pattern_accepts_the_shapes() -> None:
    stats = {**STATS, "newsarchive/progress/total": 540, "newsarchive/progress/where": "rest"}
    match = LINE.match(f"newsarchive: {progress_text(stats, 60.0)}")
    assert match and match["done"] == "120" and match["eta"] == "3m30s"
    assert match["where"] == "rest"
    assert LINE.match(f"newsarchive: {progress_text(STATS, 60.0)}")


# --- the extension ----------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Closed(io.StringIO):
    """A stderr whose reader went away."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def make_crawler(**settings: Any) -> Any:
    crawler = SimpleNamespace(settings=Settings({"STATS_DUMP": False, **settings}))
    crawler.stats = MemoryStatsCollector(crawler)  # type: ignore[arg-type]
    crawler.signals = SimpleNamespace(connect=lambda *a, **k: None)
    return crawler


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> task.Clock:
    """The reporter's LoopingCall, driven by hand instead of by a running reactor."""
    clock = task.Clock()

    class Looping(task.LoopingCall):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.clock = clock

    monkeypatch.setattr(progress.task, "LoopingCall", Looping)
    return clock


def test_from_crawler_reads_interval_and_command() -> None:
    crawler = make_crawler(NEWSARCHIVE_PROGRESS_INTERVAL=2.5, NEWSARCHIVE_COMMAND="coverage")
    reporter = ProgressReporter.from_crawler(crawler)
    assert reporter.interval == 2.5 and reporter.command == "coverage"


def test_lines_off_a_terminal(clock: task.Clock) -> None:
    crawler = make_crawler()
    stream = io.StringIO()
    reporter = ProgressReporter(crawler, 10.0, command="crawl", stream=stream)
    reporter.opened()
    assert reporter.loop is not None and reporter.loop.interval == 10.0
    crawler.stats.set_value("newsarchive/articles_new", 120)
    crawler.stats.set_value("newsarchive/progress/total", 540)
    crawler.stats.set_value("newsarchive/progress/where", "rest")
    clock.advance(5)
    assert stream.getvalue() == ""  # not before the interval
    clock.advance(5)
    reporter.closed()
    clock.advance(30)  # stopped: no more lines
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    match = LINE.match(lines[0])
    assert match, lines[0]
    assert (match["done"], match["total"], match["where"]) == ("120", "540", "rest")
    assert "\r" not in stream.getvalue()


def test_interval_zero_is_off_even_on_a_terminal(clock: task.Clock) -> None:
    stream = Terminal()
    reporter = ProgressReporter(make_crawler(), 0, stream=stream)
    reporter.opened()
    clock.advance(60)
    reporter.closed()
    assert reporter.loop is None and reporter.bar is None
    assert stream.getvalue() == ""


def test_bar_on_a_terminal(clock: task.Clock) -> None:
    crawler = make_crawler()
    stream = Terminal()
    reporter = ProgressReporter(crawler, 10.0, command="crawl", stream=stream)
    reporter.opened()
    assert reporter.bar is not None
    assert reporter.loop is not None and reporter.loop.interval == progress.TTY_TICK
    crawler.stats.set_value("newsarchive/articles_new", 7)
    crawler.stats.set_value("newsarchive/progress/where", "/category/pontianak/ p.3")
    clock.advance(progress.TTY_TICK)  # no total yet: a count
    first = stream.getvalue()
    assert "\r" in first and "7 posts" in first and "/category/pontianak/ p.3" in first
    crawler.stats.set_value("newsarchive/articles_new", 120)
    crawler.stats.set_value("newsarchive/progress/total", 540)
    crawler.stats.set_value("newsarchive/progress/where", "rest")
    clock.advance(progress.TTY_TICK)
    drawn = stream.getvalue()[len(first) :]
    assert drawn.startswith("\r") and "120/540" in drawn and "rest" in drawn
    assert "newsarchive:" not in stream.getvalue()  # the bar, not lines
    bar = reporter.bar
    reporter.closed()
    assert reporter.bar is None and bar.disable  # tqdm marks a closed bar disabled
    assert reporter.loop is None
    # leave=False: the bar's line is wiped, so the summary line printed next stands alone.
    assert stream.getvalue().endswith("\r")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals here")
def test_bar_on_a_real_pty_of_no_size(clock: task.Clock) -> None:
    """A new pty is 0×0 (as under `script` or some CI runners): tqdm, left to read that
    size, would draw nothing at all."""
    master, slave = os.openpty()
    try:
        with open(slave, "w", encoding="utf-8") as stream:
            crawler = make_crawler()
            reporter = ProgressReporter(crawler, 10.0, stream=stream)
            reporter.opened()
            assert reporter.bar is not None
            crawler.stats.set_value("newsarchive/articles_new", 50)
            crawler.stats.set_value("newsarchive/progress/total", 200)
            crawler.stats.set_value("newsarchive/progress/where", "sitemaps")
            clock.advance(progress.TTY_TICK)
            reporter.closed()
        written = b""
        while select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO once the slave side is closed and drained
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(master)
    assert b"\rsitemaps:  25%|" in written and b"50/200" in written


@pytest.mark.parametrize("tty", [True, False])
def test_closed_stream_never_raises(clock: task.Clock, tty: bool) -> None:
    crawler = make_crawler()
    reporter = ProgressReporter(crawler, 1.0, stream=Closed(tty))
    reporter.opened()
    clock.advance(5)
    reporter.report()
    reporter.closed()
    assert reporter.broken


def test_stream_closed_outright_never_raises(clock: task.Clock) -> None:
    stream = Terminal()
    reporter = ProgressReporter(make_crawler(), 1.0, stream=stream)
    reporter.opened()
    stream.close()  # write() now raises ValueError (tqdm swallows it itself, or we do)
    clock.advance(2)
    reporter.report()
    reporter.closed()
    assert reporter.bar is None and reporter.loop is None


# --- a real crawl -----------------------------------------------------------------------------


@pytest.mark.parametrize("discover", [None, "rest"])
def test_crawl_prints_progress_lines(discover: str | None) -> None:
    """stderr of a subprocess is no terminal: lines, each of the documented shape."""
    extra = ["--discover", discover] if discover else []
    with FakeSite(articles=200, seed=3) as site, tempfile.TemporaryDirectory() as tmp:
        result = crawl(site, Path(tmp) / "a.db", *extra, "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.2")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("newsarchive: ")]
    assert lines, result.stderr
    assert "\r" not in result.stderr
    for line in lines:
        match = LINE.match(line)
        assert match, line
        assert match["where"], line  # the channel or section being read
        if discover == "rest":
            assert match["total"] == "200" and match["where"] == "rest", line
            assert match["pct"] is not None, line
        else:
            assert match["total"] is None, line  # a listing walk knows no total
            assert match["where"].startswith("/category/"), line
    if discover == "rest":
        assert any(match["eta"] for match in map(LINE.match, lines) if match)
