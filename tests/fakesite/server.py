"""FakeSite: the replica served over HTTP on 127.0.0.1, with a request log and fault knobs."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import urlsplit

from tests.fakesite import channels as ch
from tests.fakesite.dataset import SECTIONS, Article, Dataset, Section
from tests.fakesite.routes import HTML, Response, Router

Ref = int | str | Article  # a post id, any URL or path form of a permalink, or the article


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str  # path and query, as requested
    status: int
    bytes: int  # body bytes actually sent
    time: float  # time.time() when the response was sent
    duration: float  # seconds spent answering, delays included
    user_agent: str


@dataclass
class _Rule:
    remaining: int | None  # None: every request
    status: int = 0
    seconds: float = 0.0
    to: str = ""
    body: bytes = b""  # serve: the body to answer with (`to` holds its Content-Type)


_KINDS = (
    "remove", "redirect", "fail", "rate_limit", "delay", "truncate", "wrong_charset", "serve",
)  # fmt: skip
_REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout"}  # fmt: skip


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once


class FakeSite:
    """A data-driven KalbarOnline replica. Use as a context manager, or start() / stop().

    Knobs act per path: a path without a query matches requests for that path whatever their
    query; a path with a query matches only that exact target. `times=None` means "until
    clear_knobs()". A knob's path may also be given as an Article or a post id (its page in the
    site's own URL form).
    """

    def __init__(
        self,
        articles: int = 300,
        seed: int = 1,
        page_size: int = 10,
        port: int = 0,
        host: str = "127.0.0.1",
        sitemap_size: int = 1000,
        feed_size: int = 10,
    ) -> None:
        self.dataset = Dataset(size=articles, seed=seed)
        self.channels = ch.Channels(self.dataset, sitemap_size=sitemap_size, feed_size=feed_size)
        self.channels.hidden = self._removed_paths
        self.router = Router(self.dataset, page_size, self.channels)
        self.host = host
        self.port = port
        self.errors: list[str] = []  # tracebacks of requests the replica itself failed
        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._rules: dict[str, dict[str, _Rule]] = {kind: {} for kind in _KINDS}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.dataset.base_url

    def start(self) -> FakeSite:
        handler = type("BoundHandler", (_Handler,), {"site": self})
        server = _Server((self.host, self.port), handler)
        self._server = server
        self.port = server.server_address[1]
        self.dataset.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- content ----------------------------------------------------------------------------

    @property
    def articles(self) -> list[Article]:
        """Every article with a page (oldest first); the 404 one is `dataset.missing`."""
        with self.dataset.lock:
            return list(self.dataset.articles)

    @property
    def sections(self) -> tuple[Section, ...]:
        return SECTIONS

    def article(self, ref: Ref) -> Article:
        found = self.dataset.find(ref)
        if found is None:
            raise KeyError(ref)
        return found

    def url(self, ref: Ref, *, amp: bool = False) -> str:
        """The article's URL on this server as the site writes it (or its AMP copy)."""
        return self.dataset.url(self.article(ref), amp=amp)

    def section_url(self, slug: str, page: int = 1) -> str:
        section = self.dataset.section(slug)
        if section is None:
            raise KeyError(slug)
        return self.router.page_url(section, page)

    def edit(self, ref: Ref, **fields: Any) -> Article:
        return self.dataset.edit(ref, **fields)

    def publish(self, n: int = 1) -> list[Article]:
        return self.dataset.publish(n)

    # --- ground truth -----------------------------------------------------------------------

    def expected(self, ref: Ref, variant: str | None = None) -> dict[str, Any]:
        with self.dataset.lock:
            return self.dataset.expected(self.article(ref), variant)

    def expected_articles(self, *, include_unlisted: bool = False) -> list[dict[str, Any]]:
        """Ground truth of every article reachable through the listings, newest first (the
        listed 404 article and articles taken down with `remove` excluded). Posts hidden
        with `unlist` are left out too, unless `include_unlisted` (they are still in the
        sitemaps, feeds and REST API: a crawl using those channels finds them)."""
        with self.dataset.lock:
            articles = self.dataset.articles[::-1]
            unlisted = set(self.dataset.unlisted)
        with self._lock:
            removed = set(self._rules["remove"])
        return [
            self.expected(a)
            for a in articles
            if a.path not in removed and (include_unlisted or a.post_id not in unlisted)
        ]

    def expected_listing(self, slug: str, page: int = 1) -> dict[str, Any]:
        """What a listing parser should find on a section page, in the fixtures' format: the
        canonical URLs of the listed articles (the 404 one included) and the next page's URL."""
        section = self.dataset.section(slug)
        if section is None:
            raise KeyError(slug)
        items, pages, _ = self.router.listing_page(section, page)
        return {
            "article_urls": [self.dataset.canonical_url(a) for a in items],
            "next_page": self.router.page_url(section, page + 1) if page < pages else None,
        }

    def pages(self, slug: str) -> int:
        section = self.dataset.section(slug)
        if section is None:
            raise KeyError(slug)
        return self.router.listing_page(section, 1)[1]

    # --- discovery channels: ground truth ----------------------------------------------------

    @property
    def sitemap_size(self) -> int:
        """URLs per post-sitemapN.xml (Yoast's default 1000); settable."""
        return self.channels.sitemap_size

    @sitemap_size.setter
    def sitemap_size(self, size: int) -> None:
        self.channels.sitemap_size = size

    def channel_posts(self, category: str | None = None) -> list[Article]:
        """The posts sitemaps, feeds and REST list (published, not removed; unlisted ones
        included), newest first; optionally of one category (slug)."""
        return self.channels.posts(category)

    def channel_total(self, category: str | None = None) -> int:
        """How many posts the channels list: REST's X-WP-Total, the post sitemaps' URL count."""
        return len(self.channels.posts(category))

    def sitemap_entries(self) -> list[tuple[str, str]]:
        """(permalink, lastmod) of every post in the post sitemaps, in Yoast's order (modified
        time, oldest first), across post-sitemap.xml, post-sitemap2.xml, … The home-page entry
        Yoast puts on top of post-sitemap.xml is not included."""
        return [
            (self.channels.permalink(a), ch.w3c(ch.modified_of(a)))
            for a in self.channels.by_modified()
        ]

    def sitemap_urls(self) -> list[str]:
        """The post sitemaps the index lists, in order."""
        chunks = self.channels.sitemap_chunks()
        return [
            f"{self.base_url}/{self.channels.sitemap_name(n)}" for n in range(1, len(chunks) + 1)
        ]

    def feed_entries(self, category: str | None = None, page: int = 1) -> list[str]:
        """Permalinks on feed page `page` (`/feed/` or `/category/<slug>/feed/`), in order."""
        items, _ = self.channels.feed_page(category, page)
        return [self.channels.permalink(a) for a in items]

    def category_id(self, slug: str) -> int:
        """The REST term id of a section."""
        return ch.CATEGORY_IDS[slug]

    # --- request log ------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)

    # --- knobs ------------------------------------------------------------------------------

    def _key(self, path: Ref) -> str:
        if isinstance(path, Article | int):
            return self.article(path).path
        parts = urlsplit(path)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def _set(self, kind: str, path: Ref, rule: _Rule) -> None:
        with self._lock:
            self._rules[kind][self._key(path)] = rule

    def fail(self, path: Ref, status: int = 503, times: int | None = 1) -> None:
        """Answer `status` (an error page) to the next `times` requests."""
        self._set("fail", path, _Rule(times, status=status))

    def rate_limit(self, path: Ref, times: int | None = 1, retry_after: float = 1) -> None:
        """Answer 429 with `Retry-After: retry_after` to the next `times` requests."""
        self._set("rate_limit", path, _Rule(times, status=429, seconds=retry_after))

    def delay(self, path: Ref, seconds: float, times: int | None = None) -> None:
        """Wait `seconds` before answering."""
        self._set("delay", path, _Rule(times, seconds=seconds))

    def truncate(self, path: Ref, times: int | None = None) -> None:
        """Declare the full Content-Length, send half the body, close the connection."""
        self._set("truncate", path, _Rule(times))

    def wrong_charset(
        self, path: Ref, charset: str = "iso-8859-1", times: int | None = None
    ) -> None:
        """Declare `charset` in Content-Type while the body stays UTF-8 (meta charset too)."""
        self._set("wrong_charset", path, _Rule(times, to=charset))

    def redirect(self, path: Ref, to: str, status: int = 301, times: int | None = None) -> None:
        """Redirect to `to` (absolute, or a path on this server)."""
        self._set("redirect", path, _Rule(times, status=status, to=to))

    def remove(self, path: Ref, times: int | None = None) -> None:
        """Answer 404 (a removed post; it also leaves `expected_articles`)."""
        self._set("remove", path, _Rule(times))

    def serve(
        self,
        path: Ref,
        body: str | bytes,
        content_type: str = HTML,
        times: int | None = None,
    ) -> None:
        """Answer 200 with `body` (str: sent as UTF-8) instead of what the replica has there.
        Knobs answering something else (remove, redirect, fail, rate_limit) take precedence;
        delay and truncate still apply."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._set("serve", path, _Rule(times, to=content_type, body=data))

    def disable_channel(self, channel: str, status: int = 404) -> None:
        """Switch a discovery channel ("sitemaps", "feed" or "rest") off: 404 as when the
        feature is disabled (Yoast sitemaps off also drop robots.txt's Sitemap line), 401/403
        as a security plugin blocking it (REST answers WordPress-style JSON errors)."""
        self._check_channel(channel)
        with self._lock:
            self.channels.modes[channel] = ("disable", status)

    def channel_html(self, channel: str) -> None:
        """Answer every URL of a discovery channel with the HTML home page, 200 text/html (a
        misconfigured site or cache)."""
        self._check_channel(channel)
        with self._lock:
            self.channels.modes[channel] = ("html", 200)

    def unlist(self, ref: Ref) -> Article:
        """Keep a post off the HTML listings (home, sections, sidebars, related links) while
        its page, the sitemaps, feeds and REST still have it."""
        article = self.article(ref)
        with self.dataset.lock:
            self.dataset.unlisted.add(article.post_id)
        return article

    @staticmethod
    def _check_channel(channel: str) -> None:
        if channel not in ch.CHANNELS:
            raise ValueError(f"unknown channel {channel!r}; one of {', '.join(ch.CHANNELS)}")

    def _removed_paths(self) -> set[str]:
        with self._lock:
            return set(self._rules["remove"])

    def clear_knobs(self) -> None:
        with self._lock:
            for rules in self._rules.values():
                rules.clear()
            self.channels.modes.clear()
        with self.dataset.lock:
            self.dataset.unlisted.clear()

    def _take(self, kind: str, target: str) -> _Rule | None:
        """The rule of `kind` for a request target, counting one use of it."""
        path = urlsplit(target).path or "/"
        with self._lock:
            rules = self._rules[kind]
            for key in (target, path):
                rule = rules.get(key)
                if rule is None:
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        del rules[key]
                return rule
        return None

    # --- answering --------------------------------------------------------------------------

    def respond(
        self, target: str, headers: Mapping[str, str] | None = None
    ) -> tuple[Response, float, bool]:
        """(response, delay in seconds, truncate?) for a request target; `headers` (the
        request's) make sitemap, feed and REST answers conditional (304)."""
        delay = self._take("delay", target)
        seconds = delay.seconds if delay else 0.0
        if self._take("remove", target):
            return self.router.not_found(), seconds, False
        rule = self._take("redirect", target)
        if rule:
            location = rule.to if "://" in rule.to else self.base_url + rule.to
            return self.router.redirect(location, rule.status), seconds, False
        rule = self._take("fail", target)
        if rule:
            reason = _REASONS.get(rule.status, "Error")
            body = f"<html><body><h1>{rule.status} {reason}</h1></body></html>".encode()
            return Response(rule.status, body), seconds, False
        rule = self._take("rate_limit", target)
        if rule:
            retry = f"{rule.seconds:g}"
            body = b"<html><body><h1>429 Too Many Requests</h1></body></html>"
            return Response(429, body, HTML, [("Retry-After", retry)]), seconds, False
        rule = self._take("serve", target)
        if rule:
            response = Response(200, rule.body, rule.to)
            return response, seconds, self._take("truncate", target) is not None
        parts = urlsplit(target)
        channel = ch.Channels.channel_of(parts.path or "/", parts.query)
        with self._lock:
            mode = self.channels.modes.get(channel) if channel else None
        try:
            if mode is None:
                response = self.router.handle(target)
            elif mode[0] == "html":
                response = self.router.listing(None, 1)
            else:
                response = self.channels.disabled(channel or "", mode[1])
        except Exception:
            self.errors.append(traceback.format_exc())
            return Response(500, b"<html><body><h1>500</h1></body></html>"), seconds, False
        conditional = channel and mode is None and response.status == 200 and headers
        if conditional and ch.not_modified(
            response, headers.get("If-None-Match"), headers.get("If-Modified-Since")
        ):
            keep = ("etag", "last-modified", "link", "x-wp-total", "x-wp-totalpages")
            kept = [(k, v) for k, v in response.headers if k.lower() in keep]
            response = Response(304, b"", response.content_type, kept)
        rule = self._take("wrong_charset", target)
        if rule and response.content_type == HTML:
            response.content_type = f"text/html; charset={rule.to}"
        return response, seconds, self._take("truncate", target) is not None


class _Handler(BaseHTTPRequestHandler):
    site: ClassVar[FakeSite]
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, *, send_body: bool) -> None:
        started = time.monotonic()
        target = self.path
        if "://" in target:  # absolute-form request target
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        response, delay, truncate = self.site.respond(target, self.headers)
        if delay:
            time.sleep(delay)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        if response.status != 304:  # a 304 has no body, and no length of one
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        body = response.body[: len(response.body) // 2] if truncate else response.body
        # Logged before the body goes out: a client that has read the response must find it in
        # the log (tests read the log right after their request returns).
        self.site._record(
            RequestRecord(
                method=self.command,
                path=target,
                status=response.status,
                bytes=len(body) if send_body else 0,
                time=time.time(),
                duration=time.monotonic() - started,
                user_agent=self.headers.get("User-Agent", ""),
            )
        )
        if send_body:
            try:
                self.wfile.write(body)
                self.wfile.flush()
            except OSError:  # the client went away
                self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log replaces stderr lines
