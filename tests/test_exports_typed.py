"""Typed, portable exports: Parquet columns carry the types the Article's annotations give
(timestamps with time zone, lists of strings, integers), CSV and JSON Lines keep ISO 8601 text,
and the README's pandas/DuckDB recipe runs as written on a real export."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsarchive.items import Article, instant_zone, value_kind
from newsarchive.normalize import to_site_iso
from newsarchive.storage import Archive
from tests.helpers import rows, run_cli

ROOT = Path(__file__).resolve().parents[1]

# The year boundary by the site's clock: 03:00 WIB on 1 January 2020 is still 2019 in UTC.
NEW_YEAR = "2020-01-01T03:00:00+07:00"
OLD_YEAR = "2019-12-31T23:30:00+07:00"


def _article(n: int, published_at: str, **extra: object) -> Article:
    fields: dict[str, object] = {
        "url": f"https://kalbaronline.com/{published_at[:10].replace('-', '/')}/berita-{n}/",
        "title": f"Berita {n}",
        "published_at": published_at,
        "date_source": "jsonld",
        "categories": ["Pontianak", "Kubu Raya"] if n % 2 else ["Sambas"],
        "tags": ["banjir", "jalan"] if n % 3 else [],
        "body": f"KalbarOnline, Pontianak – Isi berita nomor {n} yang panjang. (jim)",
        "layout": "newkarma",
        "fetched_at": "2026-01-01T00:00:00+00:00",
    }
    fields.update(extra)
    return Article(**fields)  # type: ignore[arg-type]


def build(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with Archive(path) as archive:
        archive.store(_article(1, NEW_YEAR, post_id=101, modified_at="2020-01-02T08:00:00+07:00",
                               byline="Jauhari Fatria", subtitle="Sub judul"))  # fmt: skip
        archive.store(_article(2, OLD_YEAR, post_id=None))
        for n in range(3, 13):
            archive.store(_article(n, f"2021-{n:02d}-05T10:{n:02d}:00+07:00", post_id=100 + n))
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield build(tmp_path_factory.mktemp("typed") / "data" / "kalbaronline.db")


def export(db: Path, fmt: str, out: Path) -> Path:
    done = run_cli("export", "--format", fmt, "--output", str(out), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def parquet(archive: Path) -> Path:
    return export(archive, "parquet", archive.parent / "articles.parquet")


def test_value_kinds_come_from_the_annotations() -> None:
    assert value_kind(int | None, "post_id") == "int"
    assert value_kind(list[str], "tags") == "list"
    assert value_kind(str | None, "modified_at") == "instant"
    assert value_kind(str, "first_seen_at") == "instant"
    assert value_kind(str, "title") == "text"
    with pytest.raises(TypeError):
        value_kind(dict[str, str], "extra")
    # The offset the items declare is the one the parser writes the site's dates in.
    assert to_site_iso(datetime(2020, 1, 1, 3)).endswith(instant_zone("published_at"))
    assert instant_zone("fetched_at") == "UTC"


def test_parquet_columns_are_typed(parquet: Path) -> None:
    schema = pq.read_schema(parquet)
    timestamp_wib, timestamp_utc = pa.timestamp("us", tz="+07:00"), pa.timestamp("us", tz="UTC")
    assert schema.field("published_at").type == timestamp_wib
    assert schema.field("modified_at").type == timestamp_wib
    for name in ("fetched_at", "first_seen_at", "last_seen_at", "last_changed_at"):
        assert schema.field(name).type == timestamp_utc, name
    for name in ("categories", "tags"):
        assert schema.field(name).type == pa.list_(pa.string()), name
    for name in ("post_id", "word_count", "revision"):
        assert schema.field(name).type == pa.int64(), name
    for name in ("url", "title", "body", "date_source", "layout", "content_hash"):
        assert schema.field(name).type == pa.string(), name


def test_parquet_keeps_the_instant_and_the_site_clock(archive: Path, parquet: Path) -> None:
    stored = {r["url"]: r for r in rows(archive, "select * from articles")}
    table = pq.read_table(parquet).to_pylist()
    assert len(table) == len(stored)
    for row in table:
        want = stored[row["url"]]
        for name in ("published_at", "modified_at", "fetched_at", "first_seen_at"):
            if want[name] is None:
                assert row[name] is None
                continue
            # The same instant, and shown in the zone the archive writes it in.
            assert row[name] == datetime.fromisoformat(want[name]), name
            assert row[name].isoformat() == want[name], name
        assert row["categories"] == json.loads(want["categories"])
        assert row["tags"] == json.loads(want["tags"])
        assert row["post_id"] == want["post_id"]
        assert isinstance(row["word_count"], int) and row["word_count"] == want["word_count"]

    frame = pd.read_parquet(parquet)
    first = frame.set_index("url").loc[next(u for u in stored if "berita-1/" in u)]
    assert first["published_at"] == pd.Timestamp(NEW_YEAR)
    assert first["published_at"].year == 2020 and first["published_at"].hour == 3


def test_duckdb_truncates_timestamps_without_a_cast(parquet: Path) -> None:
    con = duckdb.connect()
    con.execute("set TimeZone = 'Asia/Pontianak'")
    types = {r[0]: r[1] for r in con.execute(f"describe select * from '{parquet}'").fetchall()}
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["categories"] == "VARCHAR[]" and types["post_id"] == "BIGINT"
    years = con.execute(f"""
        select year(date_trunc('year', published_at)) as y, count(*)
        from '{parquet}' group by 1 order by 1""").fetchall()  # fmt: skip
    assert years == [(2019, 1), (2020, 1), (2021, 10)]
    # The instant itself, whatever the session's zone: 03:00 WIB is 20:00 UTC the day before.
    epoch = con.execute(f"select epoch(published_at) from '{parquet}' where post_id = 101")
    assert epoch.fetchone()[0] == datetime.fromisoformat(NEW_YEAR).timestamp()
    tags = con.execute(f"select count(*) from '{parquet}' where list_contains(tags, 'banjir')")
    assert tags.fetchone()[0] == 8


def test_csv_and_jsonl_keep_iso_text(archive: Path, parquet: Path) -> None:
    stored = {r["url"]: r for r in rows(archive, "select * from articles")}
    typed = {r["url"]: r for r in pq.read_table(parquet).to_pylist()}
    csv_rows = list(csv.DictReader(io.StringIO(
        export(archive, "csv", archive.parent / "a.csv").read_text(encoding="utf-8"))))  # fmt: skip
    jsonl_path = export(archive, "jsonl", archive.parent / "a.jsonl")
    json_rows = [json.loads(line) for line in jsonl_path.read_text(encoding="utf-8").splitlines()]
    for exported in (csv_rows, json_rows):
        assert len(exported) == len(stored)
        for row in exported:
            for name in ("published_at", "fetched_at", "last_changed_at"):
                assert row[name] == stored[row["url"]][name]
                # the text and the Parquet timestamp are the same instant
                assert datetime.fromisoformat(row[name]) == typed[row["url"]][name]


def test_a_date_that_is_no_time_fails_the_parquet_export(tmp_path: Path) -> None:
    db = build(tmp_path / "bad.db")
    with sqlite3.connect(db) as conn:
        conn.execute("update articles set fetched_at = '2026-01-01T07:00:00' where post_id = 103")
        conn.execute("update articles set published_at = 'kemarin' where post_id = 104")
    out = tmp_path / "out.parquet"
    out.write_bytes(b"previous")
    done = run_cli("export", "--format", "parquet", "--output", str(out), "--db", str(db))
    assert done.returncode == 1
    assert "published_at 'kemarin' is not an ISO 8601 time" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == b"previous"
    with sqlite3.connect(db) as conn:
        conn.execute("update articles set published_at = '2021-04-05' where post_id = 104")
    export(db, "parquet", out)
    naive = {r["post_id"]: r for r in pq.read_table(out).to_pylist()}
    # Without an offset a time is in the field's own zone: UTC for fetched_at, WIB for dates.
    assert naive[103]["fetched_at"].isoformat() == "2026-01-01T07:00:00+00:00"
    assert naive[104]["published_at"].isoformat() == "2021-04-05T00:00:00+07:00"


# --- the README's recipe, run as written -------------------------------------------------


def _recipe() -> tuple[list[str], str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## The archive\n", 1)[1].split("\n## ", 1)[0]
    shell = [line for block in re.findall(r"```sh\n(.*?)```", section, re.S)
             for line in block.splitlines() if line.startswith("newsarchive ")]  # fmt: skip
    python = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(python) == 1, "one python recipe in 'The archive'"
    return shell, python[0]


def test_readme_recipe_needs_only_pypi_packages_it_names() -> None:
    _, code = _recipe()
    imported = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) <= {"pandas", "duckdb", "pyarrow"}
    assert "newsarchive" not in imported
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install pandas pyarrow duckdb" in readme
    assert "sqlite_scan" not in readme  # DuckDB's SQLite reader is a download, not offline


def test_readme_recipe_runs_on_a_fresh_export(tmp_path: Path) -> None:
    build(tmp_path / "data" / "kalbaronline.db")
    shell, code = _recipe()
    # The block also shows `serve` and Datasette lines; the recipe needs the export.
    exports = [line for line in shell if line.startswith("newsarchive export")]
    assert exports == ["newsarchive export --format parquet --output articles.parquet"]
    for line in exports:
        done = run_cli(*line.split()[1:], cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    report = """
