"""robots.txt as RFC 9309 reads it, on top of Scrapy's RobotsTxtMiddleware.

Scrapy treats a robots.txt it could not read as "allow everything": a 5xx error page is parsed
as an empty file, a timeout is logged with a traceback and ignored. RFC 9309 §2.3.1.3-4 says:

- 2xx: the rules in the file apply;
- 4xx ("unavailable": 404, 401, 403, 410, …): the crawler may access anything, whatever the
  body of the error page says;
- 5xx or a network error ("unreachable"): the crawler must assume complete disallow. Rate
  limiting (429) counts as unreachable too, as the major crawlers treat it.

The robots.txt request goes through the retry middleware (with backoff), so "unreachable" is what
is left after the retries; then every request to that site is refused for the rest of the run,
with one warning line naming the robots.txt URL. A request the rules disallow is refused, counted,
and named once per run (the first one), not once per URL.

Stats (read by `CrawlResult.problems`, so the run exits 1):
`newsarchive/robots/unreachable` — robots.txt files that could not be read (sites refused);
`newsarchive/robots/unreachable_refused` — requests refused because of that;
`newsarchive/robots/disallowed` — requests refused by the rules.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

# Answers after which the site counts as unreachable (RFC 9309 §2.3.1.4), once retries are spent.
UNREACHABLE_STATUSES = range(500, 600)
RATE_LIMITED = 429


class Unreachable(RobotParser):
    """Stands in for the parser of a site whose robots.txt could not be read: disallow all."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason

    @classmethod
    def from_crawler(cls, crawler: Any, robotstxt_body: bytes) -> Unreachable:
        raise NotImplementedError("built by RobotsTxtMiddleware, not from a body")

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._named_disallowed = False

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        if isinstance(rp, Unreachable):
            self._stats.inc_value("newsarchive/robots/unreachable_refused")
            raise IgnoreRequest(f"robots.txt unreachable ({rp.reason}): {rp.url}")
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            self._stats.inc_value("newsarchive/robots/disallowed")
            robots = _robots_url(request)
            if not self._named_disallowed:
                self._named_disallowed = True
                logger.warning(
                    "%s disallows %s; skipping it and every other URL it disallows "
                    "(counted, not listed)",
                    robots,
                    urlparse_cached(request).path or "/",
                )
            raise IgnoreRequest(f"forbidden by robots.txt: {robots}") from None

    async def robot_parser(self, request: Request) -> RobotParser | None:
        # Scrapy's version, except for what an unsuccessful robots.txt answer means.
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots = _robots_url(request)
            parser: RobotParser | None = None
            try:
                parser = await self._fetch(robots, netloc, request)
            finally:
                # Whatever happened, the requests waiting for this site's rules go on.
                waiting = self._parsers[netloc]
                self._parsers[netloc] = parser
                if isinstance(waiting, Deferred):
                    waiting.callback(parser)
            self._stats.inc_value("robotstxt/request_count")
        found = self._parsers[netloc]
        if isinstance(found, Deferred):
            return await maybe_deferred_to_future(found)
        return found

    async def _fetch(self, robots: str, netloc: str, request: Request) -> RobotParser | None:
        """The site's rules: a parser, None for "allow everything", or Unreachable."""
        robots_request = Request(
            robots,
            priority=self.DOWNLOAD_PRIORITY,
            # The retry middleware's "gave up" error would be a second line about the same thing.
            meta={"dont_obey_robotstxt": True, "give_up_log_level": "DEBUG"},
            callback=NO_CALLBACK,
        )
        try:
            response = await self.crawler.engine.download_async(robots_request)
        except IgnoreRequest as exc:
            # Refused by our own middlewares (a redirect off the site, too many redirects): RFC
            # 9309 §2.3.1.2 lets a crawler treat that as unavailable.
            logger.warning(
                "%s could not be read (%s); treating it as allowing everything", robots, exc
            )
            return None
        except Exception as exc:
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            return self._unreachable(robots, _describe(exc))
        if response.status in UNREACHABLE_STATUSES or response.status == RATE_LIMITED:
            self._count_response(response)
            return self._unreachable(robots, f"HTTP {response.status}")
        if 200 <= response.status < 300:
            await self._parse_robots(response, netloc, request)  # sets self._parsers[netloc]
            found = self._parsers[netloc]
            return found if isinstance(found, RobotParser) else None
        # 4xx (and anything else that is neither success nor a server error): unavailable.
        self._count_response(response)
        logger.info("%s answered %s: no rules, everything allowed", robots, response.status)
        return None

    def _count_response(self, response: Response) -> None:
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")

    def _unreachable(self, robots: str, reason: str) -> Unreachable:
        self._stats.inc_value("newsarchive/robots/unreachable")
        logger.warning(
            "robots.txt unreachable: %s (%s, after retries); the whole site is treated as "
            "disallowed for this run (RFC 9309)",
            robots,
            reason,
        )
        return Unreachable(robots, reason)


def _robots_url(request: Request) -> str:
    url = urlparse_cached(request)
    return f"{url.scheme}://{url.netloc}/robots.txt"


def _describe(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
