"""Read queries for analysts: full-text search, statistics, streaming exports.

Every value from the user reaches SQLite as a bound parameter; search text is turned into an
FTS5 query of quoted words, so quotes, operators and parentheses in it are only words.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from newsarchive.items import FIELD_NAMES

EXPORT_COLUMNS = (
    *FIELD_NAMES, "content_hash", "revision", "first_seen_at", "last_seen_at",
    "last_changed_at", "parser_version",
)  # fmt: skip
LIST_COLUMNS = ("categories", "tags")

# The largest number SQLite takes as an INTEGER (signed 64 bits): the ceiling for `--limit`.
SQLITE_MAX_INT = 2**63 - 1

# Words as FTS5's unicode61 tokenizer sees them; a trailing * asks for a prefix match.
_WORD_RE = re.compile(r"[^\W_]+\*?", re.UNICODE)

# The filters every analyst command shares; `section` matches a category name or its slug.
_FILTERS = """
    (:since is null or a.published_at >= :since)
    and (:until is null or a.published_at < :until)
    and (:section is null or exists (
        select 1 from article_categories ac join categories c on c.id = ac.category_id
        where ac.article_id = a.id
          and (lower(c.name) = lower(:section)
               or lower(replace(c.name, ' ', '-')) = lower(:section))))
"""


class EmptyQuery(ValueError):
    """The search text holds no word to search for."""


class NotAnArchive(ValueError):
    """The file given as the archive is not one (not SQLite, or SQLite without `articles`)."""


def check_archive(path: str | Path) -> None:
    """Raise NotAnArchive unless `path` is an SQLite file holding an `articles` table.

    Looks through a read-only connection, so a CSV file, a directory or `/dev/null` given as
    `--db` is neither written to nor gets a journal beside it (a read-write open would start by
    switching the file to WAL)."""
    path = Path(path)
    if path.is_dir():
        raise NotAnArchive(f"{path} is a directory, not an archive")
    if not path.is_file():  # a FIFO would block the open; /dev/null is no archive either
        raise NotAnArchive(f"{path} is not a newsarchive archive (not a regular file)")
    try:
        uri = path.resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True)
        try:
            row = conn.execute(
                "select 1 from sqlite_master where type = 'table' and name = 'articles'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise NotAnArchive(f"{path} is not a newsarchive archive ({exc})") from None
    if row is None:
        raise NotAnArchive(f"{path} is not a newsarchive archive (no articles table)")


def fts_query(text: str) -> str:
    """User text as an FTS5 query: every word quoted (so `AND`, `-`, `:` and `(` are just
    words), all required; `word*` stays a prefix search."""
    terms = []
    for word in _WORD_RE.findall(text):
        prefix = word.endswith("*")
        terms.append(f'"{word.rstrip("*")}"' + ("*" if prefix else ""))
    if not terms:
        raise EmptyQuery(f"no words to search for in {text!r}")
    return " ".join(terms)


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    section: str | None = None

    def params(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self._before(),
            "section": self.section,
        }

    def _before(self) -> str | None:
        """The exclusive upper bound: the day after `until`, so the whole last day is included
        (in the site's local time: stored dates are +07:00). No day follows 9999-12-31, and
        every stored date (a four-digit year) is on or before it: no bound then."""
        if self.until is None or self.until == date.max:
            return None
        return (self.until + timedelta(days=1)).isoformat()


def search(
    db: Database, text: str, filters: Filters, limit: int = 20, newest_first: bool = False
) -> list[dict[str, Any]]:
    order = "a.published_at desc" if newest_first else "rank"
    sql = f"""
        select a.id, a.url, a.title, a.published_at, a.byline,
               snippet(articles_fts, -1, '[', ']', '…', 16) as snippet,
               bm25(articles_fts) as rank
        from articles_fts join articles a on a.id = articles_fts.rowid
        where articles_fts match :query and {_FILTERS}
        order by {order} limit :limit
    """
    limit = min(limit, SQLITE_MAX_INT)  # a larger Python int does not fit an SQLite INTEGER
    params = {"query": fts_query(text), "limit": limit, **filters.params()}
    return list(db.query(sql, params))


def export_rows(db: Database, filters: Filters) -> Iterator[dict[str, Any]]:
    """Articles oldest first, one at a time (a cursor, not a list: constant memory)."""
    columns = ", ".join(f"a.{c}" for c in EXPORT_COLUMNS)
    sql = f"select {columns} from articles a where {_FILTERS} order by a.published_at, a.id"
    for row in db.query(sql, filters.params()):
        for name in LIST_COLUMNS:
            row[name] = json.loads(row[name]) if row[name] else []
        yield row


def stats(db: Database, runs: int = 10) -> dict[str, Any]:
    total = db.execute("select count(*) from articles").fetchone()[0]
    fill = {}
    for name in FIELD_NAMES:
        empty = "'[]'" if name in LIST_COLUMNS else "''"
        sql = f"select count(*) from articles where {name} is not null and {name} != {empty}"
        filled = db.execute(sql).fetchone()[0]
        fill[name] = round(filled / total, 4) if total else None
    return {
        "articles": total,
        "revisions": db.execute("select count(*) from article_revisions").fetchone()[0],
        "per_section": _pairs(db, """
            select c.name, count(*) from article_categories ac
            join categories c on c.id = ac.category_id group by c.name order by 2 desc, 1"""),
        "per_month": _pairs(db, """
            select substr(published_at, 1, 7), count(*) from articles
            group by 1 order by 1 desc"""),
        "per_byline": _pairs(db, """
            select coalesce(byline, '(none)'), count(*) from articles
            group by 1 order by 2 desc, 1"""),
        "fill_rates": fill,
        "failures_by_stage": _pairs(db, """
            select stage, count(*) from failures group by stage order by 2 desc"""),
        "last_runs": list(db.query(
            """select id, command, started_at, finished_at, status, exit_code, pages_fetched,
                      articles_new, articles_updated, articles_unchanged, failures
               from crawl_runs order by id desc limit ?""", [runs])),
    }  # fmt: skip


def _pairs(db: Database, sql: str) -> dict[str, int]:
    return {str(key): int(value) for key, value in db.execute(sql).fetchall()}
