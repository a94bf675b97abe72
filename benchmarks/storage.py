"""Storage at scale: a synthetic archive built through the pipeline's own path
(`newsarchive.storage.Archive.store`, one transaction per article, as a crawl stores them), then
its size, full-text search latency, and the analyst commands' wall time.

The articles are the replica's (tests/fakesite/dataset.py: realistic Indonesian text, real
sections, bylines and tags), built straight from its ground truth, without HTTP or parsing.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.common import newsarchive, percentile, rnd, target

SEED = 5
CHECKPOINTS = 10  # insert rate is reported per tenth of the archive, to show any slowdown

# What the issue asks to time: an FTS5 MATCH joined to articles, best match (bm25) first; then
# the same ordering through FTS5's `rank` column (bm25 with its default weights, sorted inside
# FTS5), and an order that needs no score at all (newest rowid first), to show what the
# scoring of every match costs.
_FTS_SQL = """
    select a.id, a.url, a.title, a.published_at
    from articles_fts join articles a on a.id = articles_fts.rowid
    where articles_fts match ? order by {order} limit 20
"""
QUERIES = {
    "bm25": _FTS_SQL.format(order="bm25(articles_fts)"),
    "rank": _FTS_SQL.format(order="rank"),
    "rowid": _FTS_SQL.format(order="articles_fts.rowid desc"),
}
WORD_CLASSES = ("common", "medium", "rare")


def synthetic_articles(n: int) -> Iterator[Any]:
    from newsarchive.items import Article
    from tests.fakesite.dataset import Dataset

    dataset = Dataset(size=n, seed=SEED)
    fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    for article in dataset.articles:
        yield Article(**dataset.expected(article), fetched_at=fetched_at)


def build(db: Path, n: int) -> dict[str, Any]:
    from newsarchive.storage import Archive

    stored = 0
    seconds = 0.0
    tenths: list[float] = []
    mark, step = time.perf_counter(), max(1, n // CHECKPOINTS)
    with Archive(db) as archive:
        for article in synthetic_articles(n):
            started = time.perf_counter()
            archive.store(article)
            seconds += time.perf_counter() - started
            stored += 1
            if stored % step == 0:
                now = time.perf_counter()
                tenths.append(step / (now - mark))
                mark = now
    with sqlite3.connect(db) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    size = db.stat().st_size
    return {
        "articles": stored,
        "insert_s": rnd(seconds),
        "inserts_per_s": rnd(stored / seconds, 1),
        "ms_per_insert": rnd(1000 * seconds / stored, 3),
        "inserts_per_s_by_tenth": [rnd(r, 1) for r in tenths],
        "db_mb": rnd(size / 2**20, 1),
        "kb_per_article": rnd(size / stored / 1024, 2),
        "bytes_by_table": _bytes_by_table(db),
    }


def _bytes_by_table(db: Path) -> dict[str, int] | str:
    """Where the file's bytes go (the dbstat table, when this SQLite has it)."""
    try:
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "select name, sum(pgsize) from dbstat group by name order by 2 desc"
            ).fetchall()
    except sqlite3.Error as exc:
        return f"dbstat not available: {exc}"
    return {str(name): int(size) for name, size in rows[:12]}


