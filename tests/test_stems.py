"""The Indonesian stem index (`articles_stem_fts`), on real temporary archive files."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from newsarchive.items import Article
from newsarchive.storage import Archive, Outcome
from newsarchive.storage.lock import ArchiveLock
from newsarchive.storage.schema import migrations
from newsarchive.storage.stems import (
    STEM_TABLE,
    articles_without_stems,
    stem_text,
    stem_word,
    words,
)
from tests.fakesite.dataset import Dataset
from tests.helpers import ROOT, rows, run_cli

FIXTURES = ROOT / "tests" / "fixtures"


def article(**changes: object) -> Article:
    base = Article(
        url="https://kalbaronline.com/2024/08/28/jembatan-kapuas/",
        post_id=183527,
        title="Pemerintah Membangun Jembatan Kapuas",
        subtitle="Pembangunannya dibiayai APBD",
        byline="Jauhari Fatria",
        published_at="2024-08-28T19:05:12+07:00",
        date_source="jsonld",
        categories=["Pontianak"],
        body="KalbarOnline, Pontianak – Jembatan itu dibangun sejak 2023.\n\n(Jau)",
        layout="newkarma",
        fetched_at="2024-08-29T01:00:00+00:00",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def stem_hits(db: Path, query: str) -> list[int]:
    sql = f"select rowid from {STEM_TABLE} where {STEM_TABLE} match ? order by rowid"
    return [row["rowid"] for row in rows(db, sql, query)]


def test_the_forms_of_bangun_share_one_stem() -> None:
    for word in ("pembangunan", "membangun", "dibangun", "bangunan", "Pembangunannya"):
        assert stem_word(word) == "bangun", word
    assert stem_word("perekonomian") == stem_word("ekonomi") == "ekonomi"
    assert stem_word("Désa") == "desa"  # folded as articles_fts folds it
    assert stem_word("anak-anak") == "anak anak"  # FTS5 splits at the hyphen
    assert stem_word("covid19") == "covid19"  # not a word of letters: as it is
    assert stem_text("Pemerintah MEMBANGUN jembatan, 2018.") == "perintah bangun jembatan 2018"
    assert stem_text("") == ""


def _fts5_words(texts: list[str]) -> list[list[str]]:
    """What FTS5's own tokenizer makes of each text (the articles_fts configuration)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table t using fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("create virtual table v using fts5vocab(t, 'instance')")
    conn.executemany("insert into t(rowid, x) values (?, ?)", enumerate(texts))
    out: list[list[str]] = [[] for _ in texts]
    for doc, term in conn.execute("select doc, term from v order by doc, offset"):
        out[doc].append(term)
    return out


def test_words_are_split_and_folded_exactly_as_fts5_does() -> None:
    texts = [
        json.loads(path.read_text("utf-8"))["body"]
        for path in sorted(FIXTURES.glob("*/expected.json"))
        if json.loads(path.read_text("utf-8")).get("body")
    ]
    dataset = Dataset(size=50, seed=3)
    texts += [str(dataset.expected(a)["body"]) for a in dataset.articles[:50]]
    texts += [
        "Képala DÉSA de\u0301sa İstanbul ÆØÅ Straße",  # precomposed and combining accents
        "anak-anak_kecil covid-19 Rp1.000,50 (jim) “kutipan” 10.30 WIB e\u0305x",
        "中文字 ½ ² ٣ Ṭhe ḍot ǅ \ue000x",
    ]
    assert len(texts) > 50
    assert [words(text) for text in texts] == _fts5_words(texts)


def test_store_keeps_the_stem_index_in_sync(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        assert archive.store(article()) is Outcome.NEW
        other = article(url="https://kalbaronline.com/2024/08/29/pasar/", post_id=2,
                        title="Harga Cabai Naik", subtitle=None,
                        body="Pedagang mengatakan harga naik.")  # fmt: skip
        assert archive.store(other) is Outcome.NEW
        ids = {row["url"]: row["id"] for row in archive.articles()}
    first = ids[article().url]
    # The forms of the query word are all found through its stem.
    for query in ("pembangunan", "membangun", "dibangun", "bangunan"):
        assert stem_hits(db, stem_text(query)) == [first], query
    assert stem_hits(db, "biaya") == [first]  # subtitle: "dibiayai"
    assert stem_hits(db, stem_text("dikatakan")) == [ids[other.url]]
    stored = rows(db, f"select rowid, * from {STEM_TABLE} where rowid = ?", first)[0]
    assert stored["title"] == "perintah bangun jembatan kapuas"
    assert rows(db, f"select subtitle from {STEM_TABLE} where rowid = ?", ids[other.url]) == [
        {"subtitle": None}
    ]

    # A changed revision replaces the article's stems; an unchanged one leaves them alone.
    changed = article(title="Pemerintah Meresmikan Jembatan Kapuas", subtitle=None,
                      body="KalbarOnline, Pontianak – Jembatan itu diresmikan gubernur.")  # fmt: skip
    with Archive(db) as archive:
        assert archive.store(changed) is Outcome.UPDATED
        assert archive.store(changed) is Outcome.UNCHANGED
    assert stem_hits(db, "bangun") == []
    assert stem_hits(db, stem_text("peresmian")) == [first]
    assert stem_hits(db, "gubernur") == [first]
    assert len(rows(db, f"select rowid from {STEM_TABLE}")) == 2
    with Archive(db) as archive:
        assert articles_without_stems(archive.db) == 0


def test_a_failed_store_leaves_the_stem_index_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        archive.store(article())
        archive.store(article(url="https://kalbaronline.com/2024/08/29/lain/", post_id=2))
        clash = article(url="https://kalbaronline.com/2024/08/29/lain/", post_id=183527,
                        body="Isi baru tentang perekonomian.")  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError):
            archive.store(clash)
    assert stem_hits(db, "ekonomi") == []
    assert len(stem_hits(db, "bangun")) == 2


