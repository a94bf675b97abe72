"""The crawl: which listing pages and articles to fetch, in what order, and when to stop.

All parsing is delegated to newsarchive.pages (articles, listings) and newsarchive.discovery
(sitemaps, feed, REST, walked by spiders/channels.py); all storage to the pipelines. What the
archive already holds reaches the spider as a few questions — is a URL known (archived, or
removed by the site), when was it last fetched, when did the last clean run start, what did
coverage find unlisted, what validators did a channel give — asked of the item pipeline that
answers them (an `ArchiveIndex`), so this module holds no SQL. Without such a pipeline the
spider refuses to start: an update that knew nothing would quietly re-crawl the whole site.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from newsarchive import __version__
from newsarchive.items import (
    GONE_STATUSES,
    ArticleGone,
    CapturedArticle,
    ChannelFindings,
    ChannelValidators,
    PageFailure,
    RawRecord,
)
from newsarchive.normalize import (
    canonical_url,
    following_listing_page,
    is_article_url,
    permalink_date,
    request_url,
)
from newsarchive.pages import ExtractionError, parse_article
from newsarchive.pages.listings import parse_listing, parse_section_urls
from newsarchive.site import DEFAULT_BASE_URL, SECTION_URL_TEMPLATE
from newsarchive.spiders.channels import ChannelWalk, parse_discover
from newsarchive.spiders.responses import failure_reason, failure_status, response_text

_PAGE_SUFFIX_RE = re.compile(r"/page/\d+/?$")

Output = CapturedArticle | PageFailure | ArticleGone | ChannelFindings | ChannelValidators | Request


@runtime_checkable
class ArchiveIndex(Protocol):
    """What the spider needs to know of the archive; the archive pipeline provides it."""

    def is_known(self, url: str) -> bool:
        """Archived, or removed by the site: nothing to fetch unless refetching."""
        ...

    def last_seen(self, url: str) -> str | None:
        """When the archive last fetched this article (ISO 8601 UTC), None if it never did."""
        ...

    def last_run_started(self) -> datetime | None:
        """When the last finished crawl or update started (aware UTC), None before the first."""
        ...

    def possibly_removed(self) -> list[str]:
        """Archived articles the last coverage run found listed nowhere, not fetched since."""
        ...

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) a channel document answered with in the last clean run."""
        ...


