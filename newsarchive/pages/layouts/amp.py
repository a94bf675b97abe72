"""AMP copies at `…/amp/` by AMP for WP, "Swift" design (2017 – at least 2024); site-notes §3."""

from __future__ import annotations

from newsarchive.pages.base import ArticlePage, PageInput

SINGLE = "div.sp.sgl"


class AmpPage(ArticlePage):
    name = "amp"

    ROOT = (SINGLE,)
    # Selectors name the tag AMP for WP prints (templates/design-manager/swift): a query that
    # starts with a tag tests only those elements, not every element of the article.
    TITLE = ("h1.amp-post-title", f"{SINGLE} h1")
    # Swift prints the excerpt under the headline as `div.tl-exc`: the subtitle.
    SUBTITLE = ("div.tl-exc",)
    BYLINE = (
        "div.sp-athr span.author-name a",
        "div.sp-athr span.author-name",
        f"{SINGLE} .amp-author .author-name",
    )
    # The visible date is usually relative ("3 hours ago"); the URL check in the cascade guards it.
    DATE_TEXT = (f"{SINGLE} div.post-date div.loop-date", f"{SINGLE} div.post-date")
    # The list of every category; with a primary category set (Yoast), AMP for WP prints only
    # that one, as a lone `span.amp-cat` above the headline.
    CATEGORIES = (
        "div.amp-category .amp-cat a",
        "div.amp-category a",
        f"{SINGLE} .cntr > .amp-cat a",
        f"{SINGLE} .cntr > .amp-cat",
    )
    TAGS = ("div.amp-tags .amp-tag a", ".tags .amp-tag a")
    BODY = ("div.cntn-wrp.artl-cnt", "div.cntn-wrp", ".amp-wp-article-content")
    IMAGE = ("div.sf-img amp-img", "div.sf-img img", ".amp-featured-image amp-img")
    IMAGE_CAPTION = ("div.sf-img figcaption", "div.sf-img .wp-caption-text")

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        html = page.root
        is_amp = html.tag == "html" and ("amp" in html.attrib or "⚡" in html.attrib)
        return is_amp and bool(page.first(("h1.amp-post-title", "div.cntn-wrp")))
