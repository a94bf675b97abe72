"""Pure helpers shared by extraction, crawling and storage: URLs, text, names, dates.

Nothing here touches the network, Scrapy or SQLite, so every function is table-tested.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from w3lib.encoding import html_to_unicode

from newsarchive.site import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

# The site's permalink structure: /YYYY/MM/DD/slug, with or without the trailing slash,
# optionally followed by the AMP endpoint.
_PERMALINK_RE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([^/?#]+)(?:/amp)?/?$")
_AMP_SUFFIX_RE = re.compile(r"(?:/amp)+/?$")


def split_url(url: str) -> SplitResult | None:
    """`url` split into its parts, or None when urllib cannot split it.

    Pages carry links urllib refuses (`http://[kalbaronline.com/…`, an unclosed IPv6 bracket;
    `http://]x`; a bracketed host that is no IP address; a host NFKC turns into `/` or `@`):
    they lead nowhere, so they are no site URL, no article and no link. Every URL a page
    supplies is split here, never with a bare urlsplit.
    """
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _site_host(url: str) -> str | None:
    """The URL's host, lowercased, without `www.`; None when the URL cannot be split."""
    parts = split_url(url)
    return None if parts is None else (parts.hostname or "").lower().removeprefix("www.")


def is_site_url(url: str, base_url: str = DEFAULT_BASE_URL) -> bool:
    """True when `url` is on the site (bare host or `www.`), whatever the scheme.

    Links to the real site's host count too when crawling a replica: saved pages and replicas
    carry absolute kalbaronline.com links, and they mean the replica's copy of the article.
    A URL that cannot be split is on no site.
    """
    host = _site_host(url)
    return host is not None and host in {_site_host(base_url), _site_host(DEFAULT_BASE_URL)}


def permalink_date(url: str) -> tuple[int, int, int] | None:
    """The (year, month, day) in an article permalink's path, or None for other URLs (and for
    URLs that cannot be split)."""
    parts = split_url(url)
    match = _PERMALINK_RE.match(parts.path) if parts is not None else None
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return year, month, day


def is_article_url(url: str, base_url: str = DEFAULT_BASE_URL) -> bool:
    """True for an article permalink of the site (any host variant, with or without /amp/)."""
    return is_site_url(url, base_url) and permalink_date(url) is not None


