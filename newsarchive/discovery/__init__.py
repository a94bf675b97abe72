"""Discovery: the channels that list the site's posts without their pages.

Sitemaps (Yoast's index and post sitemaps), the RSS feed and the WordPress REST API each say
which article URLs exist, with a date where the channel gives one. Every function here is pure:
bytes (and headers) in, `Listed` entries out; no Scrapy engine, no storage, no network, and no
parsing of articles. A channel that cannot be read raises `ChannelUnavailable`; one bad entry is
skipped.
"""

from newsarchive.discovery.base import (
    CHANNELS,
    MAX_BODY_BYTES,
    ChannelUnavailable,
    Listed,
    check_response,
    text_headers,
)
from newsarchive.discovery.feed import feed_url, parse_feed
from newsarchive.discovery.rest import (
    REST_POSTS_FIELDS,
    RestPage,
    parse_rest_categories,
    parse_rest_posts,
    rest_categories_url,
    rest_past_last_page,
    rest_posts_url,
)
from newsarchive.discovery.sitemaps import (
    SITEMAP_INDEX_PATH,
    SitemapPage,
    parse_sitemap,
    sitemap_start_urls,
)
from newsarchive.site import COMPLETE_CHANNELS

__all__ = [
    "CHANNELS",
    "COMPLETE_CHANNELS",
    "MAX_BODY_BYTES",
    "REST_POSTS_FIELDS",
    "SITEMAP_INDEX_PATH",
    "ChannelUnavailable",
    "Listed",
    "RestPage",
    "SitemapPage",
    "check_response",
    "feed_url",
    "parse_feed",
    "parse_rest_categories",
    "parse_rest_posts",
    "parse_sitemap",
    "rest_categories_url",
    "rest_past_last_page",
    "rest_posts_url",
    "sitemap_start_urls",
    "text_headers",
]
