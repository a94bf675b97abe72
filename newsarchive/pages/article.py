"""Article pages: pick the layout that fits, run the shared cascade, say clearly when none does."""

from __future__ import annotations

from datetime import datetime

from lxml import etree
from parsel import Selector

from newsarchive.items import Article
from newsarchive.normalize import decode_html, permalink_date, utf8_text
from newsarchive.pages.base import ArticlePage, PageInput
from newsarchive.pages.errors import (
    ExtractionError,
    IncompleteArticle,
    MalformedPage,
    NotAnArticle,
    ParserCrashed,
    UnknownLayout,
)
from newsarchive.pages.layouts import LAYOUTS, GenericPage
from newsarchive.site import DEFAULT_BASE_URL

# WordPress body classes of pages that are not a single post.
NON_ARTICLE_BODY_CLASSES = {
    "error404", "archive", "category", "tag", "author", "search", "search-results", "home",
    "blog", "date", "paged", "page-template", "attachment",
}  # fmt: skip
# libxml2 (as parsel calls it, with huge_tree) keeps this many levels of nesting; a page
# reaching it lost the rest of its markup.
PARSER_DEPTH_LIMIT = 2048
# Longest exception message kept in a ParserCrashed reason.
MAX_REASON = 300


def _not_article_reason(page: PageInput) -> str | None:
    data = page.structured
    classes = data.body_classes & NON_ARTICLE_BODY_CLASSES
    if classes and "single" not in data.body_classes:
        return f"not an article page (body class {' '.join(sorted(classes))})"
    if data.is_listing:
        return "not an article page (JSON-LD describes a listing)"
    og_type = data.meta.get("og:type")
    # A template head (News5 ports keep og:type `website` on every page) does not override a
    # permalink URL whose page has a layout's article markup; listings and 404s were refused above.
    if og_type and og_type != "article" and not data.article and not _has_article_markup(page):
        return f"not an article page (og:type {og_type})"
    return None


def _has_article_markup(page: PageInput) -> bool:
    return permalink_date(page.url) is not None and any(
        layout.matches(page) and layout(page).body_container() is not None for layout in LAYOUTS
    )


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
    site_images: frozenset[str] = frozenset(),
    content_type: str | bytes | None = None,
) -> Article:
    """Extract the article on a fetched page.

    ``site_images`` are image URLs known to be the site's own share images (what its listing
    pages carry as og:image): never an article's lead image. Bytes are decoded as
    `decode_html` does, with ``content_type`` (the response's header) for pages not in UTF-8.

    Raises NotAnArticle for listings and error pages, UnknownLayout when an article-looking page
    cannot be read, IncompleteArticle when a required field is missing, MalformedPage when the
    HTML parser could not read the whole page, and ParserCrashed for any other exception raised
    while parsing it (a parser bug, or input it does not survive: RecursionError and MemoryError
    included), so a caller handling one page needs to catch ExtractionError only.
    KeyboardInterrupt and SystemExit pass through.
    """
    try:
        selector, source = _tree(html, content_type)
        page = PageInput(
            url=url,
            selector=selector,
            fetched_at=fetched_at,
            base_url=base_url,
            site_images=site_images,
            source=source,
        )
        return _parse(page)
    except ExtractionError:
        raise
    except Exception as exc:
        # The one place where every parser failure is caught: the page becomes one failure
        # row with its raw page kept, the crawl goes on, and the traceback stays in __cause__.
        raise ParserCrashed(crash_reason(exc)) from exc


# What bytes.strip() removes; str.strip() also removes other (Unicode) whitespace.
_ASCII_WHITESPACE = " \t\n\r\x0b\x0c"


def _tree(html: str | bytes, content_type: str | bytes | None) -> tuple[Selector, str]:
    """The page's tree and its text.

    UTF-8 bytes (what the site serves) go to the parser as they are: parsel would encode the
    text back to the same bytes, which costs a sixth of the parse. Only when the two inputs
    are the same document: parsel strips text of Unicode whitespace and bytes of ASCII
    whitespace, and drops NUL characters before stripping bytes but after stripping text.
    """
    text = utf8_text(html) if isinstance(html, bytes) else None
    if isinstance(html, bytes) and text is not None and b"\x00" not in html:
        core = text.strip(_ASCII_WHITESPACE)
        if not core or not (core[0].isspace() or core[-1].isspace()):
            return Selector(body=html, encoding="utf-8", type="html"), text
    # UTF-8 is what decode_html would find first; else its charset rules, decoded only once.
    source = text if text is not None else decode_html(html, content_type)
    return Selector(text=source, type="html"), source


def crash_reason(exc: BaseException) -> str:
    """`<ExceptionType>: <message>` on one line, short enough for a log line and a failure row."""
    try:
        message = " ".join(str(exc).split())
    except Exception:  # an exception whose message cannot be built is still reported
        message = ""
    if len(message) > MAX_REASON:
        message = message[: MAX_REASON - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# An element with PARSER_DEPTH_LIMIT - 1 ancestors, asked only of a page with enough elements
# to nest that deep (counting them is one pass in C; the depth test is far dearer).
_ELEMENTS = etree.XPath("count(//*)")
_AT_DEPTH_LIMIT = etree.XPath(f"boolean(//*[count(ancestor::*) >= {PARSER_DEPTH_LIMIT - 1}])")


def _cut_by_depth(page: PageInput) -> bool:
    """True when the page nests as deep as the HTML parser goes: libxml2 then drops everything
    below that depth and the rest of the document, so what was parsed is not the whole page."""
    if _ELEMENTS(page.root) < PARSER_DEPTH_LIMIT:
        return False
    return bool(_AT_DEPTH_LIMIT(page.root))


def _parse(page: PageInput) -> Article:
    if _cut_by_depth(page):
        raise MalformedPage(
            f"markup nested {PARSER_DEPTH_LIMIT} or more levels deep: the HTML parser drops"
            " what lies deeper and the rest of the page, so the article cannot be read whole"
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
    if page.structured.says_article or permalink_date(page.url) is not None or problems:
        try:
            return _complete(GenericPage(page))
        except IncompleteArticle as exc:
            problems.append(str(exc))
        raise UnknownLayout("; ".join(problems))
    raise NotAnArticle("no article markup, no article metadata and not a permalink URL")
