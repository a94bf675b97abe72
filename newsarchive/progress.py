"""Live progress of a crawl on stderr, and the one summary line at its end."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from twisted.internet import task


def summary_line(stats: dict[str, Any], elapsed: float) -> str:
    """One short line for a terminal or for cron mail."""
    new = stats.get("newsarchive/articles_new", 0)
    updated = stats.get("newsarchive/articles_updated", 0)
    rate = (new + updated + stats.get("newsarchive/articles_unchanged", 0)) / max(elapsed, 1e-9)
    return (
        f"pages {stats.get('newsarchive/pages_fetched', 0)}"
        f" | articles new {new} updated {updated}"
        f" unchanged {stats.get('newsarchive/articles_unchanged', 0)}"
        f" | failures {stats.get('newsarchive/failures', 0)}"
        f" | {rate:.1f} articles/s"
    )


class ProgressReporter:
    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressReporter:
        reporter = cls(crawler, crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL"))
        crawler.signals.connect(reporter.opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.closed, signal=signals.spider_closed)
        return reporter

    def opened(self) -> None:
        self.started = time.monotonic()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.report)
            self.loop.start(self.interval, now=False)

    def report(self) -> None:
        line = summary_line(self.crawler.stats.get_stats(), time.monotonic() - self.started)
        print(f"newsarchive: {line}", file=sys.stderr, flush=True)

    def closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
