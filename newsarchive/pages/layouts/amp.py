"""AMP copies at `…/amp/` by AMP for WP, "Swift" design (2017 – at least 2024); site-notes §3."""

from __future__ import annotations

from newsarchive.pages.base import ArticlePage, PageInput

SINGLE = "div.sp.sgl"


class AmpPage(ArticlePage):
    name = "amp"

    TITLE = ("h1.amp-post-title", f"{SINGLE} h1")
    # Swift prints the excerpt under the headline as `div.tl-exc`: the subtitle.
    SUBTITLE = (f"{SINGLE} .tl-exc", "div.tl-exc")
    BYLINE = (
        ".sp-athr .author-name a",
        ".sp-athr .author-name",
        f"{SINGLE} .amp-author .author-name",
    )
    # The visible date is usually relative ("3 hours ago"); the URL check in the cascade guards it.
    DATE_TEXT = (f"{SINGLE} .post-date .loop-date", f"{SINGLE} .post-date")
    # The list of every category; with a primary category set (Yoast), AMP for WP prints only
    # that one, as a lone `span.amp-cat` above the headline.
    CATEGORIES = (
        ".amp-category .amp-cat a",
        ".amp-category a",
        f"{SINGLE} .cntr > .amp-cat a",
        f"{SINGLE} .cntr > .amp-cat",
    )
    TAGS = (".amp-tags .amp-tag a", ".tags .amp-tag a")
    BODY = ("div.cntn-wrp.artl-cnt", "div.cntn-wrp", ".amp-wp-article-content")
    IMAGE = (".sf-img amp-img", ".sf-img img", ".amp-featured-image amp-img")
    IMAGE_CAPTION = (".sf-img figcaption", ".sf-img .wp-caption-text")

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        html = page.selector.xpath("/html")
        is_amp = bool(html) and ("amp" in html[0].attrib or "⚡" in html[0].attrib)
        return is_amp and bool(page.selector.css("h1.amp-post-title, div.cntn-wrp"))
