"""Section listing pages: the articles they list, in page order, and the next listing page.

Pure extraction, ``(url, html)`` in, :class:`Listing` out; imports parsel, never Scrapy (what to
fetch and when to stop is the spider's job). One page class per listing markup, tried in the
order of :data:`LISTING_LAYOUTS`, each recognised by one stable marker, generic last. Newkarma
pages (2017 – 2025, site-notes §2.3) list one ``article.item-infinite`` card per post. News5
pages (§9.2) and unknown markup (§9.7) list every article permalink inside the first listing
root present, once the site chrome is dropped. The next page is the first usable answer of
:data:`NEXT_PAGE_RULES` (the layout's own rule first), down to a plain "Load more" link; no
``/page/N+1`` is invented here, so ``next_page`` is None when the page links to none (the
spider's safety net then guesses it, and says so in its stats). Sections come from the home
page's navigation (:mod:`.home`).

The page is parsed once and each rule is a CSS query on that one document, answered from an
index of it built once (:mod:`.query`: parsel's one libxml2 scan per selector branch made
reading a listing cost a dozen times its parse); an element is in scope unless it or one of
its ancestors is a dropped subtree root. Layouts are matched on that scoped document, so decoy
cards in a header or a related-posts widget decide nothing.
"""

from __future__ import annotations

from newsarchive.pages.listings.base import (
    NEXT_PAGE_RULES,
    Listing,
    ListingPage,
    parse_listing_document,
)
from newsarchive.pages.listings.generic import GenericListing
from newsarchive.pages.listings.home import parse_section_urls
from newsarchive.pages.listings.newkarma import NewkarmaListing
from newsarchive.pages.listings.news5 import News5Listing
from newsarchive.site import DEFAULT_BASE_URL

# Newkarma first: its cards are the listing wherever they are, whatever frame surrounds them.
# Generic last: it matches every page.
LISTING_LAYOUTS: tuple[type[ListingPage], ...] = (NewkarmaListing, News5Listing, GenericListing)


def parse_listing(url: str, html: str | bytes, base_url: str = DEFAULT_BASE_URL) -> Listing:
    """The articles a section listing page lists, in page order, and its next page, as read by
    the first layout of LISTING_LAYOUTS that matches it."""
    doc = parse_listing_document(html)
    layout = next(layout for layout in LISTING_LAYOUTS if layout.matches(doc))
    return layout(doc, url, base_url).to_listing()


__all__ = [
    "LISTING_LAYOUTS",
    "NEXT_PAGE_RULES",
    "GenericListing",
    "Listing",
    "ListingPage",
    "NewkarmaListing",
    "News5Listing",
    "parse_listing",
    "parse_section_urls",
]