def _split(values: str | Iterable[str] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    return [v.strip() for v in values if v and v.strip()]


def _days_ago(days: int) -> date:
    today = date.today()
    return today - timedelta(days=days) if days < (today - date.min).days else date.min


def _day(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


class ArchivedFrontier:
    """Where an update can stop: listings run newest first, so once a page shows archived
    articles with nothing unarchived below them, every later page is archived too.

    A page that is all archived (the contract's rule) reaches the frontier; so does the page
    where the new articles end, which saves one listing request per section and run. An
    unarchived article below an archived one (a gap left by an interrupted crawl) keeps the
    update paginating.
    """

    def __init__(self) -> None:
        self.seen_known = False
        self.gap = False

    def see(self, known: bool) -> None:
        if known:
            self.seen_known = True
        elif self.seen_known:
            self.gap = True

    @property
    def reached(self) -> bool:
        return self.seen_known and not self.gap


class KalbarOnlineSpider(scrapy.Spider):
    name = "kalbaronline"
    base_url: str = DEFAULT_BASE_URL
    section_url_template: str = SECTION_URL_TEMPLATE

    def __init__(
        self,
        section: str | Iterable[str] | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        max_pages: int | str | None = None,
        max_articles: int | str | None = None,
        refetch: bool | str = False,
        incremental: bool | str = False,
        recheck_days: int | str | None = None,
        discover: str | Iterable[str] | None = None,
        coverage: bool | str = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # As given, for the run ledger.
        self.arguments: dict[str, Any] = {
            "section": section, "since": since, "until": until, "max_pages": max_pages,
            "max_articles": max_articles, "refetch": refetch, "incremental": incremental,
            "recheck_days": recheck_days, "discover": discover, "coverage": coverage,
        }  # fmt: skip
        self.sections = _split(section)
        self.since = _day(since)
        self.until = _day(until)
        self.max_pages = int(max_pages) if max_pages else None
        self.max_articles = int(max_articles) if max_articles else None
        self.refetch = str(refetch).lower() in ("1", "true", "yes")
        # Cron mode: stop a section where the archived frontier is reached (ArchivedFrontier).
        self.incremental = str(incremental).lower() in ("1", "true", "yes")
        # Articles published this recently are fetched again even when archived, to catch edits.
        self.recheck_since = _days_ago(int(recheck_days)) if recheck_days else None
        self.archive_index: ArchiveIndex | None = None  # asked for in start()
        self.scheduled: set[str] = set()  # canonical URLs requested in this run
        self.listed: set[str] = set()  # canonical URLs seen on listing pages in this run
        self.site_images: set[str] = set()  # the site's share images, from listing pages
        self.allowed_domains: list[str] = []  # the base URL's host, set in from_crawler
        # Discovery channels (spiders/channels.py): which, and what each has shown so far.
        self.discover = parse_discover(
            discover if discover is None or isinstance(discover, str) else list(discover)
        )
        # `newsarchive coverage`: read the channels, fetch no article.
        self.coverage = str(coverage).lower() in ("1", "true", "yes")
        self.channels = ChannelWalk(self)
        self.last_run_at: datetime | None = None  # asked of the archive in start()

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # The User-Agent names the project and its contact, unless USER_AGENT itself was set
        # on the command line.
        if settings.getpriority("USER_AGENT") <= settings.getpriority("BOT_NAME"):
            agent = settings.get("NEWSARCHIVE_USER_AGENT").format(
                version=__version__, contact=settings.get("NEWSARCHIVE_CONTACT")
            )
            settings.set("USER_AGENT", agent, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> KalbarOnlineSpider:
        spider: KalbarOnlineSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = settings.get("NEWSARCHIVE_BASE_URL").rstrip("/")
        spider.section_url_template = settings.get("NEWSARCHIVE_SECTION_URL")
        host = urlsplit(spider.base_url).hostname or ""
        spider.allowed_domains = [host]  # subdomains (www.) are allowed with it
        return spider

    # --- start -----------------------------------------------------------------------------

    def section_url(self, section: str) -> str:
        if section.startswith(("http://", "https://")):
            return section
        return self.section_url_template.format(base=self.base_url, slug=section.strip("/"))

    def section_slug(self, section: str) -> str:
        """A section's slug, whether given as a slug or as its listing URL."""
        if section.startswith(("http://", "https://")):
            parts = [p for p in urlsplit(section).path.split("/") if p]
            return parts[-1] if parts else ""
        return section.strip("/")

    def is_known(self, url: str) -> bool:
        assert self.archive_index is not None
        return self.archive_index.is_known(url)

    def last_seen(self, url: str) -> str | None:
        assert self.archive_index is not None
        return self.archive_index.last_seen(url)

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        assert self.archive_index is not None
        return self.archive_index.validators(url)

    async def start(self) -> AsyncIterator[Request]:
        # A runtime-checkable Protocol passes isinstance(), which is all get_item_pipeline()
        # asks of the class it is given.
        index = self.crawler.get_item_pipeline(ArchiveIndex)  # type: ignore[type-abstract]
        if index is None:
            self.logger.error(
                "no item pipeline answers is_known(url) (is newsarchive.pipelines.ArchivePipeline "
                "off?): without it every article would look new; nothing is fetched"
            )
            return
        self.archive_index = index
        self.last_run_at = index.last_run_started()
        if "listings" in self.discover and not self.coverage:
            self.channels.state["listings"] = "pending"
            for request in self.listing_starts():
                yield request
        for request in self.channels.starts():
            yield request
        if self.incremental and not self.coverage:
            # What `coverage` found listed nowhere: fetched once, so a removal is marked (or
            # the article, still served, is simply seen again).
            for url in index.possibly_removed():
                self.crawler.stats.inc_value("newsarchive/removal_checks")
                yield self.article_request(url, url)

    def listing_starts(self) -> Iterator[Request]:
        if self.sections:
            for section in self.sections:
                yield self.listing_request(self.section_url(section), page=1)
        else:
            yield Request(f"{self.base_url}/", callback=self.parse_home, errback=self.failed)

    def parse_home(self, response: Response) -> Iterator[Output]:
        self.count_page()
        sections = parse_section_urls(response.url, response.body, self.base_url)
        if not sections:
            yield PageFailure(
                url=response.url,
                stage="parse",
                reason="no sections found in the site's navigation; pass --section",
                http_status=response.status,
            )
        for url in sections:
            yield self.listing_request(url, page=1)

    # --- listings --------------------------------------------------------------------------

    def listing_request(self, url: str, page: int) -> Request:
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            meta={"page": page, "section": url if page == 1 else None},
            priority=10,  # listings first: they feed the queue of articles
        )

    def parse_listing(self, response: Response) -> Iterator[Output]:
        self.count_page()
        page = response.meta["page"]
        if "dataloss" in response.flags:
            # What arrived is still used; the failure says the page was incomplete.
            yield self.truncated(response, "truncated listing page")
        listing = parse_listing(response.url, response_text(response), self.base_url)
        self.crawler.stats.set_value("newsarchive/progress/where", _section_label(response))
        self.crawler.stats.inc_value("newsarchive/listing_pages")
        self.crawler.stats.inc_value(f"newsarchive/listing_layout/{listing.layout}")
        if listing.share_image:
            self.site_images.add(listing.share_image)
        if not listing.article_urls:
            # An empty listing ends the section (WordPress answers 200 for an empty category).
            return
        if self.listed_before(listing.article_urls) and response.meta.get("guessed"):
            # A guessed page repeating what this run already listed: past the end (a theme's
            # own query can keep answering 200 with the same posts).
            self.crawler.stats.inc_value("newsarchive/listing_guess_repeated")
            return
        frontier = ArchivedFrontier()
        all_older = self.since is not None
        for link in listing.article_urls:
            day = permalink_date(link)
            published = date(*day) if day else None
            if self.since and published and published < self.since:
                continue
            all_older = False
            if self.until and published and published > self.until:
                continue
            canonical = canonical_url(link, self.base_url)
            scheduled = canonical in self.scheduled
            known = scheduled or self.is_known(canonical)
            recheck = bool(self.recheck_since and published and published >= self.recheck_since)
            frontier.see(known and not recheck)
            if scheduled:
                continue
            if known and not (self.refetch or recheck):
                self.crawler.stats.inc_value("newsarchive/articles_skipped_archived")
                continue
            if self.max_articles is not None and len(self.scheduled) >= self.max_articles:
                return
            yield self.article_request(link, canonical)
        if self.should_stop_section(page, all_older, frontier.reached):
            return
        if listing.next_page:
            yield self.listing_request(listing.next_page, page=page + 1)
        else:
            yield self.guessed_listing_request(response.url, page)

    def article_request(self, link: str, canonical: str) -> Request:
        self.scheduled.add(canonical)
        return Request(
            request_url(link, self.base_url),
            callback=self.parse_article,
            errback=self.failed,
            meta={"canonical": canonical},
            # Deduped by canonical URL (self.scheduled); the scheduler's own filter would also
            # drop a redirect to a page seen before (an article now redirecting home) silently.
            dont_filter=True,
        )

    def listed_before(self, article_urls: list[str]) -> bool:
        """Whether every article of a listing page was on a listing page of this run already
        (scheduled, or skipped as archived or out of range); the page's articles count as
        listed from now on."""
        canonicals = {canonical_url(link, self.base_url) for link in article_urls}
        repeated = canonicals <= (self.listed | self.scheduled)
        self.listed |= canonicals
        return repeated

    def guessed_listing_request(self, url: str, page: int) -> Request:
        """The safety net for markup the next-page cascade does not know: a listing page with
        articles and no recognised next link is followed by ``…/page/N+1`` anyway (WordPress
        serves every listing that way). The guess ends the section quietly at a 404, an empty
        page or a page of articles already listed; ``newsarchive/listing_next_guessed`` counts
        the guesses, so a silent markup change shows in the stats. Costs one request per
        section per full crawl (the 404 past the last page)."""
        self.crawler.stats.inc_value("newsarchive/listing_next_guessed")
        guessed = self.listing_request(following_listing_page(url), page=page + 1)
        guessed.meta["guessed"] = True
        return guessed

    def should_stop_section(self, page: int, all_older: bool, frontier_reached: bool) -> bool:
        if self.max_pages is not None and page >= self.max_pages:
            return True
        if all_older:  # the whole page predates --since; later pages are older still
            return True
        if self.max_articles is not None and len(self.scheduled) >= self.max_articles:
            return True
        return self.incremental and frontier_reached

    def listing_failed(self, failure: Failure) -> Iterator[Output]:
        request = failure.request  # type: ignore[attr-defined]
        status = failure_status(failure)
        page = request.meta["page"]
        if request.meta.get("guessed") and status in (404, 410):
            # The expected end of a guessed page (listing_next_guessed): no failure recorded.
            self.crawler.stats.inc_value("newsarchive/listing_guess_ended")
            return
        yield from self.failed(failure)
        if status == 404:
            if page == 1:
                self.logger.warning(
                    "section %s answered 404; pass the full listing URL as --section "
                    "(for example %s/berita-daerah/)",
                    request.url,
                    self.base_url,
                )
            return  # past the last page, or no such section: the section ends here
        # A listing page that failed for good (server errors, timeouts): step over it once,
        # so one bad page does not cost the rest of the section.
        stop = self.should_stop_section(page, all_older=False, frontier_reached=False)
        if not request.meta.get("stepped_over") and not stop:
            self.crawler.stats.inc_value("newsarchive/listing_pages_stepped_over")
            following = self.listing_request(following_listing_page(request.url), page=page + 1)
            following.meta["stepped_over"] = True
            following.meta["guessed"] = bool(request.meta.get("guessed"))
            yield following

    # --- articles --------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Output]:
        self.count_page()
        fetched_at = datetime.now(UTC)
        raw = response.meta.get("raw", RawRecord())
        if "dataloss" in response.flags:
            yield self.truncated(
                response, "truncated response (body shorter than its Content-Length)"
            )
            return
        if gone := self.redirected_away(response):
            yield gone
            return
        try:
            # The body as it came: parse_article decodes it, or parses UTF-8 bytes directly.
            article = parse_article(
                response.url,
                response.body,
                fetched_at,
                base_url=self.base_url,
                site_images=frozenset(self.site_images),
                content_type=response.headers.get("Content-Type"),
            )
        except ExtractionError as exc:  # every parser failure arrives as one (ParserCrashed)
            reason = f"{type(exc).__name__}: {exc}"
            self.crawler.stats.inc_value(f"newsarchive/parse/{exc.kind}")
            if exc.kind == "crash":  # ParserCrashed
                # A parser bug, not a page fault: one line to see, the traceback for debugging.
                self.logger.warning("parser crashed on %s: %s", response.url, reason)
                self.logger.debug("traceback of the crash on %s", response.url, exc_info=True)
            yield PageFailure(
                url=response.url,
                stage="parse",
                reason=reason,
                http_status=response.status,
                article_url=response.meta.get("canonical"),
                raw=raw,
            )
        else:
            yield CapturedArticle(article=article, raw=raw)

    def redirected_away(self, response: Response) -> ArticleGone | None:
        """An archived article that now redirects to the home page or a listing: removed."""
        canonical = response.meta.get("canonical")
        reasons = response.meta.get("redirect_reasons") or []
        if not canonical or not reasons or is_article_url(response.url):
            return None
        if not self.is_known(canonical):
            return None  # a new URL that leads nowhere stays a parse failure
        status = next((r for r in reasons if isinstance(r, int)), 301)
        self.crawler.stats.inc_value("newsarchive/articles_gone")
        return ArticleGone(url=canonical, status=status)

    def truncated(self, response: Response, reason: str) -> PageFailure:
        """A body still cut short after the retries: logged as an error (the run fails its own
        criteria) and recorded with the partial page it kept."""
        self.logger.error("%s: %s, even after retries", reason, response.url)
        return PageFailure(
            url=response.url,
            stage="fetch",
            reason=reason,
            http_status=response.status,
            article_url=response.meta.get("canonical"),
            raw=response.meta.get("raw", RawRecord()),
        )

    def failed(self, failure: Failure) -> Iterator[Output]:
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        # After redirects, record the URL that was asked for, and say where it led.
        asked = request.meta.get("redirect_urls", [request.url])[0]
        if asked != request.url:
            reason = f"{reason} (redirected to {request.url})"
        status = failure_status(failure)
        canonical = request.meta.get("canonical")
        yield PageFailure(
            url=asked,
            stage="fetch",
            reason=reason,
            http_status=status,
            article_url=canonical,
            raw=request.meta.get("raw", RawRecord()),
        )
        if canonical and status in GONE_STATUSES:
            # The archive marks it removed if it holds it (a new URL stays a failure only).
            yield ArticleGone(url=canonical, status=status)

    def count_page(self) -> None:
        self.crawler.stats.inc_value("newsarchive/pages_fetched")


def _section_label(response: Response) -> str:
    """The section a listing page belongs to, for the progress line (its path, page number
    dropped)."""
    path = _PAGE_SUFFIX_RE.sub("/", urlsplit(response.url).path)
    page = response.meta.get("page", 1)
    return f"{path} p.{page}"
