"""Datasette over an archive: metadata generated for the file at hand, and `newsarchive serve`.

Datasette names a database after its file's stem (`copy.db` is `copy`) and applies the
`databases` part of a metadata file only under that name, so the metadata is generated for the
file being served, from what that file holds (an archive from before a view was added gets no
entry for the view). Datasette itself is an optional extra, imported only by `serve`; the
generator needs nothing but sqlite3, so `newsarchive datasette-metadata` works without it.
"""

from __future__ import annotations

import html
import json
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any
from urllib.parse import quote

from newsarchive.storage.archive import connect_read_only, holds_frames, tidy_after_read
from newsarchive.storage.queries import (
    CANNED_SEARCH_SQL,
    CANNED_STEM_SEARCH_SQL,
    register_search_function,
)

TITLE = "KalbarOnline archive"

# The canned searches: one SQL owned by storage/queries.py, calling escape_fts(). Under
# `newsarchive serve` escape_fts() is the CLI's query grammar (phrases, OR, -word, word*, with
# its caps); a plain `datasette` run keeps Datasette's own, which quotes every word: safe, only
# without the grammar.
SEARCH_SQL = CANNED_SEARCH_SQL
STEM_SEARCH_SQL = CANNED_STEM_SEARCH_SQL

# Storage's own columns (schema.ARTICLE_COLUMNS beyond the article's fields), hidden from the
# HTML table of `articles`; the row pages, JSON and CSV keep them.
BOOKKEEPING = (
    "content_hash",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
    "parser_version",
    "warc_file",
    "warc_offset",
)

# Facet type registered by `newsarchive serve`: a column facet whose values are listed newest
# (largest) first instead of by count, for `month`. Plain Datasette does not know it, so the
# metadata for running Datasette yourself uses an ordinary column facet there.
SORTED_FACET = "descending"

# Truncate long cells (the article body) in HTML tables; `serve` passes it as a setting.
TRUNCATE_CELLS = 240

# Datasette's metadata has no "hidden columns" or "collapse descriptions" keys (0.65), so a
# small stylesheet, given as a data: URL in `extra_css_urls`, does it for the HTML pages only:
# - the per-column descriptions, one line each above every table, would push the rows off
#   the first screen; they stay in each column's menu (the cog) and in the table's
#   "What the columns mean" box;
# - the bookkeeping columns of `articles` are not shown in its table view;
# - the database page lists its views (the article list first) and canned queries before the
#   SQL box and the tables, whose alphabetical list would otherwise open on bookkeeping.
_CSS = "\n".join(
    [
        "dl.column-descriptions { display: none; }",
        "details.columns dl { columns: 2 24em; font-size: 0.85em; margin: 0.3em 0; }",
        "details.columns dt { font-weight: bold; }",
        "details.columns dd { margin: 0 0 0.3em 1em; color: #555; }",
        "details.columns summary { cursor: pointer; color: #555; }",
        # Long URLs wrap in a narrow column instead of squeezing the headline and the text.
        "td.col-url, td.col-image_url { font-size: 0.8em; word-break: break-all;"
        " min-width: 12em; }",
        "td.col-title { min-width: 18em; }",
        "td.col-body { min-width: 30em; }",
        "td.col-image_caption { min-width: 14em; }",
        "td.col-published_at { white-space: nowrap; }",
        "body.db section.content { display: flex; flex-direction: column; }",
        "body.db .page-header, body.db .metadata-description { order: -3; }",
        "body.db h2#views, body.db h2#views + ul { order: -2; }",
        "body.db h2#queries, body.db h2#queries + ul { order: -1; }",
        "body.table-article_list p.suggested-facets,"
        " body.table-articles p.suggested-facets { display: none; }",
        ", ".join(f"body.table.table-articles .col-{name}" for name in BOOKKEEPING)
        + " { display: none; }",
    ]
)
CSS_URL = "data:text/css;charset=utf-8," + quote(_CSS)

COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "articles": {
        "url": "Canonical URL",
        "post_id": "WordPress post ID",
        "title": "Headline as displayed",
        "subtitle": "Line under the headline",
        "byline": "Author name as printed",
        "reporter": "Reporter sign-off, e.g. jim",
        "dateline": "Place of the opening dateline",
        "published_at": "Publication time (+07:00)",
        "modified_at": "Modification time (+07:00)",
        "date_source": "jsonld, meta, time, text or url",
        "categories": "JSON array of category names",
        "tags": "JSON array of tag names",
        "body": "Article text",
        "image_url": "Lead image",
        "image_caption": "Lead image caption",
        "word_count": "Words in body",
        "layout": "Page class that parsed it",
        "fetched_at": "Fetch time (UTC)",
        "content_hash": "SHA-256 of the content fields",
        "revision": "Current revision number",
        "first_seen_at": "First stored (UTC)",
        "last_seen_at": "Last fetched (UTC)",
        "last_changed_at": "Current revision stored (UTC)",
        "parser_version": "Extraction rules' version",
        "warc_file": "WARC file of the raw page",
        "warc_offset": "Offset of its response record",
    },
    "article_list": {
        "published_at": "Publication time (+07:00)",
        "month": "YYYY-MM of published_at",
        "section": "First category",
        "sections": "Categories, page order",
        "tags": "Tags, page order",
        "title": "Headline as displayed",
        "byline": "Author name as printed",
        "word_count": "Words in the article text (in articles.body)",
    },
}

# The front door's columns, in reading order (the view's own order starts with id and url):
# Datasette keeps `?_col=` through searches, facets and sorting, and its column menu offers
# "Show all columns".
FRONT_COLUMNS = ("published_at", "title", "section", "byline", "tags", "word_count", "url")

_TILDE_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class ServeError(Exception):
    """`serve` cannot run (no Datasette, the port is taken); one line for the user."""


def database_name(db: str | Path) -> str:
    """The name Datasette gives the file: its stem (`data/copy.db` is `copy`)."""
    return Path(db).stem


def _tilde_encode(name: str) -> str:
    # Datasette's URL encoding of database and table names (datasette.utils.tilde_encode),
    # repeated here so the generator does not need Datasette installed.
    return "".join(
        chr(b) if b in _TILDE_SAFE else "+" if b == 0x20 else f"~{b:02X}"
        for b in name.encode("utf-8")
    )


def _schema(db: Path) -> dict[str, list[str]]:
    """Table and view names with their columns, read through the archive's read-only opener
    (so a read-only mount works and nothing is left beside the file)."""
    conn, tidy = connect_read_only(db)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "select name from sqlite_master where type in ('table', 'view') order by name"
            )
        ]
        return {
            name: [col[1] for col in conn.execute("select * from pragma_table_info(?)", (name,))]
            for name in names
        }
    finally:
        conn.close()
        if tidy:
            tidy_after_read(db)


def _columns_box(descriptions: dict[str, str]) -> str:
    items = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}</dd>"
        for name, text in descriptions.items()
    )
    summary = "<summary>What the columns mean</summary>"
    return f'<details class="columns">{summary}<dl>{items}</dl></details>'


def _facet_column(facet: str | dict[str, str]) -> str:
    # A facet is a column name, or {type: column} for another facet type.
    return facet if isinstance(facet, str) else next(iter(facet.values()))


def _table(
    schema: dict[str, list[str]], name: str, description_html: str, **spec: Any
) -> dict[str, Any]:
    """One table's metadata, naming only columns the file has."""
    columns = schema[name]
    descriptions = {
        col: text for col, text in COLUMN_DESCRIPTIONS.get(name, {}).items() if col in columns
    }
    if descriptions:
        description_html += _columns_box(descriptions)
    entry: dict[str, Any] = {"description_html": description_html}
    for key, value in spec.items():
        if key == "facets":
            value = [f for f in value if _facet_column(f) in columns]
        if key in ("sort", "sort_desc") and value not in columns:
            continue
        entry[key] = value
    if descriptions:
        entry["columns"] = descriptions
    return entry


