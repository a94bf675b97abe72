"""The replica's discovery channels (Yoast sitemaps, RSS feeds, REST API), over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from email.message import Message
from email.utils import parsedate_to_datetime

import pytest
from lxml import etree

from tests.fakesite import FakeSite

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DC = "{http://purl.org/dc/elements/1.1/}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sitemap_locs(body: bytes) -> list[tuple[str, str | None]]:
    root = etree.fromstring(body)
    return [(u.findtext(f"{SM}loc"), u.findtext(f"{SM}lastmod")) for u in root]


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with FakeSite(articles=120, seed=7, sitemap_size=50) as replica:
        yield replica
    assert not replica.errors, replica.errors[0]


def all_post_sitemap_entries(site: FakeSite) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for url in site.sitemap_urls():
        status, _, body = fetch(url)
        assert status == 200
        found += sitemap_locs(body)
    return [e for e in found if e[0] != site.base_url + "/"]


# --- sitemaps ----------------------------------------------------------------------------------


def test_sitemap_index_and_post_sitemaps(site: FakeSite) -> None:
    status, headers, body = fetch(site.base_url + "/sitemap_index.xml")
    assert status == 200 and headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet')
    root = etree.fromstring(body)
    assert root.tag == f"{SM}sitemapindex"
    entries = [(s.findtext(f"{SM}loc"), s.findtext(f"{SM}lastmod")) for s in root]
    locs = [loc for loc, _ in entries]
    base = site.base_url
    total = site.channel_total()
    n_files = -(-total // 50)
    assert n_files >= 3
    assert locs == [
        f"{base}/post-sitemap.xml",
        *(f"{base}/post-sitemap{n}.xml" for n in range(2, n_files + 1)),
        f"{base}/page-sitemap.xml",
        f"{base}/category-sitemap.xml",
    ]
    assert locs[:n_files] == site.sitemap_urls()
    assert all(last and last.endswith("+00:00") for _, last in entries)
    datetime.fromisoformat(entries[0][1] or "")

    # Yoast's order: modification time ascending, 50 per file; the home page on top of the first.
    _, _, first = fetch(locs[0])
    assert sitemap_locs(first)[0][0] == base + "/"
    assert len(sitemap_locs(first)) == 51
    got = all_post_sitemap_entries(site)
    assert got == site.sitemap_entries()
    assert len(got) == total
    stamps = [datetime.fromisoformat(last or "") for _, last in got]
    assert stamps == sorted(stamps)
    # Each file's index lastmod is the lastmod of its last URL.
    for n, url in enumerate(site.sitemap_urls()):
        _, _, body = fetch(url)
        assert sitemap_locs(body)[-1][1] == entries[n][1]
    # Images as Yoast adds them.
    assert b"<image:image>" in first and b"<image:loc>" in first
    assert fetch(f"{base}/post-sitemap{n_files + 1}.xml")[0] == 404


def test_sitemap_redirects_and_other_sitemaps(site: FakeSite) -> None:
    base = site.base_url
    status, headers, _ = fetch(base + "/sitemap.xml")
    assert status == 301 and headers["Location"] == f"{base}/sitemap_index.xml"
    status, headers, _ = fetch(base + "/post-sitemap1.xml")
    assert status == 301 and headers["Location"] == f"{base}/post-sitemap.xml"
    _, _, body = fetch(base + "/category-sitemap.xml")
    cats = [loc for loc, _ in sitemap_locs(body)]
    assert f"{base}/category/pontianak/" in cats and len(cats) == len(site.sections)
    _, _, body = fetch(base + "/page-sitemap.xml")
    assert f"{base}/redaksi/" in [loc for loc, _ in sitemap_locs(body)]


def test_robots_names_the_sitemap_index(site: FakeSite) -> None:
    _, _, body = fetch(site.base_url + "/robots.txt")
    assert f"Sitemap: {site.base_url}/sitemap_index.xml" in body.decode().splitlines()
    assert "Disallow: /wp-admin/" in body.decode()


# --- feeds -------------------------------------------------------------------------------------


def test_site_feed_shape_and_paging(site: FakeSite) -> None:
    status, headers, body = fetch(site.base_url + "/feed/")
    assert status == 200 and headers["Content-Type"] == "application/rss+xml; charset=UTF-8"
    root = etree.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert len(items) == 10
    newest = site.channel_posts()[:10]
    assert [i.findtext("link") for i in items] == [site.url(a) for a in newest]
    assert [i.findtext("link") for i in items] == site.feed_entries()
    first, article = items[0], newest[0]
    assert first.findtext("guid") == f"{site.base_url}/?p={article.post_id}"
    assert first.find("guid").get("isPermaLink") == "false"
    assert first.findtext(f"{DC}creator") == article.author.name
    pub = first.findtext("pubDate") or ""
    assert pub.endswith(" +0000")
    assert parsedate_to_datetime(pub) == article.published
    terms = [c.text for c in first.findall("category")]
    assert terms[: len(article.sections)] == [s.name for s in article.sections]
    assert "appeared first on" in (first.findtext("description") or "")
    assert first.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    # Older pages, then 404 (an empty channel, as WordPress answers).
    pages = -(-site.channel_total() // 10)
    _, _, page2 = fetch(site.base_url + "/feed/?paged=2")
    links2 = [i.findtext("link") for i in etree.fromstring(page2).findall("channel/item")]
    assert links2 == site.feed_entries(page=2) and not set(links2) & set(site.feed_entries())
    status, headers, body = fetch(f"{site.base_url}/feed/?paged={pages + 1}")
    assert status == 404 and "rss" in headers["Content-Type"]
    assert etree.fromstring(body).findall("channel/item") == []
    # /guid/ links redirect to the post.
    status, headers, _ = fetch(f"{site.base_url}/?p={article.post_id}")
    assert status == 301 and headers["Location"] == site.url(article)


def test_category_feed(site: FakeSite) -> None:
    status, _, body = fetch(site.base_url + "/category/ketapang/feed/")
    assert status == 200
    channel = etree.fromstring(body).find("channel")
    assert channel.findtext("title", "").startswith("Ketapang Archives")
    links = [i.findtext("link") for i in channel.findall("item")]
    assert links == site.feed_entries("ketapang")
    assert all(any(s.slug == "ketapang" for s in site.article(u).sections) for u in links)
    assert fetch(site.base_url + "/category/nowhere/feed/")[0] == 404


# --- REST --------------------------------------------------------------------------------------


def rest(site: FakeSite, query: str, pretty: bool = True) -> tuple[int, Message, object]:
    if pretty:
        url = f"{site.base_url}/wp-json/wp/v2/posts" + (f"?{query}" if query else "")
    else:
        url = f"{site.base_url}/?rest_route=/wp/v2/posts" + (f"&{query}" if query else "")
    status, headers, body = fetch(url)
    return status, headers, json.loads(body) if body else None


def test_rest_posts_shape_totals_and_paging(site: FakeSite) -> None:
    status, headers, posts = rest(site, "")
    assert status == 200 and headers["Content-Type"] == "application/json; charset=UTF-8"
    assert isinstance(posts, list) and len(posts) == 10
    total = site.channel_total()
    assert int(headers["X-WP-Total"]) == total
    assert int(headers["X-WP-TotalPages"]) == -(-total // 10)
    post, article = posts[0], site.channel_posts()[0]
    assert post["id"] == article.post_id and post["link"] == site.url(article)
    assert post["date"] == article.published.strftime("%Y-%m-%dT%H:%M:%S")
    assert datetime.fromisoformat(post["date_gmt"] + "+00:00") == article.published
    assert post["title"]["rendered"] and post["slug"] == article.slug
    assert post["categories"] == [site.category_id(s.slug) for s in article.sections]

    # Walk with per_page=100 via the Link headers, pretty and ?rest_route= forms.
    for pretty in (True, False):
        seen: list[int] = []
        status, headers, page = rest(site, "per_page=30&_fields=id,link,modified_gmt", pretty)
        while True:
            assert status == 200
            assert all(set(p) == {"id", "link", "modified_gmt"} for p in page)
            seen += [p["id"] for p in page]
            link = headers.get("Link", "")
            if 'rel="next"' not in link:
                break
            next_url = next(p for p in link.split(", ") if 'rel="next"' in p)
            next_url = next_url.split(">")[0].lstrip("<")
            status, headers, raw = fetch(next_url)
            page = json.loads(raw)
        assert seen == [a.post_id for a in site.channel_posts()]


def test_rest_parameters_and_errors(site: FakeSite) -> None:
    status, _, error = rest(site, "per_page=101")
    assert status == 400 and error["code"] == "rest_invalid_param"
    assert "per_page" in error["data"]["params"]
    status, _, error = rest(site, "page=999")
    assert status == 400 and error["code"] == "rest_post_invalid_page_number"
    status, _, error = rest(site, "orderby=nonsense")
    assert status == 400 and error["code"] == "rest_invalid_param"
    status, _, error = rest(site, "modified_after=junk")
    assert status == 400 and error["data"]["params"] == {"modified_after": "Invalid date."}

    ketapang, tips = site.category_id("ketapang"), site.category_id("tips")
    status, headers, posts = rest(site, f"categories={ketapang},{tips}&per_page=100&_fields=id")
    want = {a.post_id for a in site.channel_posts("ketapang") + site.channel_posts("tips")}
    assert {p["id"] for p in posts} == want and int(headers["X-WP-Total"]) == len(want)

    by_mod = sorted(site.channel_posts(), key=lambda a: a.modified or a.published)
    cut = by_mod[len(by_mod) // 2]
    since = (cut.modified or cut.published).strftime("%Y-%m-%dT%H:%M:%S")  # site time
    status, _, posts = rest(
        site, f"modified_after={since}&orderby=modified&order=asc&per_page=100&_fields=id"
    )
    assert [p["id"] for p in posts] == [a.post_id for a in by_mod[len(by_mod) // 2 + 1 :]]
    status, _, posts = rest(site, "after=2026-01-01T00:00:00&per_page=100&_fields=id,date")
    assert posts and all(p["date"] > "2026-01-01T00:00:00" for p in posts)
    status, _, posts = rest(site, "per_page=3&_fields=title.rendered,id")
    assert list(posts[0]) == ["id", "title"] and list(posts[0]["title"]) == ["rendered"]


def test_rest_categories(site: FakeSite) -> None:
    status, headers, body = fetch(site.base_url + "/wp-json/wp/v2/categories")
    rows = json.loads(body)
    assert status == 200 and int(headers["X-WP-Total"]) == len(site.sections) + 1
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["pontianak"]["count"] == site.channel_total("pontianak")
    assert by_slug["pontianak"]["link"] == f"{site.base_url}/category/pontianak/"
    assert by_slug["pontianak"]["id"] == site.category_id("pontianak")
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)


# --- conditional requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/sitemap_index.xml", "/post-sitemap2.xml", "/feed/", "/wp-json/wp/v2/posts"]
)
def test_conditional_requests_answer_304(site: FakeSite, path: str) -> None:
    url = site.base_url + path
    status, headers, _ = fetch(url)
    etag, last = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag and last
    site.clear_log()
    assert fetch(url, {"If-None-Match": etag})[:1] == (304,)
    status, _, body = fetch(url, {"If-Modified-Since": last})
    assert status == 304 and body == b""
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
    assert (
        fetch(url, {"If-None-Match": etag, "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0]
        == 200
    )
    assert [r.status for r in site.requests] == [304, 304, 200, 200]


# --- knobs -------------------------------------------------------------------------------------


def test_disable_channel_and_channel_html(site: FakeSite) -> None:
    base = site.base_url
    site.disable_channel("sitemaps")
    assert fetch(base + "/sitemap_index.xml")[0] == 404
    assert "Sitemap:" not in fetch(base + "/robots.txt")[2].decode()
    site.disable_channel("rest", 401)
    status, _, body = fetch(base + "/wp-json/wp/v2/posts")
    assert status == 401 and json.loads(body)["data"]["status"] == 401
    assert fetch(base + "/?rest_route=/wp/v2/posts")[0] == 401
    site.disable_channel("feed", 403)
    assert fetch(base + "/category/tips/feed/")[0] == 403
    site.channel_html("feed")
    status, headers, body = fetch(base + "/feed/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"<html" in body and b"<rss" not in body
    with pytest.raises(ValueError):
        site.disable_channel("atom")
    site.clear_knobs()
    assert fetch(base + "/sitemap_index.xml")[0] == 200
    assert fetch(base + "/wp-json/wp/v2/posts")[0] == 200
    assert fetch(base + "/feed/")[0] == 200
    assert "Sitemap:" in fetch(base + "/robots.txt")[2].decode()


def test_edit_bumps_lastmod_and_modified_gmt(site: FakeSite) -> None:
    article = site.channel_posts()[-1]  # the oldest post
    url = site.url(article)
    before = dict(site.sitemap_entries())[url]
    _, headers, _ = fetch(site.base_url + "/feed/")
    etag = headers["ETag"]
    site.edit(article, title="Judul Baru Setelah Diedit")
    after = dict(site.sitemap_entries())[url]
    assert after > before
    assert all_post_sitemap_entries(site)[-1] == (url, after)  # now the newest modification
    _, _, body = fetch(f"{site.base_url}/wp-json/wp/v2/posts/{article.post_id}")
    post = json.loads(body)
    assert post["modified_gmt"] + "+00:00" == after
    assert post["title"]["rendered"] == "Judul Baru Setelah Diedit"
    assert fetch(site.base_url + "/feed/", {"If-None-Match": etag})[0] == 200


def test_remove_drops_from_every_channel(site: FakeSite) -> None:
    article = site.channel_posts()[0]
    url, total = site.url(article), site.channel_total()
    site.remove(article)
    assert fetch(url)[0] == 404
    assert site.channel_total() == total - 1
    assert url not in [u for u, _ in all_post_sitemap_entries(site)]
    _, _, feed = fetch(site.base_url + "/feed/")
    assert url.encode() not in feed
    _, headers, posts = rest(site, "per_page=100&_fields=id")
    assert int(headers["X-WP-Total"]) == total - 1
    assert article.post_id not in [p["id"] for p in posts]
    assert fetch(f"{site.base_url}/wp-json/wp/v2/posts/{article.post_id}")[0] == 404


def test_unlist_keeps_the_post_in_channels_only(site: FakeSite) -> None:
    article = site.channel_posts("landak")[0]
    canonical = site.expected(article)["url"]
    site.unlist(article)
    listed = site.expected_listing("landak", 1)["article_urls"]
    assert canonical not in listed
    _, _, home = fetch(site.base_url + "/")
    assert site.url(article).encode() not in home
    assert fetch(site.url(article))[0] == 200
    assert site.url(article) in [u for u, _ in all_post_sitemap_entries(site)]
    assert site.url(article) in site.feed_entries()
    assert canonical not in [e["url"] for e in site.expected_articles()]
    assert canonical in [e["url"] for e in site.expected_articles(include_unlisted=True)]
    site.clear_knobs()
    assert canonical in site.expected_listing("landak", 1)["article_urls"]


def test_publish_appears_everywhere(site: FakeSite) -> None:
    total = site.channel_total()
    (new,) = site.publish(1)
    assert site.channel_total() == total + 1
    assert site.feed_entries()[0] == site.url(new)
    assert site.url(new) in [u for u, _ in all_post_sitemap_entries(site)]
    _, _, posts = rest(site, "per_page=1&_fields=id")
    assert posts == [{"id": new.post_id}]
