"""Section listing pages: golden fixtures, one small page per rule of the cascade, then which
layout reads which markup (fixtures, the replica's pages, and the crawl stats that count them)."""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from parsel import Selector

from newsarchive.normalize import canonical_url, decode_html
from newsarchive.pages.listings import (
    LISTING_LAYOUTS,
    GenericListing,
    Listing,
    ListingPage,
    NewkarmaListing,
    News5Listing,
    parse_listing,
    parse_section_urls,
)
from newsarchive.pages.listings import base as listing_base
from newsarchive.pages.listings import generic as listing_generic
from newsarchive.pages.listings import home as listing_home
from newsarchive.pages.listings import newkarma as listing_newkarma
from newsarchive.pages.listings import news5 as listing_news5
from newsarchive.pages.listings.base import parse_listing_document
from newsarchive.pages.query import PageIndex, compile_css
from tests.fakesite import FakeSite
from tests.fixtures import FIXTURES, Fixture, load
from tests.helpers import UNSPLITTABLE_URLS, crawl

LISTING_FIXTURES = [
    "listing_newkarma_page1",
    "listing_newkarma_last",
    "listing_news5_page1",
    "listing_news5_relnext",
    "listing_news5_last",
    "listing_news5_loadmore",
]
SECTION_FIXTURES = ["home_newkarma_nav"]

SITE = "https://kalbaronline.com"
PAGE = f"{SITE}/pontianak"
REPLICA = "http://127.0.0.1:8765"

_parsed: dict[str, Listing] = {}


def parsed(fixture: Fixture) -> Listing:
    if fixture.name not in _parsed:
        _parsed[fixture.name] = parse_listing(fixture.url, fixture.html)
    return _parsed[fixture.name]


# --------------------------------------------------------------------------------------------
# Golden fixtures
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTING_FIXTURES)
def test_fixture_article_urls(name: str) -> None:
    fixture = load(name)
    assert parsed(fixture).article_urls == fixture.expected["article_urls"]


@pytest.mark.parametrize("name", LISTING_FIXTURES)
def test_fixture_next_page(name: str) -> None:
    fixture = load(name)
    assert parsed(fixture).next_page == fixture.expected["next_page"]


@pytest.mark.parametrize("name", SECTION_FIXTURES)
def test_fixture_section_urls(name: str) -> None:
    fixture = load(name)
    assert parse_section_urls(fixture.url, fixture.html) == fixture.expected["section_urls"]


@pytest.mark.parametrize("name", LISTING_FIXTURES + SECTION_FIXTURES)
def test_fixture_files_follow_the_format(name: str) -> None:
    fixture = load(name)
    kind = "sections" if name in SECTION_FIXTURES else "listing"
    assert fixture.kind == kind
    keys = ["section_urls"] if kind == "sections" else ["article_urls", "next_page"]
    assert sorted(fixture.expected) == keys
    for file in ("meta.json", "expected.json"):
        text = (FIXTURES / name / file).read_text(encoding="utf-8")
        data = json.loads(text)
        assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# Inline pages
# --------------------------------------------------------------------------------------------


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def card(href: str, title: str = "Judul") -> str:
    return (
        f'<article class="post type-post"><a class="position-cover" href="{href}"></a>'
        f'<h3 class="post-title"><a href="{href}">{title}</a></h3></article>'
    )


POST = f"{SITE}/2026/02/20/berita-satu"
OTHER = f"{SITE}/2026/02/19/berita-lain"


def next_of(html: str, url: str = PAGE, base_url: str = SITE) -> str | None:
    return parse_listing(url, html, base_url).next_page


def urls_of(html: str | bytes, url: str = PAGE, base_url: str = SITE) -> list[str]:
    return parse_listing(url, html, base_url).article_urls


# --- the next-page cascade, rule by rule ------------------------------------------------------


def test_head_link_rel_next() -> None:
    html = page(card(POST), head=f'<link rel="next" href="{PAGE}/page/2">')
    assert next_of(html) == f"{PAGE}/page/2"


def test_head_link_rel_next_wins_over_pagination_links() -> None:
    html = page(
        card(POST) + f'<a class="next page-numbers" href="{PAGE}/page/9">Next</a>',
        head=f'<link rel="next" href="{PAGE}/page/2">',
    )
    assert next_of(html) == f"{PAGE}/page/2"


def test_a_rel_next() -> None:
    html = page(
        card(POST)
        + f'<a href="{PAGE}/page/3" rel="nofollow next">3</a>'
        + f'<a class="next page-numbers" href="{PAGE}/page/9">Next</a>'
    )
    assert next_of(html) == f"{PAGE}/page/3"


