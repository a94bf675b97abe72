"""URL → response, the way WordPress answers: pages, redirects to the canonical form, 404s."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.fakesite import frames, render
from tests.fakesite.channels import Channels
from tests.fakesite.dataset import Article, Dataset, Section
from tests.fakesite.response import HTML, Response

__all__ = ["HTML", "Response", "Router"]

_ARTICLE_RE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([^/]+)(/amp)?(/?)$")
_CATEGORY_RE = re.compile(r"^/category/([^/]+)(?:/page/(\d+))?/?$")
_HOME_PAGE_RE = re.compile(r"^/page/(\d+)/?$")
_STATIC_RE = re.compile(r"^/([a-z-]+)(/?)$")


class Router:
    def __init__(
        self, dataset: Dataset, page_size: int = 10, channels: Channels | None = None
    ) -> None:
        self.ds = dataset
        self.page_size = page_size
        self.channels = channels or Channels(dataset)

    # --- helpers shared with FakeSite -------------------------------------------------------

    def page_url(self, section: Section | None, n: int) -> str:
        """Listing page n as the site links it (News5 listings drop the trailing slash)."""
        base = self.ds.base_url
        if section is None:
            return f"{base}/" if n == 1 else f"{base}/page/{n}/"
        if n == 1:
            return base + section.path
        return f"{base}{section.path}page/{n}" + ("/" if section.style == "newkarma" else "")

    def listing_page(self, section: Section | None, n: int) -> tuple[list[Article], int, int]:
        """(items on page n, number of pages, number of listed articles)."""
        with self.ds.lock:
            if section:
                articles = self.ds.listing(section.slug)
            else:
                articles = [a for a in self.ds.articles[::-1] if a.post_id not in self.ds.unlisted]
        pages = max(1, -(-len(articles) // self.page_size))
        start = (n - 1) * self.page_size
        return articles[start : start + self.page_size], pages, len(articles)

    # --- routing ----------------------------------------------------------------------------

    def handle(self, target: str) -> Response:
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
        if path == "/robots.txt":
            robots = render.ROBOTS_TXT + self.channels.robots_line()
            return Response(200, robots.encode(), "text/plain; charset=utf-8")
        channel = self.channels.handle(path, query)
        if channel is not None:
            return channel
        paged = parse_qs(query).get("paged", [""])[0]
        if path == "/":
            post = parse_qs(query).get("p", [""])[0]
            if post.isdigit():  # the feeds' guid, /?p=ID: WordPress redirects to the permalink
                found = next((a for a in self.channels.posts() if a.post_id == int(post)), None)
                return self.redirect(self.ds.url(found)) if found else self.not_found()
            if paged.isdigit():
                return self.redirect(self.page_url(None, int(paged)))
            return self.listing(None, 1)
        match = _HOME_PAGE_RE.match(path)
        if match:
            if int(match[1]) == 1:  # WordPress sends /page/1/ to the bare listing
                return self.redirect(self.page_url(None, 1))
            return self.listing(None, int(match[1]))
        match = _CATEGORY_RE.match(path)
        if match:
            section = self.ds.section(match[1])
            if section is None:
                return self.not_found()
            if paged.isdigit() and match[2] is None:
                return self.redirect(self.page_url(section, int(paged)))
            if match[2] is not None and int(match[2]) == 1:
                return self.redirect(self.page_url(section, 1))
            return self.listing(section, int(match[2] or 1))
        match = _ARTICLE_RE.match(path)
        if match:
            return self.article(match, query)
        match = _STATIC_RE.match(path)
        if match and match[1] in frames.STATIC_PAGES:
            if not match[2]:
                return self.redirect(f"{self.ds.base_url}/{match[1]}/")
            return self.html(200, render.static_page(self.ds, match[1]))
        return self.not_found()

    def article(self, match: re.Match[str], query: str) -> Response:
        key = "/".join(match.group(1, 2, 3, 4))
        article = self.ds.by_key(key)
        if article is None or self.ds.is_missing(key):
            return self.not_found()
        suffix = f"?{query}" if query else ""
        if match[5]:  # …/amp
            if not article.has_amp:  # no AMP after the theme switch: back to the post
                return self.redirect(self.ds.url(article) + suffix)
            if not match[6]:
                return self.redirect(self.ds.url(article, amp=True) + suffix)
            return self.html(200, render.article_page(self.ds, article, amp=True))
        if match.group(0) != article.path:  # the other slash form
            return self.redirect(self.ds.url(article) + suffix)
        return self.html(200, render.article_page(self.ds, article))

    def listing(self, section: Section | None, n: int) -> Response:
        items, pages, count = self.listing_page(section, n)
        if n < 1 or n > pages:
            return self.not_found()
        with self.ds.lock:
            if section is not None and section.style == "news5":
                page = render.news5_listing(
                    self.ds, section, items, n, pages, count, lambda k: self.page_url(section, k)
                )
            else:
                page = render.newkarma_listing(
                    self.ds, section, items, n, pages, lambda k: self.page_url(section, k)
                )
        return self.html(200, page)

    # --- responses --------------------------------------------------------------------------

    def html(self, status: int, page: str) -> Response:
        return Response(status, page.encode("utf-8"))

    def redirect(self, location: str, status: int = 301) -> Response:
        return Response(status, b"", HTML, [("Location", location)])

    def not_found(self) -> Response:
        return self.html(404, render.not_found_page(self.ds))
