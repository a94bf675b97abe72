"""newsarchive.discovery: sitemaps, feed and REST parsed from saved real WordPress responses.

The ground truth is the saved file (tests/fixtures_discovery/wp641/, see its README): counts and
fields are read from it here independently (lxml, json, regex), never from the parser under test.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree
from scrapy.http import Headers

from newsarchive.discovery import base, feed, rest, sitemaps
from newsarchive.discovery.base import CHANNELS, ChannelUnavailable, Listed, check_response
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
from newsarchive.normalize import SITE_TZ
from tests.helpers import UNSPLITTABLE_URLS

WP641 = Path(__file__).parent / "fixtures_discovery" / "wp641"
BASE = "https://kalbaronline.com"
REPLICA = "http://127.0.0.1:8123"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ARTICLE_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/]+/$")


def body(name: str) -> bytes:
    return (WP641 / name).read_bytes()


def meta(name: str) -> dict[str, Any]:
    return json.loads((WP641 / f"{name}.headers.json").read_text(encoding="utf-8"))


def headers(name: str) -> dict[str, str]:
    """The saved headers as one dict; repeated headers joined with ', ' as HTTP allows."""
    joined: dict[str, str] = {}
    for key, value in meta(name)["headers"]:
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def content_type(name: str) -> str:
    return headers(name)["Content-Type"]


def xml(name: str) -> etree._Element:
    return etree.fromstring(body(name))


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def is_article(url: str) -> bool:
    parts = urlsplit(url)
    return parts.netloc == "kalbaronline.com" and bool(ARTICLE_PATH.match(parts.path))


# --- the saved responses are what they claim ---------------------------------------------------


def test_fixtures_are_rewritten_to_the_real_host() -> None:
    files = sorted(WP641.iterdir())
    assert len(files) >= 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "127.0.0.1" not in text, path.name
    assert (WP641.parent / "README.md").read_text(encoding="utf-8").count("WordPress 6.4.1") >= 1


@pytest.mark.parametrize(
    ("name", "channel"),
    [
        ("sitemap_index.xml", "sitemaps"),
        ("post-sitemap.xml", "sitemaps"),
        ("page-sitemap.xml", "sitemaps"),
        ("category-sitemap.xml", "sitemaps"),
        ("post_tag-sitemap.xml", "sitemaps"),
        ("author-sitemap.xml", "sitemaps"),
        ("feed.xml", "feed"),
        ("feed_paged2.xml", "feed"),
        ("category_pontianak_feed.xml", "feed"),
        ("rest_posts.json", "rest"),
        ("rest_posts_all.json", "rest"),
        ("rest_route_posts.json", "rest"),
        ("rest_categories.json", "rest"),
    ],
)
def test_check_response_accepts_every_saved_channel_document(name: str, channel: str) -> None:
    saved = meta(name)
    assert saved["status"] == 200
    check_response(channel, saved["url"], saved["status"], content_type(name), body(name))


# --- robots.txt ------------------------------------------------------------------------------


def test_start_urls_from_the_real_robots_txt() -> None:
    robots = body("robots.txt").decode()
    assert re.findall(r"(?im)^sitemap:\s*(\S+)", robots) == [f"{BASE}/sitemap_index.xml"]
    assert sitemap_start_urls(BASE, robots) == [f"{BASE}/sitemap_index.xml"]
    # A replica serves its own copy of what robots.txt names on the real host.
    assert sitemap_start_urls(REPLICA, robots) == [f"{REPLICA}/sitemap_index.xml"]


@pytest.mark.parametrize("robots", [None, "", "User-agent: *\nDisallow: /wp-admin/\n"])
def test_start_urls_without_sitemap_lines_fall_back_to_yoasts_index(robots: str | None) -> None:
    assert sitemap_start_urls(BASE, robots) == [BASE + SITEMAP_INDEX_PATH]
    assert sitemap_start_urls(BASE + "/", robots) == [BASE + SITEMAP_INDEX_PATH]


def test_start_urls_ignore_off_site_lines_and_keep_the_sites_own() -> None:
    robots = (
        "User-agent: *\n"
        "Sitemap: https://evil.example/sitemap_index.xml\n"
        "sitemap: https://www.kalbaronline.com/news-sitemap.xml\n"
        "SITEMAP: /relative-sitemap.xml\n"
        "Sitemap: https://kalbaronline.com/news-sitemap.xml\n"
        "Sitemap: ftp://kalbaronline.com/sitemap.xml\n"
        "Sitemap: http://[kalbaronline.com/sitemap.xml\n"
    )
    assert sitemap_start_urls(BASE, robots) == [
        f"{BASE}/news-sitemap.xml",
        f"{BASE}/relative-sitemap.xml",
    ]
    assert sitemap_start_urls(BASE, robots.encode()) == sitemap_start_urls(BASE, robots)
    only_off_site = "Sitemap: https://evil.example/sitemap.xml\n"
    assert sitemap_start_urls(BASE, only_off_site) == [BASE + SITEMAP_INDEX_PATH]


# --- sitemaps --------------------------------------------------------------------------------


def test_sitemap_index_lists_every_sitemap_with_its_lastmod() -> None:
    root = xml("sitemap_index.xml")
    expected = [
        (el.findtext(f"{SM}loc"), utc(el.findtext(f"{SM}lastmod") or ""))
        for el in root.iter(f"{SM}sitemap")
    ]
    page = parse_sitemap(body("sitemap_index.xml"), f"{BASE}/sitemap_index.xml", BASE)
    assert isinstance(page, SitemapPage)
    assert page.entries == []
    assert page.sitemaps == expected
    assert len(page.sitemaps) == body("sitemap_index.xml").count(b"<sitemap>") == 4
    assert page.post_sitemaps == [(f"{BASE}/post-sitemap.xml", expected[0][1])]


def test_sitemap_index_rebased_onto_a_replica() -> None:
    page = parse_sitemap(body("sitemap_index.xml"), f"{REPLICA}/sitemap_index.xml", REPLICA)
    assert [url for url, _ in page.post_sitemaps] == [f"{REPLICA}/post-sitemap.xml"]


def test_post_sitemaps_of_a_non_yoast_index_are_all_of_them() -> None:
    index = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://kalbaronline.com/wp-sitemap-posts-post-1.xml</loc></sitemap>"
        b"<sitemap><loc>https://kalbaronline.com/wp-sitemap-posts-post-2.xml</loc></sitemap>"
        b"<sitemap><loc>https://elsewhere.example/wp-sitemap-posts-post-3.xml</loc></sitemap>"
        b"<sitemap><loc>https://kalbaronline.com/post-sitemap-x.xml</loc>"
        b"<lastmod>yesterday</lastmod></sitemap>"
        b"</sitemapindex>"
    )
    page = parse_sitemap(index, f"{BASE}/wp-sitemap.xml", BASE)
    assert (
        page.post_sitemaps
        == page.sitemaps
        == [
            (f"{BASE}/wp-sitemap-posts-post-1.xml", None),
            (f"{BASE}/wp-sitemap-posts-post-2.xml", None),
        ]
    )


def test_yoast_post_sitemap_names() -> None:
    page = SitemapPage(
        sitemaps=[
            (f"{BASE}/post-sitemap.xml", None),
            (f"{BASE}/post-sitemap2.xml", None),
            (f"{BASE}/post-sitemap13.xml.gz", None),
            (f"{BASE}/page-sitemap.xml", None),
            (f"{BASE}/post_tag-sitemap.xml", None),
            (f"{BASE}/repost-sitemap.xml", None),
        ]
    )
    assert [u.rsplit("/", 1)[1] for u, _ in page.post_sitemaps] == [
        "post-sitemap.xml",
        "post-sitemap2.xml",
        "post-sitemap13.xml.gz",
    ]


def expected_sitemap_entries(name: str) -> list[tuple[str, datetime]]:
    return [
        (loc, utc(el.findtext(f"{SM}lastmod") or ""))
        for el in xml(name).iter(f"{SM}url")
        if is_article(loc := el.findtext(f"{SM}loc") or "")
    ]


def test_post_sitemap_entries_are_its_articles_with_lastmod() -> None:
    raw = body("post-sitemap.xml")
    expected = expected_sitemap_entries("post-sitemap.xml")
    # Yoast lists the home page first in the post sitemap; it is no article.
    assert len(re.findall(rb"<url>", raw)) == len(expected) + 1 == 61
    page = parse_sitemap(raw, f"{BASE}/post-sitemap.xml", BASE)
    assert page.sitemaps == []
    assert [(e.url, e.modified) for e in page.entries] == expected
    assert {e.channel for e in page.entries} == {"sitemaps"}
    assert all(e.post_id is None and e.published is None and e.sections == () for e in page.entries)
    assert all(e.modified is not None and e.modified.tzinfo == UTC for e in page.entries)


@pytest.mark.parametrize(
    "name",
    ["page-sitemap.xml", "category-sitemap.xml", "post_tag-sitemap.xml", "author-sitemap.xml"],
)
def test_non_post_sitemaps_list_no_articles(name: str) -> None:
    assert len(re.findall(rb"<url>", body(name))) >= 1
    assert expected_sitemap_entries(name) == []
    assert parse_sitemap(body(name), f"{BASE}/{name}", BASE).entries == []


def test_gzip_sitemap_reads_like_the_plain_one() -> None:
    plain = parse_sitemap(body("post-sitemap.xml"), f"{BASE}/post-sitemap.xml", BASE)
    packed = gzip.compress(body("post-sitemap.xml"))
    url = f"{BASE}/post-sitemap.xml.gz"
    check_response("sitemaps", url, 200, "application/x-gzip", packed)
    assert parse_sitemap(packed, url, BASE) == plain


def test_gzip_sitemap_over_the_cap_or_broken_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    packed = gzip.compress(body("post-sitemap.xml"))
    monkeypatch.setattr(base, "MAX_BODY_BYTES", len(packed) + 100)
    with pytest.raises(ChannelUnavailable, match="inflates beyond"):
        parse_sitemap(packed, f"{BASE}/post-sitemap.xml.gz", BASE)
    monkeypatch.undo()
    with pytest.raises(ChannelUnavailable, match=r"^sitemaps: broken gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage", f"{BASE}/post-sitemap.xml.gz", BASE)


def test_bodies_over_the_cap_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "MAX_BODY_BYTES", 1000)
    with pytest.raises(ChannelUnavailable, match="over the 1000-byte cap"):
        parse_sitemap(body("post-sitemap.xml"), f"{BASE}/post-sitemap.xml", BASE)
    with pytest.raises(ChannelUnavailable, match="over the 1000-byte cap"):
        parse_feed(body("feed.xml"), f"{BASE}/feed/", BASE)
    with pytest.raises(ChannelUnavailable, match="over the 1000-byte cap"):
        parse_rest_posts(
            body("rest_route_posts.json"), {}, f"{BASE}/?rest_route=/wp/v2/posts", BASE
        )
    with pytest.raises(ChannelUnavailable, match="over the 1000-byte cap"):
        check_response("feed", f"{BASE}/feed/", 200, "application/rss+xml", body("feed.xml"))


def urlset(*urls: str) -> bytes:
    inner = "".join(urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{inner}</urlset>'
    ).encode()


def test_bad_sitemap_entries_are_skipped_not_fatal() -> None:
    good = "<url><loc>https://kalbaronline.com/2024/05/06/baik/</loc><lastmod>2024-05-06T09:51:08+07:00</lastmod></url>"
    bad = [
        "<url><lastmod>2024-05-06T09:51:08+00:00</lastmod></url>",  # no loc
        "<url><loc></loc></url>",
        *(f"<url><loc>{u}</loc></url>" for u in UNSPLITTABLE_URLS),
        "<url><loc>https://elsewhere.example/2024/05/06/lain/</loc></url>",  # off the site
        "<url><loc>https://kalbaronline.com/category/pontianak/</loc></url>",  # no article
        "<url><loc>https://kalbaronline.com/2024/05/07/tanggal/</loc><lastmod>kemarin</lastmod></url>",
        "<url><loc>https://www.kalbaronline.com/2024/05/06/baik/amp/</loc></url>",  # same article
    ]
    date_only = "<url><loc>http://kalbaronline.com/2024/05/08/tanpa-jam</loc><lastmod>2024-05-08</lastmod></url>"
    no_lastmod = "<url><loc>https://kalbaronline.com/2024/05/09/tanpa-tanggal/</loc></url>"
    page = parse_sitemap(
        urlset(bad[0], good, *bad[1:], date_only, no_lastmod), BASE + "/s.xml", BASE
    )
    assert page.entries == [
        Listed(
            f"{BASE}/2024/05/06/baik/",
            "sitemaps",
            modified=datetime(2024, 5, 6, 2, 51, 8, tzinfo=UTC),
        ),
        # A date without a time or offset is midnight in the site's time (WIB, UTC+7).
        Listed(
            f"{BASE}/2024/05/08/tanpa-jam/",
            "sitemaps",
            modified=datetime(2024, 5, 7, 17, tzinfo=UTC),
        ),
        Listed(f"{BASE}/2024/05/09/tanpa-tanggal/", "sitemaps"),
    ]


def test_sitemap_tolerates_whitespace_before_the_declaration() -> None:
    # A theme or plugin echoing a newline before <?xml is the classic broken WordPress sitemap.
    page = parse_sitemap(b"\n\n\xef\xbb\xbf " + body("post-sitemap.xml").lstrip(), BASE, BASE)
    assert len(page.entries) == 60


def test_html_instead_of_a_sitemap() -> None:
    name = "post-sitemap2.404.html"
    saved = meta(name)
    assert saved["status"] == 404 and content_type(name).startswith("text/html")
    with pytest.raises(ChannelUnavailable) as caught:
        check_response("sitemaps", saved["url"], saved["status"], content_type(name), body(name))
    assert caught.value.reason == f"sitemaps: HTTP 404 at {saved['url']}"
    assert caught.value.status == 404 and caught.value.channel == "sitemaps"
    # The same page served as 200 (a theme catching every URL), whatever its Content-Type says.
    for declared in ["text/html; charset=UTF-8", "text/xml", None]:
        with pytest.raises(ChannelUnavailable, match=r"^sitemaps: HTML instead of XML at "):
            check_response("sitemaps", saved["url"], 200, declared, body(name))
    with pytest.raises(ChannelUnavailable, match=r"^sitemaps: "):
        parse_sitemap(body(name), saved["url"], BASE)


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"   \n",
        b"<",
        b"<urlset><url><loc>https://kalbaronline.com/2024/05/06/a/</loc></url>",  # truncated
        b"\x00\xff\xfe garbage",
        b'{"not": "xml"}',
        b"<html><body>Not a sitemap</body></html>",
        b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
    ],
)
def test_sitemap_garbage_raises_channel_unavailable(garbage: bytes) -> None:
    with pytest.raises(ChannelUnavailable, match=r"^sitemaps: "):
        parse_sitemap(garbage, f"{BASE}/sitemap_index.xml", BASE)


def test_entities_are_never_expanded_or_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://kalbaronline.com/2024/01/01/rahasia/")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<rss version='2.0'><channel><item><link>&xxe;</link></item></channel></rss>"
    ).encode()
    assert parse_feed(doc, f"{BASE}/feed/", BASE) == []
    sitemap = doc.replace(b"<rss version='2.0'><channel><item><link>", b"<urlset><url><loc>")
    sitemap = sitemap.replace(b"</link></item></channel></rss>", b"</loc></url></urlset>")
    sitemap = sitemap.replace(b"DOCTYPE rss", b"DOCTYPE urlset")
    assert parse_sitemap(sitemap, f"{BASE}/post-sitemap.xml", BASE).entries == []


# --- check_response --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403, 404, 410, 500, 502, 503, 400, 301])
@pytest.mark.parametrize("channel", CHANNELS)
def test_unavailable_statuses(channel: str, status: int) -> None:
    url = f"{BASE}/somewhere"
    with pytest.raises(ChannelUnavailable) as caught:
        check_response(channel, url, status, "application/json", b'{"code": "x"}')
    assert caught.value.reason == f"{channel}: HTTP {status} at {url}"
    assert str(caught.value) == caught.value.reason
    assert caught.value.status == status


def test_check_response_refusals() -> None:
    url = f"{BASE}/wp-json/wp/v2/posts"
    with pytest.raises(ChannelUnavailable, match=r"^rest: empty body at "):
        check_response("rest", url, 200, "application/json", b"  \n")
    with pytest.raises(ChannelUnavailable, match=r"^rest: HTML instead of JSON at "):
        check_response("rest", url, 200, "text/html", b"<p>Login</p>")
    with pytest.raises(ChannelUnavailable, match=r"^rest: HTML instead of JSON at "):
        check_response("rest", url, 200, "application/json", b"\n<!DOCTYPE html><html>")
    with pytest.raises(ChannelUnavailable, match=r"^rest: invalid JSON at "):
        check_response("rest", url, 200, "application/json", b'[{"id": 1,')
    with pytest.raises(ChannelUnavailable, match=r"^feed: invalid XML at "):
        check_response("feed", url, 200, "application/rss+xml", body("feed.xml")[:5000])
    with pytest.raises(ChannelUnavailable, match=r"^feed: HTML instead of XML at "):
        check_response("feed", url, 200, b"text/html; charset=UTF-8", b"Just a moment...")
    with pytest.raises(ValueError, match="unknown discovery channel"):
        check_response("atom", url, 200, "text/xml", b"<x/>")


def test_past_the_last_rest_page_is_told_apart() -> None:
    name = "rest_posts_page99.400.json"
    saved = meta(name)
    assert saved["status"] == 400
    assert json.loads(body(name))["code"] == "rest_post_invalid_page_number"
    assert rest_past_last_page(saved["status"], body(name))
    assert not rest_past_last_page(400, body("rest_posts_bad_modified.400.json"))
    assert not rest_past_last_page(200, body(name))
    assert not rest_past_last_page(400, b"<html>")
    with pytest.raises(ChannelUnavailable, match=r"^rest: HTTP 400 at "):
        check_response("rest", saved["url"], saved["status"], content_type(name), body(name))
    with pytest.raises(ChannelUnavailable, match="rest_post_invalid_page_number"):
        parse_rest_posts(body(name), headers(name), saved["url"], BASE)


def test_feed_past_the_last_page_is_a_404_with_an_empty_feed() -> None:
    name = "feed_paged99.404.xml"
    saved = meta(name)
    assert saved["status"] == 404 and body(name).count(b"<item>") == 0
    with pytest.raises(ChannelUnavailable) as caught:
        check_response("feed", saved["url"], saved["status"], content_type(name), body(name))
    assert caught.value.status == 404
    assert parse_feed(body(name), saved["url"], BASE) == []


# --- feed ------------------------------------------------------------------------------------


def test_feed_urls() -> None:
    assert feed_url(BASE) == f"{BASE}/feed/"
    assert feed_url(BASE + "/") == f"{BASE}/feed/"
    assert feed_url(BASE, page=2) == f"{BASE}/feed/?paged=2"
    section = f"{BASE}/category/pontianak/"
    assert feed_url(BASE, section) == f"{BASE}/category/pontianak/feed/"
    assert feed_url(BASE, section.rstrip("/"), page=3) == f"{section}feed/?paged=3"
    with pytest.raises(ValueError):
        feed_url(BASE, page=0)
    # The saved responses were fetched from exactly these URLs.
    assert feed_url(BASE) == meta("feed.xml")["url"]
    assert feed_url(BASE, page=2) == meta("feed_paged2.xml")["url"]
    assert feed_url(BASE, section) == meta("category_pontianak_feed.xml")["url"]


def expected_feed(name: str) -> list[tuple[str, datetime, tuple[str, ...]]]:
    items = xml(name).iter("item")
    return [
        (
            item.findtext("link") or "",
            parsedate_to_datetime(item.findtext("pubDate") or "").astimezone(UTC),
            tuple(dict.fromkeys(c.text or "" for c in item.iter("category"))),
        )
        for item in items
    ]


@pytest.mark.parametrize("name", ["feed.xml", "feed_paged2.xml", "category_pontianak_feed.xml"])
def test_feed_items(name: str) -> None:
    expected = expected_feed(name)
    assert len(expected) == len(re.findall(rb"<item>", body(name))) == 10
    assert all(is_article(link) for link, _, _ in expected)
    entries = parse_feed(body(name), meta(name)["url"], BASE)
    assert [(e.url, e.published, e.sections) for e in entries] == expected
    assert all(e.channel == "feed" and e.modified is None for e in entries)
    # WordPress's guid here is the permalink (the seeded posts were imported), not `?p=N`.
    assert all(e.post_id is None for e in entries)


def test_feed_sections_can_be_limited_to_real_categories() -> None:
    names = parse_rest_categories(body("rest_categories.json")).values()
    entries = parse_feed(body("feed.xml"), f"{BASE}/feed/", BASE, section_names=names)
    # The first item: category Pontianak, then its tags (Bambang Wijaya, Pelayanan Publik, …).
    assert expected_feed("feed.xml")[0][2][0] == "Pontianak"
    assert len(expected_feed("feed.xml")[0][2]) > 1
    assert entries[0].sections == ("Pontianak",)
    assert all(len(e.sections) >= 1 and set(e.sections) <= set(names) for e in entries)
    pontianak = parse_feed(body("category_pontianak_feed.xml"), BASE, BASE, section_names=names)
    assert all("Pontianak" in e.sections for e in pontianak)


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>K</title>'
        + "".join(f"<item>{i}</item>" for i in items)
        + "</channel></rss>"
    ).encode()


def test_feed_guid_post_id_entities_and_bad_items() -> None:
    good = (
        "<link>https://www.kalbaronline.com/2024/05/06/baik/amp/</link>"
        '<guid isPermaLink="false">https://kalbaronline.com/?p=4321</guid>'
        "<pubDate>Mon, 06 May 2024 09:51:08 +0700</pubDate>"
        "<category><![CDATA[Ekonomi &amp; Bisnis]]></category>"
        "<category><![CDATA[Ekonomi &amp; Bisnis]]></category>"
        "<category>Kubu&#160;Raya</category>"
    )
    guid_only = "<guid>https://kalbaronline.com/2024/05/07/guid-saja/</guid>"
    bad = [
        "<title>no link</title>",
        '<guid isPermaLink="false">https://kalbaronline.com/2024/05/07/bukan-permalink/</guid>',
        *(f"<link>{u}</link>" for u in UNSPLITTABLE_URLS),
        "<link>https://elsewhere.example/2024/05/06/lain/</link>",
        "<link>https://kalbaronline.com/tentang-kami/</link>",
        "<link>https://kalbaronline.com/2024/05/08/tanggal/</link><pubDate>kemarin sore</pubDate>",
    ]
    entries = parse_feed(rss(bad[0], good, *bad[1:], guid_only), f"{BASE}/feed/", BASE)
    assert entries == [
        Listed(
            f"{BASE}/2024/05/06/baik/",
            "feed",
            post_id=4321,
            published=datetime(2024, 5, 6, 2, 51, 8, tzinfo=UTC),
            sections=("Ekonomi & Bisnis", "Kubu Raya"),
        ),
        Listed(f"{BASE}/2024/05/07/guid-saja/", "feed"),
    ]


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"<rss",
        b"[1, 2]",
        b"<html><head><title>404</title></head></html>",
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
        b'<?xml version="1.0"?><rss version="2.0"/>',
    ],
)
def test_feed_garbage_raises_channel_unavailable(garbage: bytes) -> None:
    with pytest.raises(ChannelUnavailable, match=r"^feed: "):
        parse_feed(garbage, f"{BASE}/feed/", BASE)


# --- REST ------------------------------------------------------------------------------------


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_rest_posts_urls() -> None:
    assert rest_posts_url(BASE) == (
        f"{BASE}/wp-json/wp/v2/posts?per_page=100&page=1&_fields={REST_POSTS_FIELDS}"
    )
    assert rest_posts_url(BASE + "/", page=3, per_page=3, route_param=True) == (
        f"{BASE}/?rest_route=/wp/v2/posts&per_page=3&page=3&_fields={REST_POSTS_FIELDS}"
    )
    url = rest_posts_url(BASE, categories=[2, 5])
    assert query(url)["categories"] == ["2,5"]
    with pytest.raises(ValueError):
        rest_posts_url(BASE, page=0)
    with pytest.raises(ValueError):
        rest_posts_url(BASE, per_page=101)


def test_rest_modified_after_is_iso_8601_with_its_offset() -> None:
    wib = datetime(2025, 11, 24, 17, 0, 0, 123456, tzinfo=SITE_TZ)
    for moment in [wib, wib.astimezone(UTC), datetime(2025, 11, 24, 10, 0, 0)]:
        url = rest_posts_url(BASE, modified_after=moment)
        assert query(url)["modified_after"] == ["2025-11-24T10:00:00+00:00"]
        assert "modified_after=2025-11-24T10%3A00%3A00%2B00%3A00" in url
    # The saved evidence: WordPress reads a value without an offset in the site's time (WIB),
    # so the naive cut-off let a post modified at 08:12 UTC through; the offset form did not.
    with_offset, naive = (
        "rest_posts_modified_after_utc.json",
        "rest_posts_modified_after_naive.json",
    )
    assert query(meta(with_offset)["url"])["modified_after"] == ["2025-11-24T10:00:00+00:00"]
    cut_off = datetime(2025, 11, 24, 10, tzinfo=UTC)
    assert all(utc(p["modified_gmt"]) > cut_off for p in json.loads(body(with_offset)))
    assert any(utc(p["modified_gmt"]) < cut_off for p in json.loads(body(naive)))


def test_rest_categories_urls() -> None:
    assert rest_categories_url(BASE) == (
        f"{BASE}/wp-json/wp/v2/categories?per_page=100&_fields=id,name,slug,link"
    )
    assert rest_categories_url(BASE, route_param=True) == (
        f"{BASE}/?rest_route=/wp/v2/categories&per_page=100&_fields=id,name,slug,link"
    )
    assert query(rest_categories_url(BASE, page=2))["page"] == ["2"]
    # The saved responses were fetched from these URLs.
    assert rest_categories_url(BASE) == meta("rest_categories_fields.json")["url"]
    assert rest_categories_url(BASE, route_param=True) == meta("rest_route_categories.json")["url"]


@pytest.mark.parametrize(
    "name", ["rest_categories.json", "rest_categories_fields.json", "rest_route_categories.json"]
)
def test_rest_categories(name: str) -> None:
    expected = {c["id"]: c["name"] for c in json.loads(body(name))}
    assert len(expected) == int(headers(name)["X-WP-Total"]) == 5
    assert parse_rest_categories(body(name)) == expected


def test_rest_category_names_are_decoded_and_bad_ones_skipped() -> None:
    raw = json.dumps(
        [
            {"id": 7, "name": "Ekonomi &amp; Bisnis"},
            {"id": True, "name": "bool id"},
            {"id": 0, "name": "zero"},
            {"id": "8", "name": "Opini"},
            {"id": 9},
            {"id": 10, "name": "   "},
            "not a category",
        ]
    ).encode()
    assert parse_rest_categories(raw) == {7: "Ekonomi & Bisnis", 8: "Opini"}


def expected_rest(name: str, categories: dict[int, str]) -> list[Listed]:
    return [
        Listed(
            url=p["link"],
            channel="rest",
            post_id=p["id"],
            modified=utc(p["modified_gmt"]),
            published=utc(p["date_gmt"]),
            sections=tuple(categories[c] for c in p["categories"]),
        )
        for p in json.loads(body(name))
    ]


@pytest.mark.parametrize(
    ("name", "total_pages", "next_page"),
    [
        ("rest_posts.json", 20, 2),
        ("rest_posts_page2.json", 20, 3),  # one Link header with rel="prev" and rel="next"
        ("rest_posts_all.json", 1, None),  # only Link rel="https://api.w.org/"
        ("rest_posts_cat2.json", 1, None),
        ("rest_route_posts.json", 20, 2),
        ("rest_route_posts_fields.json", 20, 2),
    ],
)
def test_rest_posts_pages(name: str, total_pages: int, next_page: int | None) -> None:
    categories = parse_rest_categories(body("rest_categories.json"))
    saved = meta(name)
    page = parse_rest_posts(body(name), headers(name), saved["url"], BASE, categories)
    assert isinstance(page, RestPage)
    assert page.entries == expected_rest(name, categories)
    assert len(page.entries) == len(json.loads(body(name))) > 0
    assert page.total == int(headers(name)["X-WP-Total"])
    assert page.total_pages == total_pages == int(headers(name)["X-WP-TotalPages"])
    if next_page is None:
        assert page.next_url is None
    else:
        assert page.next_url is not None
        assert query(page.next_url)["page"] == [str(next_page)]
        # The next page keeps the request's own form: WordPress's Link says /wp-json/ even
        # when the request came in as ?rest_route=.
        assert query(page.next_url).get("rest_route") == query(saved["url"]).get("rest_route")
        assert urlsplit(page.next_url).path == urlsplit(saved["url"]).path
        link_next = re.search(r"<([^>]+)>; rel=\"next\"", headers(name)["Link"])
        assert link_next is not None and query(link_next[1])["page"] == [str(next_page)]


def test_rest_posts_all_match_the_post_sitemap() -> None:
    page = parse_rest_posts(body("rest_posts_all.json"), headers("rest_posts_all.json"), BASE, BASE)
    sitemap = parse_sitemap(body("post-sitemap.xml"), f"{BASE}/post-sitemap.xml", BASE)
    assert page.total == len(page.entries) == len(sitemap.entries) == 60
    assert {e.url: e.modified for e in page.entries} == {e.url: e.modified for e in sitemap.entries}
    assert all(e.sections == () for e in page.entries)  # no categories map given


def test_rest_headers_from_scrapy_and_without_link() -> None:
    name = "rest_posts.json"
    scrapy_headers = Headers()
    for key, value in meta(name)["headers"]:
        scrapy_headers.appendlist(key, value)
    url = meta(name)["url"]
    page = parse_rest_posts(body(name), scrapy_headers, url, BASE)
    assert page.total == 60 and page.total_pages == 20
    assert page.next_url is not None and query(page.next_url)["page"] == ["2"]
    lower = {"x-wp-total": "60", "x-wp-totalpages": "20"}
    no_link = parse_rest_posts(body(name), lower, rest_posts_url(BASE, page=20, per_page=3), BASE)
    assert no_link.next_url is None
    page_19 = parse_rest_posts(body(name), lower, rest_posts_url(BASE, page=19, per_page=3), BASE)
    assert page_19.next_url is not None and query(page_19.next_url)["page"] == ["20"]
    assert parse_rest_posts(body(name), {}, url, BASE).total is None


def test_bad_rest_posts_are_skipped_not_fatal() -> None:
    good = {
        "id": 5,
        "link": "https://www.kalbaronline.com/2024/05/06/baik",
        "date_gmt": "2024-05-06T02:51:08",
        "modified_gmt": "2024-05-07T00:00:00",
        "categories": [2, 99, 2, "x", True],
    }
    null_dates = {"id": 6, "link": f"{BASE}/2024/05/07/draf/", "date_gmt": None}
    bad = [
        {"id": 1},
        {"id": 2, "link": ""},
        {"id": 3, "link": 17},
        *({"id": 4, "link": u} for u in UNSPLITTABLE_URLS),
        {"id": 7, "link": "https://elsewhere.example/2024/05/06/lain/"},
        {"id": 8, "link": f"{BASE}/tentang-kami/"},
        {"id": 9, "link": f"{BASE}/2024/05/06/nol/", "date_gmt": "0000-00-00T00:00:00"},
        {"id": 10, "link": f"{BASE}/2024/05/06/angka/", "modified_gmt": 1714963868},
        {"id": True, "link": f"{BASE}/2024/05/06/bool/"},
        {"id": 0, "link": f"{BASE}/2024/05/06/nol-id/"},
        {"link": f"{BASE}/2024/05/06/tanpa-id/"},
        "not a post",
        None,
    ]
    raw = json.dumps([bad[0], good, *bad[1:], null_dates]).encode()
    page = parse_rest_posts(raw, {}, rest_posts_url(BASE), BASE, {2: "Pontianak", 5: "Tips"})
    assert page.entries == [
        Listed(
            f"{BASE}/2024/05/06/baik/",
            "rest",
            post_id=5,
            modified=datetime(2024, 5, 7, tzinfo=UTC),
            published=datetime(2024, 5, 6, 2, 51, 8, tzinfo=UTC),
            sections=("Pontianak",),
        ),
        Listed(f"{BASE}/2024/05/07/draf/", "rest", post_id=6),
    ]


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"[",
        b"\xff\xfe\x00garbage",
        b"<!DOCTYPE html><html></html>",
        b'{"posts": []}',
        b"null",
        b"42",
        b'{"code": "rest_forbidden", "message": "Sorry", "data": {"status": 401}}',
        b"[" * 100_000,
    ],
)
def test_rest_garbage_raises_channel_unavailable(garbage: bytes) -> None:
    with pytest.raises(ChannelUnavailable, match=r"^rest: "):
        parse_rest_posts(garbage, {}, rest_posts_url(BASE), BASE)
    with pytest.raises(ChannelUnavailable, match=r"^rest: "):
        parse_rest_categories(garbage, rest_categories_url(BASE))


def test_replica_base_url_rebases_every_channel() -> None:
    """A crawl of a replica: the saved files name kalbaronline.com, entries name the replica."""
    sitemap = parse_sitemap(body("post-sitemap.xml"), f"{REPLICA}/post-sitemap.xml", REPLICA)
    items = parse_feed(body("feed.xml"), f"{REPLICA}/feed/", REPLICA)
    posts = parse_rest_posts(body("rest_posts.json"), {}, f"{REPLICA}/wp-json/wp/v2/posts", REPLICA)
    for entry in [*sitemap.entries, *items, *posts.entries]:
        assert entry.url.startswith(f"{REPLICA}/"), entry
    assert len(sitemap.entries) == 60 and len(items) == 10 and len(posts.entries) == 3


def test_listed_is_frozen_and_channels_are_named() -> None:
    entry = Listed(f"{BASE}/2024/05/06/a/", "feed")
    with pytest.raises(AttributeError):
        entry.url = "x"  # type: ignore[misc]
    assert CHANNELS == ("sitemaps", "feed", "rest")
    assert sitemaps.CHANNEL in CHANNELS and feed.CHANNEL in CHANNELS and rest.CHANNEL in CHANNELS
    assert ChannelUnavailable("rest", "HTTP 401 at x").reason == "rest: HTTP 401 at x"
    assert timezone(timedelta(hours=7)).utcoffset(None) == SITE_TZ.utcoffset(None)


def test_entries_keep_the_link_as_the_channel_wrote_it() -> None:
    """What the spider fetches: the channel's own link (a permalink without the trailing slash
    is not asked through a redirect), beside the canonical URL that identifies the post."""
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://www.kalbaronline.com/2026/01/05/tanpa-garis</loc></url></urlset>"
    )
    [entry] = parse_sitemap(sitemap, f"{BASE}/post-sitemap.xml", BASE).entries
    assert entry.url == f"{BASE}/2026/01/05/tanpa-garis/"
    assert entry.link == "https://www.kalbaronline.com/2026/01/05/tanpa-garis"
