"""The WordPress REST API: `/wp/v2/posts` (IDs, links, GMT dates, categories) and
`/wp/v2/categories`, at `/wp-json/…` or, where that path is blocked or permalinks are plain,
`/?rest_route=/…`."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from w3lib.url import add_or_replace_parameter, url_query_parameter

from newsarchive.discovery.base import (
    ChannelUnavailable,
    Listed,
    as_utc,
    load_json,
    text_headers,
    unique,
)
from newsarchive.normalize import (
    absolute_url,
    canonical_url,
    clean_text,
    is_article_url,
    post_id_value,
    split_url,
    to_utc_iso,
)

CHANNEL = "rest"
REST_POSTS_FIELDS = "id,link,date_gmt,modified_gmt,categories"
REST_CATEGORIES_FIELDS = "id,name,slug,link"
# WordPress refuses per_page above 100.
MAX_PER_PAGE = 100
# The error WordPress answers (HTTP 400) for a page past the last one.
PAST_LAST_PAGE_CODE = "rest_post_invalid_page_number"

_LINK_RE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+=(?:\"[^\"]*\"|[^;,]*))*)")
_REL_RE = re.compile(r";\s*rel\s*=\s*(?:\"([^\"]*)\"|([^;,\s]*))", re.IGNORECASE)


@dataclass
class RestPage:
    """One page of `/wp/v2/posts`."""

    entries: list[Listed] = field(default_factory=list)
    total: int | None = None
    """`X-WP-Total`: posts matching the query, all pages together."""
    total_pages: int | None = None
    """`X-WP-TotalPages`."""
    next_url: str | None = None
    """The next page in the request's own form (route or path), or None on the last page."""


def _endpoint(base_url: str, route: str, route_param: bool) -> str:
    base = base_url.rstrip("/")
    if route_param:
        return f"{base}/?{urlencode({'rest_route': route}, safe='/')}"
    return f"{base}/wp-json{route}"


def _with_query(endpoint: str, params: list[tuple[str, str]]) -> str:
    query = urlencode(params, safe=",")
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def rest_posts_url(
    base_url: str,
    page: int = 1,
    per_page: int = MAX_PER_PAGE,
    categories: list[int] | None = None,
    modified_after: datetime | None = None,
    route_param: bool = False,
) -> str:
    """A page of `/wp/v2/posts` with only the fields discovery reads (`REST_POSTS_FIELDS`).

    `modified_after` is sent as ISO 8601 with its UTC offset (`2025-11-24T10:00:00+00:00`, a
    naive value counting as UTC): WordPress reads a value without an offset in the site's own
    time zone, which would shift the cut-off by seven hours on this site.
    """
    if page < 1:
        raise ValueError(f"REST page numbers start at 1, not {page}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page}")
    params = [("per_page", str(per_page)), ("page", str(page)), ("_fields", REST_POSTS_FIELDS)]
    if categories:
        params.append(("categories", ",".join(str(int(c)) for c in categories)))
    if modified_after is not None:
        params.append(("modified_after", to_utc_iso(modified_after)))
    return _with_query(_endpoint(base_url, "/wp/v2/posts", route_param), params)


def rest_categories_url(base_url: str, route_param: bool = False, page: int = 1) -> str:
    """A page of `/wp/v2/categories` (100 per page: every section of the site on page 1)."""
    if page < 1:
        raise ValueError(f"REST page numbers start at 1, not {page}")
    params = [("per_page", str(MAX_PER_PAGE)), ("_fields", REST_CATEGORIES_FIELDS)]
    if page > 1:
        params.append(("page", str(page)))
    return _with_query(_endpoint(base_url, "/wp/v2/categories", route_param), params)


def parse_rest_posts(
    body: bytes,
    headers: Mapping[Any, Any],
    url: str,
    base_url: str,
    categories: Mapping[int, str] | None = None,
) -> RestPage:
    """A page of `/wp/v2/posts`: entries for article links, the totals, the next page.

    `date_gmt` and `modified_gmt` carry no offset and are UTC. `categories` (from
    `parse_rest_categories`) turns category IDs into section names; unknown IDs are left out.
    `headers` may be a plain dict or Scrapy's `Headers` (names are matched case-insensitively).
    The next page follows `Link: <…>; rel="next"`, rebuilt on the request URL so it keeps the
    request's form: WordPress writes `/wp-json/…` links even when asked via `?rest_route=`.
    Posts without a usable link or ID, off the site, no article, or with a date that is no date
    are skipped; a body that is no JSON list of posts raises `ChannelUnavailable`.
    """
    data = load_json(CHANNEL, url, body)
    if isinstance(data, dict) and "code" in data:
        raise ChannelUnavailable(CHANNEL, f"error {_error_code(data)} at {url}")
    if not isinstance(data, list):
        raise ChannelUnavailable(CHANNEL, f"no list of posts at {url} (JSON {type(data).__name__})")
    names = categories or {}
    entries: list[Listed] = []
    for post in data:
        entry = _post_entry(post, url, base_url, names)
        if entry is not None:
            entries.append(entry)
    lowered = text_headers(headers)
    total = _header_int(lowered, "x-wp-total")
    total_pages = _header_int(lowered, "x-wp-totalpages")
    return RestPage(
        entries=entries,
        total=total,
        total_pages=total_pages,
        next_url=_next_url(lowered, url, total_pages),
    )