def test_a_next_page_numbers() -> None:
    html = page(
        card(POST)
        + '<div class="pagination"><span class="page-numbers current">1</span>'
        + f'<a class="page-numbers" href="{PAGE}/page/7">7</a>'
        + f'<a class="next page-numbers" href="{PAGE}/page/2">Berikutnya</a></div>'
    )
    assert next_of(html) == f"{PAGE}/page/2"


def test_core_nav_links_a_next() -> None:
    html = page(
        card(POST)
        + '<nav class="navigation posts-navigation"><div class="nav-links">'
        + f'<a class="prev" href="{PAGE}/page/1">Sebelumnya</a>'
        + f'<a class="next" href="{PAGE}/page/3">Lebih lama</a></div></nav>',
    )
    assert next_of(html, url=f"{PAGE}/page/2") == f"{PAGE}/page/3"


def test_pagination_current_plus_one_ignores_uc_active() -> None:
    items = "".join(
        f'<li class="uc-active"><a class="page-numbers" href="{PAGE}/page/{n}">{n}</a></li>'
        for n in (1, 2)
    )
    html = page(
        card(POST)
        + f'<ul class="nav-x uc-pagination">{items}'
        + '<li class="uc-active"><span class="page-numbers current">3</span></li>'
        + f'<li class="uc-active"><a class="page-numbers" href="{PAGE}/page/4">4</a></li>'
        + "</ul>"
    )
    assert next_of(html, url=f"{PAGE}/page/3") == f"{PAGE}/page/4"


def test_pagination_current_from_aria_current() -> None:
    html = page(
        card(POST)
        + '<div class="nav-pagination"><ul>'
        + f'<li><a href="{PAGE}/page/1">1</a></li>'
        + f'<li><a aria-current="page" href="{PAGE}/page/2">2</a></li>'
        + f'<li><a href="{PAGE}/page/3">3</a></li></ul></div>'
    )
    assert next_of(html, url=PAGE) == f"{PAGE}/page/3"


def test_pagination_current_from_the_url_when_unmarked() -> None:
    html = page(
        card(POST)
        + '<ul class="uc-pagination">'
        + "".join(f'<li><a href="{PAGE}/page/{n}">{n}</a></li>' for n in (4, 5, 7, 8))
        + "</ul>"
    )
    assert next_of(html, url=f"{PAGE}/page/7") == f"{PAGE}/page/8"
    assert next_of(html, url=f"{PAGE}/?paged=4") == f"{PAGE}/page/5"


def test_pagination_page_one_when_url_has_no_number() -> None:
    html = page(
        card(POST)
        + '<ul class="uc-pagination">'
        + "".join(f'<li><a href="{PAGE}/page/{n}">{n}</a></li>' for n in (2, 3))
        + "</ul>"
    )
    assert next_of(html, url=PAGE) == f"{PAGE}/page/2"


def test_pagination_chevron_only_link() -> None:
    html = page(
        card(POST)
        + '<ul class="uc-pagination">'
        + f'<li><a href="{PAGE}/page/1"><span class="icon unicon-chevron-left"></span></a></li>'
        + '<li><a class="uc-active" href="#">2</a></li>'
        + f'<li><a href="{PAGE}/page/3"><span class="icon unicon-chevron-right"></span></a></li>'
        + "</ul>"
    )
    # No current marker and no "3" link: the chevron decides (the URL says page 2 is current).
    assert next_of(html, url=f"{PAGE}/page/2") == f"{PAGE}/page/3"


def test_pagination_disabled_chevron_is_the_end() -> None:
    html = page(
        card(POST)
        + '<ul class="uc-pagination">'
        + f'<li><a href="{PAGE}/page/4"><span class="unicon-chevron-left"></span></a></li>'
        + '<li><span class="page-numbers current">5</span></li>'
        + f'<li class="uc-disabled"><a href="{PAGE}/page/6">'
        + '<span class="unicon-chevron-right"></span></a></li>'
        + "</ul>"
    )
    assert next_of(html, url=f"{PAGE}/page/5") is None


@pytest.mark.parametrize(
    "text",
    ["Selanjutnya", "Berikutnya", "Next", "›", "»", "Next page", "Berikutnya &raquo;", "NEXT ›"],
)
def test_next_link_by_text(text: str) -> None:
    html = page(card(POST) + f'<p><a class="btn" href="{PAGE}/page/2">{text}</a></p>')
    assert next_of(html) == f"{PAGE}/page/2"


def test_next_link_by_aria_label() -> None:
    html = page(card(POST) + f'<a href="{PAGE}/page/2" aria-label="Next"><i class="icon"></i></a>')
    assert next_of(html) == f"{PAGE}/page/2"


def test_next_page_button_link_keeps_its_query() -> None:
    href = f"{SITE}/channel/pontianak/page/2/?filter_post_type=post"
    html = page(
        card(POST) + f'<a class="animate-btn btn" href="{href}"><span>Next page</span>'
        '<i class="unicon-chevron-right"></i></a>'
    )
    assert next_of(html, url=f"{SITE}/channel/pontianak/") == href