def build_metadata(db: str | Path, sorted_month_facet: bool = False) -> dict[str, Any]:
    """Datasette metadata for the archive file `db`, under the name Datasette gives it.

    `sorted_month_facet` lists the month facet newest first; only `newsarchive serve`, which
    registers that facet type, can use it."""
    path = Path(db)
    name = database_name(path)
    schema = _schema(path)
    base = "/" + _tilde_encode(name)
    month: Any = {SORTED_FACET: "month"} if sorted_month_facet else "month"
    link = f'<a href="{html.escape(_front_door(name, schema))}">{_front_table(schema)}</a>'
    search_link = f'<a href="{html.escape(base)}/search">search</a>'

    tables: dict[str, Any] = {}

    def add(table: str, description_html: str, **spec: Any) -> None:
        if table in schema:
            tables[table] = _table(schema, table, description_html, **spec)

    add(
        "article_list",
        "<p><strong>The articles, newest first</strong>, one row each, with sections and tags "
        "as text. The search box searches title, subtitle and body (every word must match; "
        "any text is safe). The article text is in "
        f'<a href="{html.escape(base)}/articles">articles</a>.</p>',
        sort_desc="published_at",
        fts_table="articles_fts",
        fts_pk="id",
        facets=["section", month, "byline"],
        facet_size=6,
    )
    add(
        "articles",
        "<p>One row per article (canonical URL), current revision, with the article text. "
        f"The storage's bookkeeping columns ({', '.join(BOOKKEEPING)}) are left out of this "
        "table; each row's page, the JSON and the CSV have them.</p>",
        sort_desc="published_at",
        facets=["layout", "date_source"],
        facet_size=6,
    )
    add(
        "articles_per_month",
        "<p>Article count per category and month.</p>",
        sort_desc="month",
        facets=["section"],
        facet_size=6,
    )
    add("article_revisions", "<p>One row per distinct content of an article.</p>",
        facets=["revision"])  # fmt: skip
    add("categories", "<p>Category (section) names.</p>")
    add("tags", "<p>Tag names.</p>")
    add("article_categories", "<p>Article to category, with page order.</p>")
    add("article_tags", "<p>Article to tag, with page order.</p>")
    add("crawl_runs", "<p>One row per run with counts and exit code.</p>",
        sort_desc="id", facets=["command", "status"])  # fmt: skip
    add("failures", "<p>Pages that gave no article.</p>",
        sort_desc="id", facets=["stage", "http_status"])  # fmt: skip
    for table in schema:
        # The FTS indexes are no reading matter (Datasette hides their shadow tables by prefix).
        if table.endswith("_fts"):
            tables[table] = {"hidden": True}

    queries: dict[str, Any] = {}
    if "articles_fts" in schema:
        queries["search"] = {
            "title": "Full-text search",
            "description": "Words in title, subtitle or body, every one required, best "
            "matches first (50 shown); `matches` is how many articles match. Any text is safe.",
            "sql": SEARCH_SQL,
            "hide_sql": True,
        }
    if "articles_stem_fts" in schema:
        queries["search_stems"] = {
            "title": "Search by word stem (Indonesian)",
            "description": "Type stems, as `newsarchive search --stem` makes them: `bangun` "
            "finds pembangunan, membangun, dibangun and bangunan. Snippets show the stemmed "
            "text; `matches` is how many articles match.",
            "sql": STEM_SEARCH_SQL,
            "hide_sql": True,
        }
    if {"article_categories", "categories"} <= schema.keys():
        queries["articles_per_section"] = {
            "title": "Articles per section",
            "sql": "select c.name as section, count(*) as articles from article_categories ac "
            "join categories c on c.id = ac.category_id group by c.name order by articles desc",
        }
    queries["byline_fill_rate_per_month"] = {
        "title": "Byline fill rate per month (a drop hints at a layout change)",
        "sql": "select substr(published_at, 1, 7) as month, count(*) as articles, "
        "round(avg(byline is not null), 3) as byline_filled from articles "
        "group by month order by month desc",
    }
    if {"failures", "crawl_runs"} <= schema.keys():
        queries["recent_failures"] = {
            "title": "Failures of the last run",
            "sql": "select url, stage, reason, http_status, at from failures "
            "where run_id = (select max(id) from crawl_runs) order by id",
        }

    start = (
        f"<p><strong>Start with {link}</strong>: every article, newest first, with full-text "
        f"search and facets by section and month; or the canned {search_link}.</p>"
    )
    return {
        "title": TITLE,
        "description_html": "<p>Articles of KalbarOnline (kalbaronline.com), Pontianak, "
        f"archived by newsarchive. See docs/schema.md.</p>{start}",
        "extra_css_urls": [CSS_URL],
        "databases": {
            name: {"description_html": start, "tables": tables, "queries": queries},
        },
    }


def _front_table(schema: dict[str, list[str]]) -> str:
    # An archive from before the analyst views (m003) opens on `articles`.
    return "article_list" if "article_list" in schema else "articles"


def _front_door(name: str, schema: dict[str, list[str]]) -> str:
    table = _front_table(schema)
    columns = [f"_col={col}" for col in FRONT_COLUMNS if col in schema[table]]
    return f"/{_tilde_encode(name)}/{table}?{'&'.join(columns)}"


