"""Run the spider in this process and judge the run by its own stats.

Scrapy exits 0 even when callbacks failed, so the exit status is computed here from the crawl's
stats: how it finished, whether errors were logged, whether articles could not be parsed.
"""

from __future__ import annotations

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
    def exit_code(self) -> int:
        if self.stats.get("finish_reason") != "finished":
            return 1
        if self.stats.get("log_count/ERROR", 0):
            return 1
        if any(self.stats.get(f"newsarchive/failures/{stage}", 0) for stage in FAILING_STAGES):
            return 1
        return 0


def crawl_settings(overrides: Mapping[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    settings.update(dict(overrides), priority="cmdline")
    return settings


def run_crawl(overrides: Mapping[str, Any], spider_arguments: Mapping[str, Any]) -> CrawlResult:
    process = CrawlerProcess(crawl_settings(overrides))
    crawler = process.create_crawler(KalbarOnlineSpider)
    started = time.monotonic()
    process.crawl(crawler, **spider_arguments)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return CrawlResult(stats=stats, elapsed=time.monotonic() - started)
