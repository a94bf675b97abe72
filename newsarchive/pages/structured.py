"""Machine-readable metadata every layout shares: Yoast JSON-LD, Open Graph / article meta, links.

These sources outlive theme changes (Yoast printed them under Newkarma, AMP and News5 alike), so
the cascade asks them first and the layout selectors second.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from parsel import Selector

from newsarchive.normalize import clean_text, post_id_value

WEBPAGE_TYPES = {"WebPage", "ItemPage"}
ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "ReportageNews", "AnalysisNewsArticle"}
LISTING_TYPES = {"CollectionPage", "SearchResultsPage", "ProfilePage"}

_SHORTLINK_ID_RE = re.compile(r"[?&]p=([0-9]+)")
# WordPress core's `postid-N`; AMP for WP prints `post-id-N`.
_BODY_POSTID_RE = re.compile(r"(?:^|\s)post-?id-([0-9]+)(?:\s|$)")
# Yoast's twitter:label1 is "Written by", translated on an Indonesian site.
_WRITTEN_BY_LABELS = {"written by", "ditulis oleh", "penulis"}


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()


def _in_graph(data: Any) -> bool:
    """A script holding a Yoast-style `@graph` (its pieces point at each other by `@id`)."""
    return isinstance(data, dict) and isinstance(data.get("@graph"), list)


def _flatten(data: Any) -> list[dict[str, Any]]:
    """The JSON-LD objects in a script, `@graph` members included, in document order.

    A loop over an explicit stack, not recursion: however deep a (broken or hostile) script
    nests its lists, walking it cannot exhaust Python's stack.
    """
    nodes: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            nodes.append(item)
            if isinstance(item.get("@graph"), list):
                stack.append(item["@graph"])
    return nodes


def _text(value: Any) -> str:
    """A JSON-LD value meant as text: strings as they are, numbers as written (a headline such
    as 2024 printed without quotes), anything else (lists, objects, booleans) ignored."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _names(value: Any) -> list[str]:
    """A JSON-LD list of names, which Yoast may print as a list or as one comma string."""
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = [v for v in value if isinstance(v, str)]
    else:
        return []
    names = [clean_text(v) for v in items]
    return [n for n in names if n]


