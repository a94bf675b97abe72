"""Selectors compiled once, evaluated on lxml elements; and a page index for pages read with many
selectors.

Every page runs the same few dozen selectors, so each is translated (CSS through parsel's own
translator) and compiled by libxml2 once per process instead of once per call, and returns lxml
elements and plain strings rather than a parsel Selector around every match. The translation
itself is parsel's: a compiled selector matches exactly what ``Selector.css``/``.xpath`` would.

The page index (`PageIndex`, for listing pages): a listing page is read with a few dozen
selectors, most of them comma lists of class names (``SCOPE_EXCLUDE`` alone has 21 branches).
parsel turns each branch into an XPath that tests ``contains(concat(' ',
normalize-space(@class), ' '), ' x ')`` on every element of the page, and wraps every match in a
Selector: profiled on replica listing pages, that was two thirds of the time spent reading them.
Here each element's position is recorded once and each distinct class value split once; tags,
ids and attribute names are looked up by libxml2 (fast when it walks one name, slow when it
tests a predicate on every element) the first time a selector needs them. A selector is then a
few look-ups in ascending position lists, and "inside that element" is a range of positions.
Only the selector subset the layouts use goes this way: type, ``*``, ``.class``, ``#id`` and
``[attr]`` compounds joined by descendant combinators, in comma lists. Anything else is
evaluated as parsel would (its CSS-to-XPath translation on the lxml tree), so a new selector is
never misread, only slower. Both give the same elements in the same (document) order;
tests/test_listing.py checks that on every fixture.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain
from typing import Any

from lxml import etree
from lxml.html import HtmlElement
from parsel.csstranslator import HTMLTranslator, css2xpath

# How an XPath selector starts; anything else is CSS (which none of these can begin).
XPATH_STARTS = ("/", "./", "descendant", "self::")


@lru_cache(maxsize=1024)
def compiled(query: str) -> etree.XPath:
    """A selector as a compiled XPath: CSS, unless it is XPath: starting with "/" (from the
    document) or with "./", "descendant" or "self::" (from the element it is evaluated on)."""
    xpath = query if query.startswith(XPATH_STARTS) else css2xpath(query)
    return etree.XPath(xpath, smart_strings=False)


_TRANSLATOR = HTMLTranslator()


def descendants_xpath(css: str) -> str:
    """A CSS selector as XPath that finds matches among the descendants of the element it is
    evaluated on (not the element itself)."""
    return str(_TRANSLATOR.css_to_xpath(css, prefix="descendant::"))


def select(query: str, node: Any) -> list[Any]:
    """What the selector finds from ``node`` (an lxml element), in document order."""
    found = compiled(query)(node)
    return found if isinstance(found, list) else [found]


def first_match(queries: tuple[str, ...], node: Any) -> list[Any]:
    """The matches of the first selector that matches anything; [] when none does."""
    for query in queries:
        found = select(query, node)
        if found:
            return found
    return []


# --- the page index ---------------------------------------------------------------------------

# XPath's normalize-space separates words at these four characters only, so a class word is
# what lies between them (Python's str.split would also break at \x0b, \x0c, NBSP, …).
_CLASS_WORD_RE = re.compile(r"[^ \t\r\n]+")
_IDENT = r"-?[_a-zA-Z][_a-zA-Z0-9-]*"
_IDENT_RE = re.compile(_IDENT, re.ASCII)
_COMPOUND_RE = re.compile(rf"(\*|{_IDENT})?((?:[.#]{_IDENT}|\[\s*{_IDENT}\s*\])*)", re.ASCII)
_PART_RE = re.compile(rf"([.#])({_IDENT})|\[\s*({_IDENT})\s*\]", re.ASCII)


@dataclass(frozen=True)
class Compound:
    """One compound selector: every condition must hold on the same element."""

    tag: str | None  # None: any element
    id: str | None
    classes: tuple[str, ...]
    attrs: tuple[str, ...]  # attribute names that must be present


Chain = tuple[Compound, ...]  # compounds joined by descendant combinators


@dataclass(frozen=True)
class Query:
    """A compiled selector: its chains when it is in the indexed subset, else its XPath."""

    css: str
    chains: tuple[Chain, ...] | None
    xpath: etree.XPath | None


def _compound(text: str) -> Compound | None:
    match = _COMPOUND_RE.fullmatch(text)
    if match is None or not text:
        return None
    tag, rest = match[1], match[2]
    ids: list[str] = []
    classes: list[str] = []
    attrs: list[str] = []
    for kind, name, attr in _PART_RE.findall(rest):
        if attr:
            attrs.append(attr.lower())  # HTML attribute names, lowercased like cssselect does
        elif kind == "#":
            ids.append(name)
        else:
            classes.append(name)
    if len(ids) > 1:
        return None  # legal but never needed; left to XPath
    element = None if tag in (None, "*") else tag.lower()
    return Compound(element, ids[0] if ids else None, tuple(classes), tuple(attrs))


@cache
def compile_css(css: str) -> Query:
    """The selector, compiled once per process (the layouts' selectors are constants)."""
    chains: list[Chain] = []
    for branch in css.split(","):
        compounds = [_compound(part) for part in branch.split()]
        if not compounds or any(c is None for c in compounds):
            return Query(css, None, compiled(css))
        chains.append(tuple(c for c in compounds if c is not None))
    return Query(css, tuple(chains), None)


class Spans:
    """Subtrees of the page: membership is one look-up, whatever their size."""

    def __init__(self, index: PageIndex, roots: Iterable[HtmlElement]) -> None:
        """The subtrees under `roots`, the roots included."""
        self._pos = index.pos
        self.ranges = index.ranges(sorted({index.pos[root] for root in roots}))
        self._mask = index.mask(self.ranges)

    def __contains__(self, element: HtmlElement) -> bool:
        return bool(self._mask[self._pos[element]])

    def __bool__(self) -> bool:
        return bool(self.ranges)


class PageIndex:
    """Every element of a parsed page in document order, and where the elements carrying each
    tag, id, class word and attribute name are (ascending positions in that order)."""

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        # The list also keeps every element's Python proxy alive, so identity (and set and dict
        # membership) of elements holds for the index's lifetime.
        self.elements: list[HtmlElement] = list(root.iter(etree.Element))
        self.pos: dict[HtmlElement, int] = dict(
            zip(self.elements, range(len(self.elements)), strict=True)
        )
        # Class words are what nearly every selector asks for, but a page repeats a few hundred
        # class values over its elements (a card's markup, ten times): each value is split once,
        # and a word's elements are gathered only when a selector asks for that word.
        groups: dict[str, list[int]] = {}
        for at, el in enumerate(self.elements):
            if value := el.get("class"):
                if (group := groups.get(value)) is None:
                    groups[value] = [at]
                else:
                    group.append(at)
        values_of: dict[str, list[str]] = {}
        for value in groups:
            # str.split breaks at the same characters as XPath when no other whitespace is in
            # the value (isprintable is False for every whitespace character but the space).
            words = value.split() if value.isprintable() else _CLASS_WORD_RE.findall(value)
            for word in dict.fromkeys(words):
                values_of.setdefault(word, []).append(value)
        self._class_groups, self._class_values = groups, values_of
        self._by_class: dict[str, list[int]] = {}
        self._by_tag: dict[str, list[int]] = {}
        self._by_attr: dict[str, list[int]] = {}
        self._by_id: dict[str, list[int]] | None = None
        self._ends: dict[int, int] = {}
        self._compounds: dict[Compound, list[int]] = {}

    def _class(self, word: str) -> list[int]:
        if (found := self._by_class.get(word)) is None:
            values = self._class_values.get(word, [])
            groups = [self._class_groups[value] for value in values]
            found = groups[0] if len(groups) == 1 else sorted(chain.from_iterable(groups))
            self._by_class[word] = found
        return found

    def _tag(self, tag: str) -> list[int]:
        if (found := self._by_tag.get(tag)) is None:
            found = self._by_tag[tag] = [self.pos[el] for el in self.root.iter(tag)]
        return found

    def _attr(self, name: str) -> list[int]:
        if (found := self._by_attr.get(name)) is None:
            owners = (value.getparent() for value in _attr_values(name)(self.root))
            found = self._by_attr[name] = [self.pos[el] for el in owners]
        return found

    def _id(self, value: str) -> list[int]:
        if self._by_id is None:
            self._by_id = {}
            for at in self._attr("id"):
                self._by_id.setdefault(self.elements[at].get("id"), []).append(at)
        return self._by_id.get(value, [])

    def with_attr(self, name: str) -> list[HtmlElement]:
        """The elements that carry an attribute, in document order."""
        return [self.elements[at] for at in self._attr(name)]

    def end(self, at: int) -> int:
        """The position just after the last descendant of the element at `at`: its subtree is
        ``at .. end - 1`` (the next element in document order that is not inside it)."""
        if (found := self._ends.get(at)) is not None:
            return found
        node: HtmlElement | None = self.elements[at]
        end = len(self.elements)
        while node is not None:
            after = node.getnext()
            while after is not None and after not in self.pos:  # comments, PIs
                after = after.getnext()
            if after is not None:
                end = self.pos[after]
                break
            node = node.getparent()
        self._ends[at] = end
        return end

    def ranges(self, roots: list[int], *, proper: bool = False) -> list[tuple[int, int]]:
        """The subtrees of the elements at the ascending positions `roots` (with `proper`,
        without the roots themselves) as ascending, disjoint ``[start, end)`` ranges."""
        out: list[tuple[int, int]] = []
        for at in roots:
            if out and at < out[-1][1]:
                continue  # inside the previous subtree
            out.append((at + proper, self.end(at)))
        return out

    def mask(self, ranges: list[tuple[int, int]]) -> bytearray:
        """One byte per element, 1 inside the ranges."""
        mask = bytearray(len(self.elements))
        for start, end in ranges:
            mask[start:end] = b"\x01" * (end - start)
        return mask

    def select(self, css: str, within: HtmlElement | None = None) -> list[int]:
        """Positions of the matches of a CSS selector among the element `within` and its
        descendants (else the whole page), ascending, like ``Selector.css``."""
        query = compile_css(css)
        context = self.root if within is None else within
        if query.chains is None:
            assert query.xpath is not None
            return [self.pos[el] for el in query.xpath(context) if el in self.pos]
        top = self.pos[context]
        scope = None if top == 0 else [(top, self.end(top))]
        found: list[int] = []
        for compounds in query.chains:
            matches = self._matches(compounds[0])
            if scope is not None:
                matches = _inside(matches, scope)
            for compound in compounds[1:]:
                matches = _inside(self._matches(compound), self.ranges(matches, proper=True))
            if len(query.chains) == 1:
                return list(matches)  # never the cached list itself
            found += matches
        return sorted(set(found))

    def _matches(self, compound: Compound) -> list[int]:
        """Ascending positions of the elements matching a compound anywhere on the page."""
        if (found := self._compounds.get(compound)) is not None:
            return found
        lists: list[Sequence[int]] = []
        if compound.id is not None:
            lists.append(self._id(compound.id))
        lists += [self._class(name) for name in compound.classes]
        if compound.tag is not None:
            lists.append(self._tag(compound.tag))
        lists += [self._attr(name) for name in compound.attrs]
        if not lists:
            found = list(range(len(self.elements)))
        elif len(lists) == 1:
            found = list(lists[0])
        else:
            lists.sort(key=len)
            common = set(lists[1]).intersection(*lists[2:])
            found = [at for at in lists[0] if at in common]
        self._compounds[compound] = found
        return found


@cache
def _attr_values(name: str) -> etree.XPath:
    """The values of an attribute, each knowing its element (``getparent``). libxml2 walks
    the attribute axis far faster than it tests ``[@name]`` on every element."""
    if not _IDENT_RE.fullmatch(name):
        raise ValueError(f"not an attribute name: {name!r}")
    return etree.XPath(f"descendant-or-self::*/@{name}")


def _inside(positions: list[int], ranges: list[tuple[int, int]]) -> list[int]:
    """The ascending `positions` that fall in the ascending, disjoint `ranges`."""
    if not positions or not ranges:
        return []
    out: list[int] = []
    for start, end in ranges:
        out += positions[bisect_left(positions, start) : bisect_left(positions, end)]
    return out