def canonical_url(url: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """The archive's identity for an article URL.

    Site URLs take the base URL's scheme and host (so `www.`, `http://` and bare-host links
    are one article); the `/amp/` endpoint, query strings (`?pgrelated=…`, `?page123=…`) and
    fragments are dropped; the path always ends with a slash. URLs of other hosts keep their
    host but are otherwise normalised the same way. A URL that cannot be split names no page,
    so it is returned as written (stripped).
    """
    url = url.strip()
    parts = split_url(url)
    if parts is None:
        return url
    path = _AMP_SUFFIX_RE.sub("", parts.path) or "/"
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((*_scheme_and_host(url, parts, base_url), path, "", ""))


def request_url(url: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """The URL to fetch for a link: as the site wrote it, minus `/amp/`, query and fragment.

    The scheme and host follow the base URL (a crawl of a replica stays on the replica), but the
    path keeps the site's own trailing-slash style so the crawler pays no redirect per article.
    A URL that cannot be split is returned as written (stripped), like `canonical_url`.
    """
    url = url.strip()
    parts = split_url(url)
    if parts is None:
        return url
    had_slash = parts.path.endswith("/")
    path = _AMP_SUFFIX_RE.sub("", parts.path) or "/"
    if had_slash and not path.endswith("/"):
        path += "/"
    return urlunsplit((*_scheme_and_host(url, parts, base_url), path, "", ""))


def _scheme_and_host(url: str, parts: SplitResult, base_url: str) -> tuple[str, str]:
    """Lowercased scheme and host for `url` (split as `parts`): the base URL's for a site URL,
    its own otherwise."""
    base = split_url(base_url) if is_site_url(url, base_url) else None
    host = parts if base is None else base
    return host.scheme.lower(), host.netloc.lower()


_PAGED_RE = re.compile(r"/page/(\d+)(/?)$")


def following_listing_page(url: str) -> str:
    """The listing page after `url` by WordPress's `/page/N` convention, keeping the slash style.

    Only a guess, for stepping over a listing page that failed; the pages themselves say what
    comes next.
    """
    parts = urlsplit(url)
    match = _PAGED_RE.search(parts.path)
    if match:
        path = _PAGED_RE.sub(f"/page/{int(match[1]) + 1}{match[2]}", parts.path)
    else:
        slash = "/" if parts.path.endswith("/") else ""
        path = f"{parts.path.rstrip('/')}/page/2{slash}"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def absolute_url(href: str, page_url: str) -> str | None:
    """Resolve `href` against the page it appeared on; None when either cannot be split (a link
    to nowhere, dropped like any other non-link)."""
    href = href.strip()
    if split_url(href) is None or split_url(page_url) is None:
        return None
    return urljoin(page_url, href)


# --- text ----------------------------------------------------------------------------------


def utf8_text(html: bytes) -> str | None:
    """The bytes as UTF-8 text, None when they are not UTF-8."""
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_html(html: str | bytes, content_type: str | bytes | None = None) -> str:
    """A page's bytes as text.

    The site is WordPress and serves UTF-8; pages declaring another charset (a misconfigured
    header or meta tag) are still UTF-8 when they decode as such, because non-ASCII text in a
    legacy charset almost never forms valid UTF-8. Otherwise: BOM, the declared charset (HTTP
    header, then meta), else UTF-8 with replacement, as Scrapy does.
    """
    if isinstance(html, str):
        return html
    text = utf8_text(html)
    if text is not None:
        return text
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    return html_to_unicode(content_type, html)[1]


_SPACE_RE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\ufeff]+")


def clean_text(text: str | None) -> str:
    """Collapse every run of whitespace (nbsp and zero-width characters included) to one space."""
    if not text:
        return ""
    return _SPACE_RE.sub(" ", text).strip()


# WordPress post IDs are SQLite INTEGERs in the archive: signed 64-bit, and never 0.
MAX_POST_ID = 2**63 - 1


def post_id_value(digits: str | None) -> int | None:
    """A post ID read from the page (`post-N`, `postid-N`, `?p=N`), or None when it cannot be
    one (empty, not ASCII digits, 0, or beyond a 64-bit integer)."""
    text = (digits or "").strip()
    # The length test comes first: int() refuses strings of more than 4300 digits.
    if not text or len(text) > len(str(MAX_POST_ID)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_POST_ID else None


def word_count(text: str) -> int:
    return len(text.split())


_BYLINE_PREFIX_RE = re.compile(
    r"^(?:oleh|published\s+by|penulis|ditulis\s+oleh|written\s+by|by|reporter|editor)\b\s*[:\-–]?\s*",
    re.IGNORECASE,
)


def clean_byline(text: str | None) -> str | None:
    """The author's name without the label the theme prints before it."""
    name = _BYLINE_PREFIX_RE.sub("", clean_text(text))
    return name.strip(" :|-–") or None


# "KalbarOnline, Pontianak – …", "KalbarOnline.com - …", "KALBARONLINE.com – …": the place is
# only present in the comma form.
_DATELINE_RE = re.compile(
    r"^\s*kalbaronline(?:\.com)?\s*(?:,\s*(?P<place>[^–—\-,]{1,40}?))?\s*[–—-]\s*", re.IGNORECASE
)


def dateline_place(first_paragraph: str) -> str | None:
    """The place named in the body's opening dateline, or None."""
    match = _DATELINE_RE.match(first_paragraph)
    if not match or not match["place"]:
        return None
    return clean_text(match["place"]) or None


# A reporter's initials or short name in parentheses closing the body: "(jim)", "(Adi LC)".
_SIGNOFF_RE = re.compile(r"\((?P<who>[A-Za-z][A-Za-z .'’]{0,24})\)\s*$")


def reporter_signoff(body: str) -> str | None:
    """The parenthesised sign-off at the end of the body, without parentheses."""
    match = _SIGNOFF_RE.search(body.rstrip())
    return clean_text(match["who"]) or None if match else None


# --- dates ---------------------------------------------------------------------------------

# Pontianak keeps WIB all year (no DST), so a fixed offset is exact and needs no tz database.
SITE_TZ = timezone(timedelta(hours=7), "WIB")
SITE_TZ_NAME = "Asia/Pontianak"


def to_site_iso(moment: datetime) -> str:
    """ISO 8601 in the site's offset, seconds precision: `2018-07-05T09:12:00+07:00`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SITE_TZ)
    return moment.astimezone(SITE_TZ).replace(microsecond=0).isoformat()


def to_utc_iso(moment: datetime) -> str:
    """ISO 8601 in UTC, seconds precision: `2024-06-16T03:00:00+00:00`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_iso(value: str | None) -> datetime | None:
    """A machine-readable timestamp (JSON-LD, meta, `datetime` attribute); naive means WIB."""
    text = clean_text(value)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SITE_TZ)


# The site started in 2017; anything before 2000 is a placeholder (`0001-01-01`) or a typo.
EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=SITE_TZ)
# Clocks and time zones disagree a little; a date more than this after the fetch is not real.
FUTURE_SLACK = timedelta(days=1)


