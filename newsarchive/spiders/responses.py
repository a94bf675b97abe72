"""Small readings of Scrapy responses and failures that every crawl callback shares."""

from __future__ import annotations

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newsarchive.normalize import decode_html


def response_text(response: Response) -> str:
    return decode_html(response.body, response.headers.get("Content-Type"))


def failure_status(failure: Failure) -> int | None:
    error = failure.value
    return int(error.response.status) if isinstance(error, HttpError) else None


def failure_reason(failure: Failure) -> str:
    error = failure.value
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}".strip()
