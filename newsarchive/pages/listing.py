"""Section listing pages: the articles they list, in page order, and the next listing page.

Pure extraction: ``(url, html)`` in, :class:`Listing` out. Imports parsel/lxml and
:mod:`newsarchive.normalize`, never Scrapy; what to fetch and when to stop is the spider's job.

Two markup families (site-notes §2.3, §9):

* **Newkarma** (2017 – 2025): one ``article.item-infinite`` card per post; the post is the card's
  ``h2.entry-title`` link, else its ``.item-article`` link, else any permalink in the card. The
  next page is ``.inf-pagination a.next`` (what the JS "View More" button fetches), then
  ``a.next.page-numbers``.
* **News5 era and unknown markup** (site-notes §9.7): drop the site chrome (header, mega menu,
  off-canvas and modal panels, footer, related posts, sidebars), take the first listing root
  present (``#wrapper`` → ``main`` → ``#primary`` → ``#main`` → the whole page) and list every
  link in it that is an article permalink of the site, whatever its classes.

Next page, first usable answer wins: ``link[rel=next]`` → ``a[rel=next]`` →
``a.next.page-numbers`` / ``.nav-links a.next`` → inside a pagination block, the link to the
current page + 1 (current = ``.current`` / ``[aria-current]``, else the page number in the URL;
never ``uc-active``, which one News5 port puts on every item) or the link holding the
right chevron → a link reading "Selanjutnya", "Berikutnya", "Next", "›", "»" or "Next page".
Links to ``#``, ``javascript:``, disabled items, other hosts, article permalinks and the page
itself are skipped. No ``/page/N+1`` is invented: ``next_page`` is None when the page shows no
next link, and the spider decides what that means.

The document is parsed once and walked once. The selectors below are simple CSS selectors
(tag, ``#id``, ``.class``, ``[attr]``, ``[attr=value]``, ``[attr~=value]``, comma lists, no
combinators): each element is matched against all of them during the single walk, and
descendant relations ("``a.next`` inside ``.inf-pagination``") are carried down the walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from parsel import Selector
from w3lib.encoding import html_to_unicode

from newsarchive.normalize import (
    DEFAULT_BASE_URL,
    absolute_url,
    canonical_url,
    is_article_url,
    is_site_url,
    request_url,
)

# --------------------------------------------------------------------------------------------
# Selectors
# --------------------------------------------------------------------------------------------

#: Never part of a listing, wherever they appear (site-notes §9.2, §9.7.1, §2.1).
SCOPE_EXCLUDE = (
    ".uc-header, .uc-navbar-dropdown, #uc-menu-panel, #uc-cart-panel, [data-uc-modal],"
    " [data-uc-offcanvas], #uc-footer, .uc-footer, .post-related, aside, [role=complementary],"
    " .widget, .widget-area, .sidebar, #sidebar, #secondary, .newkarma-core-related-post,"
    " .gmr-related-infinite, .swiper-slide-duplicate, script, style, template"
)
#: Site chrome: dropped unless inside CONTENT, so a card's own ``header.entry-header`` stays,
#: or unless it is itself a pagination block (core's ``nav.navigation.pagination``).
SITE_CHROME = "header, footer, nav, [role=banner], [role=contentinfo], [role=navigation]"
CONTENT = "article, main, #wrapper, #primary, #main"
CHROME_KEPT = ".navigation, .nav-links"  # and PAGINATION
#: Listing roots for the generic path; the first one present on the page is used, else body.
ROOT_TIERS: tuple[str, ...] = ("#wrapper", "main", "#primary", "#main")

#: Newkarma listing cards and their parts (site-notes §2.3).
NEWKARMA_CARD = "article.item-infinite"
NEWKARMA_TITLE = ".entry-title"
NEWKARMA_BODY = ".item-article"
NEWKARMA_PAGINATION = ".inf-pagination"  # its `a.next` is the next page

#: Next-page rules (site-notes §9.7.6), in cascade order.
LINK_REL_NEXT = "link[rel~=next]"
A_REL_NEXT = "a[rel~=next]"
A_NEXT_PAGE_NUMBERS = "a.next.page-numbers"
NAV_LINKS = ".nav-links"  # its `a.next` is the next page (core the_posts_pagination)
A_NEXT = "a.next"
PAGINATION = ".uc-pagination, .nav-pagination, .pagination, .inf-pagination"
PAGINATION_CURRENT = ".current, [aria-current]"
PAGINATION_DISABLED = ".uc-disabled, .disabled, [aria-disabled=true]"
CHEVRON_RIGHT = ".unicon-chevron-right"
#: Texts (or aria-labels) of a "next" link, compared lowercased with arrows stripped.
NEXT_TEXTS = frozenset(
    {
        "next",
        "next page",
        "selanjutnya",
        "berikutnya",
        "halaman selanjutnya",
        "halaman berikutnya",
    }
)
NEXT_ARROWS = "›»→"

BASE_HREF = "base[href]"

#: Section discovery (parse_section_urls): menu tiers, first tier yielding a section wins.
SECTION_MENU_TIERS: tuple[str, ...] = (
    "#site-navigation, .gmr-mainmenu",  # Newkarma primary menu
    # News5 navbar (`div[data-uc-navbar] … ul.uc-navbar-nav`); its dropdowns are excluded
    # below, so only top-level items count.
    ".uc-navbar, .uc-navbar-nav, [data-uc-navbar]",
    "nav",  # any other navigation menu
)
SECTION_EXCLUDE = (
    ".uc-navbar-dropdown, #uc-cart-panel, [data-uc-modal], footer, #uc-footer, .uc-footer,"
    " aside, [role=complementary], .widget, .widget-area, .sidebar, #sidebar, #secondary,"
    " script, style, template"
)
#: WordPress nav-menu items say what they link to (`menu-item-object-<type>`).
MENU_ITEM = "li"
MENU_OBJECT_PREFIX = "menu-item-object-"
MENU_OBJECT_SECTIONS = frozenset({"category", "custom"})
CATEGORY_BASE = "category"
#: First path segments that are never a section listing.
NON_SECTION_SEGMENTS = frozenset(
    {
        "amp",
        "author",
        "category",
        "comments",
        "feed",
        "page",
        "search",
        "tag",
        "wp-admin",
        "wp-content",
        "wp-includes",
        "wp-json",
    }
)

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


# --------------------------------------------------------------------------------------------
# A tiny compiled simple-selector matcher (one pass over the tree, no rescans)
# --------------------------------------------------------------------------------------------

_SIMPLE_TAG_RE = re.compile(r"[a-z][a-z0-9]*")
_SIMPLE_PART_RE = re.compile(
    r"#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)|\[(?P<attr>[\w-]+)(?:(?P<op>~?=)(?P<val>[^\]]+))?\]"
)


@dataclass(frozen=True)
class _Simple:
    tag: str | None
    id: str | None
    classes: frozenset[str]
    attrs: tuple[tuple[str, str, str], ...]  # (name, op, value); op "" = present

    @classmethod
    def parse(cls, text: str) -> _Simple:
        text = text.strip()
        tag_match = _SIMPLE_TAG_RE.match(text)
        tag = tag_match.group(0) if tag_match else None
        pos = tag_match.end() if tag_match else 0
        el_id: str | None = None
        classes: set[str] = set()
        attrs: list[tuple[str, str, str]] = []
        while pos < len(text):
            part = _SIMPLE_PART_RE.match(text, pos)
            if part is None:
                raise ValueError(f"unsupported selector: {text!r}")
            if part["id"]:
                el_id = part["id"]
            elif part["cls"]:
                classes.add(part["cls"])
            else:
                attrs.append((part["attr"], part["op"] or "", (part["val"] or "").strip("'\"")))
            pos = part.end()
        if not (tag or el_id or classes or attrs):
            raise ValueError(f"empty selector: {text!r}")
        return cls(tag, el_id, frozenset(classes), tuple(attrs))

    def matches(self, el: _Element, tag: str, el_id: str, classes: frozenset[str]) -> bool:
        if self.tag is not None and tag != self.tag:
            return False
        if self.id is not None and el_id != self.id:
            return False
        if not self.classes <= classes:
            return False
        for name, op, value in self.attrs:
            actual = el.get(name)
            if actual is None:
                return False
            if op == "=" and actual.strip().lower() != value.lower():
                return False
            if op == "~=" and value.lower() not in actual.lower().split():
                return False
        return True


# lxml has no type information; elements are lxml.etree._Element.
_Element = Any


class _Matcher:
    """Matches elements against named selector lists; indexed so each element costs a few
    dictionary look-ups, not one test per selector."""

    def __init__(self, rules: Mapping[str, str]) -> None:
        self._by_id: dict[str, list[tuple[str, _Simple]]] = {}
        self._by_class: dict[str, list[tuple[str, _Simple]]] = {}
        self._by_tag: dict[str, list[tuple[str, _Simple]]] = {}
        self._by_attr: dict[str, list[tuple[str, _Simple]]] = {}
        for role, selectors in rules.items():
            for text in selectors.split(","):
                simple = _Simple.parse(text)
                entry = (role, simple)
                if simple.id is not None:
                    self._by_id.setdefault(simple.id, []).append(entry)
                elif simple.classes:
                    self._by_class.setdefault(min(simple.classes), []).append(entry)
                elif simple.tag is not None:
                    self._by_tag.setdefault(simple.tag, []).append(entry)
                else:
                    self._by_attr.setdefault(simple.attrs[0][0], []).append(entry)

    def roles(self, el: _Element, tag: str) -> frozenset[str]:
        el_id = el.get("id") or ""
        classes = _classes(el)
        candidates: list[tuple[str, _Simple]] = []
        if el_id in self._by_id:
            candidates += self._by_id[el_id]
        for token in classes:
            candidates += self._by_class.get(token, ())
        candidates += self._by_tag.get(tag, ())
        for name, entries in self._by_attr.items():
            if el.get(name) is not None:
                candidates += entries
        if not candidates:
            return frozenset()
        return frozenset(
            role for role, simple in candidates if simple.matches(el, tag, el_id, classes)
        )


def _classes(el: _Element) -> frozenset[str]:
    value = el.get("class")
    return frozenset(value.split()) if value else frozenset()


_LISTING_RULES: dict[str, str] = {
    "exclude": SCOPE_EXCLUDE,
    "chrome": SITE_CHROME,
    "content": CONTENT,
    "chrome_kept": CHROME_KEPT,
    **{f"root{i}": selector for i, selector in enumerate(ROOT_TIERS)},
    "card": NEWKARMA_CARD,
    "card_title": NEWKARMA_TITLE,
    "card_body": NEWKARMA_BODY,
    "inf_pagination": NEWKARMA_PAGINATION,
    "link_next": LINK_REL_NEXT,
    "a_rel_next": A_REL_NEXT,
    "a_next_numbers": A_NEXT_PAGE_NUMBERS,
    "nav_links": NAV_LINKS,
    "a_next": A_NEXT,
    "pagination": PAGINATION,
    "current": PAGINATION_CURRENT,
    "disabled": PAGINATION_DISABLED,
    "chevron": CHEVRON_RIGHT,
    "base": BASE_HREF,
}
_LISTING = _Matcher(_LISTING_RULES)
_ROOT_ROLES = tuple(f"root{i}" for i in range(len(ROOT_TIERS)))

_SECTION_RULES: dict[str, str] = {
    "exclude": SECTION_EXCLUDE,
    **{f"tier{i}": selector for i, selector in enumerate(SECTION_MENU_TIERS)},
    "menu_item": MENU_ITEM,
    "base": BASE_HREF,
}
_SECTIONS = _Matcher(_SECTION_RULES)


def _parse(html: str | bytes) -> _Element:
    """One lxml parse of the page (bytes decoded as Scrapy would: BOM, then the declared
    charset, else UTF-8 with replacement)."""
    if isinstance(html, bytes):
        _, html = html_to_unicode(None, html)
    return Selector(text=html, type="html").root


# --------------------------------------------------------------------------------------------
# The listing walk
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    content: bool = False
    roots: frozenset[str] = frozenset()
    card: int = -1
    card_part: str = ""
    inf_pagination: bool = False
    nav_links: bool = False
    pagination: int = -1
    disabled: bool = False
    anchor: int = -1


@dataclass
class _Anchor:
    el: _Element
    href: str
    roles: frozenset[str]
    ctx: _Ctx
    chevron: bool = False

    def text(self) -> str:
        return " ".join(self.el.text_content().split())


@dataclass
class _Scan:
    anchors: list[_Anchor] = field(default_factory=list)
    link_next: list[str] = field(default_factory=list)
    base_href: str | None = None
    roots_seen: set[str] = field(default_factory=set)
    cards: int = 0
    pagination_current: dict[int, int] = field(default_factory=dict)
    paginations: int = 0


def _scan_listing(root: _Element) -> _Scan:
    scan = _Scan()
    stack: list[tuple[_Element, _Ctx]] = [(root, _Ctx())]
    while stack:
        el, ctx = stack.pop()
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        roles = _LISTING.roles(el, tag)
        if roles:
            if "exclude" in roles:
                continue
            if (
                "chrome" in roles
                and not ctx.content
                and roles.isdisjoint(("pagination", "chrome_kept"))
            ):
                continue
            ctx = _enter(scan, el, tag, roles, ctx)
        if tag == "a":
            href = el.get("href")
            if href is not None:
                ctx = replace(ctx, anchor=len(scan.anchors))
                scan.anchors.append(_Anchor(el, href, roles, ctx))
        stack.extend((child, ctx) for child in reversed(el))
    return scan


def _enter(scan: _Scan, el: _Element, tag: str, roles: frozenset[str], ctx: _Ctx) -> _Ctx:
    """Record what an in-scope element tells and return the context for its subtree."""
    changes: dict[str, Any] = {}
    if "content" in roles and not ctx.content:
        changes["content"] = True
    root_roles = roles.intersection(_ROOT_ROLES)
    if root_roles:
        scan.roots_seen |= root_roles
        changes["roots"] = ctx.roots | root_roles
    if "card" in roles and ctx.card < 0:
        changes["card"] = scan.cards
        scan.cards += 1
    if ctx.card >= 0 or "card" in roles:
        if "card_title" in roles:
            changes["card_part"] = "title"
        elif "card_body" in roles and ctx.card_part != "title":
            changes["card_part"] = "body"
    if "inf_pagination" in roles:
        changes["inf_pagination"] = True
    if "nav_links" in roles:
        changes["nav_links"] = True
    if "pagination" in roles and ctx.pagination < 0:
        changes["pagination"] = scan.paginations
        scan.paginations += 1
    if "disabled" in roles:
        changes["disabled"] = True
    if "current" in roles and ctx.pagination >= 0 and ctx.pagination not in scan.pagination_current:
        number = _page_text_number(" ".join(el.text_content().split()))
        if number is not None:
            scan.pagination_current[ctx.pagination] = number
    if "chevron" in roles and ctx.anchor >= 0:
        scan.anchors[ctx.anchor].chevron = True
    if "link_next" in roles and tag == "link":
        href = el.get("href")
        if href:
            scan.link_next.append(href)
    if "base" in roles and tag == "base" and scan.base_href is None:
        scan.base_href = el.get("href")
    return replace(ctx, **changes) if changes else ctx


def parse_listing(url: str, html: str | bytes, base_url: str = DEFAULT_BASE_URL) -> Listing:
    """The articles a section listing page lists, in page order, and its next page."""
    scan = _scan_listing(_parse(html))
    doc_url = urljoin(url, scan.base_href.strip()) if scan.base_href else url
    if scan.cards:
        articles = _newkarma_articles(scan, doc_url, base_url)
    else:
        articles = _generic_articles(scan, doc_url, base_url)
    return Listing(article_urls=articles, next_page=_next_page(scan, url, doc_url, base_url))


def _article_link(href: str, doc_url: str, base_url: str) -> str | None:
    """The request form of an article link, or None when it is not an article of the site."""
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    link = absolute_url(href, doc_url)
    if not is_article_url(link, base_url):
        return None
    return request_url(link, base_url)


def _dedupe(links: Iterable[str], base_url: str) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for link in links:
        key = canonical_url(link, base_url)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out


def _newkarma_articles(scan: _Scan, doc_url: str, base_url: str) -> list[str]:
    # Per card: the title link, else the .item-article link, else any permalink in the card.
    rank = {"title": 0, "body": 1, "": 2}
    best: dict[int, tuple[int, int, str]] = {}
    for position, anchor in enumerate(scan.anchors):
        card = anchor.ctx.card
        if card < 0:
            continue
        link = _article_link(anchor.href, doc_url, base_url)
        if link is None:
            continue
        candidate = (rank[anchor.ctx.card_part], position, link)
        if card not in best or candidate < best[card]:
            best[card] = candidate
    return _dedupe((best[card][2] for card in sorted(best)), base_url)


def _generic_articles(scan: _Scan, doc_url: str, base_url: str) -> list[str]:
    root = next((role for role in _ROOT_ROLES if role in scan.roots_seen), None)
    links = (
        _article_link(anchor.href, doc_url, base_url)
        for anchor in scan.anchors
        if root is None or root in anchor.ctx.roots
    )
    return _dedupe((link for link in links if link is not None), base_url)


# --------------------------------------------------------------------------------------------
# Next page
# --------------------------------------------------------------------------------------------


def _next_page(scan: _Scan, url: str, doc_url: str, base_url: str) -> str | None:
    own = _same_page_key(_on_base(absolute_url(url, url), base_url))
    for href in _next_candidates(scan, url):
        candidate = _next_link(href, doc_url, base_url)
        if candidate is not None and _same_page_key(candidate) != own:
            return candidate
    return None


def _next_candidates(scan: _Scan, url: str) -> Iterator[str]:
    """Raw hrefs in cascade order; the caller takes the first usable one."""
    anchors = [anchor for anchor in scan.anchors if not anchor.ctx.disabled]
    if scan.cards:  # Newkarma: what its "View More" script follows
        yield from (a.href for a in anchors if a.ctx.inf_pagination and "a_next" in a.roles)
        yield from (a.href for a in anchors if "a_next_numbers" in a.roles)
    yield from scan.link_next
    yield from (a.href for a in anchors if "a_rel_next" in a.roles)
    yield from (
        a.href
        for a in anchors
        if "a_next_numbers" in a.roles or (a.ctx.nav_links and "a_next" in a.roles)
    )
    yield from _pagination_candidates(scan, anchors, url)
    yield from (a.href for a in anchors if _reads_next(a))


def _pagination_candidates(scan: _Scan, anchors: list[_Anchor], url: str) -> Iterator[str]:
    url_page = _url_page_number(url)
    for block in range(scan.paginations):
        members = [a for a in anchors if a.ctx.pagination == block]
        wanted = scan.pagination_current.get(block, url_page) + 1
        yield from (a.href for a in members if _page_text_number(a.text()) == wanted)
        yield from (a.href for a in members if a.chevron)


def _reads_next(anchor: _Anchor) -> bool:
    for text in (anchor.text(), anchor.el.get("aria-label") or ""):
        lowered = " ".join(text.split()).lower()
        stripped = lowered.strip(NEXT_ARROWS + " >")
        if stripped in NEXT_TEXTS or (not stripped and any(c in lowered for c in "›»")):
            return True
    return False


def _next_link(href: str, doc_url: str, base_url: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    link = absolute_url(href, doc_url)
    if urlsplit(link).scheme not in ("http", "https") or not is_site_url(link, base_url):
        return None
    if is_article_url(link, base_url):  # a post's "next post" link is not a listing page
        return None
    return _on_base(link, base_url)


def _on_base(url: str, base_url: str) -> str:
    """A site URL moved onto the base URL's scheme and host; path and query kept, fragment
    dropped. (Listing pages keep their query: `?paged=N`, `?filter_post_type=…`.)"""
    parts = urlsplit(url)
    if is_site_url(url, base_url):
        base = urlsplit(base_url)
        return urlunsplit(
            (base.scheme.lower(), base.netloc.lower(), parts.path or "/", parts.query, "")
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _same_page_key(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    path = _PAGE_ONE_RE.sub("/", parts.path).rstrip("/")
    return parts.netloc.lower().removeprefix("www."), path, parts.query


def _url_page_number(url: str) -> int:
    parts = urlsplit(url)
    match = _PAGE_PATH_RE.search(parts.path)
    if match:
        return int(match[1])
    for name, value in parse_qsl(parts.query):
        if name in ("paged", "page") and value.isdigit():
            return int(value)
    return 1


def _page_text_number(text: str) -> int | None:
    match = _PAGE_TEXT_RE.match(text.strip())
    return int(match[1]) if match else None


# --------------------------------------------------------------------------------------------
# Sections from the home page's navigation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MenuLink:
    href: str
    tiers: frozenset[str]
    menu_object: str | None  # WordPress menu item object type ("category", "page", …)


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
    links, doc_url = _scan_sections(_parse(html), url)
    tiers = [f"tier{i}" for i in range(len(SECTION_MENU_TIERS))]
    for tier in tiers:
        found = _dedupe(
            (
                section
                for link in links
                if tier in link.tiers
                and (section := _section_link(link, doc_url, base_url, in_menu=True)) is not None
            ),
            base_url,
        )
        if found:
            return found
    return _dedupe(
        (
            section
            for link in links
            if (section := _section_link(link, doc_url, base_url, in_menu=False)) is not None
        ),
        base_url,
    )


def _scan_sections(root: _Element, url: str) -> tuple[list[_MenuLink], str]:
    links: list[_MenuLink] = []
    base_href: str | None = None
    stack: list[tuple[_Element, frozenset[str], str | None]] = [(root, frozenset(), None)]
    while stack:
        el, tiers, menu_object = stack.pop()
        tag = el.tag
        if not isinstance(tag, str):
            continue
        roles = _SECTIONS.roles(el, tag)
        if "exclude" in roles:
            continue
        if "base" in roles and tag == "base" and base_href is None:
            base_href = el.get("href")
        new_tiers = roles.difference({"menu_item", "base"})
        if new_tiers:
            tiers = tiers | new_tiers
        if "menu_item" in roles:
            menu_object = _menu_object(el)
        if tag == "a" and el.get("href") is not None:
            links.append(_MenuLink(el.get("href"), tiers, menu_object))
        stack.extend((child, tiers, menu_object) for child in reversed(el))
    doc_url = urljoin(url, base_href.strip()) if base_href else url
    return links, doc_url


def _menu_object(el: _Element) -> str | None:
    for token in _classes(el):
        if token.startswith(MENU_OBJECT_PREFIX):
            return token.removeprefix(MENU_OBJECT_PREFIX)
    return None


def _section_link(link: _MenuLink, doc_url: str, base_url: str, *, in_menu: bool) -> str | None:
    href = link.href.strip()
    if not href or href.startswith("#") or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    absolute = absolute_url(href, doc_url)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not is_site_url(absolute, base_url):
        return None
    if parts.query or is_article_url(absolute, base_url):
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    if not segments or any(s in ("feed", "page", "amp") for s in segments[1:]):
        return None
    if link.menu_object is not None and link.menu_object not in MENU_OBJECT_SECTIONS:
        return None  # a page, a post, a tag … put in the menu
    is_section = link.menu_object == "category" or (
        segments[0] == CATEGORY_BASE and len(segments) >= 2
    )
    if not is_section and in_menu and len(segments) == 1:
        segment = segments[0].lower()
        is_section = (
            segment not in NON_SECTION_SEGMENTS
            and "." not in segment
            and not segment.startswith("wp-")
        )
    return request_url(absolute, base_url) if is_section else None