def _as_before_the_stem_index(db: Path) -> None:
    """The archive file as a version without the stem index left it: m001-m003 only."""
    with sqlite3.connect(db) as conn:
        conn.execute(f"drop table {STEM_TABLE}")
        conn.execute("delete from _sqlite_migrations where name = 'm004_stem_index'")


def test_the_migration_indexes_an_archive_built_before_it(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    dataset = Dataset(size=30, seed=11)
    with Archive(db) as archive:
        for item in dataset.articles[:30]:
            archive.store(Article(**dataset.expected(item), fetched_at="2024-09-01T00:00:00+00:00"))
        archive.store(article())
        total = archive.count("articles")
        expected = {
            row["id"]: stem_text(row["body"])
            for row in archive.db.query("select id, body from articles")
        }
    _as_before_the_stem_index(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "select count(*) from sqlite_master where name = ?", [STEM_TABLE]
        ).fetchone() == (0,)

    with Archive(db) as archive:  # opening applies the migration
        assert "m004_stem_index" in [m.name for m in migrations.applied(archive.db)]
        assert articles_without_stems(archive.db) == 0
        schema = archive.db.schema
        migrations.apply(archive.db)  # and applying it again changes nothing
        assert archive.db.schema == schema
    indexed = rows(db, f"select rowid, body from {STEM_TABLE}")
    assert len(indexed) == total
    assert {row["rowid"]: row["body"] for row in indexed} == expected
    assert len(stem_hits(db, stem_text("pembangunan"))) >= 1


def _write_behind_newsarchive(db: Path) -> int:
    """Another program adds an article with plain SQL (the plain FTS follows by trigger, the
    stem index cannot), and damages the plain FTS index of another row."""
    with sqlite3.connect(db) as conn:
        cursor = conn.execute(
            "insert into articles (url, title, body, published_at) values (?, ?, ?, ?)",
            ["https://kalbaronline.com/2024/09/01/sekolah/", "Sekolah Baru",
             "Warga bersekolah di gedung yang dibangun desa.", "2024-09-01T08:00:00+07:00"],
        )  # fmt: skip
        new_id = cursor.lastrowid
        assert new_id is not None
        row = conn.execute("select id, title, subtitle, body from articles where id = 1").fetchone()
        conn.execute(
            "insert into articles_fts(articles_fts, rowid, title, subtitle, body) "
            "values ('delete', ?, ?, ?, ?)",
            row,
        )
    return int(new_id)


def test_reindex_rebuilds_both_indexes_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        archive.store(article())
    new_id = _write_behind_newsarchive(db)
    with Archive(db) as archive:
        assert articles_without_stems(archive.db) == 1
    assert stem_hits(db, "sekolah") == []
    assert rows(db, "select rowid from articles_fts where articles_fts match 'jembatan'") == []

    done = run_cli("reindex", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("newsarchive reindex: 2 articles"), done.stdout
    assert stem_hits(db, "sekolah") == [new_id]
    assert stem_hits(db, stem_text("pembangunan")) == [1, new_id]
    assert rows(db, "select rowid from articles_fts where articles_fts match 'jembatan'") == [
        {"rowid": 1}
    ]
    with sqlite3.connect(db) as conn:
        for table in ("articles_fts", STEM_TABLE):
            conn.execute(f"insert into {table}({table}) values ('integrity-check')")
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)


def test_reindex_waits_for_no_one_and_refuses_bad_archives(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        archive.store(article())
    with ArchiveLock(db, "update"):
        locked = run_cli("reindex", "--db", str(db))
    assert locked.returncode == 75, locked.stderr
    assert "locked by" in locked.stderr and len(locked.stderr.strip().splitlines()) == 1

    missing = run_cli("reindex", "--db", str(tmp_path / "nothing.db"))
    assert missing.returncode == 2, missing.stderr
    assert not (tmp_path / "nothing.db").exists()
    not_sqlite = tmp_path / "notes.csv"
    not_sqlite.write_text("a,b\n1,2\n")
    refused = run_cli("reindex", "--db", str(not_sqlite))
    assert refused.returncode == 2, refused.stderr
    assert not_sqlite.read_text() == "a,b\n1,2\n"