@pytest.mark.parametrize(
    "link",
    [
        f'<a class="animate-btn btn" href="{PAGE}/page/2/"><span>Load more posts</span></a>',
        f'<a class="btn" href="{PAGE}/page/2/">Muat Lebih Banyak</a>',
        f'<a class="btn uc-load-more" href="{PAGE}/page/2/"><i class="icon"></i></a>',
    ],
)
def test_load_more_link_is_the_next_page(link: str) -> None:
    html = page(card(POST) + f'<div class="text-center">{link}</div>')
    assert next_of(html) == f"{PAGE}/page/2/"


def test_script_only_load_more_is_no_next_page() -> None:
    html = page(
        card(POST) + '<a class="load-more" href="javascript:void(0)">Load more posts</a>'
        '<button class="load-more">Load more</button><a href="#">Load more</a>'
    )
    assert next_of(html) is None


def test_load_more_to_an_article_is_no_next_page() -> None:
    html = page(card(POST) + f'<a class="btn" href="{OTHER}">Load more</a>')
    assert next_of(html) is None


def test_words_that_merely_contain_next_do_not_count() -> None:
    html = page(card(POST) + f'<a href="{PAGE}/page/2">Next post: berita lain</a>')
    assert next_of(html) is None


# --- Newkarma ---------------------------------------------------------------------------------


def newkarma_card(thumb: str | None, title: str | None, body: str | None = None) -> str:
    thumb_html = (
        f'<div class="content-thumbnail"><a href="{thumb}"><img></a></div>' if thumb else ""
    )
    title_html = (
        f'<header class="entry-header"><h2 class="entry-title"><a href="{title}">T</a></h2>'
        "</header>"
        if title
        else ""
    )
    body_html = f'<a class="read-more" href="{body}">Selengkapnya</a>' if body else ""
    return (
        '<article class="post hentry gmr-smallthumb clearfix item-infinite">'
        f'<div class="gmr-box-content">{thumb_html}'
        f'<div class="item-article">{title_html}<p>Ringkasan</p>{body_html}</div></div></article>'
    )


def newkarma_page(cards: str, after_main: str = "", head: str = "") -> str:
    return page(
        '<div id="primary" class="content-area">'
        f'<div class="gmr-bigheadline"><a href="{SITE}/2024/09/01/headline-lama/">H</a></div>'
        f'<main id="main" class="site-main site-main-archive"><div id="gmr-main-load">{cards}'
        f"</div>{after_main}</main></div>",
        head=head,
    )


def test_newkarma_cards_only_and_title_link_first() -> None:
    html = newkarma_page(
        newkarma_card(f"{SITE}/2024/09/21/a/amp/", "http://www.kalbaronline.com/2024/09/21/a")
        + newkarma_card(f"{SITE}/2024/09/20/b/", None, body=f"{SITE}/2024/09/20/b/?pgrelated=2")
        + newkarma_card(f"{SITE}/2024/09/19/c/", None)
        + newkarma_card(f"{SITE}/2024/09/19/c/", f"{SITE}/2024/09/19/c/#respond")
    )
    assert urls_of(html, url=f"{SITE}/category/pontianak/") == [
        f"{SITE}/2024/09/21/a",
        f"{SITE}/2024/09/20/b/",
        f"{SITE}/2024/09/19/c/",
    ]


def test_newkarma_card_without_article_link_is_skipped() -> None:
    html = newkarma_page(
        newkarma_card(None, f"{SITE}/pasang-iklan/") + newkarma_card(None, f"{SITE}/2024/09/21/a/")
    )
    assert urls_of(html) == [f"{SITE}/2024/09/21/a/"]


def test_newkarma_inf_pagination_next() -> None:
    html = newkarma_page(
        newkarma_card(None, f"{SITE}/2024/09/21/a/"),
        after_main='<div class="inf-pagination"><ul class="page-numbers">'
        '<li><span class="page-numbers current">1</span></li>'
        f'<li><a class="next" href="{SITE}/category/pontianak/page/2/">Next</a></li></ul></div>'
        '<div class="text-center gmr-newinfinite"><p><button class="view-more-button">'
        "View More</button></p></div>",
    )
    assert next_of(html, url=f"{SITE}/category/pontianak/") == (
        f"{SITE}/category/pontianak/page/2/"
    )


def test_newkarma_view_more_button_alone_is_no_next_page() -> None:
    html = newkarma_page(
        newkarma_card(None, f"{SITE}/2024/09/21/a/"),
        after_main='<div class="gmr-newinfinite"><button class="view-more-button">View More'
        "</button></div>",
    )
    assert next_of(html, url=f"{SITE}/category/pontianak/") is None


# --- what is never a next page ----------------------------------------------------------------


