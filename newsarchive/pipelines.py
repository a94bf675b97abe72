"""Items to rows: validate, dedupe, store through newsarchive.storage. No HTML and no SQL here."""

from __future__ import annotations

import sqlite3
from typing import Any

from newsarchive.items import CapturedArticle, PageFailure
from newsarchive.storage import Archive


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
    """Stores articles and failures in the archive and keeps the run's counts.

    The run row is opened by `newsarchive crawl` (setting NEWSARCHIVE_RUN_ID) or, for a bare
    `scrapy crawl`, by this pipeline itself.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive: Archive | None = None
        self.run_id: int | None = crawler.settings.getint("NEWSARCHIVE_RUN_ID") or None
        self.owns_run = self.run_id is None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = Archive(self.crawler.settings.get("NEWSARCHIVE_DB"))
        if self.owns_run:
            spider = self.crawler.spider
            self.run_id = self.archive.start_run("scrapy crawl", {"sections": spider.sections})
        # The spider's one question about the archive: is there anything to fetch at this URL?
        self.crawler.spider.is_known = self.archive.is_known

    def process_item(self, item: Any) -> Any:
        assert self.archive is not None
        if isinstance(item, CapturedArticle):
            article = item.article
            try:
                outcome = self.archive.store(article, item.raw)
            except sqlite3.Error as exc:  # recorded, and the crawl goes on
                failure = PageFailure(url=article.url, stage="store", reason=str(exc), raw=item.raw)
                self.record(failure)
            else:
                self.stats.inc_value(f"newsarchive/articles_{outcome.value}")
        elif isinstance(item, PageFailure):
            self.record(item)
        return item

    def record(self, failure: PageFailure) -> None:
        assert self.archive is not None
        self.archive.record_failure(
            self.run_id,
            failure.url,
            failure.stage,
            failure.reason,
            failure.http_status,
            raw=failure.raw,
            article_url=failure.article_url,
        )
        self.stats.inc_value("newsarchive/failures")
        self.stats.inc_value(f"newsarchive/failures/{failure.stage}")

    def close_spider(self) -> None:
        assert self.archive is not None and self.run_id is not None
        counts = run_counts(self.stats.get_stats())
        if self.owns_run:
            counts.update(status="finished", exit_code=None)
        self.archive.finish_run(self.run_id, **counts)
        self.archive.close()


def run_counts(stats: dict[str, Any]) -> dict[str, Any]:
    """The run ledger's numbers, from the crawl's stats."""
    statuses = {
        key.rsplit("/", 1)[-1]: value
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/")
    }
    return {
        "pages_fetched": stats.get("newsarchive/pages_fetched", 0),
        "articles_new": stats.get("newsarchive/articles_new", 0),
        "articles_updated": stats.get("newsarchive/articles_updated", 0),
        "articles_unchanged": stats.get("newsarchive/articles_unchanged", 0),
        "failures": stats.get("newsarchive/failures", 0),
        "finish_reason": stats.get("finish_reason"),
        "http_statuses": statuses,
    }
