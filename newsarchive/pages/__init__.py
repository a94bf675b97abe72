"""Pure extraction: (url, html, fetched_at) in, an Article or a listing out; no Scrapy here."""

from newsarchive.pages.article import parse_article
from newsarchive.pages.errors import (
    ExtractionError,
    IncompleteArticle,
    MalformedPage,
    NotAnArticle,
    ParserCrashed,
    UnknownLayout,
)

__all__ = [
    "ExtractionError",
    "IncompleteArticle",
    "MalformedPage",
    "NotAnArticle",
    "ParserCrashed",
    "UnknownLayout",
    "parse_article",
]
