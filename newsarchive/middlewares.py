"""Downloader middlewares.

Retries with backoff: Scrapy's RetryMiddleware decides *whether* to retry; this waits first.

Scrapy retries at once, which hammers a struggling site and burns the retries before a short
outage is over; and it ignores `Retry-After` on 429/503. The wait is an asyncio sleep in this
request's own middleware chain, so other downloads go on meanwhile.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from newsarchive.items import RawRecord
from newsarchive.ledger import halt
from newsarchive.normalize import absolute_url, split_url
from newsarchive.storage.faults import halting_error
from newsarchive.storage.warc import Capture, WarcStore, warc_dir


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF_MAX")

    def backoff(self, retry: Request, retry_after: float | None = None) -> float:
        """Exponential in the number of tries so far; `Retry-After` when the site asks for more."""
        attempt = int(retry.meta.get("retry_times", 1))
        wait = self.base * 2 ** (attempt - 1)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return float(min(wait, self.cap))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if result is response and "dataloss" in response.flags:
            # A body cut short (DOWNLOAD_FAIL_ON_DATALOSS is off so that the partial page is
            # still captured): try again; after the last try the cut response goes through,
            # flagged, and the spider records it as a failure.
            result = self._retry(request, "truncated response") or response
        if isinstance(result, Request):
            retry_after = retry_after_seconds(response.headers.get(b"Retry-After"))
            await asyncio.sleep(self.backoff(result, retry_after))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self.backoff(result))
        return result


class OffsiteRedirectGuard:
    """Refuses a redirect off the site where the refusal can still be recorded.

    Scrapy's offsite check drops a redirected request when it is scheduled, without calling any
    errback, so an article that now redirects elsewhere would vanish without a trace. Placed
    before RedirectMiddleware in the response chain, this turns it into a fetch failure.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OffsiteRedirectGuard:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = absolute_url(location.decode("latin-1"), request.url)
        parts = split_url(target) if target else None
        if target is None or parts is None:
            raise IgnoreRequest(f"redirect to a location that is no URL: {location!r}")
        host = (parts.hostname or "").lower()
        allowed = getattr(self.crawler.spider, "allowed_domains", None) or []
        # Not scrapy.utils.url.url_is_from_any_domain: it compares the netloc, port included,
        # so a site on 127.0.0.1:PORT would be offsite to itself.
        if allowed and not any(host == d or host.endswith(f".{d}") for d in allowed):
            raise IgnoreRequest(f"redirect off the site to {target}")
        return response


class WarcCaptureMiddleware:
    """Keeps every response as received (before decompression and redirects) in WARC files.

    The pointer to the record travels in the request's meta (`raw`), so the spider can hand it
    to the pipelines with the article or the failure.
    """

    def __init__(self, crawler: Any, store: WarcStore) -> None:
        self.crawler = crawler
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcCaptureMiddleware:
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_RAW"):
            raise NotConfigured("raw capture is off (--no-raw)")
        folder = settings.get("NEWSARCHIVE_WARC_DIR") or warc_dir(settings["NEWSARCHIVE_DB"])
        prefix = f"kalbaronline-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}"
        store = WarcStore(folder, prefix, settings.getint("NEWSARCHIVE_WARC_MAX_BYTES"))
        middleware = cls(crawler, store)
        crawler.signals.connect(middleware.closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        try:
            raw = self._capture(request, response)
        except OSError as exc:
            message = halting_error(exc, self.store.folder)
            if message is None:
                raise
            # A full disk or a read-only mount: every later page would fail the same way.
            halt(self.crawler, message)
            raise IgnoreRequest(message) from None
        request.meta["raw"] = raw
        self.crawler.stats.inc_value("newsarchive/warc_records")
        return response

    def _capture(self, request: Request, response: Response) -> RawRecord:
        return self.store.write(
            Capture(
                url=request.url,
                method=request.method,
                request_headers=_pairs(request.headers),
                status=response.status,
                protocol=response.protocol or "HTTP/1.1",
                response_headers=_pairs(response.headers),
                body=response.body,
                fetched_at=datetime.now(UTC),
            )
        )

    def closed(self) -> None:
        self.crawler.stats.set_value("newsarchive/warc_bytes", self.store.bytes_written)
        try:
            self.store.close()
        except OSError as exc:
            # Every record was flushed when written; only a partial last one can be lost.
            halt(self.crawler, halting_error(exc, self.store.folder) or str(exc))


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]
