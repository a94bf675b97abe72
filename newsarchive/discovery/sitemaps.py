"""Sitemaps: robots.txt's `Sitemap:` lines, Yoast's sitemap index, and its post sitemaps.

Parsing is Scrapy's own (`scrapy.utils.sitemap.Sitemap`, `sitemap_urls_from_robots`), the same
code `SitemapSpider` runs; this module only decides what the entries mean for the archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from newsarchive.discovery.base import (
    ChannelUnavailable,
    Listed,
    as_utc,
    inflate,
    local_name,
    strip_leading,
    xml_root,
)
from newsarchive.normalize import (
    absolute_url,
    canonical_url,
    is_article_url,
    is_site_url,
    parse_iso,
    request_url,
    split_url,
)

CHANNEL = "sitemaps"
# Where Yoast (and robots.txt-less WordPress with Yoast) serves the index.
SITEMAP_INDEX_PATH = "/sitemap_index.xml"
# Yoast's post sitemaps: post-sitemap.xml, post-sitemap2.xml, … (1000 posts each).
_POST_SITEMAP_RE = re.compile(r"^post-sitemap\d*\.xml(?:\.gz)?$", re.IGNORECASE)


@dataclass
class SitemapPage:
    """One sitemap document: an index (`sitemaps`) or a urlset (`entries`)."""

    sitemaps: list[tuple[str, datetime | None]] = field(default_factory=list)
    """Every `<sitemap>` of an index on the site, as (URL to fetch, lastmod in UTC or None)."""
    entries: list[Listed] = field(default_factory=list)
    """A urlset's article URLs (pages, sections, authors and the home page left out)."""

    @property
    def post_sitemaps(self) -> list[tuple[str, datetime | None]]:
        """The index's post sitemaps (Yoast's `post-sitemap*.xml`), or every sitemap when none
        is named so (a site without Yoast names them differently)."""
        posts = [s for s in self.sitemaps if _POST_SITEMAP_RE.match(_file_name(s[0]))]
        return posts or list(self.sitemaps)


def sitemap_start_urls(base_url: str, robots_txt: str | bytes | None) -> list[str]:
    """The sitemaps to start from: robots.txt's `Sitemap:` lines on the site (rebased onto
    `base_url`'s scheme and host), else `base_url` + `/sitemap_index.xml`."""
    urls: list[str] = []
    if robots_txt:
        raw = robots_txt.encode("utf-8") if isinstance(robots_txt, str) else robots_txt
        for line in raw.splitlines():
            # Line by line: Scrapy's urljoin raises on a URL urllib cannot split, which would
            # end the whole generator.
            try:
                found = list(sitemap_urls_from_robots(line, base_url=base_url))
            except ValueError:
                continue
            for url in found:
                fetch = _site_fetch_url(url, base_url)
                if fetch is not None and fetch not in urls:
                    urls.append(fetch)
    return urls or [base_url.rstrip("/") + SITEMAP_INDEX_PATH]


def parse_sitemap(body: bytes, url: str, base_url: str) -> SitemapPage:
    """A sitemap index or urlset (plain or gzip) at `url`.

    An index gives its sitemaps on the site; a urlset gives `Listed` entries for article URLs
    only, `modified` from `<lastmod>` (W3C datetime; no offset means the site's time, as
    `normalize.parse_iso` reads it). Entries without `<loc>`, with a URL that cannot be split,
    off the site or no article, or with a `<lastmod>` that is no date are skipped. Anything that
    is no sitemap raises `ChannelUnavailable`.
    """
    data = strip_leading(inflate(CHANNEL, url, body))
    # Scrapy's parser recovers from broken XML; a strict, safe parse first makes garbage an
    # error instead of an empty or truncated list.
    root = xml_root(CHANNEL, url, data)
    kind = local_name(root)
    if kind not in {"sitemapindex", "urlset"}:
        raise ChannelUnavailable(CHANNEL, f"no sitemap at {url} (root element <{kind}>)")
    try:
        sitemap = Sitemap(data)
        items = list(sitemap)
    except (etree.LxmlError, StopIteration, ValueError) as exc:
        raise ChannelUnavailable(CHANNEL, f"unreadable sitemap at {url}: {exc}") from exc
    page = SitemapPage()
    if sitemap.type == "sitemapindex":
        for item in items:
            loc = absolute_url(str(item.get("loc") or ""), url)
            fetch = _site_fetch_url(loc, base_url) if loc else None
            try:
                lastmod = _lastmod(item.get("lastmod"))
            except ValueError:
                continue
            if fetch is not None:
                page.sitemaps.append((fetch, lastmod))
        return page
    seen: set[str] = set()
    for item in items:
        loc = absolute_url(str(item.get("loc") or ""), url)
        if not loc or not is_article_url(loc, base_url):
            continue
        try:
            lastmod = _lastmod(item.get("lastmod"))
        except ValueError:
            continue
        article = canonical_url(loc, base_url)
        if article in seen:
            continue
        seen.add(article)
        page.entries.append(Listed(url=article, channel=CHANNEL, modified=lastmod, link=loc))
    return page


def _lastmod(value: object) -> datetime | None:
    """A `<lastmod>` in UTC, None when absent; ValueError when present but no date."""
    text = str(value or "").strip()
    if not text:
        return None
    moment = as_utc(parse_iso(text))
    if moment is None:
        raise ValueError(f"no date: {text[:40]!r}")
    return moment


def _site_fetch_url(url: str, base_url: str) -> str | None:
    """A sitemap URL on the site, rebased onto `base_url` by `normalize.request_url` (a replica
    serves its own copies); None off the site or when it cannot be split. A URL with a query
    (`?sitemap=post`, a site without pretty permalinks) is kept as written, since request_url
    drops queries and the query names the sitemap."""
    parts = split_url(url)
    if parts is None or parts.scheme.lower() not in {"http", "https"}:
        return None
    if not is_site_url(url, base_url):
        return None
    return url.strip() if parts.query else request_url(url, base_url)


def _file_name(url: str) -> str:
    parts = split_url(url)
    return "" if parts is None else parts.path.rstrip("/").rpartition("/")[2]
