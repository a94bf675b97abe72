"""Items to rows: validate, dedupe, store through newsarchive.storage. No HTML and no SQL here."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from newsarchive.items import CapturedArticle, PageFailure
from newsarchive.ledger import GONE_STATUSES, RunLedger, halt
from newsarchive.storage import Archive
from newsarchive.storage.faults import halting_error, is_busy

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# `database is locked` after the busy timeout: another process (not a crawl: those are kept out
# by the archive's lock) holds a write transaction. Tried this many times, waiting 0.5 s, 1 s, ...
STORE_ATTEMPTS = 3


class ValidatePipeline:
    """An article missing a required field becomes a failure, never a half-filled row."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CapturedArticle):
            missing = item.article.missing_fields()
            if missing:
                return PageFailure(
                    url=item.article.url,
                    stage="validate",
                    reason=f"missing {', '.join(missing)}",
                    article_url=item.article.url,
                    raw=item.raw,
                )
        return item


class ArchivePipeline:
    """Stores articles and failures in the archive, and answers the spider's one question
    about it (`is_known`). Failures go into the run the RunLedger opened."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats = crawler.stats
        settings = crawler.settings
        self.db = settings["NEWSARCHIVE_DB"]
        self.busy_timeout = settings.getfloat("NEWSARCHIVE_DB_BUSY_TIMEOUT")
        self.archive: Archive | None = None
        self.ledger: RunLedger | None = None
        # (url, stage) already recorded in this run: a redirect chain or a page that fails on
        # every retry is one failure row per run, not one per attempt.
        self.recorded: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.ledger = self.crawler.get_extension(RunLedger)
        if self.ledger is None:
            raise RuntimeError(
                "ArchivePipeline needs the RunLedger extension (newsarchive.ledger.RunLedger): "
                "it holds the archive's lock and the run its failures belong to"
            )
        try:
            self.archive = Archive(self.db, busy_timeout=self.busy_timeout)
        except Exception as exc:
            halt(self.crawler, halting_error(exc, self.db) or f"cannot open {self.db}: {exc}")

    def is_known(self, url: str) -> bool:
        """Archived, or removed by the site: nothing to fetch unless asked to refetch."""
        return self.archive is not None and self.archive.is_known(url)

    def process_item(self, item: Any) -> Any:
        if self.archive is None or self.stats.get_value("newsarchive/halted"):
            # Nothing more can be written: the page is not archived, so the next run fetches
            # it again.
            self.stats.inc_value("newsarchive/items_not_stored")
            return item
        if isinstance(item, CapturedArticle):
            article = item.article
            try:
                outcome = self._store(item)
            except sqlite3.Error as exc:
                failure = PageFailure(url=article.url, stage="store", reason=str(exc), raw=item.raw)
                self.record(failure)
            else:
                if outcome is not None:
                    self.stats.inc_value(f"newsarchive/articles_{outcome.value}")
        elif isinstance(item, PageFailure):
            self.record(item)
        return item

    def _store(self, item: CapturedArticle) -> Any:
        assert self.archive is not None
        for attempt in range(STORE_ATTEMPTS):
            try:
                return self.archive.store(item.article, item.raw)
            except sqlite3.Error as exc:
                message = halting_error(exc, self.db)
                if message:
                    halt(self.crawler, message)
                    return None
                if not is_busy(exc) or attempt == STORE_ATTEMPTS - 1:
                    raise
                time.sleep(0.5 * 2**attempt)
        return None

    def record(self, failure: PageFailure) -> None:
        assert self.archive is not None
        key = (failure.url, failure.stage)
        if key in self.recorded:
            self.stats.inc_value("newsarchive/failures_repeated")
            return
        self.recorded.add(key)
        self.stats.inc_value("newsarchive/failures")
        self.stats.inc_value(f"newsarchive/failures/{failure.stage}")
        if failure.stage == "fetch" and failure.http_status in GONE_STATUSES:
            self.stats.inc_value("newsarchive/failures/fetch/gone")
        run_id = self.ledger.run_id if self.ledger else None
        try:
            self.archive.record_failure(
                run_id,
                failure.url,
                failure.stage,
                failure.reason,
                failure.http_status,
                raw=failure.raw,
                article_url=failure.article_url,
            )
        except sqlite3.Error as exc:
            message = halting_error(exc, self.db)
            if message:
                halt(self.crawler, message)
            else:
                # Never silent: the error line fails the run, and the page, not being archived,
                # is fetched again next time.
                logger.error("could not record the failure of %s: %s", failure.url, exc)

    def close_spider(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None
