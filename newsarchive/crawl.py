"""Run the spider in this process and judge the run by its own stats.

Scrapy exits 0 even when callbacks failed, so the exit status is computed here from the crawl's
stats: how it finished, whether errors were logged, whether articles could not be parsed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from newsarchive.spiders.kalbaronline import KalbarOnlineSpider

# Failures that mean our own job went wrong; a page the site answers 404 for is the site's
# business and is only recorded.
FAILING_STAGES = ("parse", "validate", "store")


@dataclass
class CrawlResult:
    stats: dict[str, Any]
    elapsed: float

    @property
    def problems(self) -> list[str]:
        """Why the run failed its own criteria; empty for a good run."""
        found = []
        if self.stats.get("finish_reason") != "finished":
            found.append(f"finish reason {self.stats.get('finish_reason')}")
        if self.stats.get("log_count/ERROR", 0):
            found.append(f"{self.stats['log_count/ERROR']} errors logged")
        failed = sum(self.stats.get(f"newsarchive/failures/{s}", 0) for s in FAILING_STAGES)
        if failed:
            found.append(f"{failed} pages could not be parsed or stored")
        if not self.stats.get("newsarchive/listing_pages", 0):
            # Nothing to compare against: a run that read no listing (robots.txt forbids it,
            # every section failed) must not look like a quiet success.
            found.append("no listing page could be read")
        return found

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def crawl_settings(overrides: Mapping[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    settings.update(dict(overrides), priority="cmdline")
    return settings


class OneLineNetworkErrors(logging.Filter):
    """Network failures (DNS, refused, timeouts, cut connections) are logged by Scrapy with a
    traceback; the message already names the URL and the error, so cron mail gets one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and _is_network_error(error):
            record.exc_info = None
            record.exc_text = None
        return True


def _is_network_error(error: BaseException) -> bool:
    module = type(error).__module__
    return isinstance(error, OSError) or module.startswith(
        ("twisted.internet.error", "twisted.web._newclient", "scrapy.exceptions")
    )


def run_crawl(overrides: Mapping[str, Any], spider_arguments: Mapping[str, Any]) -> CrawlResult:
    process = CrawlerProcess(crawl_settings(overrides))
    crawler = process.create_crawler(KalbarOnlineSpider)
    started = time.monotonic()
    process.crawl(crawler, **spider_arguments)
    # The crawl has (re)installed Scrapy's root log handler with its settings by now.
    for handler in logging.getLogger().handlers:
        handler.addFilter(OneLineNetworkErrors())
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return CrawlResult(stats=stats, elapsed=time.monotonic() - started)
