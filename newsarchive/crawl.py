"""Run the spider in this process and report the ledger's verdict on it.

Scrapy exits 0 even when callbacks failed, so the outcome comes from the crawl's stats, judged
by `newsarchive.ledger.judge` (the same verdict the run ledger stores).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import IgnoreRequest
from scrapy.settings import Settings, default_settings
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from newsarchive.ledger import Verdict, judge, record_stop_signal
from newsarchive.spiders.kalbaronline import KalbarOnlineSpider


@dataclass
class CrawlResult:
    stats: dict[str, Any]
    elapsed: float
    # Why the crawl never started (the archive is locked, the lock cannot be taken).
    start_error: BaseException | None = None

    @property
    def verdict(self) -> Verdict:
        return judge(self.stats)

    @property
    def problems(self) -> list[str]:
        """Why the run failed its own criteria; empty for a good run."""
        return list(self.verdict.problems)

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code


def crawl_settings(overrides: Mapping[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    settings.update(dict(overrides), priority="cmdline")
    return settings


@cache
def _network_errors() -> tuple[type[BaseException], ...]:
    # The exceptions Scrapy itself retries as network trouble, and its refusals (offsite
    # redirects, robots.txt, size caps), whose message says it all.
    # Entries are import paths or, since Scrapy 2.10, the classes themselves.
    retried = tuple(
        cast(type[BaseException], load_object(path) if isinstance(path, str) else path)
        for path in default_settings.RETRY_EXCEPTIONS
    )
    return (*retried, IgnoreRequest)


class OneLineNetworkErrors(logging.Filter):
    """Network failures (DNS, refused, timeouts, cut connections) are logged by Scrapy with a
    traceback; the message already names the URL and the error, so cron mail gets one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and isinstance(error, (OSError, *_network_errors())):
            record.exc_info = None
            record.exc_text = None
        return True


class _Process(CrawlerProcess):
    """CrawlerProcess that tells the run ledger which signal stopped the crawl, so the run is
    recorded as interrupted and exits 128 + N (130 for Ctrl-C, 143 for SIGTERM)."""

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self._note_signal(signum)
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        self._note_signal(signum)
        super()._signal_kill(signum, frame)

    def _note_signal(self, signum: int) -> None:
        from twisted.internet import reactor

        for crawler in self.crawlers:
            cast(Any, reactor).callFromThread(record_stop_signal, crawler, signum)


def run_crawl(overrides: Mapping[str, Any], spider_arguments: Mapping[str, Any]) -> CrawlResult:
    process = _Process(crawl_settings(overrides))
    crawler: Crawler = process.create_crawler(KalbarOnlineSpider)
    started = time.monotonic()
    start_errors: list[BaseException] = []

    def not_started(failure: Failure) -> None:
        start_errors.append(failure.value or Exception(failure.getErrorMessage()))

    process.crawl(crawler, **spider_arguments).addErrback(not_started)
    # The crawl has (re)installed Scrapy's root log handler with its settings by now.
    for handler in logging.getLogger().handlers:
        handler.addFilter(OneLineNetworkErrors())
    if not start_errors:
        process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return CrawlResult(
        stats=stats,
        elapsed=time.monotonic() - started,
        start_error=start_errors[0] if start_errors else None,
    )
