"""What every listing layout shares: the one parsed document and its scope, the link rules, the
page class a layout fills in, and the next-page cascade.

A layout subclass only says where its articles are (selectors at the top of its module) and how
to recognise its pages (`matches`); `next_page` runs the same cascade for every layout, after
the layout's own rule when it has one. The pagination vocabulary below stays shared because a
theme built on one template still turns up under unknown markup (a News5 port without the
template's body class, core's ``the_posts_pagination`` in any theme).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar
from urllib.parse import parse_qsl, urlunsplit

from lxml.html import HtmlElement
from parsel import Selector

from newsarchive.normalize import (
    absolute_url,
    canonical_url,
    decode_html,
    is_article_url,
    is_site_url,
    request_url,
    split_url,
)
from newsarchive.pages.base import site_share_image
from newsarchive.pages.query import PageIndex, Spans

#: Never part of a listing, wherever they appear (site-notes §9.2, §9.7.1, §2.1).
SCOPE_EXCLUDE = (
    ".uc-header, .uc-navbar-dropdown, #uc-menu-panel, #uc-cart-panel, [data-uc-modal],"
    " [data-uc-offcanvas], #uc-footer, .uc-footer, .post-related, aside, .widget, .widget-area,"
    " .sidebar, #sidebar, #secondary, .newkarma-core-related-post, .gmr-related-infinite,"
    " .swiper-slide-duplicate, script, style, template"
)
#: Site chrome, dropped unless inside CONTENT (a card's own ``header.entry-header`` stays) or
#: itself a pagination block (core's ``nav.navigation.pagination``).
SITE_CHROME = "header, footer, nav"
CONTENT = "article, main, #wrapper, #primary, #main"
PAGINATION = ".uc-pagination, .nav-pagination, .pagination, .inf-pagination"
CHROME_KEPT = f".navigation, .nav-links, {PAGINATION}"
#: ARIA roles; keywords, compared case-insensitively (cssselect compares attribute values exactly).
EXCLUDE_ROLES = frozenset({"complementary"})
CHROME_ROLES = frozenset({"banner", "contentinfo", "navigation"})

#: Next-page markup every layout is read for (site-notes §9.4, §9.6, §9.7.6).
CORE_NEXT = "a.next.page-numbers, .nav-links a.next"  # paginate_links, the_posts_pagination
PAGINATION_CURRENT = ".current, [aria-current]"  # never uc-active: a News5 port sets it on all
PAGINATION_DISABLED = ".uc-disabled, .disabled"  # and aria-disabled="true"
CHEVRON_RIGHT = ".unicon-chevron-right"
#: Texts (or aria-labels) of a "next" link, compared lowercased with arrows stripped.
NEXT_TEXTS = frozenset(
    {"next", "next page", "selanjutnya", "berikutnya", "halaman selanjutnya", "halaman berikutnya"}
)
NEXT_ARROWS = "›»→"
#: A "Load more" link (News5's "Load more posts" button as a plain ``<a href=…/page/2/>``): its
#: text, lowercased with arrows stripped, or a class word containing one of LOAD_MORE_CLASSES.
LOAD_MORE_TEXTS = frozenset({
    "load more", "load more posts", "load more articles", "more posts", "older posts",
    "muat lebih banyak", "muat lainnya", "tampilkan lebih banyak", "lihat lebih banyak",
    "berita lainnya", "lebih banyak",
})  # fmt: skip
LOAD_MORE_CLASSES = ("load-more", "loadmore", "load_more")

_IGNORED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "whatsapp:")
_PAGE_PATH_RE = re.compile(r"/page/(\d+)/?$")
_PAGE_ONE_RE = re.compile(r"/page/1/?$")
_PAGE_TEXT_RE = re.compile(r"^(?:page|halaman|hal\.?)?\s*(\d{1,6})$", re.IGNORECASE)


@dataclass(frozen=True)
class Listing:
    """What a section listing page shows."""

    article_urls: list[str]
    """Article links in page order, deduplicated by canonical URL, each in `request_url` form."""
    next_page: str | None
    """Absolute URL of the next listing page; None when the page links to none."""
    layout: str
    """Name of the listing layout that read the page ("newkarma", "news5", "generic"), so a
    markup change shows in the crawl stats as pages moving to another layout."""
    share_image: str | None = None
    """The page's og:image when its body does not show it: the site's share image (Yoast's
    default image, a template head's demo image), which is no article's lead image."""


# --- the document and its scope -----------------------------------------------------------------


class Document:
    """The one parsed page, indexed once, and the subtrees that do not count on it."""

    def __init__(self, sel: Selector, exclude: str, chrome: str | None = None) -> None:
        self.sel = sel
        self.index = index = PageIndex(sel.root)
        at = index.elements.__getitem__
        dropped = {at(p) for p in index.select(exclude)} | _keyword(index, "role", EXCLUDE_ROLES)
        if chrome is not None:
            content = {at(p) for p in index.select(CONTENT)}
            chrome_roots = {at(p) for p in index.select(chrome)}
            chrome_roots |= _keyword(index, "role", CHROME_ROLES)
            chrome_roots -= {at(p) for p in index.select(CHROME_KEPT)}
            dropped |= {el for el in chrome_roots if content.isdisjoint(el.iterancestors())}
        self.dropped = Spans(index, dropped)
        # One byte per element: a query's matches are kept or dropped by position, however
        # large the dropped subtrees (a News5 header carries dozens of decoy cards).
        self._in_scope = bytearray(b"\x01" * len(index.elements))
        for start, end in self.dropped.ranges:
            self._in_scope[start:end] = bytes(end - start)

    def select(self, query: str, within: HtmlElement | None = None) -> list[HtmlElement]:
        """In-scope matches of a CSS query, in document order."""
        elements, in_scope = self.index.elements, self._in_scope
        return [elements[p] for p in self.index.select(query, within) if in_scope[p]]

    def outermost(self, query: str) -> list[HtmlElement]:
        """In-scope matches that are not inside another match."""
        in_scope = self._in_scope
        found = [p for p in self.index.select(query) if in_scope[p]]
        return [self.index.elements[start] for start, _ in self.index.ranges(found)]

    def subtrees(self, query: str) -> Spans:
        """The subtrees of the in-scope matches of `query`."""
        return Spans(self.index, self.select(query))

    def url(self, page_url: str) -> str:
        """The URL relative links resolve against (``<base href>`` when present and usable)."""
        base = self.select("base[href]")
        return (absolute_url(base[0].attrib["href"], page_url) if base else None) or page_url


def parse_document(html: str | bytes, exclude: str, chrome: str | None = None) -> Document:
    """Parse once (bytes decoded as Scrapy would) and find the subtrees to drop: `exclude`
    anywhere, `chrome` unless inside CONTENT or itself CHROME_KEPT."""
    return Document(Selector(text=decode_html(html), type="html"), exclude, chrome)


def parse_listing_document(html: str | bytes) -> Document:
    """A listing page in the scope every layout reads it in: chrome and noise dropped."""
    return parse_document(html, SCOPE_EXCLUDE, chrome=SITE_CHROME)


def _keyword(
    index: PageIndex, attr: str, values: frozenset[str], *, tokens: bool = False
) -> set[HtmlElement]:
    """Elements whose keyword attribute (with `tokens`, one of its words) is one of `values`,
    compared case-insensitively: ``rel="Next"`` and ``role="Navigation"`` count."""
    found = ((el, el.attrib[attr].lower()) for el in index.with_attr(attr))
    return {el for el, v in found if values.intersection(v.split() if tokens else [v.strip()])}


def _text(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


# --- links ----------------------------------------------------------------------------------------


def _resolve(href: str, doc_url: str) -> str | None:
    """The absolute URL of a link; None for empty, fragment-only and non-web links, and for
    links that cannot be split (``http://[…``)."""
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    return absolute_url(href, doc_url)


def site_link(href: str, doc_url: str, base_url: str) -> str | None:
    """The absolute URL of a web link to the site (any host variant), else None."""
    link = _resolve(href, doc_url)
    parts = split_url(link) if link else None
    if link is None or parts is None or parts.scheme not in ("http", "https"):
        return None
    return link if is_site_url(link, base_url) else None


def article_link(href: str, doc_url: str, base_url: str) -> str | None:
    """The request form of an article link, or None when it is not an article of the site."""
    link = _resolve(href, doc_url)
    return request_url(link, base_url) if link and is_article_url(link, base_url) else None


def dedupe(links: Iterable[str | None], base_url: str) -> list[str]:
    """The links in order, None dropped, the first of each canonical URL kept."""
    unique: dict[str, str] = {}
    seen: set[str] = set()  # a News5 card links its post twice (image, title): one canonical_url
    for link in links:
        if link is not None and link not in seen:
            seen.add(link)
            unique.setdefault(canonical_url(link, base_url), link)
    return list(unique.values())


# --- the page a layout reads ------------------------------------------------------------------


class ListingPage:
    """A listing page as one layout reads it: its articles, and its links as the next-page
    rules see them."""

    name: ClassVar[str]
    #: Where the listed articles are: every article permalink inside the first of these present
    #: in scope, else anywhere in scope.
    ROOT_TIERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, doc: Document, url: str, base_url: str) -> None:
        self.doc, self.url, self.base_url = doc, url, base_url
        self.doc_url = doc.url(url)
        # A card links its post two or three times (image, title, "read more"): each href is
        # resolved once per page.
        self._article_links: dict[str, str | None] = {}
        self._texts: dict[HtmlElement, str] = {}

    @classmethod
    def matches(cls, doc: Document) -> bool:
        """Whether the page has this layout's marker (in scope: a decoy in the header or a
        related-posts widget does not count)."""
        raise NotImplementedError

    def to_listing(self) -> Listing:
        return Listing(
            article_urls=dedupe(self.article_links(), self.base_url),
            next_page=self.next_page(),
            layout=self.name,
            share_image=site_share_image(self.doc.sel),
        )

    def article_links(self) -> list[str | None]:
        """Each listed article's link in page order (None where a link is not an article)."""
        anchors = self.doc.select("a[href]")
        if root := next((tier for tier in self.ROOT_TIERS if self.doc.select(tier)), None):
            within = self.doc.subtrees(root)
            anchors = [a for a in anchors if a in within]
        return [self.article_link(a.attrib["href"]) for a in anchors]

    def article_link(self, href: str) -> str | None:
        """`article_link` of an href on this page."""
        try:
            return self._article_links[href]
        except KeyError:
            link = self._article_links[href] = article_link(href, self.doc_url, self.base_url)
            return link

    def text(self, el: HtmlElement) -> str:
        """An element's whitespace-normalised text (two rules read every link's)."""
        try:
            return self._texts[el]
        except KeyError:
            text = self._texts[el] = _text(el)
            return text

    # --- next page ----------------------------------------------------------------------------

    def next_page(self) -> str | None:
        return next((link for rule in NEXT_PAGE_RULES if (link := rule(self))), None)

    def layout_next(self) -> str | None:
        """The layout's own next link, tried before the shared rules; none unless the layout
        has markup of its own that says it best (Newkarma's "View More" target)."""
        return None

    @cached_property
    def anchors(self) -> list[HtmlElement]:
        """The usable links: in scope, and not inside a disabled pagination item."""
        disabled = set(self.doc.select(PAGINATION_DISABLED))
        disabled |= _keyword(self.doc.index, "aria-disabled", frozenset({"true"}))
        within_disabled = Spans(self.doc.index, disabled)
        return [a for a in self.doc.select("a[href]") if a not in within_disabled]

    @cached_property
    def own_key(self) -> tuple[str, str, str] | None:
        own = absolute_url(self.url, self.url)
        return _same_page_key(_on_base(own, self.base_url)) if own else None

    def matching(self, query: str) -> list[str]:
        """Hrefs of the usable links that match a CSS query, in page order."""
        marks = set(self.doc.select(query))
        return [a.attrib["href"] for a in self.anchors if a in marks]

    def first(self, hrefs: Iterable[str]) -> str | None:
        """The first href that is another listing page of the site, on the base URL's host.
        (A post's "next post" link is not a listing page.)"""
        for href in hrefs:
            link = site_link(href, self.doc_url, self.base_url)
            if link and not is_article_url(link, self.base_url):
                link = _on_base(link, self.base_url)
                if link and _same_page_key(link) != self.own_key:
                    return link
        return None


def _layout_next(page: ListingPage) -> str | None:
    """The layout's own rule (see `ListingPage.layout_next`)."""
    return page.layout_next()


def _rel_next(page: ListingPage) -> str | None:
    """Yoast's ``<link rel=next>`` in the head, then an ``<a rel=next>``."""
    rel_next = _keyword(page.doc.index, "rel", frozenset({"next"}), tokens=True)
    links = [el.attrib["href"] for el in page.doc.select("link[href]") if el in rel_next]
    return page.first(links + [a.attrib["href"] for a in page.anchors if a in rel_next])


def _core_next(page: ListingPage) -> str | None:
    """WordPress's own next link (``paginate_links``, ``the_posts_pagination``)."""
    return page.first(page.matching(CORE_NEXT))


def _pagination_next(page: ListingPage) -> str | None:
    """In each pagination block: the link to the current page + 1 (current as marked, else the
    page number in the URL), else the link holding the right chevron."""
    chevron_links = {next(c.iterancestors("a"), None) for c in page.doc.select(CHEVRON_RIGHT)}
    usable = {a: a.attrib["href"] for a in page.anchors}
    for block in page.doc.outermost(PAGINATION):
        marked = (_page_number(page.text(el)) for el in page.doc.select(PAGINATION_CURRENT, block))
        current = next((number for number in marked if number is not None), None)
        wanted = (_url_page_number(page.url) if current is None else current) + 1
        members = [a for a in page.doc.select("a[href]", block) if a in usable]
        numbered = [usable[a] for a in members if _page_number(page.text(a)) == wanted]
        if link := page.first(numbered + [usable[a] for a in members if a in chevron_links]):
            return link
    return None


def _next_by_text(page: ListingPage) -> str | None:
    """Any link that says "next" (News5's "Next page" button, "Selanjutnya", "›", …)."""
    return page.first(a.attrib["href"] for a in page.anchors if _reads_next(a, page.text(a)))


def _load_more(page: ListingPage) -> str | None:
    """A "Load more" link to another listing page (a link, never a script-only button: ``#``
    and ``javascript:`` hrefs are not usable)."""
    return page.first(a.attrib["href"] for a in page.anchors if _reads_load_more(a, page.text(a)))


#: The next-page cascade, in order; the first rule that finds a usable link wins.
NEXT_PAGE_RULES: tuple[Callable[[ListingPage], str | None], ...] = (
    _layout_next,
    _rel_next,
    _core_next,
    _pagination_next,
    _next_by_text,
    _load_more,
)


def _reads_load_more(anchor: HtmlElement, anchor_text: str) -> bool:
    classes = (anchor.get("class") or "").lower().split()
    if any(marker in word for word in classes for marker in LOAD_MORE_CLASSES):
        return True
    for text in (anchor_text, anchor.get("aria-label") or ""):
        lowered = " ".join(text.split()).lower().strip(NEXT_ARROWS + " >.…")
        if lowered in LOAD_MORE_TEXTS:
            return True
    return False


def _reads_next(anchor: HtmlElement, anchor_text: str) -> bool:
    for text in (anchor_text, anchor.get("aria-label") or ""):
        lowered = " ".join(text.split()).lower()
        stripped = lowered.strip(NEXT_ARROWS + " >")
        if stripped in NEXT_TEXTS or (not stripped and any(c in lowered for c in "›»")):
            return True
    return False


def _on_base(url: str, base_url: str) -> str | None:
    """A site URL moved onto the base URL's scheme and host; path and query kept, fragment
    dropped. (Listing pages keep their query: `?paged=N`, `?filter_post_type=…`.) None when
    the URL cannot be split."""
    parts = split_url(url)
    if parts is None:
        return None
    base = split_url(base_url.lower()) if is_site_url(url, base_url) else None
    host = parts if base is None else base
    return urlunsplit((host.scheme, host.netloc, parts.path or "/", parts.query, ""))


def _same_page_key(url: str | None) -> tuple[str, str, str] | None:
    """What makes two listing URLs the same page; None for no URL or one that cannot be split."""
    parts = split_url(url) if url else None
    if parts is None:
        return None
    path = _PAGE_ONE_RE.sub("/", parts.path).rstrip("/")
    return parts.netloc.lower().removeprefix("www."), path, parts.query


def _url_page_number(url: str) -> int:
    parts = split_url(url)
    if parts is None:
        return 1
    if match := _PAGE_PATH_RE.search(parts.path):
        return int(match[1])
    pages = [int(v) for k, v in parse_qsl(parts.query) if k in ("paged", "page") and v.isdigit()]
    return pages[0] if pages else 1


def _page_number(text: str) -> int | None:
    match = _PAGE_TEXT_RE.match(text.strip())
    return int(match[1]) if match else None
