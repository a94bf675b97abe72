"""The run's budget: stop when the site is down, and say why a budget stopped the run.

- Errors: `NEWSARCHIVE_MAX_CONSECUTIVE_FAILURES` downloads in a row that failed for good (after
  their retries: a timeout, a network error, or a server error / rate limit still answered after
  the last try) with no answer from the site in between mean the site is down: the run closes
  with finish reason `site_unreachable` instead of spending DOWNLOAD_TIMEOUT × tries on every
  URL still queued. Any other answer (200, 404, a redirect) resets the count. 0 turns it off.
- Time: Scrapy's own CloseSpider extension (`CLOSESPIDER_TIMEOUT`, seconds, and its siblings);
  this only adds the one line saying that it stopped the run.

Either way the finish reason is not `finished`, so the run exits 1 (`CrawlResult.problems`),
and stderr gets one warning line naming the budget.

This is a downloader middleware, not an extension, because only there are the final outcomes of
a download visible: it sits just outside RetryMiddleware, so it sees a response or an exception
only once the retries are over (Scrapy sends no signal for a download that failed for good).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

SITE_UNREACHABLE = "site_unreachable"


class RunBudget:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.max_failures = settings.getint("NEWSARCHIVE_MAX_CONSECUTIVE_FAILURES")
        self.failing = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.consecutive = 0
        self.closing: Deferred[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunBudget:
        budget = cls(crawler)
        crawler.signals.connect(budget.closed, signal=signals.spider_closed)
        return budget

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status >= 500 or response.status in self.failing:
            self.failed(request, f"HTTP {response.status}")
        else:
            self.consecutive = 0
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not isinstance(exception, IgnoreRequest):  # refused here, not a download that failed
            lines = str(exception).strip().splitlines()
            self.failed(request, f"{type(exception).__name__}: {lines[0] if lines else ''}")

    def failed(self, request: Request, reason: str) -> None:
        self.consecutive += 1
        self.crawler.stats.max_value("newsarchive/budget/consecutive_failures", self.consecutive)
        if not self.max_failures or self.consecutive < self.max_failures or self.closing:
            return
        self.crawler.stats.set_value("newsarchive/budget/exhausted", SITE_UNREACHABLE)
        logger.warning(
            "site unreachable: %d downloads in a row failed even after retries (the last: %s, "
            "%s); stopping the run (NEWSARCHIVE_MAX_CONSECUTIVE_FAILURES=%d)",
            self.consecutive,
            request.url,
            reason.rstrip(": "),
            self.max_failures,
        )
        engine = self.crawler.engine
        self.closing = deferred_from_coro(engine.close_spider_async(reason=SITE_UNREACHABLE))
        self.closing.addErrback(
            lambda failure: logger.error("could not stop the run: %s", failure.getErrorMessage())
        )

    def closed(self, reason: str) -> None:
        if not reason.startswith("closespider_"):
            return
        # CloseSpider's reasons name their settings: closespider_timeout is CLOSESPIDER_TIMEOUT.
        name = reason.upper()
        self.crawler.stats.set_value("newsarchive/budget/exhausted", reason)
        logger.warning(
            "run stopped: its budget %s=%s is used up", name, self.crawler.settings.get(name)
        )
