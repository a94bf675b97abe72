"""Article pages: pick the layout that fits, run the shared cascade, say clearly when none does."""

from __future__ import annotations

from datetime import datetime

from parsel import Selector

from newsarchive.items import Article
from newsarchive.normalize import DEFAULT_BASE_URL, decode_html, permalink_date
from newsarchive.pages.base import ArticlePage, PageInput
from newsarchive.pages.errors import IncompleteArticle, NotAnArticle, UnknownLayout
from newsarchive.pages.layouts import LAYOUTS, GenericPage

# WordPress body classes of pages that are not a single post.
NON_ARTICLE_BODY_CLASSES = {
    "error404", "archive", "category", "tag", "author", "search", "search-results", "home",
    "blog", "date", "paged", "page-template", "attachment",
}  # fmt: skip


def _not_article_reason(page: PageInput) -> str | None:
    data = page.structured
    classes = data.body_classes & NON_ARTICLE_BODY_CLASSES
    if classes and "single" not in data.body_classes:
        return f"not an article page (body class {' '.join(sorted(classes))})"
    if data.is_listing:
        return "not an article page (JSON-LD describes a listing)"
    og_type = data.meta.get("og:type")
    if og_type and og_type != "article" and not data.article:
        return f"not an article page (og:type {og_type})"
    return None


def _complete(layout: ArticlePage) -> Article:
    article = layout.to_article()
    missing = article.missing_fields()
    if missing:
        raise IncompleteArticle(f"{layout.name} layout found no {', '.join(missing)}")
    return article


def parse_article(
    url: str,
    html: str | bytes,
    fetched_at: datetime,
    base_url: str = DEFAULT_BASE_URL,
) -> Article:
    """Extract the article on a fetched page.

    Raises NotAnArticle for listings and error pages, UnknownLayout when an article-looking page
    cannot be read, IncompleteArticle when a required field is missing.
    """
    page = PageInput(
        url=url,
        selector=Selector(text=decode_html(html), type="html"),
        fetched_at=fetched_at,
        base_url=base_url,
    )
    reason = _not_article_reason(page)
    if reason:
        raise NotAnArticle(reason)
    problems: list[str] = []
    for layout_class in LAYOUTS:
        if layout_class.matches(page):
            try:
                return _complete(layout_class(page))
            except IncompleteArticle as exc:
                # The site changed under a known layout: fall through to the generic reader,
                # and say so if that fails too.
                problems.append(str(exc))
    if page.structured.says_article or permalink_date(url) is not None or problems:
        try:
            return _complete(GenericPage(page))
        except IncompleteArticle as exc:
            problems.append(str(exc))
        raise UnknownLayout("; ".join(problems))
    raise NotAnArticle("no article markup, no article metadata and not a permalink URL")
