"""The archive on real temporary SQLite files."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from newsarchive.items import Article
from newsarchive.storage import Archive, Outcome
from newsarchive.storage.schema import migrations
from newsarchive.storage.stems import STEM_TABLE


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
        for table in (
            "articles",
            "article_revisions",
            "categories",
            "article_categories",
            "tags",
            "article_tags",
            "articles_fts",
            "crawl_runs",
            "failures",
        ):
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
        moved = article(
            url="https://kalbaronline.com/2024/08/28/harga-cabai-naik-lagi/",
            title="Harga Cabai Naik Lagi",
        )
        assert archive.store(moved) is Outcome.UPDATED
        assert archive.count("articles") == 1


def test_categories_and_tags_are_linked_in_page_order(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.store(article())
        archive.store(
            article(
                url="https://kalbaronline.com/2024/08/29/lain/",
                post_id=2,
                categories=["Pontianak", "Tips"],
            )
        )
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
        archive.record_failure(
            run, "https://kalbaronline.com/2024/01/01/x/", "fetch", "HTTP 404", 404
        )
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
        clash = article(
            url="https://kalbaronline.com/2024/08/29/lain/",
            post_id=183527,
            body="Isi baru yang berbeda.",
        )
        with pytest.raises(sqlite3.IntegrityError):
            archive.store(clash)
        assert archive.count("articles") == 2
        assert archive.count("article_revisions") == 2
        assert all(row["revision"] == 1 for row in archive.articles())


# --- batches (Archive.batch, store_all) and the name cache ----------------------------------


def numbered(i: int, **changes: object) -> Article:
    return article(
        url=f"https://kalbaronline.com/2024/08/28/berita-{i}/", post_id=1000 + i, **changes
    )


def other_connection(db_path: Path, timeout: float = 0.2) -> sqlite3.Connection:
    return sqlite3.connect(db_path, timeout=timeout, isolation_level=None)


def whole(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every article with what belongs to it, read through a connection of its own."""
    with sqlite3.connect(db_path) as conn:
        return {
            "articles": conn.execute(
                "select id, url, revision from articles order by id"
            ).fetchall(),
            "revisions": conn.execute(
                "select article_id, revision from article_revisions order by 1, 2"
            ).fetchall(),
            "categories": conn.execute(
                "select l.article_id, c.name, l.position from article_categories l "
                "join categories c on c.id = l.category_id order by 1, 3"
            ).fetchall(),
            "tags": conn.execute(
                "select l.article_id, t.name from article_tags l join tags t on t.id = l.tag_id "
                "order by 1, 2"
            ).fetchall(),
            "fts": conn.execute("select rowid from articles_fts order by 1").fetchall(),
            "stems": conn.execute(f"select rowid from {STEM_TABLE} order by 1").fetchall(),
        }


def test_store_all_is_one_transaction_with_whole_articles(db_path: Path) -> None:
    with Archive(db_path) as archive:
        results = archive.store_all([(numbered(i), None) for i in range(3)])
        assert results == [Outcome.NEW] * 3
        again = archive.store_all([(numbered(0), None), (numbered(1, title="Baru"), None)])
        assert again == [Outcome.UNCHANGED, Outcome.UPDATED]
    found = whole(db_path)
    ids = [row[0] for row in found["articles"]]
    assert len(ids) == 3
    assert found["revisions"] == [(ids[0], 1), (ids[1], 1), (ids[1], 2), (ids[2], 1)]
    assert found["categories"] == [
        (i, name, position) for i in ids for position, name in enumerate(["Ekonomi", "Pontianak"])
    ]
    assert found["tags"] == [(i, "Cabai") for i in ids]
    assert found["fts"] == found["stems"] == [(i,) for i in ids]