def parse_rest_categories(body: bytes, url: str = "") -> dict[int, str]:
    """`/wp/v2/categories` as {id: name}, names with HTML entities decoded (`&amp;` → `&`)."""
    where = url or "the categories endpoint"
    data = load_json(CHANNEL, where, body)
    if isinstance(data, dict) and "code" in data:
        raise ChannelUnavailable(CHANNEL, f"error {_error_code(data)} at {where}")
    if not isinstance(data, list):
        raise ChannelUnavailable(
            CHANNEL, f"no list of categories at {where} (JSON {type(data).__name__})"
        )
    result: dict[int, str] = {}
    for category in data:
        if not isinstance(category, dict):
            continue
        category_id = _int_id(category.get("id"))
        name = category.get("name")
        if category_id is None or not isinstance(name, str):
            continue
        text = clean_text(html.unescape(name))
        if text:
            result[category_id] = text
    return result


def rest_past_last_page(status: int, body: bytes) -> bool:
    """True for WordPress's answer to a page past the last one (HTTP 400,
    `rest_post_invalid_page_number`): the end of the listing, not a broken channel.
    `check_response` still refuses it; ask this first."""
    if status != 400:
        return False
    try:
        data = load_json(CHANNEL, "", body)
    except ChannelUnavailable:
        return False
    return isinstance(data, dict) and data.get("code") == PAST_LAST_PAGE_CODE


def _post_entry(
    post: object, url: str, base_url: str, categories: Mapping[int, str]
) -> Listed | None:
    if not isinstance(post, dict):
        return None
    link = post.get("link")
    absolute = absolute_url(link, url) if isinstance(link, str) and link.strip() else None
    if absolute is None or not is_article_url(absolute, base_url):
        return None
    post_id = _int_id(post.get("id"))
    try:
        published = _gmt(post.get("date_gmt"))
        modified = _gmt(post.get("modified_gmt"))
    except ValueError:
        return None
    if post_id is None:
        return None
    ids = post.get("categories")
    sections = (
        unique(categories.get(c, "") for c in ids if isinstance(c, int) and not isinstance(c, bool))
        if isinstance(ids, list)
        else ()
    )
    return Listed(
        url=canonical_url(absolute, base_url),
        channel=CHANNEL,
        link=absolute,
        post_id=post_id,
        modified=modified,
        published=published,
        sections=sections,
    )


def _int_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return post_id_value(str(value)) if value > 0 else None
    if isinstance(value, str):
        return post_id_value(value)
    return None


def _gmt(value: object) -> datetime | None:
    """A REST `*_gmt` value (no offset, UTC) as aware UTC; None when absent (drafts have null);
    ValueError when present but no date (`0000-00-00T00:00:00`, a number)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"no date: {value!r:.40}")
    text = value.strip()
    if not text:
        return None
    utc = as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    if utc is None:
        raise ValueError(f"no date: {text[:40]!r}")
    return utc


def _header_int(headers: Mapping[str, list[str]], name: str) -> int | None:
    for value in headers.get(name, []):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
    return None


def _next_url(headers: Mapping[str, list[str]], url: str, total_pages: int | None) -> str | None:
    """The page after `url`: from `Link: rel="next"`, or, when no Link header came at all (a
    proxy stripped it), from `X-WP-TotalPages`."""
    current = _page_number(url_query_parameter(url, "page")) or 1
    links = headers.get("link", [])
    next_page: int | None = None
    for value in links:
        for match in _LINK_RE.finditer(value):
            rels = " ".join(r[0] or r[1] for r in _REL_RE.findall(match[2])).lower().split()
            if "next" in rels:
                next_page = _link_page(match[1]) or current + 1
                break
        if next_page is not None:
            break
    if next_page is None and not links and total_pages is not None and current < total_pages:
        next_page = current + 1
    if next_page is None or next_page <= current:
        return None
    return add_or_replace_parameter(url, "page", str(next_page))


def _link_page(link: str) -> int | None:
    parts = split_url(link)
    if parts is None:
        return None
    values = parse_qs(parts.query).get("page", [])
    return _page_number(values[0]) if values else None


def _page_number(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    number = int(text)
    return number if number >= 1 else None


def _error_code(data: Mapping[str, Any]) -> str:
    code = str(data.get("code", ""))[:80]
    status = data.get("data", {}).get("status") if isinstance(data.get("data"), dict) else None
    message = clean_text(str(data.get("message", "")))[:120]
    return f"{code} (status {status}): {message}" if status else f"{code}: {message}"
