"""Any listing page no layout recognises (site-notes §9.7): items are found by URL, not by class.

Once the site chrome is dropped, every article permalink inside the first listing root present
is listed, else every one on the page; this reads Newkarma, News5 and most WordPress themes well
enough that a theme change degrades the crawl instead of stopping it.
"""

from __future__ import annotations

from newsarchive.pages.listings.base import Document, ListingPage

#: Listing roots, in order; the first one present on the page is used, else body.
ROOT_TIERS = ("#wrapper", "main", "#primary", "#main")


class GenericListing(ListingPage):
    name = "generic"

    ROOT_TIERS = ROOT_TIERS

    @classmethod
    def matches(cls, doc: Document) -> bool:
        return True