import json
print(json.dumps({
    "per_year": {str(k): int(v) for k, v in per_year.items()},
    "per_section": {str(k): int(v) for k, v in per_section.items()},
    "per_month": dict(zip(per_month["month"].dt.strftime("%Y-%m"), map(int, per_month["articles"]))),
}))
"""
    done = subprocess.run([sys.executable, "-c", code + report], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout.strip().splitlines()[-1])
    assert printed["per_year"] == {"2019": 1, "2020": 1, "2021": 10}
    assert printed["per_section"] == {"Kubu Raya": 6, "Pontianak": 6, "Sambas": 6}
    months = printed["per_month"]
    assert months["2019-12"] == 1 and months["2020-01"] == 1  # the site's clock, not UTC's
    assert sum(months.values()) == 12


def test_schema_doc_gives_every_parquet_type(parquet: Path) -> None:
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    section = doc.split("\n## Exports\n", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, str] = {}
    for line in section.splitlines():
        cells = line.split("|")[1:-1]
        if len(cells) == 4 and "`" in cells[1]:
            for name in re.findall(r"`(\w+)`", cells[0]):
                documented[name] = re.findall(r"`([^`]+)`", cells[1])[0]
    for field in pq.read_schema(parquet):
        shown = str(field.type).replace("element: ", "").replace("item: ", "")
        assert documented.get(field.name, "string") == shown, field.name
