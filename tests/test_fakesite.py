"""Self-test of the local KalbarOnline replica (tests/fakesite), over HTTP with urllib only."""

from __future__ import annotations

import html
import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from urllib.parse import urlsplit

import pytest

from tests.fakesite import FakeSite
from tests.fakesite.dataset import Dataset

CONTRACT_FIELDS = {
    "url", "post_id", "title", "subtitle", "byline", "reporter", "dateline", "published_at",
    "modified_at", "date_source", "categories", "tags", "body", "image_url", "image_caption",
    "word_count", "layout",
}  # fmt: skip


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str) -> tuple[int, Message, str]:
    """(status, headers, text) without following redirects."""
    try:
        with _OPENER.open(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    with FakeSite(articles=150, seed=5, page_size=10) as replica:
        yield replica
    assert not replica.errors, replica.errors[0]


@pytest.fixture
def fresh() -> Iterator[FakeSite]:
    """A replica of its own, for tests that turn knobs or change content."""
    with FakeSite(articles=60, seed=11, page_size=5) as replica:
        yield replica
    assert not replica.errors, replica.errors[0]


def test_home_navigation_lists_every_section(site: FakeSite) -> None:
    status, headers, page = fetch(site.base_url + "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=UTF-8"
    nav = page[page.index('id="site-navigation"') : page.index("</nav>")]
    assert 'class="gmr-mainmenu"' in page
    for section in site.sections:
        assert f'href="{site.base_url}/category/{section.slug}/"' in nav
    assert page.count('class="post-') >= 10  # the newest posts, Newkarma index style


def test_newkarma_listing_pages(site: FakeSite) -> None:
    status, _, page = fetch(site.section_url("pontianak"))
    assert status == 200
    assert page.count("item-infinite") == 10
    assert 'class="view-more-button heading-text">View More</button>' in page
    pages = site.pages("pontianak")
    assert f'<a class="next page-numbers" href="{site.section_url("pontianak", 2)}">' in page
    assert f'<link rel="next" href="{site.section_url("pontianak", 2)}" />' in page
    status, _, last = fetch(site.section_url("pontianak", pages))
    assert status == 200 and "next page-numbers" not in last
    assert fetch(f"{site.base_url}/category/pontianak/page/{pages + 1}/")[0] == 404
    # /page/1/ goes to the bare listing, as in WordPress
    status, headers, _ = fetch(site.base_url + "/category/pontianak/page/1/")
    assert status == 301 and headers["Location"] == site.section_url("pontianak")


def test_news5_listing_pages(site: FakeSite) -> None:
    status, _, page = fetch(site.section_url("kubu-raya", 2))
    assert status == 200
    assert '<span aria-current="page" class="page-numbers current">2</span>' in page
    assert '<ul class="nav-x uc-pagination' in page and 'rel="next"' not in page
    assert re.search(
        r'class="next page-numbers" href="[^"]+/page/3"><span class="icon icon-1 unicon-chevron-right">',
        page,
    )
    wrapper = page[page.index('<div id="wrapper"') :]
    header = page[page.index('<header class="uc-header') : page.index('<div id="wrapper"')]
    listed = set(site.expected_listing("kubu-raya", 2)["article_urls"])
    in_wrapper = {
        f"{site.base_url}/{'/'.join(urlsplit(h).path.strip('/').split('/')[:4])}/"
        for h in hrefs(wrapper[: wrapper.index("</div><!-- #wrapper -->")])
        if re.search(r"/\d{4}/\d{2}/\d{2}/", h)
    }
    assert in_wrapper == listed
    decoys = {h for h in hrefs(header) if re.search(r"/\d{4}/\d{2}/\d{2}/", h)}
    assert decoys and not {f"{d.rstrip('/')}/" for d in decoys} & listed


def test_listing_links_come_in_every_variant(site: FakeSite) -> None:
    links: list[str] = []
    for section in site.sections:
        for n in range(1, site.pages(section.slug) + 1):
            page = fetch(site.section_url(section.slug, n))[2]
            start = page.index(
                'id="gmr-main-load"' if section.style == "newkarma" else 'id="wrapper"'
            )
            main = page[start : page.index("pagination", start)]
            links += [h for h in hrefs(main) if re.search(r"/\d{4}/\d{2}/\d{2}/", h)]
    assert any(link.startswith("/20") for link in links)
    assert any(link.endswith("/amp/") for link in links)
    assert any("?pgrelated=" in link for link in links)
    assert any(link.startswith("https://www.kalbaronline.com/20") for link in links)
    assert any(link.startswith("https://kalbaronline.com/20") for link in links)
    assert any(link.startswith(site.base_url + "/20") for link in links)


@pytest.mark.parametrize("layout", ["newkarma", "amp", "news5"])
def test_article_pages_carry_their_ground_truth(site: FakeSite, layout: str) -> None:
    checked = 0
    for article in site.articles:
        if (article.layout != layout and layout != "amp") or (
            layout == "amp" and not article.has_amp
        ):
            continue
        variant = "amp" if layout == "amp" else None
        expected = site.expected(article, variant)
        assert set(expected) == CONTRACT_FIELDS and expected["layout"] == layout
        status, _, page = fetch(site.url(article, amp=variant == "amp"))
        assert status == 200
        text = visible_text(page)
        for paragraph in expected["body"].split("\n\n"):
            assert paragraph in text
        assert expected["word_count"] == len(expected["body"].split())
        assert expected["url"] == f"{site.base_url}/{article.key}/"
        assert expected["title"] in text
        if not article.fallback:
            graph = re.search(
                r'<script type="application/ld\+json" class="yoast-schema-graph">(.*?)</script>',
                page,
            )
            assert graph is not None
            node = json.loads(graph[1])["@graph"][0]
            assert node["@type"] == "Article" and node["headline"] == expected["title"][:110]
            assert node["articleSection"] == expected["categories"]
            assert f"?p={article.post_id}'" in page
        else:
            assert "ld+json" not in page and "article:published_time" not in page
        checked += 1
    assert checked >= 5


def test_layout_markers(site: FakeSite) -> None:
    old = next(a for a in site.articles if a.layout == "newkarma" and not a.fallback)
    page = fetch(site.url(old))[2]
    assert '<h1 class="entry-title" itemprop="headline">' in page
    assert re.search(
        r'<time class="entry-date published[^"]*" itemprop="date\w+" datetime="[^"]+\+07:00">', page
    )
    assert re.search(r'<meta property="article:published_time" content="[^"]+\+00:00" />', page)
    amp = fetch(site.url(old, amp=True))[2]
    assert amp.startswith("<!doctype html>\n<html amp") and '<h1 class="amp-post-title">' in amp
    assert "Categories: " in amp and "Published by" in amp and "Recent Posts" in amp
    new = next(a for a in site.articles if a.layout == "news5")
    page = fetch(site.url(new))[2]
    assert 'class="uni-body' in page and "Oleh : " in page and "WhatsApp Icon" in page
    assert "Ukuran Font" in page and "Your cart empty!" in page and "Terms of use" in page
    assert 'article id="post-' in page and "single-post" in page


def test_site_forms_and_redirects(site: FakeSite) -> None:
    old = next(a for a in site.articles if a.layout == "newkarma")
    new = next(a for a in site.articles if a.layout == "news5")
    assert old.path.endswith("/") and not new.path.endswith("/")
    status, headers, _ = fetch(site.base_url + old.path.rstrip("/"))
    assert status == 301 and headers["Location"] == site.url(old)
    status, headers, _ = fetch(site.base_url + new.path + "/")
    assert status == 301 and headers["Location"] == site.url(new)
    status, headers, _ = fetch(site.base_url + new.path + "/amp/")
    assert status == 301 and headers["Location"] == site.url(new)
    assert fetch(site.url(old) + "?pgrelated=3")[0] == 200


def test_robots_and_not_found(site: FakeSite) -> None:
    status, headers, robots = fetch(site.base_url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in robots and "Disallow: /wp-admin/" in robots
    status, _, page = fetch(site.base_url + "/no/such/page/")
    assert status == 404 and 'class="error404' in page
    missing = site.dataset.missing
    assert missing is not None
    assert fetch(site.url(missing))[0] == 404
    listed = site.expected_listing(missing.section.slug)["article_urls"]
    assert f"{site.base_url}/{missing.key}/" in listed
    assert all(row["url"] != f"{site.base_url}/{missing.key}/" for row in site.expected_articles())
    assert fetch(site.base_url + "/category/no-such-section/")[0] == 404


def test_cross_listed_article_and_fallback_pages(site: FakeSite) -> None:
    crossed = [a for a in site.articles if len(a.sections) == 2]
    assert len(crossed) == 1
    for section in crossed[0].sections:
        assert crossed[0] in site.dataset.listing(section.slug)
    assert any(a.fallback for a in site.articles)
    fallback = next(a for a in site.articles if a.fallback)
    assert site.expected(fallback)["date_source"] == "time"
    assert site.expected(fallback, "amp")["date_source"] == "url"
    assert len(site.expected_articles()) == len(site.articles)


def test_knobs_fail_and_rate_limit(fresh: FakeSite) -> None:
    article = fresh.articles[-1]
    url = fresh.url(article)
    fresh.fail(article.path, status=503, times=2)
    assert [fetch(url)[0] for _ in range(3)] == [503, 503, 200]
    fresh.rate_limit(article.path, retry_after=2)
    status, headers, _ = fetch(url)
    assert status == 429 and headers["Retry-After"] == "2"
    assert fetch(url)[0] == 200
    statuses = [r.status for r in fresh.requests if r.path == article.path]
    assert statuses == [503, 503, 200, 429, 200]
    assert all(
        r.method == "GET" and r.user_agent.startswith("Python-urllib") for r in fresh.requests
    )
    fresh.clear_log()
    assert fresh.requests == []


def test_knobs_redirect_remove_delay_charset(fresh: FakeSite) -> None:
    one, two = fresh.articles[-1], fresh.articles[-2]
    fresh.redirect(one.path, two.path)
    status, headers, _ = fetch(fresh.url(one))
    assert status == 301 and headers["Location"] == fresh.url(two)
    fresh.clear_knobs()
    fresh.remove(one)
    assert fetch(fresh.url(one))[0] == 404
    assert len(fresh.expected_articles()) == len(fresh.articles) - 1
    fresh.delay(two.path, 0.3)
    started = time.monotonic()
    assert fetch(fresh.url(two))[0] == 200
    assert time.monotonic() - started >= 0.3
    fresh.wrong_charset(two.path)
    with urllib.request.urlopen(fresh.url(two)) as response:
        assert response.headers["Content-Type"] == "text/html; charset=iso-8859-1"
        body = response.read()
    assert body.decode("utf-8")  # still UTF-8 underneath
    assert any(b > 127 for b in body)


def test_knob_truncate(fresh: FakeSite) -> None:
    article = fresh.articles[-1]
    fresh.truncate(article.path, times=1)
    with pytest.raises(http.client.IncompleteRead), urllib.request.urlopen(fresh.url(article)) as r:
        r.read()
    record = fresh.requests[-1]
    assert record.status == 200 and record.bytes > 0
    assert fetch(fresh.url(article))[0] == 200  # only once


def test_edit_and_publish(fresh: FakeSite) -> None:
    article = fresh.articles[0]
    fresh.edit(
        article.post_id,
        title="Judul Baru  Setelah Diperbarui",
        body="Paragraf satu.\n\nParagraf dua. (jim)",
    )
    expected = fresh.expected(article)
    assert expected["title"] == "Judul Baru Setelah Diperbarui"
    assert expected["body"] == "Paragraf satu.\n\nParagraf dua. (jim)"
    assert expected["reporter"] == "jim" and expected["dateline"] is None
    assert (
        expected["modified_at"] is not None and expected["modified_at"] > expected["published_at"]
    )
    text = visible_text(fetch(fresh.url(article))[2])
    assert "Judul Baru Setelah Diperbarui" in text and "Paragraf dua. (jim)" in text

    signed = next(a for a in fresh.articles if fresh.dataset.body_blocks(a)[-1][1].startswith("("))
    fresh.edit(signed, body_extra="Paragraf tambahan.")
    paragraphs = fresh.expected(signed)["body"].split("\n\n")
    assert paragraphs[-2] == "Paragraf tambahan." and fresh.expected(signed)["reporter"]

    before = len(fresh.expected_articles())
    added = fresh.publish(3)
    assert len(fresh.expected_articles()) == before + 3
    assert all(a.layout == "news5" and a.published > fresh.articles[0].published for a in added)
    newest = added[-1]
    top = fresh.expected_listing(newest.section.slug)["article_urls"][0]
    assert top == f"{fresh.base_url}/{newest.key}/"
    assert fetch(fresh.url(newest))[0] == 200


def test_dataset_is_deterministic_and_cheap() -> None:
    started = time.perf_counter()
    big = Dataset(size=20_000, seed=1)
    assert time.perf_counter() - started < 5
    assert len(big.articles) == 20_000
    again = Dataset(size=20_000, seed=1)
    assert [a.key for a in big.articles[-50:]] == [a.key for a in again.articles[-50:]]
    assert big.expected(big.articles[123]) == again.expected(again.articles[123])
    assert {a.layout for a in big.articles} == {"newkarma", "news5"}
    assert len({a.key for a in big.articles}) == 20_000