def pick_words(db: Path, n: int, k: int = 3) -> dict[str, list[tuple[str, int]]]:
    """From FTS5's own vocabulary (words of letters only, four or more): the k in the most
    articles, k in about a tenth of them, and the k rarest."""
    with sqlite3.connect(db) as conn:
        conn.execute("create virtual table temp.vocab using fts5vocab(main, 'articles_fts', 'row')")
        words = (
            "select term, doc from temp.vocab where term not glob '*[^a-z]*' and length(term) >= 4"
        )
        return {
            "common": conn.execute(f"{words} order by doc desc limit ?", [k]).fetchall(),
            "medium": conn.execute(f"{words} order by abs(doc - ?), term limit ?", [n // 10, k])
            .fetchall(),
            "rare": conn.execute(f"{words} order by doc, term limit ?", [k]).fetchall(),
        }  # fmt: skip


def _latencies(query: Callable[[str], object], words: list[str], reps: int) -> list[float]:
    timings = []
    for word in words:
        query(word)  # warm: pages in the cache, statement prepared
        for _ in range(reps):
            started = time.perf_counter()
            query(word)
            timings.append(1000 * (time.perf_counter() - started))
    return timings


def _summary(timings: list[float]) -> dict[str, float]:
    return {
        "p50_ms": rnd(percentile(timings, 50), 3),
        "p95_ms": rnd(percentile(timings, 95), 3),
        "max_ms": rnd(max(timings), 3),
    }


def _fetch(conn: sqlite3.Connection, sql: str, word: str) -> list[Any]:
    return conn.execute(sql, [word]).fetchall()


def search_latency(db: Path, n: int, reps: int) -> dict[str, Any]:
    words = pick_words(db, n)
    out: dict[str, Any] = {"words": {k: [list(w) for w in v] for k, v in words.items()}}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for variant, sql in QUERIES.items():
            for kind in WORD_CLASSES:
                terms = [term for term, _ in words[kind]]
                query = partial(_fetch, conn, sql)
                out[f"fts_{variant}_{kind}"] = _summary(_latencies(query, terms, reps))
    finally:
        conn.close()
    try:  # the package's own search (with snippets), when this version has it
        from sqlite_utils import Database

        from newsarchive.storage.queries import Filters, search
    except ImportError:
        out["package_search"] = "newsarchive.storage.queries.search not there yet"
        return out
    database = Database(db)
    try:
        for kind in WORD_CLASSES:
            terms = [term for term, _ in words[kind]]
            out[f"package_search_{kind}"] = _summary(
                _latencies(lambda w: search(database, w, Filters(), limit=20), terms, reps)
            )
    finally:
        database.close()
    return out


def commands(db: Path, words: dict[str, list[list[Any]]], reps: int) -> dict[str, Any]:
    """Wall time of the analyst commands as a user runs them (a new process each time)."""
    from benchmarks.common import cli_commands

    available = cli_commands()
    out: dict[str, Any] = {"available": available}

    def timed(*args: str) -> float:
        child = newsarchive(*args)
        if child.returncode != 0:
            raise RuntimeError(f"{args[0]} exited {child.returncode}: {child.stderr[-1000:]}")
        return child.wall_s

    out["startup_s"] = rnd(statistics.median(timed("--version") for _ in range(reps)), 3)
    for name in ("search", "stats", "export"):
        if name not in available:
            out[name] = "not there yet"
    if "search" in available:
        for kind in ("common", "rare"):
            word = str(words[kind][0][0])
            out[f"search_{kind}_s"] = rnd(statistics.median(
                timed("search", word, "--db", str(db), "--limit", "20") for _ in range(reps)
            ), 3)  # fmt: skip
    if "stats" in available:
        out["stats_s"] = rnd(statistics.median(timed("stats", "--db", str(db))
                                               for _ in range(reps)), 3)  # fmt: skip
    if "export" in available:
        for fmt in ("csv", "jsonl", "parquet"):
            target = db.with_name(f"export.{fmt}")
            try:
                out[f"export_{fmt}_s"] = rnd(
                    timed("export", "--db", str(db), "--format", fmt, "--output", str(target)), 3
                )
                out[f"export_{fmt}_mb"] = rnd(target.stat().st_size / 2**20, 1)
            except RuntimeError as exc:  # parquet needs the optional pyarrow
                out[f"export_{fmt}_s"] = f"failed: {str(exc)[:200]}"
            target.unlink(missing_ok=True)
    return out


def run(n: int = 100_000, reps: int = 20, command_reps: int = 3) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
        db = Path(tmp) / "archive.db"
        built = build(db, n)
        latency = search_latency(db, n, reps)
        cli = commands(db, latency["words"], command_reps)
    targets = []
    for kind in ("common", "rare"):
        p50 = latency[f"fts_bm25_{kind}"]["p50_ms"]
        targets.append(target(f"storage: FTS bm25 query p50, {kind} words, {n} articles, ms",
                              p50, "< 20", p50 < 20))  # fmt: skip
    return {"build": built, "search": latency, "commands": cli, "targets": targets}


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    b, s, c = result["build"], result["search"], result["commands"]
    out = [
        (f"store {b['articles']} articles via Archive.store",
         f"{b['inserts_per_s']}/s ({b['ms_per_insert']} ms each; by tenth "
         f"{b['inserts_per_s_by_tenth'][0]} -> {b['inserts_per_s_by_tenth'][-1]}/s), "
         f"{b['db_mb']} MB = {b['kb_per_article']} KB/article"),
    ]  # fmt: skip
    for kind in WORD_CLASSES:
        words = ", ".join(f"{w} ({d} docs)" for w, d in s["words"][kind])
        cells = []
        for variant in (*QUERIES, "package_search"):
            key = f"fts_{variant}_{kind}" if variant in QUERIES else f"{variant}_{kind}"
            if isinstance(s.get(key), dict):
                cells.append(f"{variant} {s[key]['p50_ms']}/{s[key]['p95_ms']}")
        out.append((f"FTS {kind}: {words}", "p50/p95 ms: " + ", ".join(cells)))
    parts = [f"startup {c['startup_s']} s"]
    for key, value in c.items():
        if key not in ("available", "startup_s"):
            parts.append(f"{key} {value}")
    out.append(("CLI wall time (new process each)", ", ".join(parts)))
    return out
