"""The shared extraction cascade: structured data first, the layout's selectors second.

A layout subclass only says where things are on its pages (selectors at the top of its module)
and how to recognise them (`matches`); `to_article` decides which source wins for every field,
the same way for every layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from lxml.html import HtmlElement
from parsel import Selector, SelectorList

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


def shown_images(sel: Selector) -> set[str]:
    """URLs (and their full-size forms) that elements of a page's body point at: what the
    page shows, as opposed to what its head announces."""
    found: set[str] = set()
    for value in sel.xpath(
        "//body//@src | //body//@srcset | //body//@data-src | //body//@data-lazy-src"
        " | //body//a/@href"
    ).getall():
        for part in value.split():
            if "/" in part:
                found.add(part)
                found.add(_RESIZED_RE.sub("", part, count=1))
    return found


def site_share_image(sel: Selector) -> str | None:
    """The page's og:image when nothing in its body shows it: on a listing page, which shows
    no lead image of its own, that is the site's share image (the same on every page)."""
    og_image = StructuredData.from_selector(sel).og_image()
    if og_image and not {og_image, _RESIZED_RE.sub("", og_image, count=1)} & shown_images(sel):
        return og_image
    return None


@dataclass
class PageInput:
    """One fetched page, parsed once; every layout reads the same tree."""

    url: str
    selector: Selector
    fetched_at: datetime
    base_url: str = DEFAULT_BASE_URL
    site_images: frozenset[str] = frozenset()  # the site's share images: never a lead image
    _structured: StructuredData | None = None

    @property
    def structured(self) -> StructuredData:
        if self._structured is None:
            self._structured = StructuredData.from_selector(self.selector)
        return self._structured


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

    # Selectors, overridden per layout. Each is a CSS selector list tried in order.
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

    @classmethod
    def matches(cls, page: PageInput) -> bool:
        raise NotImplementedError

    # --- selector helpers -------------------------------------------------------------------

    def first(self, selectors: tuple[str, ...]) -> SelectorList[Selector]:
        """Matches of the first selector that matches; XPath when it starts with "/" (CSS cannot
        say "not inside")."""
        for query in selectors:
            found = self.sel.xpath(query) if query.startswith("/") else self.sel.css(query)
            if found:
                return found
        return SelectorList()

    def first_text(self, selectors: tuple[str, ...]) -> str | None:
        for node in self.first(selectors):
            text = element_text(node.root)
            if text:
                return text
        return None

    def all_texts(self, selectors: tuple[str, ...]) -> list[str]:
        names = [element_text(node.root) for node in self.first(selectors)]
        return list(dict.fromkeys(n for n in names if n))

    def first_attr(self, selectors: tuple[str, ...], *attrs: str) -> str | None:
        for node in self.first(selectors):
            for attr in attrs:
                value = (node.attrib.get(attr) or "").strip()
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
        return found[0].root if found else None

    def paragraphs(self) -> list[str]:
        container = self.body_container()
        return body_paragraphs(container, self.page.base_url) if container is not None else []

    def image_url(self) -> str | None:
        """The first image URL that resolves; a placeholder or a URL that cannot be split is
        skipped."""
        for node in self.first(self.IMAGE):
            for attr in ("data-src", "data-lazy-src", "src", "content", "href"):
                value = (node.attrib.get(attr) or "").strip()
                usable = value and not _NOT_LEAD_IMAGE_RE.search(value)
                if usable and (url := absolute_url(value, self.page.url)):
                    return url
        return None

    def image_caption(self) -> str | None:
        return self.first_text(self.IMAGE_CAPTION)

    def post_id(self) -> int | None:
        for css in self.POST_ARTICLE:
            for value in self.sel.css(css).xpath("@id").getall():
                match = _POST_ID_RE.match(value.strip())
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
        candidates = [(parse_iso(value), source) for value, source in self.data.published()]
        candidates.append((parse_iso(self.published_time()), "time"))
        from_url = url_date(self.page.url)
        # A standalone BlogPosting (AMP for WP's, beside Yoast's graph) is the least trusted
        # source: asked last, and never when it contradicts the permalink's day.
        standalone = parse_iso(self.data.standalone_published())
        if standalone is not None and (from_url is None or _same_day(standalone, from_url)):
            candidates.append((standalone, "jsonld"))
        for moment, source in candidates:
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
        for value in (*self.data.modified(), self.modified_time()):
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
        shown = shown_images(self.sel)
        og_image = self.data.og_image()
        if og_image in self.page.site_images:
            og_image = None
        og_shown = og_image and {og_image, _RESIZED_RE.sub("", og_image, count=1)} & shown
        found: list[str | None] = [*self.data.image_urls()]
        found += [og_image, self.image_url()] if og_shown else [self.image_url(), og_image]
        urls = [u for u in dict.fromkeys(f for f in found if f) if not _NOT_LEAD_IMAGE_RE.search(u)]
        if not urls:
            return None
        full = next((u for u in urls if not _RESIZED_RE.search(u)), None)
        if full is not None:
            return full
        for url in urls:
            original = _RESIZED_RE.sub("", url, count=1)
            if original in shown or original in self._named_urls():
                return original
        return urls[0]

    def _named_urls(self) -> set[str]:
        """Every URL-like attribute value of the page, srcset entries split."""
        found: set[str] = set()
        for value in self.sel.xpath("//@src | //@href | //@content | //@srcset").getall():
            found.add(value)
            found.update(value.split())
        return found

    def image_alts(self) -> list[str]:
        """The featured image's alt and title texts (what a repeated "caption" copies)."""
        texts = []
        for node in self.first(self.IMAGE):
            texts += [node.attrib.get("alt") or "", node.attrib.get("title") or ""]
        return [t for t in texts if t.strip()]

    def _caption(self, title: str) -> str | None:
        """The structured caption, else the layout's; a caption that merely repeats the title
        or the image's alt/title text (Yoast copies the alt when WordPress has none) is none."""
        not_captions = {_fold(t) for t in (title, self.data.title() or "", *self.image_alts())}
        not_captions |= {_fold(t) for t in self.data.image_alts()}
        for caption in (self.data.image_caption(), self.image_caption()):
            if caption and _fold(caption) not in not_captions:
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
