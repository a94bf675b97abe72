"""Any article page whose theme no layout recognises: trafilatura finds the body.

Metadata still comes from the shared structured-data cascade, so a new theme with Yoast loses
little but the layout-specific fields (subtitle, caption).
"""

from __future__ import annotations

from newsarchive.normalize import clean_text
from newsarchive.pages.base import ArticlePage, PageInput
from newsarchive.pages.body import clean_paragraphs


class GenericPage(ArticlePage):
    name = "generic"

    TITLE = ("article h1", "main h1", "h1")
    BYLINE = ("article [rel~=author]", "article .author", "[itemprop=author] [itemprop=name]")
    PUBLISHED_TIME = ("article time[datetime]", "main time[datetime]")
    CATEGORIES = ("article a[rel~=category]",)
    TAGS = ("article a[rel~=tag]",)
    POST_ARTICLE = ("article[id]",)

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        return True

    def paragraphs(self) -> list[str]:
        # Imported here: only pages no layout reads need it, and it takes a tenth of a second
        # to import in every process.
        import trafilatura

        result = trafilatura.bare_extraction(
            self.sel.get(),
            url=self.page.url,
            with_metadata=False,
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_precision=True,
        )
        text = getattr(result, "text", None) if result is not None else None
        paragraphs = clean_paragraphs((text or "").splitlines())
        # trafilatura keeps the headline when it sits inside the article element; it is the
        # title, not body text.
        if paragraphs and paragraphs[0] == clean_text(self.title() or self.data.title()):
            paragraphs = paragraphs[1:]
        return paragraphs
