"""The archive on real temporary SQLite files."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from newsarchive.items import Article
from newsarchive.storage import Archive, Outcome
from newsarchive.storage.schema import migrations


def article(**changes: object) -> Article:
    base = Article(
        url="https://kalbaronline.com/2024/08/28/harga-cabai-naik/",
        post_id=183527,
        title="Harga Cabai Naik",
        byline="Jauhari Fatria",
        reporter="Jau",
        dateline="Pontianak",
        published_at="2024-08-28T19:05:12+07:00",
        date_source="jsonld",
        categories=["Ekonomi", "Pontianak"],
        tags=["Cabai"],
        body="KalbarOnline, Pontianak – Harga cabai rawit naik.\n\n(Jau)",
        layout="newkarma",
        fetched_at="2024-08-29T01:00:00+00:00",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def test_migrations_twice_are_a_no_op(db_path: Path) -> None:
    Archive(db_path).close()
    with Archive(db_path) as archive:
        schema = archive.db.schema
        migrations.apply(archive.db)
        assert archive.db.schema == schema
        assert [m.name for m in migrations.applied(archive.db)] == [
            "m001_initial",
            "m002_failures_article_url",
            "m003_analyst_views",
            "m004_stem_index",
            "m005_revisions_keep_every_content_field",
            "m006_removals_and_coverage",
            "m007_channel_validators",
        ]
        assert archive.db.execute("pragma journal_mode").fetchone()[0] == "wal"
        for table in ("articles", "article_revisions", "categories", "article_categories",
                      "tags", "article_tags", "articles_fts", "crawl_runs", "failures"):
            assert archive.db.table(table).exists(), table


def test_new_unchanged_updated(db_path: Path) -> None:
    with Archive(db_path) as archive:
        assert archive.store(article()) is Outcome.NEW
        first = next(iter(archive.articles()))
        assert archive.store(article(fetched_at="2024-09-01T00:00:00+00:00")) is Outcome.UNCHANGED
        assert archive.count("article_revisions") == 1
        changed = article(body="KalbarOnline, Pontianak – Harga cabai rawit turun.\n\n(Jau)")
        assert archive.store(changed) is Outcome.UPDATED
        row = next(iter(archive.articles()))
        assert archive.count("articles") == 1
        assert archive.count("article_revisions") == 2
        assert row["revision"] == 2
        assert row["body"].endswith("turun.\n\n(Jau)")
        assert row["content_hash"] != first["content_hash"]
        assert row["first_seen_at"] == first["first_seen_at"]


def test_same_post_id_under_another_url_is_one_article(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.store(article())
        moved = article(url="https://kalbaronline.com/2024/08/28/harga-cabai-naik-lagi/",
                        title="Harga Cabai Naik Lagi")
        assert archive.store(moved) is Outcome.UPDATED
        assert archive.count("articles") == 1


def test_categories_and_tags_are_linked_in_page_order(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.store(article())
        archive.store(article(url="https://kalbaronline.com/2024/08/29/lain/", post_id=2,
                              categories=["Pontianak", "Tips"]))
        assert archive.names(1, "categories") == ["Ekonomi", "Pontianak"]
        assert archive.names(2, "categories") == ["Pontianak", "Tips"]
        assert archive.count("categories") == 3
        archive.store(article(categories=["Pontianak"]))
        assert archive.names(1, "categories") == ["Pontianak"]


def test_fts_finds_a_stored_word_and_follows_updates(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.store(article())

        def hits(word: str) -> int:
            sql = "select count(*) from articles_fts where articles_fts match ?"
            return int(archive.db.execute(sql, [word]).fetchone()[0])

        assert hits("cabai") == 1
        archive.store(article(body="KalbarOnline, Pontianak – Harga bawang stabil.\n\n(Jau)"))
        assert hits("rawit") == 0
        assert hits("bawang") == 1


def test_reopening_sees_everything(db_path: Path) -> None:
    with Archive(db_path) as archive:
        run = archive.start_run("crawl", {"sections": ["pontianak"]})
        archive.store(article())
        archive.record_failure(run, "https://kalbaronline.com/2024/01/01/x/", "fetch", "HTTP 404", 404)
        archive.finish_run(run, status="finished", exit_code=0, articles_new=1)
    with Archive(db_path) as archive:
        assert archive.count("articles") == 1
        assert archive.failures(run)[0]["http_status"] == 404
        runs = list(archive.db.query("select * from crawl_runs"))
        assert runs[0]["status"] == "finished"
        assert runs[0]["finished_at"]


def test_a_failed_store_leaves_no_half_row(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.store(article())
        # Another post ID on a URL that is stored: the unique index refuses the update mid-way.
        archive.store(article(url="https://kalbaronline.com/2024/08/29/lain/", post_id=2))
        clash = article(url="https://kalbaronline.com/2024/08/29/lain/", post_id=183527,
                        body="Isi baru yang berbeda.")
        with pytest.raises(sqlite3.IntegrityError):
            archive.store(clash)
        assert archive.count("articles") == 2
        assert archive.count("article_revisions") == 2
        assert all(row["revision"] == 1 for row in archive.articles())
