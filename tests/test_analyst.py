"""Analyst tooling on an archive built by crawling the replica: search, stats, export, docs."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.cli import build_parser
from newsarchive.items import FIELD_NAMES
from newsarchive.storage.queries import register_search_function
from tests.fakesite import FakeSite
from tests.helpers import count, crawl, rows, run_cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("analyst") / "archive.db"
    with FakeSite(articles=120, seed=31, page_size=10) as site:
        assert crawl(site, path, "--no-raw").returncode == 0
    yield path


def cli(db: Path, *args: str) -> tuple[int, str, str]:
    done = run_cli(*args, "--db", str(db))
    return done.returncode, done.stdout, done.stderr


def a_word(db: Path) -> tuple[str, int]:
    """A distinctive word from a stored title and how many articles contain it anywhere."""
    title = rows(db, "select title from articles order by id limit 1")[0]["title"]
    word = max(re.findall(r"\w+", title), key=len)
    n = count_matching(db, word)
    return word, n


def count_matching(db: Path, word: str) -> int:
    sql = "select count(*) as n from articles_fts where articles_fts match ?"
    return int(rows(db, sql, f'"{word}"')[0]["n"])


def test_search_finds_a_known_word(db: Path) -> None:
    word, n = a_word(db)
    code, out, err = cli(db, "search", word, "--json", "--limit", "500")
    assert code == 0, err
    hits = [json.loads(line) for line in out.splitlines()]
    assert len(hits) == n > 0
    assert all(word.lower() in (h["snippet"] + h["title"]).lower() for h in hits)


def test_search_respects_filters(db: Path) -> None:
    word, _ = a_word(db)
    section = rows(db, "select name from categories order by id limit 1")[0]["name"]
    code, out, _ = cli(db, "search", word, "--json", "--limit", "500", "--section",
                       section.lower().replace(" ", "-"), "--since", "2020-01-01",
                       "--until", "2024-12-31")  # fmt: skip
    assert code in (0, 1)  # 1: the word is in no article of that section and span
    assert (code == 1) == (out == "")
    for line in out.splitlines():
        hit = json.loads(line)
        assert "2020-01-01" <= hit["published_at"][:10] <= "2024-12-31"
        article = rows(db, "select categories from articles where url = ?", hit["url"])[0]
        assert section in json.loads(article["categories"])


def test_search_diacritics_fold(db: Path) -> None:
    word, n = a_word(db)
    accented = word[0] + word[1:].replace("a", "á", 1)
    _, out, _ = cli(db, "search", accented, "--json", "--limit", "500")
    assert len(out.splitlines()) == n


HOSTILE = [
    '"', "'", '"unbalanced', "(", ")", "((a", "a)", "AND", "OR", "NOT", "a AND", "OR b",
    "NOT NOT", "-", "--", "-a", "*", "a*", "**", ":", "title:", "body:x", "NEAR(a b)",
    "a OR b AND", "'; drop table articles; --", "\\", "%", "_", "^a", "a + b", "{a}", "[a]",
    "pontianak)", "kalbar\"online", "ünïcödé", "日本", "  ", "a" * 500,
]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(db: Path, query: str) -> None:
    code, out, err = cli(db, "search", query, "--json")
    assert code in (0, 1, 2), err  # 1: nothing matched; 2: nothing to search for
    assert "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1
    if code == 1:
        assert err.splitlines()[-1] == "newsarchive search: no matches" and out == ""
    for line in out.splitlines():
        json.loads(line)
    assert count(db, "articles") == len(rows(db, "select id from article_revisions"))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_counts_and_round_trips(db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"articles.{fmt}"
    code, _, err = cli(db, "export", "--format", fmt, "--output", str(out))
    assert code == 0, err
    stored = {r["url"]: r for r in rows(db, "select * from articles")}
    if fmt == "csv":
        exported = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        for row in exported:
            row["categories"] = json.loads(row["categories"])
            row["tags"] = json.loads(row["tags"])
    elif fmt == "jsonl":
        exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        import pyarrow.parquet as pq

        exported = pq.read_table(out).to_pylist()
    assert len(exported) == len(stored)
    for row in exported:
        want = stored[row["url"]]
        assert row["categories"] == json.loads(want["categories"])
        assert row["tags"] == json.loads(want["tags"])
        for name in ("title", "body", "published_at", "byline"):
            value = row[name]
            if fmt == "parquet" and name == "published_at":
                value = value.isoformat()  # a typed timestamp in Parquet, the same instant
            assert (value or None) == want[name]
        assert set(FIELD_NAMES) <= set(row)


def test_export_filters_and_stdout(db: Path) -> None:
    code, out, _ = cli(db, "export", "--format", "jsonl", "--since", "2025-01-01")
    assert code == 0
    exported = [json.loads(line) for line in out.splitlines()]
    expected = rows(db, "select count(*) as n from articles where published_at >= '2025-01-01'")
    assert len(exported) == expected[0]["n"]


@pytest.mark.parametrize(
    "args",
    [
        ("export", "--format", "xml"),
        ("export", "--format", "csv", "--output", "/nonexistent/dir/out.csv"),
        ("export", "--format", "parquet"),
        ("search", "x", "--since", "yesterday"),
        ("search", "x", "--limit", "0"),
    ],
)
def test_bad_analyst_arguments_exit_2(db: Path, args: tuple[str, ...]) -> None:
    code, _, err = cli(db, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1


def test_stats_equal_sql_counts(db: Path) -> None:
    code, out, err = cli(db, "stats", "--json")
    assert code == 0, err
    figures = json.loads(out)
    assert figures["articles"] == count(db, "articles")
    per_section = {r["name"]: r["n"] for r in rows(db, """
        select c.name, count(*) as n from article_categories ac
        join categories c on c.id = ac.category_id group by c.name""")}
    assert figures["per_section"] == per_section
    assert sum(figures["per_month"].values()) == count(db, "articles")
    assert sum(figures["per_byline"].values()) == count(db, "articles")
    with_byline = rows(db, "select count(*) as n from articles where byline is not null")[0]["n"]
    assert figures["fill_rates"]["byline"] == round(with_byline / count(db, "articles"), 4)
    assert figures["fill_rates"]["title"] == 1.0
    assert figures["failures_by_stage"] == {"fetch": 1}
    assert figures["last_runs"][0]["command"] == "crawl"
    code, text, _ = cli(db, "stats")
    assert code == 0 and "field fill rates" in text


def test_commands_on_a_missing_archive_exit_2(tmp_path: Path) -> None:
    for args in (("stats",), ("search", "banjir"), ("export", "--format", "csv")):
        code, _, err = cli(tmp_path / "none.db", *args)
        assert code == 2 and "no archive" in err
        assert not (tmp_path / "none.db").exists()


def test_views_for_analysts(db: Path) -> None:
    listed = rows(db, "select * from article_list")
    assert len(listed) == count(db, "articles")
    sample = rows(db, "select * from articles order by id limit 1")[0]
    row = next(r for r in listed if r["id"] == sample["id"])
    assert row["sections"] == ", ".join(json.loads(sample["categories"]))
    assert row["month"] == sample["published_at"][:7]
    per_month = rows(db, "select sum(articles) as n from articles_per_month")[0]["n"]
    assert per_month == count(db, "article_categories")


def _schema(db: Path) -> dict[str, set[str]]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like 'sqlite_%' and name not like '\\_%' escape '\\' "
            "and name not like 'articles_fts_%'")]  # fmt: skip
        return {n: {c[1] for c in conn.execute(f"pragma table_info({n})")} for n in names}


def test_datasette_metadata_names_only_real_tables_and_columns(db: Path) -> None:
    schema = _schema(db)
    metadata = json.loads((ROOT / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["kalbaronline"]["tables"]
    for table, spec in tables.items():
        assert table in schema, table
        for column in spec.get("columns", {}):
            assert column in schema[table], (table, column)
        for facet in spec.get("facets", []):
            assert facet in schema[table], (table, facet)
    with sqlite3.connect(db) as conn:
        register_search_function(conn)  # what `newsarchive serve` (and Datasette) provide
        for query in metadata["databases"]["kalbaronline"]["queries"].values():
            sql = query["sql"].replace(":query", "'banjir'")
            conn.execute(sql).fetchall()  # every canned query runs


def test_docs_name_every_table_column_field_and_command(db: Path) -> None:
    schema_doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    for table, columns in _schema(db).items():
        assert f"`{table}`" in schema_doc or f"## {table}" in schema_doc, table
        for column in columns:
            assert f"`{column}`" in schema_doc, (table, column)
    for field in FIELD_NAMES:
        assert f"`{field}`" in schema_doc
    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    subcommands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, parser in subcommands.items():
        assert f"## newsarchive {name}" in cli_doc, name
        for action in parser._actions:
            for option in action.option_strings:
                assert option in cli_doc, (name, option)