def test_a_batch_is_invisible_to_others_until_it_commits(db_path: Path) -> None:
    with Archive(db_path) as archive:
        reader = other_connection(db_path)
        with archive.batch():
            archive.store(numbered(1))
            assert archive.has_article(numbered(1).url)  # the writer sees its own batch
            assert reader.execute("select count(*) from articles").fetchone()[0] == 0
        assert reader.execute("select count(*) from articles").fetchone()[0] == 1
        # Outside a batch, store() commits by itself, as before.
        archive.store(numbered(2))
        assert reader.execute("select count(*) from articles").fetchone()[0] == 2
        reader.close()
        with pytest.raises(RuntimeError), archive.batch(), archive.batch():
            pass


def test_a_rolled_back_batch_leaves_nothing_and_no_cached_name_id(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.store(numbered(0))
        with pytest.raises(KeyboardInterrupt), archive.batch():
            archive.store(numbered(1, categories=["Sambas"], tags=["Baru"]))
            raise KeyboardInterrupt
        assert whole(db_path)["articles"] == [(1, numbered(0).url, 1)]
        # The ids the rolled-back batch gave "Sambas" and "Baru" are gone with it; a cache that
        # kept them would link to no row (or, once reused, to another name).
        archive.store(numbered(2, categories=["Sambas"], tags=["Baru"]))
        article_id = whole(db_path)["articles"][-1][0]
        assert archive.names(article_id, "categories") == ["Sambas"]
        assert archive.names(article_id, "tags") == ["Baru"]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_one_bad_article_in_a_batch_is_kept_out_alone(db_path: Path) -> None:
    with Archive(db_path) as archive:
        no_title = numbered(1, title=None)  # NOT NULL refuses its row
        # Refused half way: its row, revision and categories are written when its tag, a value
        # SQLite cannot hold, fails.
        half = numbered(2, categories=["Hanya Di Sini"], tags=[("tak",)])
        entries = [(numbered(0), None), (no_title, None), (half, None), (numbered(3), None)]
        results = archive.store_all(entries)
        assert results[0] == results[3] == Outcome.NEW
        assert isinstance(results[1], sqlite3.IntegrityError)
        assert isinstance(results[2], sqlite3.Error)
        found = whole(db_path)
        assert [row[1] for row in found["articles"]] == [numbered(0).url, numbered(3).url]
        assert len(found["revisions"]) == len(found["fts"]) == len(found["stems"]) == 2
        with sqlite3.connect(db_path) as conn:
            names = {row[0] for row in conn.execute("select name from categories")}
        assert "Hanya Di Sini" not in names
        # And the cache forgot the id that the article's rollback took back.
        archive.store(numbered(4, categories=["Hanya Di Sini"]))
        assert archive.names(whole(db_path)["articles"][-1][0], "categories") == ["Hanya Di Sini"]


def test_a_batch_waits_for_another_writer_and_is_retried_whole(db_path: Path) -> None:
    entries = [(numbered(i, categories=[f"Seksi {i}"]), None) for i in range(4)]
    with Archive(db_path, busy_timeout=0.2) as archive:
        archive.store(numbered(9))
        blocker = other_connection(db_path)
        blocker.execute("begin immediate")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            archive.store_all(entries)
        blocker.execute("rollback")
        blocker.close()
        # The failed attempt wrote nothing, so the same batch again stores each article once.
        assert archive.store_all(entries) == [Outcome.NEW] * 4
    found = whole(db_path)
    assert len(found["articles"]) == len(found["revisions"]) == 5
    assert [name for _, name, _ in found["categories"]].count("Seksi 0") == 1


def test_a_name_another_process_added_meanwhile_is_found_not_duplicated(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.store(numbered(0))  # fills the cache with this article's names
        other = other_connection(db_path)
        other.execute("insert into categories (name) values ('Kapuas Hulu')")
        other.close()
        archive.store_all([(numbered(1, categories=["Kapuas Hulu", "Ekonomi"]), None)])
        article_id = whole(db_path)["articles"][-1][0]
        assert archive.names(article_id, "categories") == ["Kapuas Hulu", "Ekonomi"]
    with sqlite3.connect(db_path) as conn:
        counted = conn.execute("select count(*) from categories where name = 'Kapuas Hulu'")
        assert counted.fetchone()[0] == 1
