"""The 2025-26 theme built on UniStudio's "News5" template; site-notes §7.

KalbarOnline's adaptation is only known as text, so beyond the template's own classes this
layout leans on what the text shows: the "Oleh :" byline row, the `<Hari>, <d> <Bulan> <yyyy>`
date row, and the body as the container of the `KALBARONLINE.com –` dateline paragraph.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from newsarchive.pages.base import ArticlePage, PageInput
from newsarchive.pages.body import element_text

ARTICLE = "article.single-post"
# The template's noise outside the article: off-canvas panels, modals, header mega-menu cards.
BODY = (f"{ARTICLE} .post-content", f"{ARTICLE} .entry-content", f"{ARTICLE} .single-content")
BYLINE_LABEL_RE = re.compile(r"^\s*oleh\s*:?", re.IGNORECASE)
BYLINE_IN_RE = re.compile(r"\boleh\s*:", re.IGNORECASE)
DATE_RE = re.compile(
    r"\b\d{1,2}\s+(?:jan|feb|peb|mar|apr|mei|may|jun|jul|agu|ags|agt|aug|sep|okt|oct|nov|nop|des|dec)"
    r"[a-z]*\.?,?\s+\d{4}\b|\b\d{1,2}/\d{1,2}/\d{4}\b",
    re.IGNORECASE,
)
DATELINE_RE = re.compile(r"^\s*kalbaronline(?:\.com)?\b", re.IGNORECASE)


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# The related-post cards at the foot of the article reuse the header's markup (featured image,
# category badge, date), so every header selector excludes them.
# Relative: evaluated from the layout's root, the article itself.
IN_ARTICLE = f"descendant-or-self::article[{_has_class('single-post')}]"
# `#wrapper …` reaches outside the article: asked of the whole page.
IN_WRAPPER = "//*[@id = 'wrapper']"
NOT_RELATED = f"[not(ancestor-or-self::*[{_has_class('post-related')}])]"
FEATURED = f"{IN_ARTICLE}//figure[{_has_class('featured-image')}]{NOT_RELATED}"
# Rows of the byline block ("Oleh : …", "<Hari>, <d> <Bulan> <yyyy>").
META_ROWS = (
    f"{IN_ARTICLE}//*[self::td or self::time or {_has_class('post-date')}"
    f" or ancestor::*[{_has_class('post-meta')}]]{NOT_RELATED}"
)


class News5Page(ArticlePage):
    name = "news5"

    ROOT = (ARTICLE, "#wrapper article")
    TITLE = (f"{ARTICLE} .post-header h1", f"{ARTICLE} h1", f"{IN_WRAPPER}//h1")
    BYLINE = (f"{ARTICLE} .post-author a", f"{ARTICLE} a[rel~=author]")
    PUBLISHED_TIME = (f"{ARTICLE} .post-header time[datetime]",)
    CATEGORIES = (
        f"{IN_ARTICLE}//*[{_has_class('post-category')}]//a{NOT_RELATED}",
        f"{IN_ARTICLE}//a[contains(concat(' ', @rel, ' '), ' category ')]{NOT_RELATED}",
        f"{IN_ARTICLE}//*[{_has_class('post-header')}]//a[contains(@href, '/category/')]"
        f"{NOT_RELATED}",
    )
    TAGS = (f"{ARTICLE} .post-footer a[rel~=tag]", f"{ARTICLE} .post-footer a[href*='/tag/']")
    BODY = BODY
    IMAGE = (f"{FEATURED}//img",)
    IMAGE_CAPTION = (f"{FEATURED}//figcaption",)
    POST_ARTICLE = (ARTICLE,)

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        return "uni-body" in page.structured.body_classes and cls.article_root(page)[0] is not None

    def _meta_rows(self) -> list[str]:
        texts = (element_text(node) for node in self.first((META_ROWS,)))
        return [t for t in texts if t]

    # A wrapper (`.post-meta`, the byline table) holds both rows: its text merges them
    # ("Jauhari FatriaRabu, 18 Februari 2026"), so a row naming both is neither.
    def byline(self) -> str | None:
        for text in self._meta_rows():
            if BYLINE_LABEL_RE.match(text) and len(text) < 80 and not DATE_RE.search(text):
                return super().byline() or _strip_label(text)
        return super().byline()

    def date_text(self) -> str | None:
        rows = self._meta_rows()
        return next(
            (t for t in rows if DATE_RE.search(t) and len(t) < 60 and not BYLINE_IN_RE.search(t)),
            None,
        )

    def body_container(self) -> HtmlElement | None:
        found = super().body_container()
        if found is not None:
            return found
        # The theme's body wrapper has no name of its own: it is the parent of the paragraph that
        # opens with the dateline, else the article's element with the most paragraphs.
        paragraphs = self.page.first((f"{ARTICLE} p", f"{IN_WRAPPER}//article//p"))
        for p in paragraphs:
            if DATELINE_RE.match(element_text(p)):
                return p.getparent()
        counts: dict[HtmlElement, int] = {}
        for p in paragraphs:
            parent = p.getparent()
            if parent is not None:
                counts[parent] = counts.get(parent, 0) + 1
        return max(counts, key=counts.__getitem__) if counts else None


def _strip_label(text: str) -> str:
    return BYLINE_LABEL_RE.sub("", text).strip(" :|")
