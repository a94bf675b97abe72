"""Items to rows: validate, dedupe, store through newsarchive.storage. No HTML and no SQL here."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy.utils.asyncio import CallLaterResult, call_later

from newsarchive.discovery import COMPLETE_CHANNELS
from newsarchive.items import (
    GONE_STATUSES,
    ArticleGone,
    CapturedArticle,
    ChannelFindings,
    ChannelValidators,
    PageFailure,
)
from newsarchive.ledger import RunLedger, halt, page_problems
from newsarchive.normalize import SITE_TZ, permalink_date
from newsarchive.storage import Archive, coverage
from newsarchive.storage.archive import utc_now
from newsarchive.storage.faults import halting_error, is_busy

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# `database is locked` after the busy timeout: another process (not a crawl: those are kept out
# by the archive's lock) holds a write transaction. Tried this many times, waiting 0.5 s, 1 s, ...
STORE_ATTEMPTS = 3

# Articles are stored in batches, one transaction each: a commit costs more than storing a small
# article. A batch is committed once it holds BATCH_ARTICLES articles, or BATCH_SECONDS after its
# first one (by a timer, so a slow crawl's last articles do not wait for the next item), and
# before any other write, so the archive sees writes in the order the crawl made them. A kill
# loses at most the open batch, whole: the next run fetches those articles again.
BATCH_ARTICLES = 10
BATCH_SECONDS = 0.1


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
    """Stores articles, failures, removals and coverage findings in the archive, and answers
    the spider's questions about it (the `ArchiveIndex`: `is_known` and the rest). Failures go
    into the run the RunLedger opened."""

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
        # `newsarchive coverage`: what the channels listed, compared with the archive at close.
        self.findings = CoverageFindings()
        # Conditional-request validators of channel documents, stored at the end of a clean run.
        self.new_validators: dict[str, tuple[str | None, str | None]] = {}
        # The open batch (see BATCH_ARTICLES), and when each of its articles arrived: the index
        # answers for them as if they were stored already.
        self.pending: list[CapturedArticle] = []
        self.pending_seen: dict[str, str] = {}
        self.batch_started = 0.0
        self.batch_timer: CallLaterResult | None = None

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
        if url in self.pending_seen:
            return True
        return self.archive is not None and self.archive.is_known(url)

    def last_seen(self, url: str) -> str | None:
        if url in self.pending_seen:
            return self.pending_seen[url]
        return self.archive.last_seen(url) if self.archive is not None else None

    def last_run_started(self) -> datetime | None:
        return self.archive.last_run_started() if self.archive is not None else None

    def possibly_removed(self) -> list[str]:
        return self.archive.possibly_removed() if self.archive is not None else []

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        return self.archive.validators(url) if self.archive is not None else None

    def process_item(self, item: Any) -> Any:
        if self.archive is None or self.stats.get_value("newsarchive/halted"):
            # Nothing more can be written: the page is not archived, so the next run fetches
            # it again.
            self.stats.inc_value("newsarchive/items_not_stored")
            return item
        if isinstance(item, CapturedArticle):
            self.add_to_batch(item)
        elif isinstance(item, PageFailure):
            self.flush()
            self.record(item)
        elif isinstance(item, ArticleGone):
            self.flush()
            self.mark_removed(item)
        elif isinstance(item, ChannelFindings):
            self.findings.add(item)
        elif isinstance(item, ChannelValidators):
            self.new_validators[item.url] = (item.etag, item.last_modified)
        return item

    def add_to_batch(self, item: CapturedArticle) -> None:
        if not self.pending:
            self.batch_started = time.monotonic()
            self.batch_timer = call_later(BATCH_SECONDS, self._flush_when_due)
        self.pending.append(item)
        self.pending_seen[item.article.url] = item.article.fetched_at  # as the archive will say
        full = len(self.pending) >= BATCH_ARTICLES
        if full or time.monotonic() - self.batch_started >= BATCH_SECONDS:
            self.flush()

    def _flush_when_due(self) -> None:
        self.batch_timer = None
        try:
            self.flush()
        except Exception:
            # Called by the event loop, which would only print the traceback: log it as an
            # error, so that the run fails like a pipeline error would make it.
            logger.exception("could not store a batch of articles")

    def flush(self) -> None:
        """Commit the open batch, whole or not at all; an article SQLite refuses is a store
        failure, the others are stored."""
        if self.batch_timer is not None:
            self.batch_timer.cancel()
            self.batch_timer = None
        batch, self.pending = self.pending, []
        self.pending_seen = {}
        if not batch or self.archive is None:
            return
        archive = self.archive
        entries = [(item.article, item.raw) for item in batch]
        try:
            # Retried whole: a batch that failed was rolled back whole (Archive.store_all).
            results = self._written(lambda: archive.store_all(entries))
        except sqlite3.Error as exc:
            for item in batch:
                self.record(self._store_failure(item, exc))
            return
        if results is None:  # halted: not archived, so the next run fetches them again
            self.stats.inc_value("newsarchive/items_not_stored", len(batch))
            return
        for item, result in zip(batch, results, strict=True):
            if isinstance(result, sqlite3.Error):
                self.record(self._store_failure(item, result))
            elif isinstance(result, Exception):
                # Not SQLite's refusal but a bug of ours: as loud as an exception raised by a
                # pipeline (logged with its traceback, failing the run), and not archived.
                logger.error("could not store %s", item.article.url, exc_info=result)
            else:
                self.stats.inc_value(f"newsarchive/articles_{result.value}")

    @staticmethod
    def _store_failure(item: CapturedArticle, exc: sqlite3.Error) -> PageFailure:
        return PageFailure(url=item.article.url, stage="store", reason=str(exc), raw=item.raw)

    def _written(self, write: Callable[[], Any]) -> Any:
        """A write to the archive, waited for and tried again while another process holds a
        write transaction; a full disk or read-only archive halts the crawl (None)."""
        for attempt in range(STORE_ATTEMPTS):
            try:
                return write()
            except sqlite3.Error as exc:
                message = halting_error(exc, self.db)
                if message:
                    halt(self.crawler, message)
                    return None
                if not is_busy(exc) or attempt == STORE_ATTEMPTS - 1:
                    raise
                time.sleep(0.5 * 2**attempt)
        return None

    def mark_removed(self, item: ArticleGone) -> None:
        assert self.archive is not None
        archive = self.archive
        try:
            marked = self._written(lambda: archive.mark_removed(item.url, item.status))
        except sqlite3.Error as exc:
            # Never silent: the error line fails the run, and the next one marks it again.
            logger.error("could not mark %s removed: %s", item.url, exc)
            return
        if marked:
            self.stats.inc_value("newsarchive/articles_removed")

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
            # Even after a halt: the halt may be the WARC folder's, and these pages, captured
            # before it, can still be stored (if the archive's disk is full, this fails once
            # more, quietly).
            self.flush()
            halted = self.stats.get_value("newsarchive/halted")
            if self.findings.channels and not halted:
                self.record_coverage()
            stats = self.stats.get_stats()
            if self.new_validators and not halted and not page_problems(stats):
                # A failed article must be asked for again: a 304 next time would hide it. (A
                # page the site answers 404/410 for fails no run: it is only recorded.)
                try:
                    self.archive.store_validators(self.new_validators)
                except sqlite3.Error as exc:
                    logger.error("could not store the channels' validators: %s", exc)
            self.archive.close()
            self.archive = None

    def record_coverage(self) -> None:
        assert self.archive is not None
        spider = self.crawler.spider
        arguments = getattr(spider, "arguments", {}) or {}
        since, until = arguments.get("since"), arguments.get("until")
        sections = arguments.get("section") or []
        section = sections[0] if isinstance(sections, list) and sections else sections or None
        findings = self.findings
        result = coverage.compare(
            self.archive.db,
            findings.posts.values(),
            findings.channels,
            complete_channel=findings.complete,
            since=str(since) if since else None,
            until=str(until) if until else None,
            section=str(section) if section else None,
        )
        run_id = self.ledger.run_id if self.ledger else None
        try:
            coverage.record(
                self.archive.db, result, run_id=run_id, checked_at=utc_now(),
                since=str(since) if since else None, until=str(until) if until else None,
                section=str(section) if section else None,
                channel_of={u: p.channel for u, p in findings.posts.items()},
            )  # fmt: skip
        except sqlite3.Error as exc:
            logger.error("could not record the coverage run: %s", exc)
            return
        self.stats.set_value("newsarchive/coverage_run", result.coverage_run_id)


class CoverageFindings:
    """What the channels of one run listed, reduced to what coverage compares."""

    def __init__(self) -> None:
        self.posts: dict[str, coverage.ListedPost] = {}
        self.channels: dict[str, str] = {}  # channel → "ok" or why it was skipped

    @property
    def complete(self) -> bool:
        """Whether a channel that lists every post (sitemaps, REST) was read."""
        return any(
            state == "ok" and name in COMPLETE_CHANNELS for name, state in self.channels.items()
        )

    def add(self, item: ChannelFindings) -> None:
        if item.skipped is not None:
            # Skipped, or read only in part: either way not a complete list of the site's posts.
            self.channels[item.channel] = item.skipped
            return
        self.channels.setdefault(item.channel, "ok")
        for entry in item.entries:
            day = permalink_date(entry.url)
            moment = entry.published.astimezone(SITE_TZ) if entry.published else None
            month = f"{day[0]:04d}-{day[1]:02d}" if day else (
                moment.strftime("%Y-%m") if moment else None
            )  # fmt: skip
            post = coverage.ListedPost(
                url=entry.url,
                channel=entry.channel,
                month=month,
                section=entry.sections[0] if entry.sections else None,
                post_id=entry.post_id,
                sections=tuple(entry.sections),
            )
            kept = self.posts.get(entry.url)
            if kept is None or (kept.section is None and post.section):
                self.posts[entry.url] = post
