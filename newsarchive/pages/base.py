"""The shared extraction cascade: structured data first, the layout's selectors second.

A layout subclass only says where things are on its pages (selectors at the top of its module)
and how to recognise them (`matches`); `to_article` decides which source wins for every field,
the same way for every layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, cast

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

from newsarchive.items import Article
from newsarchive.normalize import (
    absolute_url,
    canonical_url,
    clean_byline,
    clean_text,
    dateline_place,
    parse_iso,
    parse_visible_date,
    plausible_date,
    post_id_value,
    reporter_signoff,
    to_site_iso,
    to_utc_iso,
    url_date,
)
from newsarchive.pages.body import body_paragraphs, element_text, join_paragraphs
from newsarchive.pages.query import descendants_xpath, first_match, select
from newsarchive.pages.structured import StructuredData
from newsarchive.site import DEFAULT_BASE_URL

_POST_ID_RE = re.compile(r"^post-([0-9]+)$")
# Never a post's lead image: plugin assets (AMP for WP's `SD-default-image.png`), theme or demo
# assets (a template head's og:image under the theme's folder, or named `seo-image`).
_NOT_LEAD_IMAGE_RE = re.compile(
    r"/wp-content/(?:plugins|themes)/|seo-image|img-fallback|placeholder|data:image",
    re.IGNORECASE,
)
# WordPress's resized variant: `photo-1280x720.jpg` next to the full-size `photo.jpg`.
_RESIZED_RE = re.compile(r"-(\d+)x(\d+)(?=\.[A-Za-z0-9]+(?:[?#].*)?$)")


# What a page's body points at (images, their srcsets and lazy-load copies, links), among the
# values containing $key.
_BODY_URLS_WITH = etree.XPath(
    "//body//@src[contains(., $key)] | //body//@srcset[contains(., $key)]"
    " | //body//@data-src[contains(., $key)] | //body//@data-lazy-src[contains(., $key)]"
    " | //body//a/@href[contains(., $key)]",
    smart_strings=False,
)
_PAGE_URLS = "//@src | //@href | //@content | //@srcset"
# The attributes `_BODY_URLS_WITH` reads, of an element that is not / is a link.
_SHOWING_ATTRIBUTES = (
    ("src", "srcset", "data-src", "data-lazy-src"),
    ("src", "srcset", "data-src", "data-lazy-src", "href"),
)
_EXTENSION_RE = re.compile(r"\.[A-Za-z0-9]+(?:[?#].*)?$")


def full_size(url: str) -> str:
    """A resized variant's full-size URL (`photo-1280x720.jpg` → `photo.jpg`); others as is."""
    return _RESIZED_RE.sub("", url, count=1)


def shows(root: HtmlElement, *urls: str) -> bool:
    """True when an element of the page's body points at one of the URLs, itself or in a
    resized variant (a srcset entry, a lazy-load copy, a link): what the page shows, as opposed
    to what its head announces."""
    wanted = set(urls)
    # Whatever names one of them, or a resized variant of it, contains the first's full-size
    # URL up to its extension: only those attribute values are read.
    key = _EXTENSION_RE.sub("", full_size(urls[0]))
    for value in _BODY_URLS_WITH(root, key=key):
        for part in value.split():
            if "/" in part and (part in wanted or full_size(part) in wanted):
                return True
    return False


def site_share_image(sel: Selector) -> str | None:
    """The page's og:image when nothing in its body shows it: on a listing page, which shows
    no lead image of its own, that is the site's share image (the same on every page)."""
    og_image = StructuredData.from_selector(sel).og_image()
    if og_image and not shows(sel.root, og_image, full_size(og_image)):
        return og_image
    return None


@dataclass
class PageInput:
    """One fetched page, parsed once; every layout reads the same tree, and what one asked of it
    (structured data, a selector's matches) is kept for the next."""

    url: str
    selector: Selector
    fetched_at: datetime
    base_url: str = DEFAULT_BASE_URL
    site_images: frozenset[str] = frozenset()  # the site's share images: never a lead image
    # The decoded page, for `mentions`; empty when the caller has only the tree.
    source: str = ""
    _structured: StructuredData | None = None
    _found: dict[tuple[tuple[str, ...], Any], list[Any]] = field(default_factory=dict)

    @property
    def root(self) -> HtmlElement:
        return cast(HtmlElement, self.selector.root)

    @property
    def structured(self) -> StructuredData:
        if self._structured is None:
            self._structured = StructuredData.from_selector(self.selector)
        return self._structured

    def mentions(self, *words: str) -> bool:
        """False when the page's source spells none of the words: a class name the source never
        spells is on no element, so a layout need not look for it (a cheap substring test
        instead of a query over every element)."""
        return not self.source or any(word in self.source for word in words)

    def first(self, queries: tuple[str, ...], scope: HtmlElement | None = None) -> list[Any]:
        """The matches of the first of the queries that matches within ``scope`` (default: the
        whole page), asked once per page."""
        key = (queries, scope)
        if key not in self._found:
            self._found[key] = first_match(queries, self.root if scope is None else scope)
        return self._found[key]


