"""Which storage errors end a crawl, and which only lose one page.

A full disk, a read-only mount or an I/O error fails every later write the same way: going on
would fetch the whole site for nothing and print one traceback per page. Such an error is a
*halt*: the crawl stops at the first one with one line naming the path. Anything else (a page
SQLite would not take) is recorded against that page and the crawl goes on.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

_HALTING_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
# sqlite3 reports these as OperationalError messages; the codes need Python 3.11's
# sqlite_errorcode, present on every error the module raises.
_HALTING_SQLITE_CODES = {
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
}
_BUSY_SQLITE_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def halting_error(exc: BaseException, path: str | Path) -> str | None:
    """One line saying why nothing more can be written to `path`, or None if the error is
    about this one write only."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in _HALTING_SQLITE_CODES:
            return f"cannot write {path}: {exc}"
        return None
    if isinstance(exc, OSError) and exc.errno in _HALTING_ERRNOS:
        return f"cannot write {path}: {exc.strerror}"
    return None


def is_busy(exc: BaseException) -> bool:
    """Another connection holds the write lock (an analyst's open transaction, say)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.OperationalError) and (code or 0) & 0xFF in _BUSY_SQLITE_CODES
