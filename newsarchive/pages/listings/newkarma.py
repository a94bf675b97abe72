"""Gian MR Newkarma listing pages (2017 – ~Sep 2025); site-notes §2.3.

Every post is one ``article.item-infinite`` card in ``#gmr-main-load``; the page's other post
links (the big headline block, the sidebar) are not the listing, so only cards count. The
"View More" button is a script: the page it loads is the ``.inf-pagination`` link beside it.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from newsarchive.pages.listings.base import Document, ListingPage

#: A card's post is the first permalink of the first of CARD_LINKS that has one: a thumbnail may
#: link to ``/amp/`` and a "read more" to ``?pgrelated``, so the title link comes first.
CARD = "article.item-infinite"
CARD_LINKS = (".entry-title a[href]", ".item-article a[href]", "a[href]")
#: What the "View More" script fetches, then the plain numbered next link.
INF_PAGINATION_NEXT = ".inf-pagination a.next"
A_NEXT_PAGE_NUMBERS = "a.next.page-numbers"


class NewkarmaListing(ListingPage):
    name = "newkarma"

    @classmethod
    def matches(cls, doc: Document) -> bool:
        return bool(doc.select(CARD))

    def article_links(self) -> list[str | None]:
        return [self._card_link(card) for card in self.doc.outermost(CARD)]

    def _card_link(self, card: HtmlElement) -> str | None:
        links = (
            self.article_link(anchor.attrib["href"])
            for query in CARD_LINKS
            for anchor in self.doc.select(query, within=card)
        )
        return next((link for link in links if link), None)

    def layout_next(self) -> str | None:
        return self.first(self.matching(INF_PAGINATION_NEXT) + self.matching(A_NEXT_PAGE_NUMBERS))