# Separator punctuation a theme prints inside term links (`Jembatan<span>,</span></a>`).
_TERM_SEPARATORS = " \t\n,;|/·•–—-"


def _term_names(names: list[str]) -> list[str]:
    stripped = (clean_text(n.strip(_TERM_SEPARATORS)) for n in names)
    return list(dict.fromkeys(n for n in stripped if n))


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _same_day(moment: datetime, midnight: datetime) -> bool:
    return moment.astimezone(midnight.tzinfo).date() == midnight.date()


class ArticlePage:
    """Base class of the layouts. Hooks return None / [] when the page lacks the element."""

    name: ClassVar[str] = ""

    # Where the layout's article sits (tried in order; the first element found). Every field
    # selector is looked up inside it, so a query walks the article's elements, not the whole
    # page's menus, sidebars and footers; a page without it is searched whole.
    ROOT: ClassVar[tuple[str, ...]] = ()
    # Selectors, overridden per layout: CSS selector lists tried in order, or XPath (CSS cannot
    # say "not inside"): "/…" searches the whole page, "./…" or "descendant…" the article.
    TITLE: ClassVar[tuple[str, ...]] = ("h1",)
    SUBTITLE: ClassVar[tuple[str, ...]] = ()
    BYLINE: ClassVar[tuple[str, ...]] = ()
    PUBLISHED_TIME: ClassVar[tuple[str, ...]] = ()
    MODIFIED_TIME: ClassVar[tuple[str, ...]] = ()
    DATE_TEXT: ClassVar[tuple[str, ...]] = ()
    CATEGORIES: ClassVar[tuple[str, ...]] = ()
    TAGS: ClassVar[tuple[str, ...]] = ()
    BODY: ClassVar[tuple[str, ...]] = ()
    IMAGE: ClassVar[tuple[str, ...]] = ()
    IMAGE_CAPTION: ClassVar[tuple[str, ...]] = ()
    POST_ARTICLE: ClassVar[tuple[str, ...]] = ()

    def __init__(self, page: PageInput) -> None:
        self.page = page
        self.sel = page.selector
        self.data = page.structured
        self.root, self._root_query = self.article_root(page)
        self._queries: dict[tuple[str, ...], tuple[str, ...]] = {}

    @classmethod
    def article_root(cls, page: PageInput) -> tuple[HtmlElement | None, str | None]:
        """The first element the layout's ROOT finds and the selector that found it, else
        (None, None): search the whole page."""
        for query in cls.ROOT:
            found = page.first((query,))
            if found:
                return found[0], query
        return None, None

    def _in_root(self, query: str) -> str:
        """`<ROOT> <rest>` (CSS) asked of the root that ROOT found is `<rest>` among the root's
        descendants: the same matches, without searching the root for copies of itself."""
        prefix = f"{self._root_query} "
        rest = query[len(prefix) :].lstrip()
        if not self._root_query or not query.startswith(prefix) or "," in query:
            return query
        if not rest or rest[0] in ">+~":
            return query
        return descendants_xpath(rest)

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        raise NotImplementedError

    # --- selector helpers -------------------------------------------------------------------

    def first(self, selectors: tuple[str, ...]) -> list[Any]:
        """Matches (lxml elements) of the first selector that matches inside the article."""
        if selectors not in self._queries:
            self._queries[selectors] = tuple(self._in_root(query) for query in selectors)
        return self.page.first(self._queries[selectors], self.root)

    def first_text(self, selectors: tuple[str, ...]) -> str | None:
        for node in self.first(selectors):
            text = element_text(node)
            if text:
                return text
        return None

    def all_texts(self, selectors: tuple[str, ...]) -> list[str]:
        names = [element_text(node) for node in self.first(selectors)]
        return list(dict.fromkeys(n for n in names if n))

    def first_attr(self, selectors: tuple[str, ...], *attrs: str) -> str | None:
        for node in self.first(selectors):
            for attr in attrs:
                value = (node.get(attr) or "").strip()
                if value:
                    return value
        return None

    # --- layout hooks -----------------------------------------------------------------------

    def title(self) -> str | None:
        return self.first_text(self.TITLE)

    def subtitle(self) -> str | None:
        return self.first_text(self.SUBTITLE)

    def byline(self) -> str | None:
        return clean_byline(self.first_text(self.BYLINE))

    def published_time(self) -> str | None:
        return self.first_attr(self.PUBLISHED_TIME, "datetime", "content")

    def modified_time(self) -> str | None:
        return self.first_attr(self.MODIFIED_TIME, "datetime", "content")

    def date_text(self) -> str | None:
        return self.first_text(self.DATE_TEXT)

    def categories(self) -> list[str]:
        return _term_names(self.all_texts(self.CATEGORIES))

    def tags(self) -> list[str]:
        return _term_names(self.all_texts(self.TAGS))

    def body_container(self) -> HtmlElement | None:
        found = self.first(self.BODY)
        return found[0] if found else None

    def paragraphs(self) -> list[str]:
        container = self.body_container()
        return body_paragraphs(container, self.page.base_url) if container is not None else []

    def image_url(self) -> str | None:
        """The first image URL that resolves; a placeholder or a URL that cannot be split is
        skipped."""
        for node in self.first(self.IMAGE):
            for attr in ("data-src", "data-lazy-src", "src", "content", "href"):
                value = (node.get(attr) or "").strip()
                usable = value and not _NOT_LEAD_IMAGE_RE.search(value)
                if usable and (url := absolute_url(value, self.page.url)):
                    return url
        return None

    def image_caption(self) -> str | None:
        return self.first_text(self.IMAGE_CAPTION)

    def post_id(self) -> int | None:
        for query in self.POST_ARTICLE:
            for node in self.page.first((query,), self.root):
                match = _POST_ID_RE.match((node.get("id") or "").strip())
                found = post_id_value(match[1]) if match else None
                if found is not None:
                    return found
        return None

    # --- the cascade ------------------------------------------------------------------------

    def _plausible(self, moment: datetime, *, published: bool) -> bool:
        """A candidate date the cascade may take: in the sane window (2000 to a day after the
        fetch) and, for the publication date, in the permalink's year. Anything else
        (`0001-01-01`, year 9999, a copy-pasted date of another year) is not the article's
        date, and the next source is asked."""
        url = self.page.url if published else None
        return plausible_date(moment, self.page.fetched_at, url)

    def _published(self) -> tuple[datetime, str] | None:
        from_url = url_date(self.page.url)

        # Sources in trust order, each asked only when every one before it failed.
        def candidates() -> Iterator[tuple[datetime | None, str]]:
            for value, source in self.data.published():
                yield parse_iso(value), source
            yield parse_iso(self.published_time()), "time"
            # A standalone BlogPosting (AMP for WP's, beside Yoast's graph) is the least
            # trusted source: asked last, and never when it contradicts the permalink's day.
            standalone = parse_iso(self.data.standalone_published())
            if standalone is not None and (from_url is None or _same_day(standalone, from_url)):
                yield standalone, "jsonld"

        for moment, source in candidates():
            if moment is not None and self._plausible(moment, published=True):
                return moment, source
        text_moment = parse_visible_date(self.date_text(), self.page.fetched_at)
        # A visible date on another day than the permalink's is wrong (usually a relative
        # "3 hours ago" in a cached copy): the URL wins.
        if (
            text_moment
            and self._plausible(text_moment, published=True)
            and (from_url is None or _same_day(text_moment, from_url))
        ):
            return text_moment, "text"
        if from_url and self._plausible(from_url, published=True):
            return from_url, "url"
        return None

    def _modified(self, published: datetime | None) -> str | None:
        def candidates() -> Iterator[str | None]:
            yield from self.data.modified()
            yield self.modified_time()  # asked only when structured data has no usable time

        for value in candidates():
            moment = parse_iso(value)
            if moment and moment != published and self._plausible(moment, published=False):
                return to_site_iso(moment)
        # The standalone BlogPosting's time, only when it does not precede the publication.
        moment = parse_iso(self.data.standalone_modified())
        if (
            moment
            and moment != published
            and (published is None or moment > published)
            and self._plausible(moment, published=False)
        ):
            return to_site_iso(moment)
        return None

    def _lead_image(self) -> str | None:
        """The first candidate (JSON-LD, og:image, then the layout) that is no plugin/theme
        asset; a resized variant loses to a full-size candidate, and becomes the full-size
        URL when the page names that URL elsewhere.

        An og:image that nothing in the page's body shows (neither it nor its full size) comes
        after the layout's image: such an og:image is often the site-wide share image, the same
        on every page (a template head's demo image, Yoast's default image). One of those is
        never the lead image at all (``site_images``: the crawl collects them from listing
        pages, which show no article image).
        """
        og_image = self.data.og_image()
        if og_image in self.page.site_images:
            og_image = None

        # Candidates in order, each computed only when every one before it was resized or
        # unusable: the first full-size one is the answer.
        def candidates() -> Iterator[str | None]:
            yield from self.data.image_urls()
            if og_image and self._shows(og_image, full_size(og_image)):
                yield og_image
                yield self.image_url()
            else:
                yield self.image_url()
                yield og_image

        resized: list[str] = []
        for url in dict.fromkeys(candidates()):
            if not url or _NOT_LEAD_IMAGE_RE.search(url):
                continue
            if not _RESIZED_RE.search(url):
                return url
            resized.append(url)
        for url in resized:
            original = full_size(url)
            if self._shows(original) or original in self._named_urls():
                return original
        return resized[0] if resized else None

    def _shows(self, *urls: str) -> bool:
        """`shows`, answered from the layout's featured image when that is one of the URLs (the
        usual case: og:image is the featured image), without reading the whole body."""
        for node in self.first(self.IMAGE):
            in_body = any(parent.tag == "body" for parent in node.iterancestors())
            values = (node.get(name) or "" for name in _SHOWING_ATTRIBUTES[node.tag == "a"])
            parts = (part for value in values for part in value.split() if "/" in part)
            if in_body and any(p in urls or full_size(p) in urls for p in parts):
                return True
        return shows(self.page.root, *urls)

    def _named_urls(self) -> set[str]:
        """Every URL-like attribute value of the page, srcset entries split."""
        found: set[str] = set()
        for value in select(_PAGE_URLS, self.page.root):
            found.add(value)
            found.update(value.split())
        return found

    def image_alts(self) -> list[str]:
        """The featured image's alt and title texts (what a repeated "caption" copies)."""
        texts = []
        for node in self.first(self.IMAGE):
            texts += [node.get("alt") or "", node.get("title") or ""]
        return [t for t in texts if t.strip()]

    def _caption(self, title: str) -> str | None:
        """The structured caption, else the layout's; a caption that merely repeats the title
        or the image's alt/title text (Yoast copies the alt when WordPress has none) is none."""

        def captions() -> Iterator[str | None]:
            yield self.data.image_caption()
            yield self.image_caption()  # asked only when structured data has none to give

        not_captions: set[str] | None = None
        for caption in captions():
            if not caption:
                continue
            if not_captions is None:
                repeated = (title, self.data.title() or "", *self.image_alts())
                not_captions = {_fold(t) for t in (*repeated, *self.data.image_alts())}
            if _fold(caption) not in not_captions:
                return caption
        return None

    def to_article(self) -> Article:
        # The displayed headline wins over structured data: Yoast truncates JSON-LD `headline`
        # and suffixes og:title with the site name.
        title = self.title() or self.data.title() or ""
        paragraphs = self.paragraphs()
        body = join_paragraphs(paragraphs)
        published = self._published()
        return Article(
            url=canonical_url(self.page.url, self.page.base_url),
            post_id=self.data.post_id() or self.post_id(),
            title=clean_text(title),
            subtitle=self.subtitle(),
            byline=clean_byline(self.data.byline()) or self.byline(),
            reporter=reporter_signoff(paragraphs[-1]) if paragraphs else None,
            dateline=dateline_place(paragraphs[0]) if paragraphs else None,
            published_at=to_site_iso(published[0]) if published else None,
            modified_at=self._modified(published[0] if published else None),
            date_source=published[1] if published else None,
            categories=self.data.categories() or self.categories(),
            tags=self.data.tags() or self.tags(),
            body=body,
            image_url=self._lead_image(),
            image_caption=self._caption(title),
            layout=self.name,
            fetched_at=to_utc_iso(self.page.fetched_at),
        )
