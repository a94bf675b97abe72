"""The article schema: one name per concept in item, `extract` JSON, columns and exports.

A plain dataclass (Scrapy handles dataclass items through itemadapter), so page classes build
articles without importing Scrapy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from types import NoneType, UnionType
from typing import Any, Literal, get_args, get_origin, get_type_hints

REQUIRED_FIELDS = ("url", "title", "published_at", "body")


@dataclass(kw_only=True)
class Article:
    url: str
    """Canonical URL: the base URL's scheme and host, `/YYYY/MM/DD/slug/`, no `/amp/`, no query."""

    post_id: int | None = None
    """WordPress post ID: shortlink `?p=N`, body class `postid-N`, `article#post-N`."""

    title: str
    """Headline as displayed (the layout's h1), whitespace-normalised; structured data if absent."""

    subtitle: str | None = None
    """The line under the headline (Newkarma `p.subtitle`), when there is one."""

    byline: str | None = None
    """Author name as printed, without "Oleh :" / "Published by": JSON-LD, meta, layout."""

    reporter: str | None = None
    """Reporter sign-off ending the body, without parentheses: `jim`, `Adi LC`."""

    dateline: str | None = None
    """Place of the opening dateline: "KalbarOnline, Pontianak – …" gives `Pontianak`."""

    published_at: str | None
    """ISO 8601 with +07:00 (WIB). Sources in order: JSON-LD, article:published_time, the
    header's time[datetime], the header's visible date (dateparser), the permalink's date."""

    modified_at: str | None = None
    """ISO 8601 with +07:00 when the page gives a modification time."""

    date_source: str | None
    """Where `published_at` came from: `jsonld`, `meta`, `time`, `text` or `url`."""

    categories: list[str] = field(default_factory=list)
    """Category names in page order: JSON-LD articleSection, then the layout's links."""

    tags: list[str] = field(default_factory=list)
    """Tag names in page order: JSON-LD keywords, then the layout's tag links."""

    body: str
    """Article paragraphs joined by a blank line; dateline and sign-off kept; no noise."""

    image_url: str | None = None
    """Lead image: JSON-LD primary image, og:image, the layout's featured image."""

    image_caption: str | None = None
    """The lead image's caption: JSON-LD primary image caption, the featured figcaption."""

    word_count: int = 0
    """Words in `body` (whitespace-separated)."""

    layout: str
    """The page class that parsed it: `newkarma`, `amp`, `news5` or `generic`."""

    fetched_at: str
    """When the page was fetched, ISO 8601 UTC; the base for relative dates."""

    def __post_init__(self) -> None:
        self.word_count = len(self.body.split())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def missing_fields(self) -> list[str]:
        """Required fields that are empty: such an article must never become a row."""
        return [name for name in REQUIRED_FIELDS if not getattr(self, name)]


FIELD_NAMES = tuple(f.name for f in fields(Article))

# What makes two captures of an article the same content. Fetch time, layout and word count
# are about the capture or derived, so they never create a revision by themselves.
CONTENT_FIELDS = (
    "title", "subtitle", "byline", "reporter", "dateline", "published_at", "modified_at",
    "categories", "tags", "body", "image_url", "image_caption",
)  # fmt: skip

# --- what each field holds, read off the annotations (for typed exports) -------------------

ValueKind = Literal["text", "int", "list", "instant"]

# The offset the article's own dates are written in (WIB: Pontianak keeps it all year, as
# normalize.SITE_TZ says); every time the crawler records is UTC.
SITE_OFFSET = "+07:00"


def value_kind(annotation: Any, name: str) -> ValueKind:
    """What a field (or a storage column) of this type holds: `int`, `list` (of strings),
    `instant` (ISO 8601 text: the project names every such field `*_at`) or plain `text`.
    `X | None` is X that may be missing."""
    if isinstance(annotation, UnionType):
        present = [arg for arg in get_args(annotation) if arg is not NoneType]
        if len(present) != 1:
            raise TypeError(f"{name}: no value kind for {annotation}")
        annotation = present[0]
    if get_origin(annotation) is list and get_args(annotation) in ((), (str,)):
        return "list"
    if annotation is int:
        return "int"
    if annotation is str:
        return "instant" if name.endswith("_at") else "text"
    raise TypeError(f"{name}: no value kind for {annotation}")


def instant_zone(name: str) -> str:
    """The zone an instant field is written in: the article's own dates (content fields) in
    the site's offset, capture times (`fetched_at`, storage's `*_seen_at`…) in UTC."""
    return SITE_OFFSET if name in CONTENT_FIELDS else "UTC"


_HINTS = get_type_hints(Article)
FIELD_KINDS: dict[str, ValueKind] = {name: value_kind(_HINTS[name], name) for name in FIELD_NAMES}

# How each kind is stored in SQLite: lists as JSON arrays in text, instants as ISO 8601 text.
SQLITE_TYPES: dict[ValueKind, type] = {"text": str, "instant": str, "int": int, "list": str}


def column_types(names: Iterable[str] = FIELD_NAMES) -> dict[str, type]:
    """The SQLite column type of each named field (sqlite-utils' `str`/`int`), read off the
    annotations: what `articles` and `article_revisions` declare for the article's fields."""
    return {name: SQLITE_TYPES[FIELD_KINDS[name]] for name in names}


@dataclass(frozen=True)
class RawRecord:
    """Where the raw page of a capture is kept: a WARC file (relative to the WARC folder) and
    the byte offset of its response record. Empty when raw capture is off (`--no-raw`)."""

    warc_file: str | None = None
    warc_offset: int | None = None


@dataclass
class CapturedArticle:
    """What the spider hands to the pipelines: the article and where its raw page is kept."""

    article: Article
    raw: RawRecord = field(default_factory=RawRecord)


FAILURE_STAGES = ("fetch", "parse", "validate", "store")


@dataclass(kw_only=True)
class PageFailure:
    """A page that gave no article: becomes a `failures` row, never a half-filled article."""

    url: str
    """The URL as requested."""

    stage: str
    """Where it failed: one of FAILURE_STAGES."""

    reason: str
    """One line for humans: what went wrong."""

    http_status: int | None = None
    """The response's status, when there was a response."""

    article_url: str | None = None
    """For an article page, its canonical URL (the archive's identity for it)."""

    raw: RawRecord = field(default_factory=RawRecord)
    """The raw page, when there was a response and capture is on."""


#: What the site answers for a page it removed; such a fetch is recorded, not a failed run.
GONE_STATUSES = (404, 410)


@dataclass(kw_only=True)
class ArticleGone:
    """An archived article the site no longer serves (404/410, or a redirect to the home page
    or a listing): its row is marked removed, never deleted."""

    url: str
    """The article's canonical URL."""

    status: int
    """The answer: 404, 410, or the redirect's status."""


@dataclass(kw_only=True)
class ChannelFindings:
    """What a discovery channel listed on one of its documents (`newsarchive coverage`)."""

    channel: str
    """`sitemaps`, `feed` or `rest`."""

    entries: list[Any] = field(default_factory=list)
    """The posts it listed (`newsarchive.discovery.Listed`)."""

    complete: bool = True
    """Whether the channel lists every post (sitemaps, REST) rather than the newest (feed)."""

    skipped: str | None = None
    """Set instead of entries when the channel could not be read, or a later document of it
    failed (``incomplete: …``): the one-line reason."""


@dataclass(kw_only=True)
class ChannelValidators:
    """What a channel document answered with, for a conditional request next time."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