def front_door(db: str | Path) -> str:
    """The path of the first page to open: the article list, its columns in reading order."""
    path = Path(db)
    return _front_door(database_name(path), _schema(path))


def _register_plugin() -> None:
    """Register newsarchive's Datasette plugin (once per process): the descending facet and
    the query grammar as escape_fts() (no error for an empty search box either)."""
    try:
        from datasette.facets import ColumnFacet
        from datasette.hookspecs import hookimpl
        from datasette.plugins import pm
    except ImportError as exc:
        raise ServeError(
            f"serve needs Datasette: pip install 'newsarchive[datasette]' ({exc})"
        ) from None
    if pm.has_plugin("newsarchive"):
        return

    # Datasette has no type information: subclassing its facet is subclassing Any.
    class DescendingFacet(ColumnFacet):  # type: ignore[misc]
        """A column facet listing values largest first (months newest first), not by count."""

        type = SORTED_FACET

        async def suggest(self) -> list[Any]:
            return []  # suggested as an ordinary column facet already

        def get_facet_size(self) -> int:
            # Count every value (up to Datasette's row cap), then keep the newest ones below.
            return int(self.ds.setting("max_returned_rows"))

        async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
            results, timed_out = await super().facet_results()
            size = int(ColumnFacet.get_facet_size(self))
            for facet in results:
                values = sorted(facet["results"], key=lambda v: str(v["value"]), reverse=True)
                facet["truncated"] = bool(facet["truncated"]) or len(values) > size
                facet["results"] = values[:size]
            return results, timed_out

    class Plugin:
        @staticmethod
        @hookimpl  # type: ignore[untyped-decorator]
        def register_facet_classes() -> list[type]:
            return [DescendingFacet]

        @staticmethod
        @hookimpl(trylast=True)  # type: ignore[untyped-decorator]
        def prepare_connection(conn: sqlite3.Connection) -> None:
            # After Datasette's own prepare_connection, so this escape_fts() is the one used,
            # by the canned searches and the tables' search box alike: the query grammar, and
            # '""' (no match, no error) for a box left empty.
            register_search_function(conn)

    pm.register(Plugin, name="newsarchive")


def _open_when_up(host: str, port: int, path: str) -> None:
    """Open the browser at `path` once the server accepts connections (at most 30 s)."""

    def wait_and_open() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((host, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            return
        webbrowser.open(f"http://{host}:{port}{path}")

    threading.Thread(target=wait_and_open, daemon=True).start()


def serve(db: Path, port: int, open_browser: bool, host: str = "127.0.0.1") -> int:
    """Run Datasette over `db` until stopped (Ctrl-C, SIGTERM); returns its exit status."""
    _register_plugin()
    import click
    from datasette.cli import cli

    # A port in use is the user's to change: say so in one line (uvicorn would log it and
    # exit 3). The probe binds as uvicorn does, so a port in TIME_WAIT is not refused.
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    metadata = build_metadata(db, sorted_month_facet=True)
    # --immutable reads the file as it is and never its write-ahead log: with a WAL beside it
    # (a crawl running, or one that did not finish) that would serve an old or torn state, so
    # then the file is served through Datasette's read-only connections instead.
    immutable = not holds_frames(Path(f"{db}-wal"))
    with tempfile.TemporaryDirectory(prefix="newsarchive-serve-") as tmp:
        metadata_file = Path(tmp) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        args = [
            "serve", *(["--immutable", str(db)] if immutable else [str(db)]),
            "--host", host, "--port", str(port),
            "--metadata", str(metadata_file),
            "--setting", "truncate_cells_html", str(TRUNCATE_CELLS),
        ]  # fmt: skip
        mode = "read-only, immutable" if immutable else "read-only; a write-ahead log is beside it"
        print(
            f"newsarchive serve: http://{host}:{port}{front_door(db)} ({mode}; Ctrl-C stops)",
            file=sys.stderr,
            flush=True,
        )
        if open_browser:
            _open_when_up(host, port, front_door(db))
        try:
            cli.main(args=args, prog_name="newsarchive serve", standalone_mode=False)
        except click.ClickException as exc:
            raise ServeError(exc.format_message()) from None
        except SystemExit as exc:  # uvicorn's own startup failure, already logged
            return 1 if exc.code else 0
    return 0
