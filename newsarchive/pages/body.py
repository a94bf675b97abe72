"""Turn an article's body container into clean paragraphs.

One walk over the container's subtree, skipping noise subtrees as it goes (no tree mutation, no
second scan): what the site injects into post content — "Baca Juga" links, ad placeholders,
banners, captions, share rails, author boxes — never reaches the text.

The walks keep their own stack instead of recursing, so markup nested thousands of levels deep
(lxml keeps up to about 2,000 levels of a broken page) costs time in proportion to its size and
never exhausts Python's recursion limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from lxml import etree
from lxml.html import HtmlElement

from newsarchive.normalize import clean_text, is_article_url

# Elements whose whole subtree is never article text.
NOISE_TAGS = {
    "script", "style", "noscript", "iframe", "ins", "figure", "figcaption", "img", "picture",
    "amp-img", "amp-ad", "amp-embed", "amp-iframe", "amp-social-share", "form", "button", "svg",
    "video", "audio", "object", "embed", "template", "input", "select", "textarea", "table",
    "nav", "aside", "footer", "header",
}  # fmt: skip
# Class or id tokens (matched as whole dash/underscore-separated parts) that mark injected blocks.
NOISE_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:share|sharing|social|socialicon|related|baca-?juga|bacajuga|iklan|ads?|adsbygoogle"
    r"|advert\w*|banner\w*|author|comments?|respond|page-links|prevnextpost-links|wp-caption"
    r"|caption|tags?|navigation|widget|sidebar|newsletter|screen-reader-text)(?:$|[-_])",
    re.IGNORECASE,
)
PARAGRAPH_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "pre"}
BLOCK_TAGS = PARAGRAPH_TAGS | {
    "div", "section", "article", "ul", "ol", "blockquote", "main", "center", "dl", "dd", "dt", "h1",
}  # fmt: skip
# Paragraph texts that are injected by plugins and ad slots rather than written by the reporter.
BACA_JUGA_RE = re.compile(r"^\s*baca\s+juga\b", re.IGNORECASE)
AD_PLACEHOLDER_RE = re.compile(r"^(?:IKLAN[A-Z0-9]*|ADVERTISEMENT|SCROLL TO CONTINUE.*)$")


def is_noise_element(el: HtmlElement) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag.lower() in NOISE_TAGS:
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}".split()
    return any(NOISE_CLASS_RE.search(name) for name in names)


def _is_element(node: object) -> bool:
    # Comments and processing instructions are not elements; their tails still are text.
    return isinstance(node, HtmlElement) and isinstance(node.tag, str)


def _inline_text(el: HtmlElement) -> Iterator[str]:
    """Text of an inline element, skipping noise inside it (an `ins` ad inside a `p`)."""
    if el.text:
        yield el.text
    # (element, its remaining children); an element's tail follows the end of its subtree.
    stack: list[tuple[HtmlElement, Iterator[HtmlElement]]] = [(el, iter(el))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and parent.tail:
                yield parent.tail
            continue
        if _is_element(child) and not is_noise_element(child):
            if child.tag != "br":
                if child.text:
                    yield child.text
                stack.append((child, iter(child)))
                continue
            yield " "
        if child.tail:
            yield child.tail


def _only_link_to_article(el: HtmlElement, text: str, base_url: str) -> bool:
    """AMP renders the inline related links without their "Baca Juga" label: a paragraph that is
    nothing but one link to another article of the site."""
    links = [a for a in el.iter("a") if a.get("href")]
    # The text test first: it is cheaper than reading the URL, and fails for most paragraphs.
    if len(links) != 1 or clean_text(links[0].text_content()) != text:
        return False
    return is_article_url(links[0].get("href", ""), base_url)


def keep_paragraph(text: str) -> bool:
    return bool(text) and not BACA_JUGA_RE.match(text) and not AD_PLACEHOLDER_RE.match(text)


def _walk(container: HtmlElement, base_url: str) -> Iterator[str]:
    # Loose text between blocks, gathered until the next block boundary.
    pending: list[str] = []

    def flush() -> Iterator[str]:
        text = clean_text("".join(pending))
        pending.clear()
        if text:
            yield text

    if container.text:
        pending.append(container.text)
    # (block, its remaining children): entering a block and leaving it are paragraph
    # boundaries; the block's tail is loose text of its parent.
    stack: list[tuple[HtmlElement, Iterator[HtmlElement]]] = [(container, iter(container))]
    while stack:
        block, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            yield from flush()
            if stack and block.tail:
                pending.append(block.tail)
            continue
        if _is_element(child) and not is_noise_element(child):
            tag = child.tag.lower()
            if tag in PARAGRAPH_TAGS:
                yield from flush()
                text = clean_text("".join(_inline_text(child)))
                if text and not _only_link_to_article(child, text, base_url):
                    yield text
            elif tag in BLOCK_TAGS:
                yield from flush()
                if child.text:
                    pending.append(child.text)
                stack.append((child, iter(child)))
                continue
            elif tag == "br":
                # Two line breaks in a row separate paragraphs in old hand-formatted posts.
                if child.getprevious() is not None and child.getprevious().tag == "br":
                    yield from flush()
                pending.append(" ")
            else:
                pending.append("".join(_inline_text(child)))
        if child.tail:
            pending.append(child.tail)


def body_paragraphs(container: HtmlElement, base_url: str) -> list[str]:
    """The article's paragraphs, in order, without injected noise."""
    # The walk's paragraphs are clean already.
    return [p for p in _walk(container, base_url) if keep_paragraph(p)]


def clean_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    return [p for p in (clean_text(p) for p in paragraphs) if keep_paragraph(p)]


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    return "\n\n".join(paragraphs)


def element_text(el: etree._Element | None) -> str:
    """Visible text of an element, skipping noise subtrees inside it."""
    if el is None or not isinstance(el, HtmlElement):
        return ""
    return clean_text("".join(_inline_text(el)))
