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


class MalformedPage(ExtractionError):
    """The HTML parser could not read the whole page (markup nested past its depth limit), so
    any article taken from it could be cut short."""

    kind = "malformed"


class ParserCrashed(ExtractionError):
    """The parser itself failed on the page (a bug, or input it does not survive).

    `parse_article` turns every unexpected exception into this one, so one bad page is one
    failure row with its raw page kept, never a crashed crawl; the original exception is chained
    (`__cause__`) for the traceback.
    """

    kind = "crash"
