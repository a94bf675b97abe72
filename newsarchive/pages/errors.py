"""Why a page gave no article. Each carries a one-line reason for humans and failure rows."""


class ExtractionError(Exception):
    """A page from which no complete article could be taken."""

    kind = "extraction"


class NotAnArticle(ExtractionError):
    """The page is something else: a listing, a tag or author archive, a 404 page."""

    kind = "not_article"


class UnknownLayout(ExtractionError):
    """The page looks like an article, but no layout, not even the generic one, could read it."""

    kind = "unknown_layout"


class IncompleteArticle(ExtractionError):
    """A layout read the page, but a required field (title, date, body) is empty."""

    kind = "incomplete"
