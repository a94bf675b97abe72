"""What every discovery channel shares: the entry it yields, the error it raises, and the
checks on a response before its body is read."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from scrapy.utils.gz import gunzip

CHANNELS = ("sitemaps", "feed", "rest")

# No channel needs more: a Yoast sitemap lists at most 1000 URLs (~200 kB), a feed page 10 items,
# a REST page 100 posts. A body beyond this (or a gzip sitemap inflating beyond it) is refused.
MAX_BODY_BYTES = 50 * 1024 * 1024

# Statuses after which a channel is not there (or not for us); other non-2xx statuses are
# refused too, with the same message shape.
_UNAVAILABLE_STATUSES = frozenset({401, 403, 404, 410})

_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
_WHITESPACE = b" \t\r\n"


@dataclass(frozen=True)
class Listed:
    """One post as a channel lists it."""

    url: str
    """Canonical article URL (`normalize.canonical_url` of the channel's link)."""
    channel: str
    """`sitemaps`, `feed` or `rest`."""
    post_id: int | None = None
    """WordPress post ID: REST `id`, a feed guid's `?p=N`; None when the channel does not say."""
    modified: datetime | None = None
    """Aware UTC: a sitemap's `<lastmod>`, REST `modified_gmt`; None for the feed."""
    published: datetime | None = None
    """Aware UTC: REST `date_gmt`, a feed's `<pubDate>`; None for sitemaps."""
    link: str = field(default="", compare=False)
    """The URL as the channel wrote it (absolute): what to fetch, so a site whose permalinks
    differ from the canonical form (no trailing slash) is not asked through a redirect. Not
    part of the entry's identity: two channels listing one post alike compare equal."""
    sections: tuple[str, ...] = ()
    """Category names when the channel gives them (feed `<category>`, REST via the categories
    map), in the channel's order, without repeats."""


class ChannelUnavailable(Exception):
    """The channel cannot be read at this URL: `reason` says why in one line, starting with the
    channel's name (`sitemaps: HTTP 404 at https://…/sitemap_index.xml`)."""

    def __init__(self, channel: str, reason: str, status: int | None = None) -> None:
        self.channel = channel
        self.reason = reason if reason.startswith(f"{channel}:") else f"{channel}: {reason}"
        self.status = status
        super().__init__(self.reason)


def check_response(
    channel: str, url: str, status: int, content_type: str | bytes | None, body: bytes
) -> None:
    """Raise `ChannelUnavailable` unless the response can be a `channel` document.

    Refused: any status outside 2xx (401/403/404/410 and 5xx are the expected ones), a body over
    `MAX_BODY_BYTES`, an empty body, HTML where XML (sitemaps, feed) or JSON (rest) was expected
    (by the Content-Type, or by a body that starts like HTML whatever the header claims), and a
    body that is not well-formed XML or JSON. A gzip sitemap is inflated (within the cap) first.
    """
    _check_channel(channel)
    if not 200 <= status < 300:
        raise ChannelUnavailable(channel, f"HTTP {status} at {url}", status)
    body = inflate(channel, url, body) if channel == "sitemaps" else body
    check_size(channel, url, body)
    expected = "JSON" if channel == "rest" else "XML"
    head = leading_bytes(body)
    if not head:
        raise ChannelUnavailable(channel, f"empty body at {url}", status)
    if _looks_like_html(head) or (
        _html_content_type(content_type) and not _looks_like(channel, head)
    ):
        raise ChannelUnavailable(channel, f"HTML instead of {expected} at {url}", status)
    if channel == "rest":
        load_json(channel, url, body)
    else:
        xml_root(channel, url, body)


def text_headers(headers: Mapping[Any, Any]) -> dict[str, list[str]]:
    """Response headers as lowercase text names to lists of text values.

    Takes a plain `{name: value}` dict or Scrapy's `Headers` (bytes names, lists of bytes
    values), so a spider can pass `response.headers` straight on.
    """
    result: dict[str, list[str]] = {}
    for name, value in headers.items():
        key = _text(name).lower()
        values = value if isinstance(value, list | tuple) else [value]
        result.setdefault(key, []).extend(_text(v) for v in values)
    return result


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def check_size(channel: str, url: str, body: bytes) -> None:
    if len(body) > MAX_BODY_BYTES:
        raise ChannelUnavailable(
            channel, f"body of {len(body)} bytes over the {MAX_BODY_BYTES}-byte cap at {url}"
        )


def inflate(channel: str, url: str, body: bytes) -> bytes:
    """A gzip body (`.xml.gz` sitemaps) inflated as Scrapy's SitemapSpider does it, never beyond
    `MAX_BODY_BYTES`; any other body as it is."""
    check_size(channel, url, body)
    if not body.startswith(_GZIP_MAGIC):
        return body
    try:
        return gunzip(body, max_size=MAX_BODY_BYTES)
    except ValueError as exc:  # scrapy's _DecompressionMaxSizeExceeded
        raise ChannelUnavailable(
            channel, f"gzip body inflates beyond the {MAX_BODY_BYTES}-byte cap at {url}"
        ) from exc
    except (OSError, EOFError, struct.error, zlib.error) as exc:
        raise ChannelUnavailable(channel, f"broken gzip body at {url}: {_first_line(exc)}") from exc


def strip_leading(body: bytes) -> bytes:
    """The body without leading whitespace and UTF-8 BOMs (in any mix)."""
    start = body.lstrip(_WHITESPACE)
    while start.startswith(_BOM):
        start = start.removeprefix(_BOM).lstrip(_WHITESPACE)
    return start


def leading_bytes(body: bytes, size: int = 256) -> bytes:
    """The body's start without leading whitespace and BOM, lowercased."""
    return strip_leading(body[: size + 1024])[:size].lower()


def _looks_like_html(head: bytes) -> bool:
    return head.startswith((b"<!doctype html", b"<html"))


def _looks_like(channel: str, head: bytes) -> bool:
    return head.startswith((b"[", b"{")) if channel == "rest" else head.startswith(b"<")


def _html_content_type(content_type: str | bytes | None) -> bool:
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in {"text/html", "application/xhtml+xml"}


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise ValueError(f"unknown discovery channel {channel!r} (one of {', '.join(CHANNELS)})")


def _xml_parser() -> etree.XMLParser:
    # The defusedxml-safe settings: no entity expansion (billion laughs), no DTD or network
    # fetches (XXE), no huge-tree mode (lxml's own depth and text-size limits stay on).
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def xml_root(channel: str, url: str, body: bytes) -> etree._Element:
    """The body's root element, parsed strictly and safely; `ChannelUnavailable` otherwise.

    A BOM or whitespace before the XML declaration (a plugin echoing a newline, the classic
    broken WordPress feed) is tolerated.
    """
    check_size(channel, url, body)
    data = strip_leading(body)
    if not data:
        raise ChannelUnavailable(channel, f"empty body at {url}")
    try:
        root = etree.fromstring(data, parser=_xml_parser())
    except (etree.LxmlError, ValueError) as exc:
        raise ChannelUnavailable(channel, f"invalid XML at {url}: {_first_line(exc)}") from exc
    if root is None:
        raise ChannelUnavailable(channel, f"invalid XML at {url}: no root element")
    return root


def load_json(channel: str, url: str, body: bytes) -> Any:
    """The body as JSON; `ChannelUnavailable` when it is none."""
    check_size(channel, url, body)
    if not body.strip():
        raise ChannelUnavailable(channel, f"empty body at {url}")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ChannelUnavailable(channel, f"invalid JSON at {url}: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def local_name(element: etree._Element) -> str:
    """An element's tag without its namespace ('' for comments and the like)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def as_utc(moment: datetime | None) -> datetime | None:
    """An aware datetime in UTC (naive counts as UTC), or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty values in order, each once."""
    return tuple(dict.fromkeys(v for v in values if v))
