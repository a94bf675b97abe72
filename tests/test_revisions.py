"""Revisions keep every content field (issue 12): a change in any of them makes one revision
that holds the new value; the tables' columns are derived from the Article dataclass."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from newsarchive.items import CONTENT_FIELDS, FIELD_KINDS, FIELD_NAMES, Article, column_types
from newsarchive.storage import Archive, Outcome
from newsarchive.storage.archive import REVISION_FIELDS
from newsarchive.storage.schema import ARTICLE_COLUMNS, REVISION_COLUMNS, migrations

NEW_COLUMNS = ("reporter", "dateline", "image_url", "image_caption")


def article(**changes: object) -> Article:
    base = Article(
        url="https://kalbaronline.com/2024/08/28/harga-cabai-naik/",
        post_id=183527,
        title="Harga Cabai Naik",
        subtitle="Pedagang mengeluh",
        byline="Jauhari Fatria",
        reporter="Jau",
        dateline="Pontianak",
        published_at="2024-08-28T19:05:12+07:00",
        modified_at="2024-08-28T20:00:00+07:00",
        date_source="jsonld",
        categories=["Ekonomi", "Pontianak"],
        tags=["Cabai"],
        body="KalbarOnline, Pontianak – Harga cabai rawit naik.\n\n(Jau)",
        image_url="https://kalbaronline.com/wp-content/uploads/2024/08/cabai.jpg",
        image_caption="Cabai rawit di Pasar Flamboyan.",
        layout="newkarma",
        fetched_at="2024-08-29T01:00:00+00:00",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def changed_value(name: str) -> Any:
    if FIELD_KINDS[name] == "list":
        return ["Diubah"]
    if FIELD_KINDS[name] == "instant":
        return "2024-09-01T08:00:00+07:00"
    return f"Diubah ({name})"


def stored_value(name: str, value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if FIELD_KINDS[name] == "list" else value


def test_revisions_store_every_content_field() -> None:
    assert REVISION_FIELDS == CONTENT_FIELDS
    assert set(CONTENT_FIELDS) == set(FIELD_NAMES) - {
        "url", "post_id", "date_source", "word_count", "layout", "fetched_at",
    }  # fmt: skip


def test_columns_come_from_the_article() -> None:
    assert column_types(["post_id", "word_count", "title", "tags", "published_at"]) == {
        "post_id": int, "word_count": int, "title": str, "tags": str, "published_at": str,
    }  # fmt: skip
    assert [name for name in ARTICLE_COLUMNS if name in FIELD_NAMES] == list(FIELD_NAMES)
    assert [name for name in REVISION_COLUMNS if name in FIELD_NAMES] == list(CONTENT_FIELDS)


def test_tables_match_the_derived_columns(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        for table, columns in (
            ("articles", ARTICLE_COLUMNS),
            ("article_revisions", REVISION_COLUMNS),
        ):
            declared = {
                name: kind.__name__ for name, kind in archive.db.table(table).columns_dict.items()
            }
            assert declared == {name: kind.__name__ for name, kind in columns.items()}, table


@pytest.mark.parametrize("name", CONTENT_FIELDS)
def test_a_change_in_any_content_field_makes_one_revision_holding_it(
    tmp_path: Path, name: str
) -> None:
    value = changed_value(name)
    assert getattr(article(), name) != value
    with Archive(tmp_path / "archive.db") as archive:
        assert archive.store(article()) is Outcome.NEW
        assert archive.store(article(**{name: value})) is Outcome.UPDATED
        rows = list(archive.db.query("select * from article_revisions order by revision"))
        assert [row["revision"] for row in rows] == [1, 2]
        first, second = rows
        assert second[name] == stored_value(name, value)
        assert first[name] == stored_value(name, getattr(article(), name))
        for other in CONTENT_FIELDS:
            if other != name:
                assert second[other] == first[other], other
        assert archive.article(1)[name] == stored_value(name, value)
        assert archive.article(1)["revision"] == 2


def test_a_first_revision_holds_every_content_field(tmp_path: Path) -> None:
    stored = article()
    with Archive(tmp_path / "archive.db") as archive:
        archive.store(stored)
        row = next(iter(archive.db.query("select * from article_revisions")))
    for name in CONTENT_FIELDS:
        assert row[name] == stored_value(name, getattr(stored, name)), name


def old_archive(path: Path) -> None:
    """An archive as the schema before m005 left it (migrations applied up to m004), with one
    article of two revisions stored as the code of then stored them."""
    db = Database(path)
    migrations.apply(db, stop_before="m005_revisions_keep_every_content_field")
    old_fields = ("title", "subtitle", "byline", "published_at", "modified_at", "body")
    first, second = article(), article(title="Harga Cabai Naik Lagi")
    row = {name: getattr(second, name) for name in FIELD_NAMES}
    row.update(
        categories=json.dumps(second.categories), tags=json.dumps(second.tags), revision=2,
        content_hash="b", first_seen_at="2024-08-29T01:00:00+00:00",
    )  # fmt: skip
    db.table("articles").insert(row)
    for number, stored in ((1, first), (2, second)):
        revision = {name: getattr(stored, name) for name in old_fields}
        revision.update(
            article_id=1, revision=number, categories=json.dumps(stored.categories),
            tags=json.dumps(stored.tags), content_hash="ab"[number - 1],
            captured_at="2024-08-29T01:00:00+00:00",
        )  # fmt: skip
        db.table("article_revisions").insert(revision)
    db.close()


def test_migration_upgrades_an_old_archive_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    old_archive(path)
    db = Database(path)
    assert [m.name for m in migrations.pending(db)] == [
        "m005_revisions_keep_every_content_field",
        "m006_removals_and_coverage",
        "m007_channel_validators",
    ]
    assert not set(NEW_COLUMNS) & set(db.table("article_revisions").columns_dict)
    before = list(db.query("select id, revision, title, body from article_revisions"))
    db.close()

    with Archive(path) as archive:
        assert not list(migrations.pending(archive.db))
        assert set(NEW_COLUMNS) <= set(archive.db.table("article_revisions").columns_dict)
        rows = list(archive.db.query("select * from article_revisions order by id"))
        assert [{k: row[k] for k in ("id", "revision", "title", "body")} for row in rows] == before
        # Older revisions predate the columns: nothing was recorded for them.
        assert all(row[name] is None for row in rows for name in NEW_COLUMNS)
        assert archive.count("articles") == 1
        assert archive.article(1)["title"] == "Harga Cabai Naik Lagi"
        # New revisions hold them.
        changed = article(title="Harga Cabai Naik Lagi", image_caption="Cabai merah.")
        assert archive.store(changed) is Outcome.UPDATED
        row = next(iter(archive.db.query("select * from article_revisions where revision = 3")))
        assert row["image_caption"] == "Cabai merah."
        assert row["reporter"] == "Jau"