@pytest.mark.parametrize(
    "href", ["#", "#page-2", "javascript:void(0)", "JavaScript:loadMore()", "mailto:x@y.id", ""]
)
def test_non_links_are_ignored_and_the_cascade_continues(href: str) -> None:
    html = page(
        card(POST)
        + f'<a rel="next" href="{href}">Next</a>'
        + f'<a class="next page-numbers" href="{PAGE}/page/2">2</a>'
    )
    assert next_of(html) == f"{PAGE}/page/2"


@pytest.mark.parametrize(
    "href", [PAGE, f"{PAGE}/", "https://www.kalbaronline.com/pontianak#top", f"{PAGE}/page/1"]
)
def test_a_next_page_equal_to_the_page_itself_is_none(href: str) -> None:
    html = page(card(POST), head=f'<link rel="next" href="{href}">')
    assert next_of(html) is None


def test_no_next_link_means_none_not_a_synthesised_page() -> None:
    html = page(card(POST) + card(OTHER))
    assert next_of(html) is None
    assert next_of(html, url=f"{PAGE}/page/3") is None


def test_a_post_permalink_is_not_a_next_page() -> None:
    html = page(card(POST) + f'<a rel="next" href="{OTHER}">Berita berikutnya</a>')
    assert next_of(html) is None


def test_an_off_site_next_link_is_ignored() -> None:
    html = page(card(POST), head='<link rel="next" href="https://example.com/pontianak/page/2">')
    assert next_of(html) is None


def test_next_page_is_absolute_without_fragment_and_on_the_base_host() -> None:
    html = page(card(POST), head='<link rel="next" href="/pontianak/page/2#content">')
    assert next_of(html) == f"{PAGE}/page/2"
    html = page(
        card(POST), head='<link rel="next" href="https://www.kalbaronline.com/pontianak/page/2">'
    )
    assert next_of(html, url=f"{REPLICA}/pontianak", base_url=REPLICA) == (
        f"{REPLICA}/pontianak/page/2"
    )


def test_base_href_resolves_relative_links() -> None:
    html = page(
        '<a href="2026/02/20/berita-satu">x</a><a class="next page-numbers" href="page/2">2</a>',
        head=f'<base href="{SITE}/">',
    )
    listing = parse_listing(f"{SITE}/some/deep/path/", html)
    assert listing.article_urls == [POST]
    assert listing.next_page == f"{SITE}/page/2"


# --- scope: what is never a listed article ----------------------------------------------------


@pytest.mark.parametrize(
    "wrapper",
    [
        "<header>{}</header>",
        '<div class="uc-header">{}</div>',
        '<div class="uc-navbar-dropdown">{}</div>',
        '<div id="uc-menu-panel">{}</div>',
        '<div id="uc-cart-panel">{}</div>',
        '<div class="uc-modal" data-uc-modal>{}</div>',
        '<div data-uc-offcanvas="overlay: true">{}</div>',
        "<footer>{}</footer>",
        '<div id="uc-footer">{}</div>',
        '<div class="post-related">{}</div>',
        "<aside>{}</aside>",
        '<div class="widget widget_recent_entries">{}</div>',
        '<div id="secondary" class="widget-area">{}</div>',
        '<div class="sidebar">{}</div>',
        '<nav class="main-menu">{}</nav>',
        '<div class="swiper-slide swiper-slide-duplicate">{}</div>',
    ],
)
def test_excluded_regions(wrapper: str) -> None:
    noise = card(OTHER) + f'<a class="next page-numbers" href="{PAGE}/page/2">Next</a>'
    html = page(wrapper.format(noise) + card(POST))
    listing = parse_listing(PAGE, html)
    assert listing.article_urls == [POST]
    assert listing.next_page is None


def test_a_cards_own_header_is_kept() -> None:
    html = page(
        f'<article><header class="entry-header"><h2><a href="{POST}">x</a></h2></header></article>'
    )
    assert urls_of(html) == [POST]


def test_root_wrapper_first() -> None:
    html = page(
        f'<div class="trending">{card(OTHER)}</div>'
        f"<main>{card(f'{SITE}/2026/02/18/di-main')}</main>"
        f'<div id="wrapper" class="wrap">{card(POST)}</div>'
    )
    assert urls_of(html) == [POST]


@pytest.mark.parametrize(
    "root", ["<main>{}</main>", '<div id="primary">{}</div>', "<div id='main'>{}</div>"]
)
def test_root_main_primary_or_main_id(root: str) -> None:
    html = page(f'<div class="trending">{card(OTHER)}</div>' + root.format(card(POST)))
    assert urls_of(html) == [POST]


def test_root_falls_back_to_body() -> None:
    html = page(f"<div>{card(POST)}</div><p>{card(OTHER)}</p>")
    assert urls_of(html) == [POST, OTHER]


