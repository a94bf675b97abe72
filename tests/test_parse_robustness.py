"""Pages that used to crash the parser (issue 10, item 4).

Each bad input either parses sensibly (an impossible date is not the publication date, a post ID
no SQLite integer holds is no post ID, a link urllib cannot split is no link) or fails as one
ExtractionError with a clear reason. Whatever might still crash becomes ParserCrashed, so the
crawl records a `parse` failure with the raw page and goes on, and `extract` prints one line
instead of a traceback; no known input crashes any more, so that safety net is tested with a
parser made to raise.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsarchive.items import FIELD_NAMES, PageFailure
from newsarchive.normalize import SITE_TZ, plausible_date, post_id_value
from newsarchive.pages import (
    ExtractionError,
    MalformedPage,
    NotAnArticle,
    ParserCrashed,
    parse_article,
)
from newsarchive.pages.base import ArticlePage
from newsarchive.spiders.kalbaronline import KalbarOnlineSpider
from newsarchive.storage.warc import read_page
from tests.fakesite import FakeSite
from tests.helpers import crawl, rows, run_cli

URL = "https://kalbaronline.com/2021/11/01/banjir-ketapang/"
FETCHED = datetime(2024, 6, 16, 3, 0, tzinfo=UTC)  # 10:00 WIB
FETCHED_ARG = "2024-06-16T03:00:00Z"
BODY = """<p>KalbarOnline, Ketapang – Banjir merendam tiga kecamatan pada Senin (1/11/2021).</p>
<p>Warga mengungsi ke tempat yang lebih tinggi.</p><p>(Adi LC)</p>"""
THEME_TIME = (
    '<time class="entry-date published" datetime="2021-11-01T10:00:00+07:00">1/11/2021</time>'
)
H1 = '<h1 class="entry-title">Banjir Ketapang</h1>'
DEEP = 100_000
# An href urllib cannot split ("Invalid IPv6 URL"). It used to crash the parser (the related-link
# filter asks whether a paragraph's one link is another article of the site) and so lose the
# whole article; it is no link to anywhere, so its paragraph is ordinary text.
BROKEN_LINK = '<p><a href="http://[kalbaronline.com/2020/01/01/lain/">Tautan rusak</a></p>'
BROKEN_LINK_TEXT = "Tautan rusak"
FIRST, REST = BODY.split("\n", 1)
# The broken link between the dateline and the rest, so the dateline and sign-off stay put.
BODY_WITH_BROKEN_LINK = FIRST + BROKEN_LINK + REST
PARAGRAPHS = [
    "KalbarOnline, Ketapang – Banjir merendam tiga kecamatan pada Senin (1/11/2021).",
    "Warga mengungsi ke tempat yang lebih tinggi.",
    "(Adi LC)",
]


def page(
    *,
    head: str = "",
    meta_block: str = THEME_TIME,
    body: str = BODY,
    h1: str = H1,
    article_id: str = "post-77",
    body_class: str = "post-template-default single single-post",
) -> str:
    """A Newkarma article page; the sidebar's date is another article's and never wins."""
    return f"""<html><head>{head}</head><body class="{body_class}">
    <main id="main" class="site-main-single"><article id="{article_id}"><div class="gmr-box-content-single">
    <header class="entry-header">{h1}<div class="gmr-metacontent-single">{meta_block}</div></header>
    <div class="entry-content entry-content-single">{body}</div></div></article></main>
    <aside><time class="entry-date published" datetime="2024-06-15T08:00:00+07:00">kemarin</time></aside>
    </body></html>"""


def jsonld(**article: object) -> str:
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "Article", **article}]}
    return f'<script type="application/ld+json">{json.dumps(graph)}</script>'


def meta(prop: str, content: str) -> str:
    return f'<meta property="{prop}" content="{content}">'


def nested(inner: str = "", depth: int = DEEP) -> str:
    return "<div>" * depth + inner + "</div>" * depth


# --- the rules, as pure functions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "url", "plausible"),
    [
        (datetime(2021, 11, 1, 9, 15, tzinfo=SITE_TZ), URL, True),
        (datetime(2000, 1, 1, tzinfo=SITE_TZ), None, True),
        (datetime(1999, 12, 31, 23, 59, tzinfo=SITE_TZ), None, False),
        (datetime(1, 1, 1, tzinfo=SITE_TZ), None, False),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), None, False),
        (datetime(2024, 6, 17, 2, 59, tzinfo=UTC), None, True),  # 23h59 after the fetch
        (datetime(2024, 6, 17, 3, 1, tzinfo=UTC), None, False),  # a day and a minute after
        (datetime(2020, 11, 1, tzinfo=SITE_TZ), URL, False),  # the permalink says 2021
        (datetime(2020, 11, 1, tzinfo=SITE_TZ), "https://kalbaronline.com/?p=7", True),
    ],
)
def test_plausible_date(moment: datetime, url: str | None, plausible: bool) -> None:
    assert plausible_date(moment, FETCHED, url) is plausible


@pytest.mark.parametrize(
    ("digits", "value"),
    [
        ("77", 77),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("9" * 25, None),
        ("9" * 5000, None),
        ("0", None),
        ("", None),
        (None, None),
        (
            "\u0663\u0664",
            None,
        ),  # Arabic-Indic digits: int() reads them, WordPress never writes them
    ],
)
def test_post_id_value(digits: str | None, value: int | None) -> None:
    assert post_id_value(digits) == value


# --- dates: the sane window ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59+00:00",  # OverflowError when moved to +07:00
        "9999-12-31T23:59:59",  # naive, so WIB: in range, but far in the future
        "0001-01-01",  # WordPress's empty date, once stored as is
        "0001-01-01T00:00:00+14:00",  # OverflowError when moved to UTC
        "1999-12-31T23:59:59+07:00",  # before 2000
        "2019-11-01T10:00:00+07:00",  # the permalink says 2021
        "2022-11-01T10:00:00+07:00",  # a later year than the permalink's, still in the past
    ],
)
def test_an_impossible_jsonld_date_falls_to_the_next_source(value: str) -> None:
    head = jsonld(datePublished=value) + meta("article:published_time", "2021-11-01T02:15:00+00:00")
    article = parse_article(URL, page(head=head), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T09:15:00+07:00", "meta")


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00"])
def test_an_impossible_meta_date_falls_to_the_theme_time(value: str) -> None:
    article = parse_article(URL, page(head=meta("article:published_time", value)), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T10:00:00+07:00", "time")


def test_when_every_machine_date_is_impossible_the_permalink_decides() -> None:
    head = jsonld(datePublished="9999-12-31T23:59:59+00:00") + meta(
        "article:published_time", "0001-01-01T00:00:00+00:00"
    )
    block = '<time class="entry-date published" datetime="1970-01-01T00:00:00Z">1/1/1970</time>'
    article = parse_article(URL, page(head=head, meta_block=block), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T00:00:00+07:00", "url")


@pytest.mark.parametrize(
    ("value", "published_at", "source"),
    [
        # 23 hours after the fetch: clocks disagree, the date stands.
        ("2024-06-17T09:00:00+07:00", "2024-06-17T09:00:00+07:00", "jsonld"),
        # Two days after the fetch: not a publication date; the permalink's day wins.
        ("2024-06-18T09:00:00+07:00", "2024-06-16T00:00:00+07:00", "url"),
    ],
)
def test_a_date_more_than_a_day_after_the_fetch_is_rejected(
    value: str, published_at: str, source: str
) -> None:
    url = "https://kalbaronline.com/2024/06/16/banjir-ketapang/"
    article = parse_article(url, page(head=jsonld(datePublished=value), meta_block=""), FETCHED)
    assert (article.published_at, article.date_source) == (published_at, source)


def test_the_permalink_year_in_utc_still_agrees_at_new_year() -> None:
    # 20:00 UTC on 31 December is already 1 January in Pontianak; the permalink (made in the
    # site's configured time zone) may show either year, and neither contradicts the date.
    url = "https://kalbaronline.com/2018/12/31/malam-tahun-baru/"
    head = jsonld(datePublished="2018-12-31T20:00:00+00:00")
    article = parse_article(url, page(head=head, meta_block=""), FETCHED)
    assert (article.published_at, article.date_source) == ("2019-01-01T03:00:00+07:00", "jsonld")


def test_no_sane_date_anywhere_is_an_incomplete_article_not_year_1() -> None:
    # Not a permalink, so no date to fall back on: the page fails clearly instead of being
    # stored as published in the year 1.
    url = "https://kalbaronline.com/?p=77"
    head = jsonld(datePublished="0001-01-01T00:00:00") + meta("og:type", "article")
    with pytest.raises(ExtractionError, match="found no published_at"):
        parse_article(url, page(head=head, meta_block=""), FETCHED)


def test_a_permalink_before_2000_is_no_date_either() -> None:
    url = "https://kalbaronline.com/1999/12/31/milenium/"
    with pytest.raises(ExtractionError, match="found no published_at"):
        parse_article(url, page(meta_block=""), FETCHED)


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59+00:00",  # OverflowError when moved to +07:00
        "0001-01-01T00:00:00",  # stored as is, once
        "2024-06-20T10:00:00+07:00",  # four days after the fetch
    ],
)
def test_an_impossible_modification_date_is_none(value: str) -> None:
    head = jsonld(datePublished="2021-11-01T02:15:00+00:00", dateModified=value)
    article = parse_article(URL, page(head=head), FETCHED)
    assert article.published_at == "2021-11-01T09:15:00+07:00"
    assert article.modified_at is None


def test_an_impossible_jsonld_modification_date_falls_to_meta() -> None:
    head = jsonld(
        datePublished="2021-11-01T02:15:00+00:00", dateModified="9999-12-31T23:59:59+00:00"
    ) + meta("article:modified_time", "2021-11-02T01:00:00+00:00")
    article = parse_article(URL, page(head=head), FETCHED)
    assert article.modified_at == "2021-11-02T08:00:00+07:00"


# --- headline -----------------------------------------------------------------------------


def test_a_numeric_jsonld_headline_with_no_h1_becomes_the_title() -> None:
    article = parse_article(URL, page(head=jsonld(headline=12345), h1=""), FETCHED)
    assert article.title == "12345"


@pytest.mark.parametrize("headline", [["Banjir"], {"@value": "Banjir"}, True, None])
def test_a_headline_that_is_not_text_is_ignored(headline: object) -> None:
    head = jsonld(headline=headline) + meta("og:title", "Banjir Ketapang dari Open Graph")
    article = parse_article(URL, page(head=head, h1=""), FETCHED)
    assert article.title == "Banjir Ketapang dari Open Graph"


def test_the_displayed_headline_still_wins_over_a_numeric_one() -> None:
    article = parse_article(URL, page(head=jsonld(headline=12345)), FETCHED)
    assert article.title == "Banjir Ketapang"


# --- post IDs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("article_id", "post_id"),
    [
        ("post-99999999999999999999999", None),
        (f"post-{2**63}", None),  # one past SQLite's largest integer
        (f"post-{2**63 - 1}", 2**63 - 1),
        ("post-0", None),
        ("post-" + "9" * 5000, None),  # int() refuses more than 4300 digits
    ],
)
def test_a_post_id_beyond_64_bits_is_no_post_id(article_id: str, post_id: int | None) -> None:
    article = parse_article(URL, page(article_id=article_id), FETCHED)
    assert article.post_id == post_id


def test_a_huge_shortlink_id_is_ignored_for_the_body_class() -> None:
    head = '<link rel="shortlink" href="https://kalbaronline.com/?p=1234567890123456789012345">'
    body_class = "post-template-default single single-post postid-77"
    article = parse_article(URL, page(head=head, body_class=body_class, article_id="x"), FETCHED)
    assert article.post_id == 77


def test_a_huge_shortlink_id_alone_is_no_post_id() -> None:
    head = '<link rel="shortlink" href="https://kalbaronline.com/?p=1234567890123456789012345">'
    article = parse_article(URL, page(head=head, article_id="x"), FETCHED)
    assert article.post_id is None


# --- deep nesting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    ["around the body", "after the first paragraph", "after the article", "around everything"],
)
def test_100000_nested_divs_are_a_clear_extraction_error(where: str) -> None:
    # lxml keeps about 2,000 levels and drops the rest of the page: nothing read from it can be
    # trusted to be the whole article.
    first, rest = BODY.split("\n", 1)
    html = {
        "around the body": page(body=nested(BODY)),
        "after the first paragraph": page(body=first + nested() + rest),
        "after the article": page().replace("<aside>", nested() + "<aside>"),
        "around everything": nested(page()),
    }[where]
    with pytest.raises(MalformedPage, match="nested"):
        parse_article(URL, html, FETCHED)


def test_deep_nesting_the_parser_keeps_is_read_whole() -> None:
    body = (
        "<p>KalbarOnline, Ketapang – Pembuka.</p>"
        + nested("<p>Di dalam.</p>", 1500)
        + "<p>(jim)</p>"
    )
    article = parse_article(URL, page(body=body), FETCHED)
    assert article.body.split("\n\n") == ["KalbarOnline, Ketapang – Pembuka.", "Di dalam.", "(jim)"]
    assert article.reporter == "jim"


def test_a_deeply_nested_headline_is_read_whole() -> None:
    h1 = (
        '<h1 class="entry-title">'
        + "<span>" * 1500
        + "Banjir Ketapang"
        + "</span>" * 1500
        + "</h1>"
    )
    article = parse_article(URL, page(h1=h1), FETCHED)
    assert article.title == "Banjir Ketapang"


def test_jsonld_nested_past_the_recursion_limit_counts_as_broken() -> None:
    head = (
        '<script type="application/ld+json">' + "[" * DEEP + "]" * DEEP + "</script>"
        + meta("article:published_time", "2021-11-01T02:15:00+00:00")
    )  # fmt: skip
    article = parse_article(URL, page(head=head), FETCHED)
    assert article.date_source == "meta"


def test_jsonld_nested_deep_but_valid_is_still_read() -> None:
    node = {"@type": "Article", "datePublished": "2021-11-01T02:15:00+00:00"}
    script = "[" * 600 + json.dumps(node) + "]" * 600
    head = f'<script type="application/ld+json">{script}</script>'
    article = parse_article(URL, page(head=head), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T09:15:00+07:00", "jsonld")


# --- links urllib cannot split -------------------------------------------------------------


def test_a_link_urllib_cannot_split_is_plain_text_and_the_article_parses() -> None:
    article = parse_article(URL, page(body=BODY_WITH_BROKEN_LINK), FETCHED)
    # Not a link to another article of the site, so not a related link: its text stays.
    assert article.body.split("\n\n") == [PARAGRAPHS[0], BROKEN_LINK_TEXT, *PARAGRAPHS[1:]]
    clean = parse_article(URL, page(), FETCHED)
    assert dataclasses.replace(article, body=clean.body) == clean


@pytest.mark.parametrize(
    "href", ["http://[kalbaronline.com/2020/01/01/lain/", "http://[::1", "http://]x"]
)
def test_links_urllib_cannot_split_anywhere_on_the_page_lose_nothing(href: str) -> None:
    related = f'<p><strong>Baca Juga : <a href="{href}">Lain</a></strong></p>'
    inline = f'<p>Warga <a href="{href}">mengungsi</a> ke tempat yang lebih tinggi.</p>'
    body = f"{FIRST}{related}{inline}<p>(Adi LC)</p>"
    html = page(body=body).replace("<aside>", f'<aside><a href="{href}">x</a>')
    article = parse_article(URL, html, FETCHED)
    assert article.body.split("\n\n") == PARAGRAPHS
    assert (article.dateline, article.reporter) == ("Ketapang", "Adi LC")


@pytest.mark.parametrize(
    ("attrs", "image_url"),
    [
        ('src="http://[kalbaronline.com/wp-content/uploads/foto.jpg"', None),
        ('src="http://]x"', None),
        # A broken lazy-load URL gives way to the next one the image has.
        ('data-src="http://[::1" src="/wp-content/uploads/foto.jpg"',
         "https://kalbaronline.com/wp-content/uploads/foto.jpg"),
    ],
)  # fmt: skip
def test_a_lead_image_url_urllib_cannot_split_is_no_image_url(
    attrs: str, image_url: str | None
) -> None:
    featured = f'<div class="gmr-featured-wrap"><figure><img {attrs}></figure></div>'
    html = page().replace('<div class="entry-content', featured + '<div class="entry-content')
    article = parse_article(URL, html, FETCHED)
    assert article.image_url == image_url
    assert article.body.split("\n\n") == PARAGRAPHS


# --- the safety net -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (TypeError("expected string or bytes-like object, got 'int'"),
         "TypeError: expected string or bytes-like object, got 'int'"),
        (OverflowError("date value out of range"), "OverflowError: date value out of range"),
        (RecursionError("maximum recursion depth exceeded"),
         "RecursionError: maximum recursion depth exceeded"),
        (MemoryError(), "MemoryError"),
        (KeyError("headline"), "KeyError: 'headline'"),
        (ValueError("first line\n  second line"), "ValueError: first line second line"),
    ],
)  # fmt: skip
def test_any_exception_while_parsing_becomes_parser_crashed(
    monkeypatch: pytest.MonkeyPatch, error: Exception, reason: str
) -> None:
    def explode(self: ArticlePage) -> list[str]:
        raise error

    monkeypatch.setattr(ArticlePage, "paragraphs", explode)
    with pytest.raises(ParserCrashed) as caught:
        parse_article(URL, page(), FETCHED)
    assert isinstance(caught.value, ExtractionError)
    assert caught.value.kind == "crash"
    assert str(caught.value) == reason
    assert "\n" not in str(caught.value)
    assert caught.value.__cause__ is error


def test_a_very_long_crash_message_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: ArticlePage) -> list[str]:
        raise ValueError("x" * 10_000)

    monkeypatch.setattr(ArticlePage, "paragraphs", explode)
    with pytest.raises(ParserCrashed) as caught:
        parse_article(URL, page(), FETCHED)
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_interrupts_are_not_swallowed(monkeypatch: pytest.MonkeyPatch, stop: type) -> None:
    def explode(self: ArticlePage) -> list[str]:
        raise stop()

    monkeypatch.setattr(ArticlePage, "paragraphs", explode)
    with pytest.raises(stop):
        parse_article(URL, page(), FETCHED)


def test_extraction_errors_pass_through_unchanged() -> None:
    with pytest.raises(NotAnArticle) as caught:
        parse_article(URL, page(body_class="error404"), FETCHED)
    assert caught.value.__cause__ is None


def _spider() -> KalbarOnlineSpider:
    from scrapy.utils.test import get_crawler

    from newsarchive import settings

    own = {
        name: getattr(settings, name) for name in dir(settings) if name.startswith("NEWSARCHIVE_")
    }
    return KalbarOnlineSpider.from_crawler(get_crawler(KalbarOnlineSpider, own))


def _response(html: str) -> Any:
    from scrapy.http import HtmlResponse, Request

    request = Request(URL, meta={"canonical": URL})
    return HtmlResponse(URL, body=html.encode(), encoding="utf-8", request=request)


def test_the_spider_logs_a_crash_as_one_warning_and_the_traceback_at_debug(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(self: ArticlePage) -> list[str]:
        raise TypeError("expected string or bytes-like object, got 'int'")

    monkeypatch.setattr(ArticlePage, "paragraphs", explode)
    spider = _spider()
    caplog.set_level(logging.DEBUG, logger=spider.name)
    out = list(spider.parse_article(_response(page())))
    assert len(out) == 1 and isinstance(out[0], PageFailure)
    assert (out[0].stage, out[0].url, out[0].article_url) == ("parse", URL, URL)
    assert out[0].reason == (
        "ParserCrashed: TypeError: expected string or bytes-like object, got 'int'"
    )
    records = [r for r in caplog.records if r.name == spider.name]
    warnings = [r for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert URL in warnings[0].getMessage() and out[0].reason in warnings[0].getMessage()
    debug = [r for r in records if r.levelno == logging.DEBUG and r.exc_info]
    assert len(debug) == 1
    assert isinstance(debug[0].exc_info[1].__cause__, TypeError)
    assert not [r for r in records if r.levelno > logging.WARNING]


def test_the_spider_records_an_ordinary_extraction_error_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spider = _spider()
    caplog.set_level(logging.DEBUG, logger=spider.name)
    out = list(spider.parse_article(_response(page(body=nested(BODY)))))
    assert len(out) == 1 and isinstance(out[0], PageFailure)
    assert out[0].reason.startswith("MalformedPage: markup nested")
    assert not [r for r in caplog.records if r.name == spider.name and r.levelno >= logging.DEBUG]


# --- `newsarchive extract` on each bad page -----------------------------------------------

CLI_PAGES = {
    "date_9999": page(head=jsonld(datePublished="9999-12-31T23:59:59+00:00")),
    "date_0001": page(head=jsonld(datePublished="0001-01-01"), meta_block=""),
    "numeric_headline": page(head=jsonld(headline=12345), h1=""),
    "huge_post_id": page(
        head='<link rel="shortlink" href="https://kalbaronline.com/?p=1234567890123456789012345">',
        article_id="post-99999999999999999999999",
    ),
    "nested_divs": page(body=nested(BODY)),
    "broken_link": page(body=BODY_WITH_BROKEN_LINK),
}
CLI_EXPECTED: dict[str, dict[str, Any] | str] = {
    "date_9999": {"published_at": "2021-11-01T10:00:00+07:00", "date_source": "time"},
    "date_0001": {"published_at": "2021-11-01T00:00:00+07:00", "date_source": "url"},
    "numeric_headline": {"title": "12345"},
    "huge_post_id": {"post_id": None},
    "nested_divs": "nested",  # exit 1, this word in the one stderr line
    "broken_link": {
        "body": "\n\n".join([PARAGRAPHS[0], BROKEN_LINK_TEXT, *PARAGRAPHS[1:]]),
        "dateline": "Ketapang",
        "reporter": "Adi LC",
    },
}


@pytest.mark.parametrize("name", list(CLI_PAGES))
def test_extract_prints_an_article_or_one_line_never_a_traceback(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.html"
    path.write_text(CLI_PAGES[name], encoding="utf-8")
    done = run_cli("extract", str(path), "--url", URL, "--fetched-at", FETCHED_ARG)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    want = CLI_EXPECTED[name]
    if isinstance(want, dict):
        assert done.returncode == 0, done.stderr
        article = json.loads(done.stdout)
        assert {k: article[k] for k in want} == want
    else:
        assert done.returncode == 1, done.stdout
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert want in lines[0]


# --- a crawl of the replica with such pages among the real ones ---------------------------


@dataclass
class Crawled:
    site: FakeSite
    db: Path
    done: subprocess.CompletedProcess[str]
    bad: dict[str, Any]  # kind -> the replica's Article whose page was replaced
    served: dict[str, bytes]  # kind -> the body served for it


ENTRY_CONTENT = r'(<div class="entry-content entry-content-single"[^>]*>)'
# The article text's first paragraph, right after the container opens.
FIRST_PARAGRAPH = ENTRY_CONTENT[:-1] + r"\s*<p>(?:(?!</p>).)*</p>)"


def _replace(html: str, pattern: str, replacement: str) -> str:
    changed, n = re.subn(pattern, replacement, html)
    assert n, pattern  # the replica's markup moved: update the pattern
    return changed


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    with FakeSite(articles=40, seed=12, page_size=10) as site:
        pages = {a.path: site.router.handle(a.path).body.decode() for a in site.articles}
        # Newkarma-era pages with Yoast's JSON-LD, none of them the cross-listed one.
        usable = [
            a for a in site.articles
            if a.has_amp and "ld+json" in pages[a.path] and len(site.expected(a)["categories"]) == 1
        ]  # fmt: skip
        assert len(usable) >= 4
        bad = dict(zip(["nested", "broken_link", "post_id", "date"], usable[-4:], strict=True))
        html = {kind: pages[a.path] for kind, a in bad.items()}
        post_id = str(site.expected(bad["post_id"])["post_id"])
        served = {
            # 100,000 nested divs opening the article text: the parser keeps ~2,000 levels.
            "nested": _replace(html["nested"], ENTRY_CONTENT, r"\1" + "<div>" * DEEP),
            # A link urllib cannot split, after the first paragraph: one more paragraph of text.
            "broken_link": _replace(html["broken_link"], FIRST_PARAGRAPH, r"\1" + BROKEN_LINK),
            # Every post ID on the page (shortlink, body class, article id) is 25 digits long.
            "post_id": _replace(html["post_id"], rf"(\?p=|postid-|post-){post_id}\b", r"\g<1>" + "9" * 25),
            "date": _replace(
                html["date"], r'"datePublished":"[^"]*"', '"datePublished":"9999-12-31T23:59:59+00:00"'
            ),
        }  # fmt: skip
        for kind, article in bad.items():
            site.serve(article, served[kind])
        db = tmp_path_factory.mktemp("robust") / "archive.db"
        done = crawl(site, db)
        yield Crawled(site, db, done, bad, {k: v.encode() for k, v in served.items()})


def test_the_crawl_goes_on_and_exits_1_without_a_traceback(crawled: Crawled) -> None:
    assert crawled.done.returncode == 1, crawled.done.stderr[-3000:]
    assert "Traceback" not in crawled.done.stderr, crawled.done.stderr[-3000:]
    assert crawled.done.stdout.strip().startswith("newsarchive crawl:")


def test_a_page_that_cannot_be_parsed_is_a_parse_failure_with_its_raw_page(
    crawled: Crawled,
) -> None:
    article = crawled.bad["nested"]
    url = crawled.site.expected(article)["url"]
    failures = [f for f in rows(crawled.db, "select * from failures") if f["article_url"] == url]
    assert [f["stage"] for f in failures] == ["parse"], failures
    failure = failures[0]
    assert failure["url"] == crawled.site.url(article)
    reason = "MalformedPage: markup nested 2048 or more levels deep"
    assert failure["reason"].startswith(reason), failure["reason"]
    assert "\n" not in failure["reason"]
    assert failure["warc_file"] and failure["warc_offset"] is not None
    raw = read_page(crawled.db.parent / "warc" / failure["warc_file"], failure["warc_offset"])
    assert raw.body == crawled.served["nested"]
    assert rows(crawled.db, "select url from articles where url = ?", url) == []


def _with_broken_link(expected: dict[str, Any]) -> dict[str, Any]:
    """What the replica's article becomes with the broken link's paragraph after its first."""
    first, *rest = expected["body"].split("\n\n")
    body = "\n\n".join([first, BROKEN_LINK_TEXT, *rest])
    return {"body": body, "word_count": len(body.split())}


def test_the_page_with_a_link_urllib_cannot_split_is_stored_as_an_article(
    crawled: Crawled,
) -> None:
    expected = crawled.site.expected(crawled.bad["broken_link"])
    url = expected["url"]
    assert rows(crawled.db, "select * from failures where article_url = ?", url) == []
    stored = rows(crawled.db, "select body, word_count from articles where url = ?", url)
    assert [dict(r) for r in stored] == [_with_broken_link(expected)]
    page_url = crawled.site.url(crawled.bad["broken_link"])
    warned = [line for line in crawled.done.stderr.splitlines() if page_url in line]
    assert not [line for line in warned if "WARNING" in line or "ERROR" in line], warned


def test_every_other_article_is_stored_as_the_replica_has_it(crawled: Crawled) -> None:
    failed = crawled.site.expected(crawled.bad["nested"])["url"]
    expected = {a["url"]: a for a in crawled.site.expected_articles() if a["url"] != failed}
    stored = {r["url"]: r for r in rows(crawled.db, "select * from articles")}
    assert set(stored) == set(expected)
    # The huge post ID is no post ID; the year-9999 JSON-LD date gives way to the meta date;
    # the broken link's paragraph is one more paragraph of text, nothing else changes.
    broken = crawled.site.expected(crawled.bad["broken_link"])
    exceptions = {
        crawled.site.expected(crawled.bad["post_id"])["url"]: {"post_id": None},
        crawled.site.expected(crawled.bad["date"])["url"]: {"date_source": "meta"},
        broken["url"]: _with_broken_link(broken),
    }
    mismatches = []
    for url, want in expected.items():
        got = dict(stored[url])
        got["categories"] = json.loads(got["categories"])
        got["tags"] = json.loads(got["tags"])
        want = {**want, **exceptions.get(url, {})}
        for field in FIELD_NAMES:
            if field != "fetched_at" and got[field] != want[field]:
                mismatches.append((url, field, want[field], got[field]))
    assert not mismatches, mismatches[:5]
