"""Gian MR Newkarma desktop theme (2017 – ~Sep 2025); site-notes §2."""

from __future__ import annotations

from newsarchive.pages.base import ArticlePage, PageInput

SINGLE_MARKER = ".gmr-box-content-single, .entry-content-single, main.site-main-single"
META = ".gmr-metacontent-single"


class NewkarmaPage(ArticlePage):
    name = "newkarma"

    TITLE = ("h1.entry-title", "header.entry-header h1")
    SUBTITLE = ("header.entry-header p.subtitle", "p.subtitle")
    BYLINE = (f"{META} .entry-author [itemprop=name]", f"{META} .entry-author", ".entry-author .fn")
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
    TAGS = ("footer.entry-footer .tags-links a", ".tags-links a[rel~=tag]")
    BODY = ("div.entry-content-single", "article .entry-content", "div.entry-content")
    IMAGE = (".gmr-featured-wrap img", "figure.gmr-attachment-img img")
    IMAGE_CAPTION = (".gmr-featured-wrap figcaption", "figure.gmr-attachment-img figcaption")
    POST_ARTICLE = ("main#main article[id]", "#primary article[id]")

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        return bool(page.selector.css(SINGLE_MARKER))