def test_items_are_article_permalinks_only_in_request_form() -> None:
    html = page(
        f'<a href="{SITE}/pontianak">Pontianak</a>'
        f'<a href="{SITE}/author/redaksi">Redaksi</a>'
        f'<a href="{SITE}/tag/banjir/">banjir</a>'
        f'<a href="{SITE}/pontianak/page/2">2</a>'
        '<a href="https://example.com/2026/02/20/berita-satu">elsewhere</a>'
        f'<a href="https://www.kalbaronline.com/2026/02/20/berita-satu/amp?utm_source=x">a</a>'
        f'<a href="{POST}#comments">0</a>'
        '<a href="/2026/02/19/berita-lain/">relative</a>'
        f'<a href="{SITE}/2026/13/40/bukan-tanggal">bad date</a>'
    )
    assert urls_of(html) == [POST, f"{SITE}/2026/02/19/berita-lain/"]


def test_replica_base_url_maps_article_hosts() -> None:
    html = page(card(POST) + card("/2026/02/19/berita-lain"))
    assert urls_of(html, url=f"{REPLICA}/pontianak", base_url=REPLICA) == [
        f"{REPLICA}/2026/02/20/berita-satu",
        f"{REPLICA}/2026/02/19/berita-lain",
    ]


# --- input robustness -------------------------------------------------------------------------


def test_bytes_in_a_declared_charset() -> None:
    html = (
        '<html><head><meta charset="iso-8859-1"></head><body>'
        '<h1>Berita Pontianak \xe9</h1><a href="/2026/02/20/berita-satu">x</a></body></html>'
    ).encode("latin-1")
    assert urls_of(html) == [POST]


def test_xml_declaration_and_empty_pages() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>' + page(card(POST))
    assert urls_of(html) == [POST]
    empty = Listing(article_urls=[], next_page=None, layout="generic")
    assert parse_listing(PAGE, "") == empty
    assert parse_listing(PAGE, b"\x00\xff garbage <<<") == empty