def plausible_date(moment: datetime, fetched_at: datetime, url: str | None = None) -> bool:
    """True when `moment` can be when the article was published or modified.

    Not before 2000, not more than a day after the page was fetched, and (when `url` is a
    permalink) in the permalink's year, read in the site's offset or in the date's own. Dates
    at the edges of what datetime holds (year 9999 with an offset) are rejected, not raised.
    """
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SITE_TZ)
        if fetched_at.tzinfo is None:
            fetched_at = fetched_at.replace(tzinfo=UTC)
        if moment < EARLIEST_DATE or moment > fetched_at + FUTURE_SLACK:
            return False
        permalink = permalink_date(url) if url else None
        if permalink is not None:
            return permalink[0] in {moment.year, moment.astimezone(SITE_TZ).year}
    except OverflowError:
        return False
    return True


def url_date(url: str) -> datetime | None:
    """Midnight WIB of the permalink's date: the last-resort publication date."""
    parts = permalink_date(url)
    if parts is None:
        return None
    try:
        return datetime(*parts, tzinfo=SITE_TZ)
    except ValueError:
        return None


# Spellings dateparser does not know, and decorations the site puts around its dates.
_DATE_REWRITES = (
    (re.compile(r"jum['’`]?\s?at", re.IGNORECASE), "Jumat"),
    (re.compile(r"\bpebruari\b", re.IGNORECASE), "Februari"),
    (re.compile(r"\bnopember\b", re.IGNORECASE), "November"),
    (re.compile(r"\bWIB\b|\|"), " "),
)


@lru_cache(maxsize=16)
def _date_parser(relative_base: datetime) -> DateDataParser:
    # One configured parser per fetch time: relative dates ("3 hours ago", "2 jam yang lalu")
    # must be anchored to when the page was fetched, not to when it is parsed. Imported here:
    # most pages date themselves in their metadata, and dateparser takes a tenth of a second
    # to import in every process.
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["id", "en"],
        settings={
            "TIMEZONE": SITE_TZ_NAME,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": relative_base,
            "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": "past",
        },
    )


def parse_visible_date(text: str | None, fetched_at: datetime) -> datetime | None:
    """A printed date, Indonesian or English, absolute or relative to `fetched_at`."""
    cleaned = clean_text(text)
    if not cleaned or len(cleaned) > 80:
        return None
    for pattern, replacement in _DATE_REWRITES:
        cleaned = pattern.sub(replacement, cleaned)
    base = fetched_at.astimezone(SITE_TZ).replace(tzinfo=None, microsecond=0)
    result = _date_parser(base).get_date_data(clean_text(cleaned))
    moment: datetime | None = result.date_obj
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SITE_TZ)
