"""Discovery through the site's other channels: Yoast sitemaps, the feed, the REST API.

Category listings (the spider's own walk) show what the theme chooses to show; WordPress also
lists every post in its sitemaps (with `lastmod`), its REST API (with `modified_gmt`, and the
total) and, newest first, its feed. Each channel is optional and fails soft: one that answers
401/403/404/410, HTML instead of XML/JSON, or garbage is reported once in one line and skipped
(``newsarchive/channel/<name>/skipped``), and in ``auto`` mode (``update``'s default) the next
one is tried: REST, then the feed, then the listing walk.

This mixin only decides what to fetch; parsing is ``newsarchive.discovery``'s, and what is
found reaches the archive as items (``ChannelFindings`` for ``coverage``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy.http import Request, Response
from twisted.python.failure import Failure
from w3lib.url import add_or_replace_parameters

from newsarchive.discovery import (
    COMPLETE_CHANNELS,
    ChannelUnavailable,
    Listed,
    check_response,
    feed_url,
    parse_feed,
    parse_rest_categories,
    parse_rest_posts,
    parse_sitemap,
    rest_categories_url,
    rest_past_last_page,
    rest_posts_url,
    sitemap_start_urls,
)
from newsarchive.items import ChannelFindings, ChannelValidators, PageFailure
from newsarchive.normalize import permalink_date
from newsarchive.spiders.responses import failure_reason

if TYPE_CHECKING:
    from newsarchive.spiders.kalbaronline import KalbarOnlineSpider, Output

T = TypeVar("T")

#: What ``--discover`` takes. ``auto``: the cheapest channel that answers, REST → feed →
#: listings. ``all``: every channel at once (listings included), deduplicated.
DISCOVER_CHOICES = ("listings", "sitemaps", "feed", "rest", "all", "auto")
AUTO_CHAIN = ("rest", "feed", "listings")
#: Statuses a channel's first document may answer with and still reach the callback, where
#: check_response turns them into one "skipped" line instead of a failure row.
CHANNEL_STATUSES = [304, 400, 401, 403, 404, 405, 410, 500, 501, 502, 503]
REST_PER_PAGE = 100
FEED_PAGE_SIZE = 10  # WordPress's default `posts_per_rss`


def parse_discover(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """The channels to use, in order; ``all`` is every one, ``auto`` stays a mode."""
    if value is None:
        return ["listings"]
    names = value.split(",") if isinstance(value, str) else list(value)
    chosen = [n.strip() for n in names if n and n.strip()]
    unknown = [n for n in chosen if n not in DISCOVER_CHOICES]
    if unknown:
        choices = ", ".join(DISCOVER_CHOICES)
        raise ValueError(f"unknown channel {unknown[0]!r} (choose from {choices})")
    if "all" in chosen:
        return ["listings", "sitemaps", "feed", "rest"]
    return list(dict.fromkeys(chosen)) or ["listings"]


class ChannelWalk:
    """The channel walks of one :class:`KalbarOnlineSpider` run: it asks the spider's archive
    index, date window and budget, and schedules articles through the spider; what each
    channel has shown so far is kept here."""

    def __init__(self, spider: KalbarOnlineSpider) -> None:
        self.spider = spider
        self.state: dict[str, str] = {}  # channel → pending | ok | skipped
        self.totals: dict[str, int] = {}  # channel → posts it says the site has
        self.rest_route_param = False  # /?rest_route= instead of /wp-json/
        self.rest_categories: dict[int, str] = {}
        self.rest_section_ids: list[int] = []

    def count(self, key: str) -> None:
        self.spider.crawler.stats.inc_value(key)

    def show_total(self) -> None:
        """What the progress line counts against: the posts a channel says the site has (in
        ``coverage``: to list; else, those to fetch: listed minus already archived is not
        known in advance, so the site's total is the upper bound shown)."""
        total = max(self.totals.values(), default=0)
        self.spider.crawler.stats.set_value("newsarchive/progress/total", total)

    def where(self, label: str) -> None:
        self.spider.crawler.stats.set_value("newsarchive/progress/where", label)

    def starts(self) -> Iterator[Request]:
        """The first request of each chosen channel (``listings`` is the spider's own)."""
        for channel in self.spider.discover:
            if channel == "auto":
                yield from self.start_channel(AUTO_CHAIN[0])
            elif channel != "listings":
                yield from self.start_channel(channel)

    def start_channel(self, channel: str) -> Iterator[Request]:
        self.state[channel] = "pending"
        if channel == "listings":
            yield from self.spider.listing_starts()
        elif channel == "sitemaps":
            robots = f"{self.spider.base_url}/robots.txt"
            yield self.channel_request(robots, "sitemaps", self.parse_sitemap_robots, first=True)
        elif channel == "feed":
            for url in self.feed_urls():
                yield self.channel_request(
                    url, "feed", self.parse_feed_page, first=True, conditional=True, page=1
                )
        elif channel == "rest":
            if self.spider.sections or self.spider.coverage:
                # Category IDs → names: needed to filter by section and to count per section.
                url = rest_categories_url(self.spider.base_url, route_param=self.rest_route_param)
                yield self.channel_request(url, "rest", self.parse_rest_categories, first=True)
            else:
                yield self.rest_posts_request(page=1, first=True)

    def channel_request(
        self,
        url: str,
        channel: str,
        callback: Any,
        *,
        first: bool = False,
        conditional: bool = False,
        **meta: Any,
    ) -> Request:
        headers = self.conditional_headers(url) if conditional else {}
        return Request(
            url,
            headers=headers,
            callback=callback,
            errback=self.channel_failed,
            meta={
                "channel": channel,
                "first": first,
                "conditional": conditional,
                "handle_httpstatus_list": CHANNEL_STATUSES,
                **meta,
            },
            priority=20,  # discovery feeds the queue of articles, as listings do
            dont_filter=True,
        )

    # --- conditional requests -------------------------------------------------------------

    def conditional_headers(self, url: str) -> dict[str, str]:
        """An update asks a channel's first document "changed since last time?" with what it
        answered then (ETag, Last-Modified): an unchanged channel costs a bodiless 304."""
        if not self.spider.incremental or self.spider.coverage:
            return {}
        found = self.spider.validators(url)
        if not found:
            return {}
        etag, modified = found
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    def not_modified(self, response: Response) -> bool:
        """A 304: the channel lists nothing new since the last clean update."""
        if response.status != 304:
            return False
        channel = response.meta["channel"]
        self.spider.count_page()
        self.count("newsarchive/channel_documents")
        self.count(f"newsarchive/channel/{channel}/not_modified")
        self.state[channel] = "ok"
        return True

    def remember(self, response: Response) -> Iterator[ChannelValidators]:
        """The validators of a document asked conditionally, for the next update's question."""
        if not response.meta.get("conditional") or not self.spider.incremental:
            return
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        if etag or modified:
            yield ChannelValidators(
                url=response.request.url if response.request else response.url,
                etag=etag.decode("latin-1") if etag else None,
                last_modified=modified.decode("latin-1") if modified else None,
            )

    # --- what a channel lists --------------------------------------------------------------

    def consider(self, entry: Listed) -> Iterator[Output]:
        """Fetch a listed post the archive lacks, or has stored before the site last changed it;
        ``coverage`` fetches nothing."""
        self.count(f"newsarchive/channel/{entry.channel}/listed")
        if self.spider.coverage or not self.in_window(entry):
            return
        canonical = entry.url
        if canonical in self.spider.scheduled:
            return
        known = self.spider.is_known(canonical)
        changed = known and self.changed_since_stored(entry)
        if known and not (self.spider.refetch or changed):
            self.count("newsarchive/articles_skipped_archived")
            return
        if (
            self.spider.max_articles is not None
            and len(self.spider.scheduled) >= self.spider.max_articles
        ):
            return
        if changed:
            self.count(f"newsarchive/channel/{entry.channel}/changed")
        yield self.spider.article_request(entry.link or canonical, canonical)

    def in_window(self, entry: Listed) -> bool:
        day = permalink_date(entry.url)
        published = date(*day) if day else (entry.published.date() if entry.published else None)
        if published is None:
            return True
        if self.spider.since and published < self.spider.since:
            return False
        return not (self.spider.until and published > self.spider.until)

    def changed_since_stored(self, entry: Listed) -> bool:
        """Whether the channel says the post changed after the archive last fetched it."""
        if entry.modified is None:
            return False
        seen = self.spider.last_seen(entry.url)
        if seen is None:
            return False
        # Both are whole seconds: an edit in the second of the fetch, after it, is as late.
        return entry.modified >= datetime.fromisoformat(seen).astimezone(UTC)

    def known_and_unchanged(self, entry: Listed) -> bool:
        return entry.url in self.spider.scheduled or (
            self.spider.is_known(entry.url) and not self.changed_since_stored(entry)
        )

    def findings(self, channel: str, entries: list[Listed]) -> Iterator[Output]:
        if self.spider.coverage:
            yield ChannelFindings(
                channel=channel, entries=entries, complete=channel in COMPLETE_CHANNELS
            )

    # --- when a channel cannot be read -----------------------------------------------------

    def channel_unavailable(self, error: ChannelUnavailable) -> Iterator[Any]:
        """Report a channel once, in one line, and go on with the next one in ``auto`` mode."""
        channel = error.channel
        if self.state.get(channel) == "skipped":
            return
        self.state[channel] = "skipped"
        self.count(f"newsarchive/channel/{channel}/skipped")
        self.spider.logger.warning("%s; skipped", error.reason)
        if self.spider.coverage:
            yield ChannelFindings(channel=channel, complete=False, skipped=error.reason)
        if "auto" in self.spider.discover and channel in AUTO_CHAIN:
            following = AUTO_CHAIN[AUTO_CHAIN.index(channel) + 1 :]
            if following:
                self.spider.logger.warning("trying the %s instead", following[0])
                yield from self.start_channel(following[0])

    def check_document(self, response: Response) -> ChannelUnavailable | None:
        """Why a channel document cannot be read, or None when it can."""
        self.spider.count_page()
        try:
            check_response(
                response.meta["channel"],
                response.url,
                response.status,
                response.headers.get("Content-Type"),
                response.body,
            )
        except ChannelUnavailable as error:
            return error
        self.count("newsarchive/channel_documents")
        self.where(response.meta["channel"])
        return None

    def unreadable(self, response: Response, error: ChannelUnavailable) -> Iterator[Any]:
        channel = response.meta["channel"]
        if response.meta.get("first"):
            if channel == "rest" and not self.rest_route_param:
                yield from self.retry_rest_as_route()
            else:
                yield from self.channel_unavailable(error)
        elif response.meta.get("end_at_404") and response.status in (400, 404):
            return  # a feed page past the last one: the expected end
        else:
            # A later document of a channel that answered at first: its listing is incomplete.
            yield from self.incomplete(channel, error.reason)
            yield PageFailure(
                url=response.url, stage="fetch", reason=error.reason, http_status=response.status
            )

    def channel_failed(self, failure: Failure) -> Iterator[Any]:
        """No response after the retries (network trouble, 5xx beyond the list)."""
        request = failure.request  # type: ignore[attr-defined]
        channel = request.meta["channel"]
        if request.meta.get("first"):
            reason = f"{channel}: {failure_reason(failure)} at {request.url}"
            yield from self.channel_unavailable(ChannelUnavailable(channel, reason))
        else:
            yield from self.incomplete(channel, f"{failure_reason(failure)} at {request.url}")
            yield from self.spider.failed(failure)

    def incomplete(self, channel: str, reason: str) -> Iterator[ChannelFindings]:
        """A document of a channel failed after others were read: `coverage` must not take
        the channel's silence about an archived article as "possibly removed"."""
        if self.spider.coverage:
            yield ChannelFindings(channel=channel, complete=False, skipped=f"incomplete: {reason}")

    def read(self, response: Response, output: list[Any], parse: Callable[[], T]) -> T | None:
        """A channel document, parsed; None when there is nothing to read: a 304 (unchanged
        since the last clean update), or a document that cannot be read (what that means goes
        into ``output``: a skipped channel, a failure row, or nothing past the last page)."""
        if self.not_modified(response):
            return None
        error = self.check_document(response)
        if error is None:
            try:
                parsed = parse()
            except ChannelUnavailable as unreadable:
                error = unreadable
        if error is not None:
            output.extend(self.unreadable(response, error))
            return None
        output.extend(self.remember(response))
        self.state[response.meta["channel"]] = "ok"
        return parsed

    # --- sitemaps --------------------------------------------------------------------------

    def parse_sitemap_robots(self, response: Response) -> Iterator[Output]:
        self.spider.count_page()
        robots = response.text if response.status == 200 else None
        for url in sitemap_start_urls(self.spider.base_url, robots):
            yield self.channel_request(
                url, "sitemaps", self.parse_sitemap_page, first=True, conditional=True
            )

    def parse_sitemap_page(self, response: Response) -> Iterator[Output]:
        output: list[Any] = []
        page = self.read(
            response,
            output,
            lambda: parse_sitemap(response.body, response.url, self.spider.base_url),
        )
        yield from output
        if page is None:
            return
        for url, lastmod in page.post_sitemaps:
            if (
                self.spider.incremental
                and lastmod
                and self.spider.last_run_at
                and lastmod < self.spider.last_run_at
            ):
                # Yoast dates each sitemap by its newest change: nothing in it changed since.
                self.count("newsarchive/channel/sitemaps/unchanged_files")
                continue
            yield self.channel_request(url, "sitemaps", self.parse_sitemap_page)
        self.totals["sitemaps"] = self.totals.get("sitemaps", 0) + len(page.entries)
        self.show_total()
        for entry in page.entries:
            yield from self.consider(entry)
        yield from self.findings("sitemaps", page.entries)

    # --- feed ------------------------------------------------------------------------------

    def feed_urls(self) -> list[str]:
        if self.spider.sections:
            return [
                feed_url(self.spider.base_url, self.spider.section_url(s))
                for s in self.spider.sections
            ]
        return [feed_url(self.spider.base_url)]

    def parse_feed_page(self, response: Response) -> Iterator[Output]:
        output: list[Any] = []
        entries = self.read(
            response, output, lambda: parse_feed(response.body, response.url, self.spider.base_url)
        )
        yield from output
        if entries is None:
            return
        frontier = any(self.known_and_unchanged(e) for e in entries)
        for entry in entries:
            yield from self.consider(entry)
        yield from self.findings("feed", entries)
        page = response.meta["page"]
        if len(entries) < FEED_PAGE_SIZE or (self.spider.incremental and frontier):
            return
        if self.spider.max_pages is not None and page >= self.spider.max_pages:
            return
        section_url = response.meta.get("section_url")
        following = feed_url(self.spider.base_url, section_url, page=page + 1)
        yield self.channel_request(
            following, "feed", self.parse_feed_page, page=page + 1, end_at_404=True,
            section_url=section_url,
        )  # fmt: skip

    # --- REST ------------------------------------------------------------------------------

    def rest_posts_request(self, page: int, first: bool = False) -> Request:
        url = rest_posts_url(
            self.spider.base_url,
            page=page,
            per_page=REST_PER_PAGE,
            categories=self.rest_section_ids or None,
            route_param=self.rest_route_param,
        )
        if self.spider.incremental:
            # Newest changes first: an update stops at the first post it holds unchanged.
            url = add_or_replace_parameters(url, {"orderby": "modified", "order": "desc"})
        return self.channel_request(
            url, "rest", self.parse_rest_page, first=first, conditional=first, page=page,
            end_at_404=True,
        )  # fmt: skip

    def parse_rest_categories(self, response: Response) -> Iterator[Output]:
        output: list[Any] = []
        categories = self.read(
            response, output, lambda: parse_rest_categories(response.body, response.url)
        )
        yield from output
        if categories is None:
            return
        self.rest_categories = categories
        wanted = {self.spider.section_slug(s) for s in self.spider.sections}
        slugs = self.rest_category_slugs(response)
        self.rest_section_ids = sorted(cid for cid, slug in slugs.items() if slug in wanted)
        if self.spider.sections and not self.rest_section_ids:
            missing = ", ".join(sorted(wanted))
            reason = f"rest: no category {missing} at {response.url}"
            yield from self.channel_unavailable(ChannelUnavailable("rest", reason))
            return
        yield self.rest_posts_request(page=1, first=True)

    def rest_category_slugs(self, response: Response) -> dict[int, str]:
        import json

        try:
            data = json.loads(response.body)
        except ValueError:
            return {}
        return {
            int(c["id"]): str(c.get("slug", ""))
            for c in data
            if isinstance(c, dict) and isinstance(c.get("id"), int)
        }

    def retry_rest_as_route(self) -> Iterator[Request]:
        """``/wp-json/`` refused (pretty permalinks off, a security plugin): WordPress also
        answers ``/?rest_route=``; tried once before the channel is skipped."""
        self.rest_route_param = True
        self.count("newsarchive/channel/rest/route_param")
        yield from self.start_channel("rest")

    def parse_rest_page(self, response: Response) -> Iterator[Output]:
        page_number = response.meta["page"]
        if not response.meta.get("first") and rest_past_last_page(response.status, response.body):
            self.spider.count_page()
            return
        output: list[Any] = []
        page = self.read(
            response,
            output,
            lambda: parse_rest_posts(
                response.body,
                response.headers,
                response.url,
                self.spider.base_url,
                self.rest_categories,
            ),
        )
        yield from output
        if page is None:
            return
        if page.total is not None:
            self.totals["rest"] = page.total
            self.show_total()
        frontier = any(self.known_and_unchanged(e) for e in page.entries)
        for entry in page.entries:
            yield from self.consider(entry)
        yield from self.findings("rest", page.entries)
        if not page.next_url or (self.spider.incremental and frontier):
            return
        if self.spider.max_pages is not None and page_number >= self.spider.max_pages:
            return
        yield self.rest_posts_request(page=page_number + 1)
