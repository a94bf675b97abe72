"""Gian MR Newkarma desktop theme (2017 – ~Sep 2025); site-notes §2."""

from __future__ import annotations

from newsarchive.pages.base import ArticlePage, PageInput

# What only a Newkarma single post shows; the theme prints them on <main> and <div>s. The
# cheap test (a tag name first) comes first.
SINGLE_MARKERS = ("main.site-main-single", ".gmr-box-content-single", ".entry-content-single")
# Selectors name the tag the theme prints where it is known (a query that starts with a tag tests
# only those elements, not every element of the page).
META = "div.gmr-metacontent-single"


class NewkarmaPage(ArticlePage):
    name = "newkarma"

    # The theme's <main id="main">: the post, its related posts and comments, not the menus.
    ROOT = ("main",)
    TITLE = ("h1.entry-title", "header.entry-header h1")
    SUBTITLE = ("header.entry-header p.subtitle", "p.subtitle")
    BYLINE = (
        f"{META} span.entry-author [itemprop=name]",
        f"{META} span.entry-author",
        "span.entry-author .fn",
    )
    # With one <time> the post was never edited (classes `published updated`); with two, the
    # second is the modification.
    PUBLISHED_TIME = (
        f"{META} time.entry-date.published",
        f"{META} time.published",
        "main time.published",
    )
    MODIFIED_TIME = (f"{META} time.updated:not(.published)", "main time.updated:not(.published)")
    DATE_TEXT = (f"{META} time.entry-date", f"{META} .posted-on")
    CATEGORIES = (f"{META} .cat-links a", "header.entry-header .cat-links a")
    TAGS = ("footer.entry-footer span.tags-links a", "span.tags-links a[rel~=tag]")
    BODY = ("div.entry-content-single", "article .entry-content", "div.entry-content")
    IMAGE = ("div.gmr-featured-wrap img", "figure.gmr-attachment-img img")
    IMAGE_CAPTION = ("div.gmr-featured-wrap figcaption", "figure.gmr-attachment-img figcaption")
    POST_ARTICLE = ("main#main article[id]", "#primary article[id]")

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        markers = (marker.rsplit(".", 1)[1] for marker in SINGLE_MARKERS)
        return page.mentions(*markers) and bool(page.first(SINGLE_MARKERS))
