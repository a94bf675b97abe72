"""The run ledger: one `crawl_runs` row per crawl, and the one judge of how a crawl went.

`RunLedger` is a Scrapy extension and the only writer of `crawl_runs`, so `newsarchive crawl`,
`newsarchive update` and a bare `scrapy crawl kalbaronline` record the same thing. It holds the
archive's lock for the whole crawl (one writer per archive), opens the row when the spider
opens and closes it from the crawl's stats on every way out: finished, stopped by a signal,
halted by a full disk, or forced (a second Ctrl-C stops the reactor without closing the spider;
a reactor shutdown trigger still writes the counts).

`judge()` turns a crawl's stats into its status and exit code; the CLI prints the same verdict
that the ledger stores.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from scrapy import signals
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.defer import deferred_from_coro

from newsarchive.storage import Archive
from newsarchive.storage.faults import halting_error
from newsarchive.storage.lock import ArchiveLock

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)

# Failures that mean our own job went wrong. A fetch failure counts too, unless the site itself
# said the page is gone (404/410): that is the site's business, and only recorded.
FAILING_STAGES = ("parse", "validate", "store")

EXIT_OK = 0
EXIT_FAILED = 1
# Stopped by a signal: the shell's convention, 128 + the signal's number.
EXIT_SIGNAL_BASE = 128

STOP_SIGNAL = "newsarchive/stop_signal"
HALTED = "newsarchive/halted"


@dataclass(frozen=True)
class Verdict:
    status: str  # finished, failed, interrupted
    exit_code: int
    problems: tuple[str, ...]


def page_problems(stats: Mapping[str, Any]) -> list[str]:
    """The pages of a run that failed it: not fetched (a 404/410 only recorded), parsed,
    validated or stored. Known before the crawl closes, unlike its finish reason."""
    found = []
    failed = sum(stats.get(f"newsarchive/failures/{s}", 0) for s in FAILING_STAGES)
    if failed:
        found.append(f"{failed} pages could not be parsed or stored")
    unfetched = stats.get("newsarchive/failures/fetch", 0) - stats.get(
        "newsarchive/failures/fetch/gone", 0
    )
    if unfetched:
        found.append(f"{unfetched} pages could not be fetched")
    return found


def run_problems(stats: Mapping[str, Any]) -> list[str]:
    """Why a crawl failed its own criteria; empty for a good run."""
    found = []
    reason = stats.get("finish_reason")
    if stats.get(HALTED):
        found.append(str(stats[HALTED]))
    elif reason != "finished":
        found.append(f"finish reason {reason}")
    if stats.get("log_count/ERROR", 0):
        found.append(f"{stats['log_count/ERROR']} errors logged")
    found += page_problems(stats)
    read = stats.get("newsarchive/listing_pages", 0) + stats.get("newsarchive/channel_documents", 0)
    if not read:
        # Nothing to compare against: a run that read no listing and no channel (robots.txt
        # forbids it, every section failed, every channel skipped) must not look like a quiet
        # success.
        found.append("no listing page or channel document could be read")
    # robots.txt (newsarchive.robots): an unreachable one disallows the whole site for the
    # run (RFC 9309); a disallowed URL is one this archive will not have.
    if stats.get("newsarchive/robots/unreachable", 0):
        refused = stats.get("newsarchive/robots/unreachable_refused", 0)
        found.append(f"robots.txt unreachable, site treated as disallowed ({refused} refused)")
    if stats.get("newsarchive/robots/disallowed", 0):
        found.append(f"{stats['newsarchive/robots/disallowed']} URLs disallowed by robots.txt")
    return found


def judge(stats: Mapping[str, Any]) -> Verdict:
    problems = tuple(run_problems(stats))
    stopped_by = stats.get(STOP_SIGNAL)
    if stopped_by:
        return Verdict("interrupted", EXIT_SIGNAL_BASE + int(stopped_by), problems)
    if problems:
        return Verdict("failed", EXIT_FAILED, problems)
    return Verdict("finished", EXIT_OK, problems)


def halt(crawler: Crawler, message: str) -> None:
    """Stop the crawl because nothing more can be stored: one line, once, then close."""
    stats = crawler.stats
    assert stats is not None
    if stats.get_value(HALTED):
        return
    stats.set_value(HALTED, message)
    logger.error("%s; the crawl stops here", message)
    if crawler.engine is not None and crawler.engine.spider is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason="halted"))


def record_stop_signal(crawler: Crawler, signum: int) -> None:
    """Called by the process on SIGINT/SIGTERM, so the verdict says how the run ended."""
    if crawler.stats is not None and not crawler.stats.get_value(STOP_SIGNAL):
        crawler.stats.set_value(STOP_SIGNAL, signum)


class RunLedger:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db = Path(settings["NEWSARCHIVE_DB"])
        self.command: str = settings.get("NEWSARCHIVE_COMMAND")
        self.busy_timeout = settings.getfloat("NEWSARCHIVE_DB_BUSY_TIMEOUT")
        self.lock = ArchiveLock(self.db, self.command)
        self.archive: Archive | None = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLedger:
        ledger = cls(crawler)
        # Taken here, before any component opens the archive (see storage/lock.py for why the
        # order matters); ArchiveLocked and LockError end the crawl before it starts.
        ledger.lock.acquire()
        crawler.signals.connect(ledger.opened, signal=signals.spider_opened)
        crawler.signals.connect(ledger.closed, signal=signals.spider_closed)
        from twisted.internet import reactor

        # Any: twisted's interfaces declare methods without `self`, which mypy misreads.
        cast(Any, reactor).addSystemEventTrigger("before", "shutdown", ledger.forced)
        return ledger

    def opened(self, spider: Spider) -> None:
        try:
            self.archive = Archive(self.db, busy_timeout=self.busy_timeout)
            self.archive.mark_interrupted_runs()
            self.run_id = self.archive.start_run(self.command, self.arguments(spider))
        except Exception as exc:
            halt(self.crawler, halting_error(exc, self.db) or f"cannot open {self.db}: {exc}")

    def arguments(self, spider: Spider) -> dict[str, Any]:
        settings = self.crawler.settings
        given = {
            name: settings[name]
            for name in settings
            if settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
            and name not in ("NEWSARCHIVE_DB", "NEWSARCHIVE_COMMAND")
        }
        return {
            **getattr(spider, "arguments", {}),
            "base_url": settings.get("NEWSARCHIVE_BASE_URL"),
            "settings": given,
        }

    def closed(self, spider: Spider, reason: str) -> None:
        self.finish(reason)
        self.archive = None
        self.lock.release()

    def forced(self) -> None:
        """The reactor stops and the spider was never closed: a forced stop. The lock stays
        with the process until it exits (connections may still be open)."""
        if self.run_id is not None:
            self.finish("forced")

    def finish(self, reason: str) -> None:
        if self.archive is None or self.run_id is None:
            return
        assert self.crawler.stats is not None
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        verdict = judge(stats)
        try:
            self.archive.finish_run(
                self.run_id,
                status=verdict.status,
                exit_code=verdict.exit_code,
                **run_counts(stats),
            )
        except Exception as exc:
            # A full disk may refuse even this; the next run marks the row interrupted.
            message = halting_error(exc, self.db) or str(exc)
            if not stats.get(HALTED):
                logger.error("could not record the end of run %s: %s", self.run_id, message)
        finally:
            self.run_id = None
            self.archive.close()


def run_counts(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The ledger's numbers, from the crawl's stats."""
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