@dataclass
class StructuredData:
    nodes: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    body_classes: set[str] = field(default_factory=set)
    broken_jsonld: int = 0
    # Nodes of scripts without a `@graph` (AMP for WP prints its own standalone BlogPosting,
    # whose times are the UTC clock labelled +07:00): the least trusted date source.
    standalone: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_selector(cls, sel: Selector) -> StructuredData:
        data = cls()
        body_classes: list[str] = []
        # One walk over the page for every element the head's metadata lives in (a query per
        # kind would walk it once each).
        for element in sel.root.iter("script", "meta", "link", "body"):
            tag = element.tag
            if tag == "script":
                if element.get("type") == "application/ld+json" and element.text:
                    data._read_jsonld(element.text)
            elif tag == "meta":
                key = element.get("property") or element.get("name")
                content = element.get("content")
                if content is not None and key and key.lower() not in data.meta:
                    data.meta[key.lower()] = clean_text(content)
            elif tag == "link":
                rel, href = element.get("rel"), element.get("href")
                if rel is not None and href is not None:
                    for name in rel.lower().split():
                        data.links.setdefault(name, href.strip())
            elif element.get("class") is not None:
                body_classes.append(element.get("class"))
        data.body_classes = set(" ".join(body_classes).split())
        return data

    def _read_jsonld(self, script: str) -> None:
        try:
            parsed = json.loads(script)
            found = _flatten(parsed)
            self.nodes += found
            if not _in_graph(parsed):
                self.standalone += found
        except (ValueError, RecursionError):
            # Broken JSON-LD is a known fault of the site; meta and layout selectors still
            # carry every field, so it is counted, not fatal. (json gives up on lists nested
            # deeper than Python's recursion limit with RecursionError.)
            self.broken_jsonld += 1

    # --- what kind of page ------------------------------------------------------------------

    def _node(self, wanted: set[str]) -> dict[str, Any] | None:
        return next((n for n in self.nodes if _types(n) & wanted), None)

    def _graph_node(self, wanted: set[str]) -> dict[str, Any] | None:
        standalone = {id(n) for n in self.standalone}
        return next((n for n in self.nodes if _types(n) & wanted and id(n) not in standalone), None)

    # Read by most fields; the nodes do not change once the page is read.
    @cached_property
    def article(self) -> dict[str, Any]:
        """The Yoast graph's Article piece, else a standalone article node."""
        return self._graph_node(ARTICLE_TYPES) or self._node(ARTICLE_TYPES) or {}

    def _demoted(self, node: dict[str, Any]) -> bool:
        """A standalone article node the dates do not trust: a BlogPosting (AMP for WP's own,
        its times the UTC clock labelled +07:00), or any standalone one beside a Yoast graph."""
        if not any(node is n for n in self.standalone):
            return False
        has_graph = len(self.standalone) < len(self.nodes)
        return "BlogPosting" in _types(node) or has_graph

    def _dated_pieces(self) -> list[dict[str, Any]]:
        """The trusted Article piece, then the graph's WebPage: the times in trust order."""
        article = next(
            (n for n in self.nodes if _types(n) & ARTICLE_TYPES and not self._demoted(n)), None
        )
        pieces = [article, self._graph_node(WEBPAGE_TYPES)]
        return [p for p in pieces if p]

    @property
    def is_listing(self) -> bool:
        return not self.article and self._node(LISTING_TYPES) is not None

    @property
    def says_article(self) -> bool:
        return bool(self.article) or self.meta.get("og:type") == "article"

    # --- fields -----------------------------------------------------------------------------

    def title(self) -> str | None:
        return _text(self.article.get("headline")) or self.meta.get("og:title") or None

    def byline(self) -> str | None:
        author = self.article.get("author")
        if isinstance(author, list):
            author = author[0] if author else None
        if isinstance(author, dict):
            name = author.get("name")
            if not name and "@id" in author:
                person = next((n for n in self.nodes if n.get("@id") == author["@id"]), {})
                name = person.get("name")
            if isinstance(name, str) and clean_text(name):
                return clean_text(name)
        elif isinstance(author, str) and clean_text(author):
            return clean_text(author)
        if self.meta.get("author"):
            return self.meta["author"]
        if self.meta.get("twitter:label1", "").lower() in _WRITTEN_BY_LABELS:
            return self.meta.get("twitter:data1") or None
        return None

    def published(self) -> list[tuple[str, str]]:
        """Every (timestamp, source) the page gives, JSON-LD first, then meta: the cascade
        takes the first plausible one."""
        found = [
            (p["datePublished"], "jsonld")
            for p in self._dated_pieces()
            if isinstance(p.get("datePublished"), str)
        ]
        if self.meta.get("article:published_time"):
            found.append((self.meta["article:published_time"], "meta"))
        return found

    def modified(self) -> list[str]:
        """Modification timestamps, the Yoast graph first, then meta."""
        found = [
            p["dateModified"]
            for p in self._dated_pieces()
            if isinstance(p.get("dateModified"), str)
        ]
        if self.meta.get("article:modified_time"):
            found.append(self.meta["article:modified_time"])
        return found

    def _standalone_value(self, key: str) -> str | None:
        for node in self.standalone:
            if (
                self._demoted(node)
                and _types(node) & ARTICLE_TYPES
                and isinstance(node.get(key), str)
            ):
                return str(node[key])
        return None

    def standalone_published(self) -> str | None:
        """A demoted standalone article's datePublished: asked after every other source."""
        return self._standalone_value("datePublished")

    def standalone_modified(self) -> str | None:
        return self._standalone_value("dateModified")

    def categories(self) -> list[str]:
        return _names(self.article.get("articleSection"))

    def tags(self) -> list[str]:
        return _names(self.article.get("keywords"))

    @cached_property
    def _primary_image(self) -> dict[str, Any]:
        """The article's image node: the Yoast Article's `image`, else the graph WebPage's
        `primaryImageOfPage`/`image` (a site not set up as an organisation has no Article
        piece, but its WebPage still points at the featured image), else a standalone
        article's `image`."""
        webpage = self._graph_node(WEBPAGE_TYPES) or {}
        refs = [
            (self._graph_node(ARTICLE_TYPES) or {}).get("image"),
            webpage.get("primaryImageOfPage"),
            webpage.get("image"),
            self.article.get("image"),
        ]
        for ref in refs:
            node = self._image_node(ref)
            if node:
                return node
        return {}

    def _image_node(self, ref: Any) -> dict[str, Any]:
        if isinstance(ref, list):
            ref = ref[0] if ref else None
        if isinstance(ref, dict):
            if "@id" in ref and len(ref) == 1:
                return next((n for n in self.nodes if n.get("@id") == ref["@id"]), {})
            return ref
        if isinstance(ref, str) and ref.strip():
            return {"url": ref}
        return {}

    def image_urls(self) -> list[str]:
        """The JSON-LD primary image's URLs (contentUrl, url)."""
        image = self._primary_image
        found = [image.get("contentUrl"), image.get("url")]
        return list(dict.fromkeys(u.strip() for u in found if isinstance(u, str) and u.strip()))

    def og_image(self) -> str | None:
        return (self.meta.get("og:image") or "").strip() or None

    def image_alts(self) -> list[str]:
        """Alt-like texts of the primary image (`name`, `alternateName`)."""
        image = self._primary_image
        return [_text(image.get(k)) for k in ("name", "alternateName") if _text(image.get(k))]

    def image_caption(self) -> str | None:
        caption = self._primary_image.get("caption")
        return clean_text(caption) or None if isinstance(caption, str) else None

    def post_id(self) -> int | None:
        """From the shortlink, else the body class; a number no post ID can be is ignored."""
        match = _SHORTLINK_ID_RE.search(self.links.get("shortlink", ""))
        found = post_id_value(match[1]) if match else None
        if found is None:
            match = _BODY_POSTID_RE.search(" ".join(sorted(self.body_classes)))
            found = post_id_value(match[1]) if match else None
        return found
