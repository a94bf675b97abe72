"""The ceiling of a crawl on this machine: a bare Scrapy spider that fetches a list of URLs and
does nothing else (no parsing, no storage, no WARC), with the crawl's own concurrency.

    python -m benchmarks.bare_spider URLS_FILE

URLS_FILE has one absolute URL a line (benchmarks/crawl.py writes the URLs a newsarchive crawl
requested). Prints one JSON line: pages fetched, article pages among them, seconds.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

ARTICLE_PATH = re.compile(r"^https?://[^/]+/\d{4}/\d{2}/\d{2}/[^/]+/?$")

# What newsarchive's loopback crawl runs with (benchmarks.common.FAST on top of
# newsarchive/settings.py), minus everything that does work per page.
SETTINGS: dict[str, Any] = {
    "LOG_LEVEL": "WARNING",
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,  # robots.txt is in the URL list when the crawl fetched it
    "TELNETCONSOLE_ENABLED": False,
    "REDIRECT_ENABLED": False,  # fetch exactly the listed URLs
    "HTTPERROR_ALLOW_ALL": True,
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    # newsarchive's Scrapy overhead settings, so the ceiling is not lowered by what newsarchive
    # turned off.
    "CONCURRENT_ITEMS": 1,
    "WARN_ON_GENERATOR_RETURN_VALUE": False,
}


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.fetched = 0
        self.articles = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> None:
        self.fetched += 1
        if response.status == 200 and ARTICLE_PATH.match(response.url):
            self.articles += 1


def main(argv: list[str]) -> int:
    urls = [line.strip() for line in Path(argv[0]).read_text().splitlines() if line.strip()]
    process = CrawlerProcess(SETTINGS)
    crawler = process.create_crawler(BareSpider)
    started = time.perf_counter()
    process.crawl(crawler, urls=urls)
    process.start()
    elapsed = time.perf_counter() - started
    spider = crawler.spider
    assert isinstance(spider, BareSpider)
    print(json.dumps({"pages": spider.fetched, "articles": spider.articles, "seconds": elapsed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
