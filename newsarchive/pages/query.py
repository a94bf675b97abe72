"""Selectors compiled once, evaluated on lxml elements.

Every page runs the same few dozen selectors, so each is translated (CSS through parsel's own
translator) and compiled by libxml2 once per process instead of once per call, and returns lxml
elements and plain strings rather than a parsel Selector around every match. The translation
itself is parsel's: a compiled selector matches exactly what ``Selector.css``/``.xpath`` would.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml import etree
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
