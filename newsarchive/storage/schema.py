"""The archive's schema, as migrations applied on every open (applying them twice is a no-op).

Add a new function to change the schema; never edit one that has shipped.
"""

from __future__ import annotations

from newsarchive.items import CONTENT_FIELDS, FIELD_NAMES, column_types
from newsarchive.storage.database import Database, Migrations

migrations = Migrations("newsarchive")

# The tables as m001 created them, frozen: a shipped migration must create the same tables
# forever. Later columns come from later migrations (see ARTICLE_COLUMNS below).
_M001_ARTICLE_COLUMNS: dict[str, type] = {
    "id": int,
    "url": str,
    "post_id": int,
    "title": str,
    "subtitle": str,
    "byline": str,
    "reporter": str,
    "dateline": str,
    "published_at": str,
    "modified_at": str,
    "date_source": str,
    "categories": str,  # JSON array, also normalised into article_categories
    "tags": str,  # JSON array, also normalised into article_tags
    "body": str,
    "image_url": str,
    "image_caption": str,
    "word_count": int,
    "layout": str,
    "fetched_at": str,
    "content_hash": str,
    "revision": int,
    "first_seen_at": str,
    "last_seen_at": str,
    "last_changed_at": str,
    "parser_version": str,
    "warc_file": str,
    "warc_offset": int,
}

_M001_REVISION_COLUMNS: dict[str, type] = {
    "id": int,
    "article_id": int,
    "revision": int,
    "title": str,
    "subtitle": str,
    "byline": str,
    "published_at": str,
    "modified_at": str,
    "body": str,
    "categories": str,
    "tags": str,
    "content_hash": str,
    "captured_at": str,
    "warc_file": str,
    "warc_offset": int,
}


# The current columns, derived: the article's fields (items.Article; types read off its
# annotations by items.column_types) plus storage's own. A new field is one change in
# items.py and one migration adding its column to `articles` and `article_revisions`
# (test_revisions checks the tables match these).
ARTICLE_EXTRAS: dict[str, type] = {
    "content_hash": str,
    "revision": int,
    "first_seen_at": str,
    "last_seen_at": str,
    "last_changed_at": str,
    "parser_version": str,
    "warc_file": str,
    "warc_offset": int,
    # The site no longer serves it (m006): when that was first seen, and the answer (404, 410,
    # or the status of a redirect to the home page or a listing). NULL while it is served.
    "removed_at": str,
    "removed_status": int,
}
ARTICLE_COLUMNS: dict[str, type] = {"id": int, **column_types(FIELD_NAMES), **ARTICLE_EXTRAS}

# A revision holds every content field (categories and tags as JSON arrays, as in `articles`).
REVISION_EXTRAS: dict[str, type] = {
    "content_hash": str,
    "captured_at": str,
    "warc_file": str,
    "warc_offset": int,
}
REVISION_COLUMNS: dict[str, type] = {
    "id": int,
    "article_id": int,
    "revision": int,
    **column_types(CONTENT_FIELDS),
    **REVISION_EXTRAS,
}


def add_missing_columns(db: Database, table: str, columns: dict[str, type]) -> None:
    """Add those of `columns` the table lacks, in order (existing rows hold NULL there)."""
    have = set(db.table(table).columns_dict)
    for name, kind in columns.items():
        if name not in have:
            db.table(table).add_column(name, kind)


