"""The RSS 2.0 feed WordPress serves at `/feed/` (and per section at `/category/<slug>/feed/`)."""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from newsarchive.discovery.base import (
    ChannelUnavailable,
    Listed,
    as_utc,
    local_name,
    unique,
    xml_root,
)
from newsarchive.normalize import (
    absolute_url,
    canonical_url,
    clean_text,
    is_article_url,
    post_id_value,
)

CHANNEL = "feed"
# WordPress's default guid: `https://site/?p=123` (imported or migrated posts keep other guids).
_GUID_POST_ID_RE = re.compile(r"[?&]p=(\d+)(?:&|#|$)")


def feed_url(base_url: str, section_url: str | None = None, page: int = 1) -> str:
    """The site's feed (`{base}/feed/`) or a section's (`{section_url}feed/`); `?paged=N` for
    page N > 1, WordPress's feed pagination."""
    if page < 1:
        raise ValueError(f"feed page numbers start at 1, not {page}")
    start = section_url if section_url else base_url
    url = start.rstrip("/") + "/feed/"
    return url if page == 1 else f"{url}?paged={page}"


def parse_feed(
    body: bytes, url: str, base_url: str, section_names: Collection[str] | None = None
) -> list[Listed]:
    """The `<item>`s of an RSS 2.0 feed at `url` that link to an article.

    `<link>` (else a permalink `<guid>`) gives the URL; a `?p=N` guid the post ID; `<pubDate>`
    (RFC 822) the publication time in UTC; `<category>` the sections. WordPress writes a post's
    tags as `<category>` too, after its categories and indistinguishable from them: pass
    `section_names` (the REST categories' names) to keep only real sections. Items without a
    usable link, off the site, no article, or with a `<pubDate>` that is no date are skipped.
    """
    root = xml_root(CHANNEL, url, body)
    if local_name(root) != "rss":
        raise ChannelUnavailable(
            CHANNEL, f"no RSS feed at {url} (root element <{local_name(root)}>)"
        )
    channel = next((c for c in root if local_name(c) == "channel"), None)
    if channel is None:
        raise ChannelUnavailable(CHANNEL, f"no RSS feed at {url} (no <channel>)")
    wanted = None if section_names is None else set(section_names)
    entries: list[Listed] = []
    for item in channel:
        if local_name(item) != "item":
            continue
        entry = _entry(item, url, base_url, wanted)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(item: etree._Element, url: str, base_url: str, wanted: set[str] | None) -> Listed | None:
    fields: dict[str, str] = {}
    categories: list[str] = []
    guid_permalink = False
    for child in item:
        name = local_name(child)
        text = child.text or ""
        if name == "category":
            categories.append(clean_text(html.unescape(text)))
        elif name in {"link", "guid", "pubDate"} and name not in fields:
            fields[name] = text.strip()
            if name == "guid":
                guid_permalink = (child.get("isPermaLink") or "true").strip().lower() == "true"
    link = fields.get("link") or (fields.get("guid") if guid_permalink else "")
    absolute = absolute_url(link, url) if link else None
    if absolute is None or not is_article_url(absolute, base_url):
        return None
    published: datetime | None = None
    if fields.get("pubDate"):
        published = _rfc822(fields["pubDate"])
        if published is None:
            return None
    match = _GUID_POST_ID_RE.search(fields.get("guid", ""))
    sections = unique(c for c in categories if wanted is None or c in wanted)
    return Listed(
        url=canonical_url(absolute, base_url),
        channel=CHANNEL,
        link=absolute,
        post_id=post_id_value(match[1]) if match else None,
        published=published,
        sections=sections,
    )


def _rfc822(text: str) -> datetime | None:
    """An RSS date in UTC; `-0000` and a missing zone count as UTC. None when it is no date."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return as_utc(moment)