def test_listing_is_frozen() -> None:
    listing = parse_listing(PAGE, page(card(POST)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        listing.next_page = "x"  # type: ignore[misc]


UNSPLITTABLE = UNSPLITTABLE_URLS


@pytest.mark.parametrize("href", UNSPLITTABLE)
def test_an_article_link_that_cannot_be_split_is_dropped(href: str) -> None:
    html = page(card(href) + card(POST) + f'<a href="{href}">x</a>' + card(OTHER))
    assert urls_of(html) == [POST, OTHER]


@pytest.mark.parametrize("href", UNSPLITTABLE)
def test_a_newkarma_card_link_that_cannot_be_split_is_dropped(href: str) -> None:
    html = newkarma_page(
        newkarma_card(href, f"{SITE}/2024/09/21/a/")
        + newkarma_card(None, href, body=f"{SITE}/2024/09/20/b/?pgrelated=2")
        + newkarma_card(None, href)
    )
    assert urls_of(html) == [f"{SITE}/2024/09/21/a/", f"{SITE}/2024/09/20/b/"]


@pytest.mark.parametrize("href", UNSPLITTABLE)
def test_a_next_link_that_cannot_be_split_is_ignored_and_the_cascade_continues(href: str) -> None:
    html = page(
        card(POST)
        + f'<a rel="next" href="{href}">Next</a>'
        + f'<div class="pagination"><a href="{href}">2</a><a href="{PAGE}/page/2">2</a></div>',
        head=f'<link rel="next" href="{href}">',
    )
    assert next_of(html) == f"{PAGE}/page/2"


@pytest.mark.parametrize("href", UNSPLITTABLE)
def test_a_base_href_that_cannot_be_split_is_ignored(href: str) -> None:
    html = page(
        '<a href="/2026/02/20/berita-satu">x</a><a class="next page-numbers" href="page/2">2</a>',
        head=f'<base href="{href}">',
    )
    listing = parse_listing(f"{SITE}/pontianak/", html)
    assert listing.article_urls == [POST]
    assert listing.next_page == f"{SITE}/pontianak/page/2"


@pytest.mark.parametrize("href", UNSPLITTABLE)
def test_a_section_link_that_cannot_be_split_is_dropped(href: str) -> None:
    html = page(
        f'<nav id="site-navigation"><a href="{href}">Rusak</a>'
        f'<a href="{SITE}/category/pontianak/">P</a></nav>'
        f'<div><a href="{href}">Rusak</a></div>'
    )
    assert parse_section_urls(f"{SITE}/", html) == [f"{SITE}/category/pontianak/"]


# --------------------------------------------------------------------------------------------
# Sections from the navigation
# --------------------------------------------------------------------------------------------


def test_news5_navbar_top_level_items_only() -> None:
    html = page(
        f'<nav class="breadcrumb-nav"><a href="{SITE}/tentang-kami">Tentang</a></nav>'
        '<header class="uc-header"><div class="uc-center-navbar" data-uc-navbar="">'
        '<div class="uc-navbar-center"><ul class="uc-navbar-nav">'
        f'<li><a href="{SITE}/">Beranda</a></li>'
        f'<li><a href="{SITE}/pontianak">Pontianak</a>'
        '<div class="uc-navbar-dropdown">'
        f'<a href="{SITE}/pontianak-utara">Pontianak Utara</a>{card(POST)}</div></li>'
        f'<li><a href="{SITE}/kubu-raya">Kubu Raya</a></li>'
        f'<li><a href="{SITE}/tag/banjir">Banjir</a></li>'
        "</ul></div></div></header>"
    )
    assert parse_section_urls(f"{SITE}/", html) == [f"{SITE}/pontianak", f"{SITE}/kubu-raya"]


def test_primary_menu_wins_over_other_menus() -> None:
    html = page(
        f'<nav class="top"><a href="{SITE}/kontak/">Kontak</a></nav>'
        f'<nav id="site-navigation" class="gmr-mainmenu"><a href="{SITE}/berita-daerah/">BD</a>'
        "</nav>"
    )
    assert parse_section_urls(f"{SITE}/", html) == [f"{SITE}/berita-daerah/"]


def test_plain_nav_when_no_known_menu() -> None:
    html = page(
        f'<nav><ul><li><a href="{SITE}/ketapang/">Ketapang</a></li>'
        f'<li><a href="{SITE}/category/tips/">Tips</a></li>'
        f'<li><a href="{SITE}/wp-admin/">Admin</a></li>'
        f'<li><a href="{SITE}/feed/">RSS</a></li>'
        f'<li><a href="{SITE}/page/2/">2</a></li>'
        f'<li><a href="{SITE}/sitemap_index.xml">Sitemap</a></li>'
        f'<li><a href="{SITE}/category/tips/feed/">Tips RSS</a></li>'
        "</ul></nav>"
        f'<footer><nav><a href="{SITE}/category/olahraga/">Olahraga</a></nav></footer>'
    )
    assert parse_section_urls(f"{SITE}/", html) == [f"{SITE}/ketapang/", f"{SITE}/category/tips/"]


def test_wordpress_menu_item_types_decide() -> None:
    html = page(
        '<nav id="site-navigation"><ul>'
        '<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
        f'<a href="{SITE}/channel/pontianak/">Pontianak</a></li>'
        '<li class="menu-item menu-item-type-post_type menu-item-object-page">'
        f'<a href="{SITE}/redaksi/">Redaksi</a></li>'
        '<li class="menu-item menu-item-type-taxonomy menu-item-object-newstopic">'
        f'<a href="{SITE}/topic/pilkada/">Pilkada</a></li>'
        "</ul></nav>"
    )
    assert parse_section_urls(f"{SITE}/", html) == [f"{SITE}/channel/pontianak/"]


def test_category_links_anywhere_when_no_menu_yields() -> None:
    html = page(
        f'<div class="blocks"><a href="{SITE}/category/landak/">Landak</a>'
        f'<a href="{SITE}/landak-raya/">single segment outside a menu</a></div>'
        f'<aside><a href="{SITE}/category/hukum/">Hukum</a></aside>'
    )
    assert parse_section_urls(f"{SITE}/", html) == [f"{SITE}/category/landak/"]


def test_sections_on_a_replica() -> None:
    html = page(
        '<nav id="site-navigation">'
        f'<a href="{SITE}/category/pontianak/">P</a><a href="/category/ketapang/">K</a></nav>'
    )
    assert parse_section_urls(f"{REPLICA}/", html, REPLICA) == [
        f"{REPLICA}/category/pontianak/",
        f"{REPLICA}/category/ketapang/",
    ]


# --------------------------------------------------------------------------------------------
# Layouts: which page class reads which markup
# --------------------------------------------------------------------------------------------

#: The layout each golden listing fixture is written in (its name says so).
FIXTURE_LAYOUTS = {name: name.split("_")[1] for name in LISTING_FIXTURES}
SPECIFIC_LAYOUTS: list[type[ListingPage]] = [NewkarmaListing, News5Listing]


def test_layouts_are_ordered_with_generic_last() -> None:
    assert (NewkarmaListing, News5Listing, GenericListing) == LISTING_LAYOUTS
    assert [layout.name for layout in LISTING_LAYOUTS] == ["newkarma", "news5", "generic"]


@pytest.mark.parametrize("name", LISTING_FIXTURES)
def test_fixture_is_read_by_its_own_layout(name: str) -> None:
    fixture = load(name)
    doc = parse_listing_document(fixture.html)
    matched = [layout.name for layout in SPECIFIC_LAYOUTS if layout.matches(doc)]
    assert matched == [FIXTURE_LAYOUTS[name]]  # its own layout matches, the other does not
    assert GenericListing.matches(doc)
    assert parsed(fixture).layout == FIXTURE_LAYOUTS[name]


def test_the_home_page_fixture_is_newkarma() -> None:
    fixture = load("home_newkarma_nav")
    doc = parse_listing_document(fixture.html)
    assert NewkarmaListing.matches(doc) and not News5Listing.matches(doc)
    assert parse_listing(fixture.url, fixture.html).layout == "newkarma"


def fetch(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


@pytest.fixture(scope="module")
def replica() -> Iterator[FakeSite]:
    with FakeSite(articles=40, seed=5, page_size=5) as site:
        yield site


@pytest.mark.parametrize(
    ("slug", "layout"),
    [
        ("pontianak", "newkarma"),
        ("ketapang", "newkarma"),
        ("kubu-raya", "news5"),
        ("tips", "news5"),
    ],
)
def test_replica_listing_is_read_by_its_own_layout(
    replica: FakeSite, slug: str, layout: str
) -> None:
    for n in (1, replica.pages(slug)):
        url = replica.section_url(slug, n)
        html = fetch(url)
        doc = parse_listing_document(html)
        assert [c.name for c in SPECIFIC_LAYOUTS if c.matches(doc)] == [layout], url
        listing = parse_listing(url, html, replica.base_url)
        assert listing.layout == layout
        expected = replica.expected_listing(slug, n)
        assert [canonical_url(u, replica.base_url) for u in listing.article_urls] == expected[
            "article_urls"
        ]
        assert listing.next_page == expected["next_page"]


def test_replica_home_page_is_newkarma(replica: FakeSite) -> None:
    html = fetch(f"{replica.base_url}/")
    assert parse_listing(f"{replica.base_url}/", html, replica.base_url).layout == "newkarma"


@pytest.mark.parametrize(
    "html",
    [
        page(card(POST) + card(OTHER)),
        # #wrapper without the News5 frame's body class; body class without #wrapper.
        page(f'<div id="wrapper">{card(POST)}</div>'),
        f'<html><body class="uni-body"><main>{card(POST)}</main></body></html>',
        # Newkarma cards only where they never count: a related-posts block, a header.
        page(
            '<div class="gmr-related-infinite"><article class="item-infinite">'
            f'<a href="{OTHER}">x</a></article></div>' + card(POST)
        ),
        page(f'<header><article class="item-infinite"><a href="{OTHER}">x</a></article></header>'),
        # The News5 frame's marker only inside the dropped header.
        '<html><body class="uni-body"><div class="uc-header"><div id="wrapper"></div></div>'
        f"<main>{card(POST)}</main></body></html>",
    ],
)
def test_unknown_markup_falls_to_generic(html: str) -> None:
    doc = parse_listing_document(html)
    assert not any(layout.matches(doc) for layout in SPECIFIC_LAYOUTS)
    assert parse_listing(PAGE, html).layout == "generic"


def test_newkarma_cards_win_over_the_news5_frame() -> None:
    html = (
        f'<html><body class="uni-body"><div id="wrapper"><article class="item-infinite">'
        f'<h2 class="entry-title"><a href="{POST}">x</a></h2></article></div></body></html>'
    )
    doc = parse_listing_document(html)
    assert NewkarmaListing.matches(doc) and News5Listing.matches(doc)
    assert parse_listing(PAGE, html).layout == "newkarma"


def test_news5_reads_only_its_wrapper() -> None:
    html = (
        f'<html><body class="uni-body"><div class="trending">{card(OTHER)}</div>'
        f'<div id="wrapper" class="wrap">{card(POST)}</div></body></html>'
    )
    listing = parse_listing(PAGE, html)
    assert (listing.layout, listing.article_urls) == ("news5", [POST])


def test_crawl_stats_count_listing_layouts(tmp_path: Path) -> None:
    with FakeSite(articles=30, seed=5, page_size=5) as site:
        sections = ("--section", "pontianak", "--section", "kubu-raya")
        # Scrapy dumps its stats at INFO when the crawl closes.
        done = crawl(site, tmp_path / "a.db", *sections, "-s", "LOG_LEVEL=INFO")
        assert done.returncode == 0, done.stderr[-3000:]
        for slug, layout in (("pontianak", "newkarma"), ("kubu-raya", "news5")):
            found = re.findall(rf"'newsarchive/listing_layout/{layout}': (\d+)", done.stderr)
            assert found and int(found[-1]) == site.pages(slug), (layout, found)
        assert "newsarchive/listing_layout/generic" not in done.stderr


# --- the site's share image ---------------------------------------------------------------

SHARE = "https://kalbaronline.com/wp-content/uploads/2022/01/kalbaronline-share.jpg"
THUMB = "https://kalbaronline.com/wp-content/uploads/2024/03/jembatan-350x250.jpg"


def _listing_with_og(og_image: str) -> str:
    return f"""<html><head><meta property="og:image" content="{og_image}"></head><body>
    <main id="main"><article class="item-infinite"><h2 class="entry-title">
    <a href="https://kalbaronline.com/2024/03/05/jembatan/">Jembatan</a></h2>
    <img src="{THUMB}"></article></main></body></html>"""


def test_listing_og_image_its_body_does_not_show_is_the_site_share_image() -> None:
    url = "https://kalbaronline.com/category/pontianak/"
    assert parse_listing(url, _listing_with_og(SHARE)).share_image == SHARE
    # A theme that puts the first card's image in the head: that is a post's image, not the
    # site's (its full size is what the card shows resized).
    first_card = THUMB.replace("-350x250", "")
    assert parse_listing(url, _listing_with_og(first_card)).share_image is None
    assert parse_listing(url, _listing_with_og(THUMB)).share_image is None


# --- the selector index gives what parsel gives -----------------------------------------------

#: Every selector the listing layouts and the section menu read.
LAYOUT_SELECTORS = sorted({
    listing_base.SCOPE_EXCLUDE, listing_base.SITE_CHROME, listing_base.CONTENT,
    listing_base.PAGINATION, listing_base.CHROME_KEPT, listing_base.CORE_NEXT,
    listing_base.PAGINATION_CURRENT, listing_base.PAGINATION_DISABLED,
    listing_base.CHEVRON_RIGHT, "a[href]", "link[href]", "base[href]",
    listing_newkarma.CARD, *listing_newkarma.CARD_LINKS, listing_newkarma.INF_PAGINATION_NEXT,
    listing_newkarma.A_NEXT_PAGE_NUMBERS, listing_news5.MARKER, listing_news5.ROOT,
    *listing_generic.ROOT_TIERS, *listing_home.SECTION_MENU_TIERS, listing_home.SECTION_EXCLUDE,
})  # fmt: skip
#: Outside the indexed subset: evaluated through parsel's own translation.
OTHER_SELECTORS = ["ul > li a", "a[href^='http']", "li:first-child", "p + p", "#a#b", "h1, h2 > a"]
#: Markup that the class, id and subtree logic must read exactly as XPath does.
TRICKY = page(
    '<a class="\tnext\npage-numbers\r current " href="/page/2">2</a>'
    '<a class="next\xa0page-numbers" href="/x">x</a>'  # NBSP joins the words, for XPath
    '<a class="next\x0cpage-numbers current" href="/y">y</a>'  # so does a form feed
    '<a class="next next page-numbers" href="/page/3">3</a><a class="" href="/e">e</a>'
    '<DIV ID="wrapper" CLASS="Item-Infinite"><A HREF="/z">z</A></DIV>'
    '<div id="wrapper"><!-- c --><article class="item-infinite">'
    '<h2 class="entry-title"><a href="/a">a</a></h2><!-- c --></article><?pi x?>'
    '<article class="item-infinite"><div class="entry-title"><div class="entry-title">'
    '<a href="/b">b</a></div></div><a class="entry-title" href="/self">s</a></article></div>'
    '<nav class="navigation pagination"><span aria-current="page" class="current">1</span>'
    '<a class="next page-numbers nav-links inf-pagination" href="/page/2">next</a></nav>'
    '<ul><li><a href="/l">l</a></li><li><a href="/m">m</a></li></ul>'
    '<aside role="complementary"><div data-uc-modal><a href="/n">n</a></div></aside>',
    head='<base href="https://kalbaronline.com/"><link rel="next" href="/page/2">',
)


INLINE_PAGES = {"tricky": TRICKY, "empty": ""}
SAVED_PAGES = sorted(p.name for p in FIXTURES.iterdir() if (p / "page.html").exists())


@pytest.mark.parametrize("name", [*INLINE_PAGES, *SAVED_PAGES])
def test_the_selector_index_matches_parsel(name: str) -> None:
    saved = name not in INLINE_PAGES
    html = (FIXTURES / name / "page.html").read_bytes() if saved else INLINE_PAGES[name]
    sel = Selector(text=decode_html(html), type="html")
    index = PageIndex(sel.root)
    # Contexts: the page, and elements that selectors are run inside (cards, pagination blocks).
    contexts = [sel, *sel.css("article, nav, ul, .pagination, #wrapper, div")[:40]]
    for query in LAYOUT_SELECTORS + OTHER_SELECTORS:
        indexed = compile_css(query).chains is not None
        assert indexed == (query not in OTHER_SELECTORS), query
        for context in contexts:
            within = None if context is sel else context.root
            got = [index.elements[at] for at in index.select(query, within)]
            assert got == [s.root for s in context.css(query)], (name, query)
