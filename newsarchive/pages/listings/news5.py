"""Listing pages of the 2025-26 theme built on UniStudio's "News5" template; site-notes §9.2-9.4.

The template prints post cards in its header mega-menu too (decoys, dropped with the rest of the
header by the shared scope), so the listing is every article permalink inside ``#wrapper``, the
frame's main root. Its pagination (``ul.uc-pagination`` of WordPress ``page-numbers`` items,
``uc-active`` on all of them, a chevron-only next link, a "Next page" or "Load more posts"
button-link) is read by the shared cascade, which knows it under any markup.
"""

from __future__ import annotations

from newsarchive.pages.listings.base import Document, ListingPage

#: The template's frame: ``body_class("uni-body …")`` with ``div#wrapper.wrap`` after the header.
MARKER = "body.uni-body #wrapper"
ROOT = "#wrapper"


class News5Listing(ListingPage):
    name = "news5"

    ROOT_TIERS = (ROOT,)

    @classmethod
    def matches(cls, doc: Document) -> bool:
        return bool(doc.select(MARKER))