@migrations()
def m001_initial(db: Database) -> None:
    db.table("articles").create(_M001_ARTICLE_COLUMNS, pk="id", not_null={"url", "title", "body"})
    db.table("articles").create_index(["url"], unique=True)
    db.table("articles").create_index(["post_id"], unique=True)  # NULLs never collide in SQLite
    db.table("articles").create_index(["published_at"])

    db.table("article_revisions").create(
        _M001_REVISION_COLUMNS, pk="id", foreign_keys=[("article_id", "articles", "id")]
    )
    db.table("article_revisions").create_index(["article_id", "revision"], unique=True)

    for kind, link in (("categories", "article_categories"), ("tags", "article_tags")):
        db.table(kind).create({"id": int, "name": str}, pk="id", not_null={"name"})
        db.table(kind).create_index(["name"], unique=True)
        key = f"{'category' if kind == 'categories' else 'tag'}_id"
        db.table(link).create(
            {"article_id": int, key: int, "position": int},
            pk=("article_id", key),
            foreign_keys=[("article_id", "articles", "id"), (key, kind, "id")],
        )
        db.table(link).create_index([key])

    db.table("crawl_runs").create(
        {
            "id": int,
            "command": str,
            "arguments": str,  # JSON
            "started_at": str,
            "finished_at": str,
            "status": str,  # running, finished, failed, interrupted
            "finish_reason": str,
            "exit_code": int,
            "pages_fetched": int,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "failures": int,
            "http_statuses": str,  # JSON object: status -> count
        },
        pk="id",
    )
    db.table("failures").create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "stage": str,  # fetch, parse, validate, store
            "reason": str,
            "http_status": int,
            "at": str,
            "warc_file": str,
            "warc_offset": int,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db.table("failures").create_index(["run_id"])
    db.table("failures").create_index(["url"])

    # External-content FTS5 kept in sync with `articles` by triggers; folding diacritics lets
    # "kepala desa" find "képala désa" typed either way.
    db.table("articles").enable_fts(
        ["title", "subtitle", "body"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )


@migrations()
def m002_failures_article_url(db: Database) -> None:
    # The canonical URL of the article a failure was about, so a crawl can tell an article the
    # site has removed (404/410) from one it has never seen.
    db.table("failures").add_column("article_url", str)
    db.table("failures").create_index(["article_url"])


@migrations()
def m003_analyst_views(db: Database) -> None:
    # One row per article with its sections and tags as text, for Datasette facets and
    # spreadsheet-minded analysts; json_each keeps the page order of the stored lists.
    db.create_view(
        "article_list",
        """
        select a.id, a.url, a.published_at, substr(a.published_at, 1, 7) as month,
               json_extract(a.categories, '$[0]') as section,
               (select group_concat(value, ', ') from json_each(a.categories)) as sections,
               (select group_concat(value, ', ') from json_each(a.tags)) as tags,
               a.title, a.subtitle, a.byline, a.reporter, a.dateline, a.word_count,
               a.layout, a.revision
        from articles a
        """,
    )
    db.create_view(
        "articles_per_month",
        """
        select c.name as section, substr(a.published_at, 1, 7) as month, count(*) as articles
        from articles a
        join article_categories ac on ac.article_id = a.id
        join categories c on c.id = ac.category_id
        group by c.name, month
        """,
    )


@migrations()
def m004_stem_index(db: Database) -> None:
    # A second FTS5 index over Indonesian word stems (storage/stems.py): `pembangunan` finds
    # `membangun`. Filled here for an archive built before it: 0.11-0.4 ms an article, 11-40 s
    # for 100,000 replica articles (benchmarks/RESULTS.md §4.4), once: cheap enough
    # not to leave `search --stem` incomplete until someone runs `newsarchive reindex`.
    from newsarchive.storage.stems import STEM_TABLE, fill_stem_index

    db.execute(
        f"create virtual table if not exists {STEM_TABLE} using fts5("
        "title, subtitle, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    fill_stem_index(db)


@migrations()
def m005_revisions_keep_every_content_field(db: Database) -> None:
    # A revision holds every content field, so one made by a changed caption, reporter,
    # dateline or lead image shows the change. Revisions stored before this hold NULL in
    # these columns: the archive never recorded those values for them.
    names = ("reporter", "dateline", "image_url", "image_caption")
    add_missing_columns(db, "article_revisions", column_types(names))


@migrations()
def m006_removals_and_coverage(db: Database) -> None:
    # An article the site stopped serving is marked, never deleted: its row and revisions stay,
    # and a later 200 clears the mark.
    add_missing_columns(db, "articles", {"removed_at": str, "removed_status": int})
    db.table("articles").create_index(["removed_at"], if_not_exists=True)
    # Each `newsarchive coverage` run: what the site's channels listed against the archive, so
    # completeness over time is a query. Months are YYYY-MM of the permalink date; a section
    # is a category name ("" when no channel and no archived copy says which).
    db.table("coverage_runs").create(
        {
            "id": int, "run_id": int, "checked_at": str, "channels": str, "since": str,
            "until": str, "section": str, "listed": int, "archived": int, "missing": int,
            "unlisted": int, "removed": int, "completeness": float,
        },
        pk="id", foreign_keys=[("run_id", "crawl_runs", "id")], if_not_exists=True,
    )  # fmt: skip
    db.table("coverage_months").create(
        {
            "coverage_run_id": int, "month": str, "section": str, "listed": int,
            "archived": int, "missing": int,
        },
        pk=("coverage_run_id", "month", "section"),
        foreign_keys=[("coverage_run_id", "coverage_runs", "id")], if_not_exists=True,
    )  # fmt: skip
    # The URLs behind the counts: `missing` (listed by the site, not archived) and `unlisted`
    # (archived, listed by no channel any more: possibly removed).
    db.table("coverage_urls").create(
        {"coverage_run_id": int, "url": str, "status": str, "channel": str, "month": str},
        pk=("coverage_run_id", "url"),
        foreign_keys=[("coverage_run_id", "coverage_runs", "id")], if_not_exists=True,
    )  # fmt: skip


@migrations()
def m007_channel_validators(db: Database) -> None:
    # What a channel document (REST's newest posts, the feed, the sitemap index) last answered
    # with: its ETag and Last-Modified, sent back by the next `update` so an unchanged channel
    # costs a bodiless 304. Stored only after a run that failed nothing.
    db.table("channel_validators").create(
        {"url": str, "etag": str, "last_modified": str, "stored_at": str},
        pk="url", if_not_exists=True,
    )  # fmt: skip
