"""Section listing pages: the articles they list, in page order, and the next listing page.

Pure extraction, ``(url, html)`` in, :class:`Listing` out; imports parsel, never Scrapy (what to
fetch and when to stop is the spider's job). Newkarma pages (2017 – 2025, site-notes §2.3) list
one ``article.item-infinite`` card per post. Other pages (News5 and unknown markup, §9.7) list
every article permalink inside the first listing root present, once the site chrome is dropped.
The next page is the first usable answer of :data:`NEXT_PAGE_RULES`, down to a plain "Load
more" link; no ``/page/N+1`` is invented here, so ``next_page`` is None when the page links to
none (the spider's safety net then guesses it, and says so in its stats).

The page is parsed once and each rule is a parsel CSS query on that one document; an element is
in scope unless it or one of its ancestors is a dropped subtree root.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
from newsarchive.site import DEFAULT_BASE_URL

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
#: Listing roots for the generic path; the first one present on the page is used, else body.
ROOT_TIERS = ("#wrapper", "main", "#primary", "#main")
#: Newkarma cards; a card's post is the first permalink of the first of these that has one.
NEWKARMA_CARD = "article.item-infinite"
NEWKARMA_CARD_LINKS = (".entry-title a[href]", ".item-article a[href]", "a[href]")

#: Next-page markup (site-notes §2.3, §9.4, §9.6, §9.7.6).
INF_PAGINATION_NEXT = ".inf-pagination a.next"  # what Newkarma's "View More" script fetches
A_NEXT_PAGE_NUMBERS = "a.next.page-numbers"
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

#: Section discovery: the first menu tier that yields a section wins.
SECTION_MENU_TIERS = (
    "#site-navigation, .gmr-mainmenu",  # Newkarma primary menu
    ".uc-navbar, .uc-navbar-nav, [data-uc-navbar]",  # News5 navbar (its dropdowns are excluded)
    "nav",  # any other navigation menu
)
SECTION_EXCLUDE = (
    ".uc-navbar-dropdown, #uc-cart-panel, [data-uc-modal], footer, #uc-footer, .uc-footer, aside,"
    " .widget, .widget-area, .sidebar, #sidebar, #secondary, script, style, template"
)
#: WordPress nav-menu items say what they link to (``menu-item-object-<type>``).
MENU_OBJECT_PREFIX = "menu-item-object-"
MENU_OBJECT_SECTIONS = frozenset({"category", "custom"})
CATEGORY_BASE = "category"
#: First path segments that are never a section listing.
NON_SECTION_SEGMENTS = frozenset({
    "amp", "author", "category", "comments", "feed", "page", "search", "tag",
    "wp-admin", "wp-content", "wp-includes", "wp-json",
})  # fmt: skip

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


@dataclass(frozen=True)
class _Doc:
    """The one parsed page, and every element of the subtrees that do not count on it."""

    sel: Selector
    dropped: frozenset[HtmlElement]

    def select(self, query: str, within: Selector | None = None) -> list[Selector]:
        """In-scope matches of a CSS query, in document order."""
        found = (self.sel if within is None else within).css(query)
        return [s for s in found if s.root not in self.dropped]

    def roots(self, query: str) -> set[HtmlElement]:
        return {s.root for s in self.select(query)}

    def outermost(self, query: str) -> list[Selector]:
        """In-scope matches that are not inside another match."""
        found = self.select(query)
        roots = {s.root for s in found}
        return [s for s in found if roots.isdisjoint(s.root.iterancestors())]

    def inside(self, items: Iterable[Selector], query: str) -> list[Selector]:
        """The items that are, or are inside, an in-scope match of `query`."""
        within = _subtrees(self.roots(query))
        return [s for s in items if s.root in within]

    def url(self, page_url: str) -> str:
        """The URL relative links resolve against (``<base href>`` when present and usable)."""
        base = self.select("base[href]")
        return (absolute_url(base[0].attrib["href"], page_url) if base else None) or page_url


def _parse(html: str | bytes, exclude: str, chrome: str | None = None) -> _Doc:
    """Parse once (bytes decoded as Scrapy would) and find the subtrees to drop: `exclude`
    anywhere, `chrome` unless inside CONTENT or itself CHROME_KEPT."""
    sel = Selector(text=decode_html(html), type="html")
    dropped = _roots(sel, exclude) | _keyword(sel, "role", EXCLUDE_ROLES)
    if chrome is not None:
        content = _roots(sel, CONTENT)
        chrome_roots = _roots(sel, chrome) | _keyword(sel, "role", CHROME_ROLES)
        chrome_roots -= _roots(sel, CHROME_KEPT)
        dropped |= {el for el in chrome_roots if content.isdisjoint(el.iterancestors())}
    return _Doc(sel, frozenset(_subtrees(dropped)))


def _roots(sel: Selector, query: str) -> set[HtmlElement]:
    return {s.root for s in sel.css(query)}


def _keyword(
    sel: Selector, attr: str, values: frozenset[str], *, tokens: bool = False
) -> set[HtmlElement]:
    """Elements whose keyword attribute (with `tokens`, one of its words) is one of `values`,
    compared case-insensitively: ``rel="Next"`` and ``role="Navigation"`` count."""
    found = ((s.root, s.attrib[attr].lower()) for s in sel.css(f"[{attr}]"))
    return {el for el, v in found if values.intersection(v.split() if tokens else [v.strip()])}


def _subtrees(roots: Iterable[HtmlElement]) -> set[HtmlElement]:
    """Every element of the subtrees under `roots`: one pass over them, then O(1) membership
    tests (walking each link's ancestors instead costs links × depth)."""
    return {el for root in roots for el in root.iter()}


def _text(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


def _resolve(href: str, doc_url: str) -> str | None:
    """The absolute URL of a link; None for empty, fragment-only and non-web links, and for
    links that cannot be split (``http://[…``)."""
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    return absolute_url(href, doc_url)


def _site_link(href: str, doc_url: str, base_url: str) -> str | None:
    """The absolute URL of a web link to the site (any host variant), else None."""
    link = _resolve(href, doc_url)
    parts = split_url(link) if link else None
    if link is None or parts is None or parts.scheme not in ("http", "https"):
        return None
    return link if is_site_url(link, base_url) else None


def _dedupe(links: Iterable[str | None], base_url: str) -> list[str]:
    """The links in order, None dropped, the first of each canonical URL kept."""
    unique: dict[str, str] = {}
    for link in links:
        if link is not None:
            unique.setdefault(canonical_url(link, base_url), link)
    return list(unique.values())


# --- articles ---------------------------------------------------------------------------------


def parse_listing(url: str, html: str | bytes, base_url: str = DEFAULT_BASE_URL) -> Listing:
    """The articles a section listing page lists, in page order, and its next page."""
    doc = _parse(html, SCOPE_EXCLUDE, chrome=SITE_CHROME)
    doc_url = doc.url(url)
    if cards := doc.outermost(NEWKARMA_CARD):
        links = [_card_link(doc, card, doc_url, base_url) for card in cards]
    else:
        anchors = doc.select("a[href]")
        if root := next((tier for tier in ROOT_TIERS if doc.select(tier)), None):
            anchors = doc.inside(anchors, root)
        links = [_article_link(a.attrib["href"], doc_url, base_url) for a in anchors]
    page = _Page(doc, url, doc_url, base_url, newkarma=bool(cards))
    return Listing(article_urls=_dedupe(links, base_url), next_page=page.next_page())


def _article_link(href: str, doc_url: str, base_url: str) -> str | None:
    """The request form of an article link, or None when it is not an article of the site."""
    link = _resolve(href, doc_url)
    return request_url(link, base_url) if link and is_article_url(link, base_url) else None


def _card_link(doc: _Doc, card: Selector, doc_url: str, base_url: str) -> str | None:
    """The card's post: a thumbnail may link to ``/amp/`` and a "read more" to ``?pgrelated``,
    so the title link is preferred."""
    links = (
        _article_link(anchor.attrib["href"], doc_url, base_url)
        for query in NEWKARMA_CARD_LINKS
        for anchor in doc.select(query, within=card)
    )
    return next((link for link in links if link), None)


# --- next page --------------------------------------------------------------------------------


class _Page:
    """A listing page as the next-page rules see it: its usable links and its own URL."""

    def __init__(self, doc: _Doc, url: str, doc_url: str, base_url: str, newkarma: bool) -> None:
        self.doc, self.url, self.doc_url, self.base_url = doc, url, doc_url, base_url
        self.newkarma = newkarma
        disabled = doc.roots(PAGINATION_DISABLED)
        disabled = _subtrees(disabled | _keyword(doc.sel, "aria-disabled", frozenset({"true"})))
        self.anchors = [a for a in doc.select("a[href]") if a.root not in disabled]
        own = absolute_url(url, url)
        self.own_key = _same_page_key(_on_base(own, base_url)) if own else None

    def next_page(self) -> str | None:
        return next((link for rule in NEXT_PAGE_RULES if (link := rule(self))), None)

    def matching(self, query: str) -> list[str]:
        """Hrefs of the usable links that match a CSS query, in page order."""
        marks = self.doc.roots(query)
        return [a.attrib["href"] for a in self.anchors if a.root in marks]

    def first(self, hrefs: Iterable[str]) -> str | None:
        """The first href that is another listing page of the site, on the base URL's host.
        (A post's "next post" link is not a listing page.)"""
        for href in hrefs:
            link = _site_link(href, self.doc_url, self.base_url)
            if link and not is_article_url(link, self.base_url):
                link = _on_base(link, self.base_url)
                if link and _same_page_key(link) != self.own_key:
                    return link
        return None


def _newkarma_next(page: _Page) -> str | None:
    """Newkarma: the link its "View More" script fetches, then the plain numbered next link."""
    if not page.newkarma:
        return None
    return page.first(page.matching(INF_PAGINATION_NEXT) + page.matching(A_NEXT_PAGE_NUMBERS))


def _rel_next(page: _Page) -> str | None:
    """Yoast's ``<link rel=next>`` in the head, then an ``<a rel=next>``."""
    rel_next = _keyword(page.doc.sel, "rel", frozenset({"next"}), tokens=True)
    links = [s.attrib["href"] for s in page.doc.select("link[href]") if s.root in rel_next]
    return page.first(links + [a.attrib["href"] for a in page.anchors if a.root in rel_next])


def _core_next(page: _Page) -> str | None:
    """WordPress's own next link (``paginate_links``, ``the_posts_pagination``)."""
    return page.first(page.matching(CORE_NEXT))


def _pagination_next(page: _Page) -> str | None:
    """In each pagination block: the link to the current page + 1 (current as marked, else the
    page number in the URL), else the link holding the right chevron."""
    chevron_links = {next(c.root.iterancestors("a"), None) for c in page.doc.select(CHEVRON_RIGHT)}
    usable = {a.root: a.attrib["href"] for a in page.anchors}
    for block in page.doc.outermost(PAGINATION):
        marked = (_page_number(_text(s.root)) for s in page.doc.select(PAGINATION_CURRENT, block))
        current = next((number for number in marked if number is not None), None)
        wanted = (_url_page_number(page.url) if current is None else current) + 1
        members = [s.root for s in block.css("a[href]") if s.root in usable]
        numbered = [usable[a] for a in members if _page_number(_text(a)) == wanted]
        if link := page.first(numbered + [usable[a] for a in members if a in chevron_links]):
            return link
    return None


def _next_by_text(page: _Page) -> str | None:
    """Any link that says "next" (News5's "Next page" button, "Selanjutnya", "›", …)."""
    return page.first(a.attrib["href"] for a in page.anchors if _reads_next(a.root))


def _load_more(page: _Page) -> str | None:
    """A "Load more" link to another listing page (a link, never a script-only button: ``#``
    and ``javascript:`` hrefs are not usable)."""
    return page.first(a.attrib["href"] for a in page.anchors if _reads_load_more(a.root))


#: The next-page cascade, in order; the first rule that finds a usable link wins.
NEXT_PAGE_RULES: tuple[Callable[[_Page], str | None], ...] = (
    _newkarma_next,
    _rel_next,
    _core_next,
    _pagination_next,
    _next_by_text,
    _load_more,
)


def _reads_load_more(anchor: HtmlElement) -> bool:
    classes = (anchor.get("class") or "").lower().split()
    if any(marker in word for word in classes for marker in LOAD_MORE_CLASSES):
        return True
    for text in (_text(anchor), anchor.get("aria-label") or ""):
        lowered = " ".join(text.split()).lower().strip(NEXT_ARROWS + " >.…")
        if lowered in LOAD_MORE_TEXTS:
            return True
    return False


def _reads_next(anchor: HtmlElement) -> bool:
    for text in (_text(anchor), anchor.get("aria-label") or ""):
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


# --- sections from the home page's navigation --------------------------------------------------


def parse_section_urls(url: str, html: str | bytes, base_url: str = DEFAULT_BASE_URL) -> list[str]:
    """Section (category) listing URLs from the site's main navigation, in menu order.

    The first menu tier present that yields a section is used: the Newkarma primary menu,
    else the News5 navbar's top-level items, else any `nav`. A link is a section when its menu
    item is a WordPress category item, or its path is under the category base
    (`/category/<slug>/…`), or it is a single-segment path of the site (`/berita-daerah/`) that
    is not home, a tag/author/page/feed/admin path, a file or an article. When no menu yields a
    section, category-base links anywhere outside the footer and sidebars are used. URLs are
    absolute, on the base URL's host, in the site's own slash style, deduplicated.
    """
    doc = _parse(html, SECTION_EXCLUDE)
    doc_url = doc.url(url)
    anchors = doc.select("a[href]")
    for tier in SECTION_MENU_TIERS:
        menu = doc.inside(anchors, tier)
        found = _dedupe((_section_link(a, doc_url, base_url, in_menu=True) for a in menu), base_url)
        if found:
            return found
    links = (_section_link(a, doc_url, base_url, in_menu=False) for a in anchors)
    return _dedupe(links, base_url)


def _menu_object(anchor: Selector) -> str | None:
    """The WordPress object type of the link's menu item ("category", "page", …), if any."""
    item = next(anchor.root.iterancestors("li"), None)
    classes = (item.get("class") or "").split() if item is not None else []
    prefixed = [c for c in classes if c.startswith(MENU_OBJECT_PREFIX)]
    return prefixed[0].removeprefix(MENU_OBJECT_PREFIX) if prefixed else None


def _section_link(anchor: Selector, doc_url: str, base_url: str, *, in_menu: bool) -> str | None:
    link = _site_link(anchor.attrib["href"], doc_url, base_url)
    parts = split_url(link) if link else None
    if link is None or parts is None or is_article_url(link, base_url):
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    if parts.query or not segments or {"feed", "page", "amp"}.intersection(segments[1:]):
        return None
    menu_object = _menu_object(anchor)
    if menu_object is not None and menu_object not in MENU_OBJECT_SECTIONS:
        return None  # a page, a post, a tag … put in the menu
    is_section = menu_object == "category" or (segments[0] == CATEGORY_BASE and len(segments) > 1)
    if not is_section and in_menu and len(segments) == 1:
        slug = segments[0].lower()
        is_section = slug not in NON_SECTION_SEGMENTS and "." not in slug
        is_section = is_section and not slug.startswith("wp-")
    return request_url(link, base_url) if is_section else None
