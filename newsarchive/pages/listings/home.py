"""Navigation: the site's sections, from the home page's main menu.

Pure extraction like the listing layouts, and on the same document machinery; only the scope
differs (the header is where the menu is, so only footers, sidebars and the News5 mega-menu
dropdowns are dropped).
"""

from __future__ import annotations

from lxml.html import HtmlElement

from newsarchive.normalize import is_article_url, request_url, split_url
from newsarchive.pages.listings.base import dedupe, parse_document, site_link
from newsarchive.site import DEFAULT_BASE_URL

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
    doc = parse_document(html, SECTION_EXCLUDE)
    doc_url = doc.url(url)
    anchors = doc.select("a[href]")
    for tier in SECTION_MENU_TIERS:
        within = doc.subtrees(tier)
        menu = [a for a in anchors if a in within]
        found = dedupe((_section_link(a, doc_url, base_url, in_menu=True) for a in menu), base_url)
        if found:
            return found
    links = (_section_link(a, doc_url, base_url, in_menu=False) for a in anchors)
    return dedupe(links, base_url)


def _menu_object(anchor: HtmlElement) -> str | None:
    """The WordPress object type of the link's menu item ("category", "page", …), if any."""
    item = next(anchor.iterancestors("li"), None)
    classes = (item.get("class") or "").split() if item is not None else []
    prefixed = [c for c in classes if c.startswith(MENU_OBJECT_PREFIX)]
    return prefixed[0].removeprefix(MENU_OBJECT_PREFIX) if prefixed else None


def _section_link(anchor: HtmlElement, doc_url: str, base_url: str, *, in_menu: bool) -> str | None:
    link = site_link(anchor.attrib["href"], doc_url, base_url)
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
