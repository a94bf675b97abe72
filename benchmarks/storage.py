"""Storage at scale: a synthetic archive built through `newsarchive.storage.Archive.store`, one
transaction per article, then its size, full-text search latency, and the analyst commands'
wall time. Beside it, the insert cost of that path and of the crawl's (`Archive.store_all`,
batches of `pipelines.BATCH_ARTICLES` articles per transaction) on the same articles.

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


def insert_paths(n: int, chunk: int = 250) -> dict[str, Any]:
    """ms per article, CPU and wall, storing the same n articles into two fresh archives: one
    transaction per article (`store`), and the crawl's batches (`store_all`). The two take
    turns, `chunk` articles at a time, so a change in the machine's speed hits both alike."""
    from newsarchive.pipelines import BATCH_ARTICLES
    from newsarchive.storage import Archive

    articles = list(synthetic_articles(n))
    cpu = {"per_article": 0.0, "batched": 0.0}
    wall = dict(cpu)
    with (
        tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp,
        Archive(Path(tmp) / "one.db") as one,
        Archive(Path(tmp) / "batched.db") as batched,
    ):
        for start in range(0, n, chunk):
            part = articles[start : start + chunk]
            began, began_cpu = time.perf_counter(), time.process_time()
            for article in part:
                one.store(article)
            wall["per_article"] += time.perf_counter() - began
            cpu["per_article"] += time.process_time() - began_cpu
            began, began_cpu = time.perf_counter(), time.process_time()
            for at in range(0, len(part), BATCH_ARTICLES):
                batched.store_all([(a, None) for a in part[at : at + BATCH_ARTICLES]])
            wall["batched"] += time.perf_counter() - began
            cpu["batched"] += time.process_time() - began_cpu
        assert one.count("articles") == batched.count("articles") == n
    return {
        "articles": n,
        "batch": BATCH_ARTICLES,
        **{f"{path}_cpu_ms": rnd(1000 * cpu[path] / n, 3) for path in cpu},
        **{f"{path}_wall_ms": rnd(1000 * wall[path] / n, 3) for path in wall},
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


def _side_by_side(
    queries: dict[str, Callable[[str], object]], words: list[str], reps: int
) -> dict[str, list[float]]:
    """`_latencies` for several queries at once, interleaved: each round runs every query on
    the word in a rotating order, so a shared machine's slow spells fall on all of them."""
    timings: dict[str, list[float]] = {name: [] for name in queries}
    names = list(queries)
    for word in words:
        for query in queries.values():
            query(word)  # warm
        for rep in range(reps):
            for name in names[rep % len(names) :] + names[: rep % len(names)]:
                started = time.perf_counter()
                queries[name](word)
                timings[name].append(1000 * (time.perf_counter() - started))
    return timings


def _summary(timings: list[float]) -> dict[str, float]:
    return {
        "p50_ms": rnd(percentile(timings, 50), 3),
        "p95_ms": rnd(percentile(timings, 95), 3),
        "max_ms": rnd(max(timings), 3),
    }


def _fetch(conn: sqlite3.Connection, sql: str, word: str) -> list[Any]:
    return conn.execute(sql, [word]).fetchall()


# `queries.search()` as it was before issue 11 ("today" in the tables): every match joined to
# its article row and sorted by rank (bm25), the text's words each quoted.
_TODAY_SQL = """
    select a.id, a.url, a.title, a.published_at, a.byline,
           snippet(articles_fts, -1, '[', ']', '…', 16) as snippet,
           bm25(articles_fts) as rank
    from articles_fts join articles a on a.id = articles_fts.rowid
    where articles_fts match :query
      and (:since is null or a.published_at >= :since)
      and (:until is null or a.published_at < :until)
      and (:section is null or exists (
          select 1 from article_categories ac join categories c on c.id = ac.category_id
          where ac.article_id = a.id
            and (lower(c.name) = lower(:section)
                 or lower(replace(c.name, ' ', '-')) = lower(:section))))
    order by rank limit :limit
"""


def _today(conn: sqlite3.Connection, word: str) -> list[Any]:
    params = {"query": f'"{word}"', "since": None, "until": None, "section": None, "limit": 20}
    return conn.execute(_TODAY_SQL, params).fetchall()


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
        try:  # the package's own search (count, page, snippets), when this version has it
            from sqlite_utils import Database

            from newsarchive.storage.queries import Filters, search
        except ImportError:
            out["package_search"] = "newsarchive.storage.queries.search not there yet"
            return out
        database = Database(conn)  # read-only: search() creates only temp tables
        stemmed = _has_stem_index(conn)
        for kind in WORD_CLASSES:
            terms = [term for term, _ in words[kind]]
            # Today's query, the new search() and (when the archive has the stem index) the
            # same words through it (search --stem), side by side.
            variants: dict[str, Callable[[str], object]] = {
                "today": partial(_today, conn),
                "package_search": partial(search, database, filters=Filters(), limit=20),
            }
            if stemmed:
                variants["package_search_stem"] = partial(
                    search, database, filters=Filters(), limit=20, stem=True
                )
            for name, timings in _side_by_side(variants, terms, reps).items():
                out[f"{name}_{kind}"] = _summary(timings)
            # The first page, side by side: the same articles in the same order?
            pages = []
            for term in terms:
                new = search(database, term, Filters(), limit=20)
                old = [row[0] for row in _today(conn, term)]
                ids = [hit["id"] for hit in new.hits]
                pages.append({"word": term, "same": ids == old, "overlap": len(set(ids) & set(old)),
                              "ranked_among": new.ranked_among, "total": new.total})  # fmt: skip
            out[f"first_page_{kind}"] = pages
            if stemmed:
                out[f"stem_words_{kind}"] = [_stem_word(database, term) for term in terms]
        if not stemmed:
            out["package_search_stem"] = "no stem index in this archive (before migration m004)"
        out["bounded"] = _bounded_queries(conn, database, words, reps, stemmed)
        out.update(_canned(conn, words, reps))
    finally:
        conn.close()
    return out


def _has_stem_index(conn: sqlite3.Connection) -> bool:
    try:
        from newsarchive.storage.stems import STEM_TABLE
    except ImportError:
        return False
    found = conn.execute("select 1 from sqlite_master where name = ?", [STEM_TABLE]).fetchone()
    return found is not None


def _stem_word(database: Any, word: str) -> dict[str, Any]:
    """What a word becomes in stem mode, and how many articles each mode matches."""
    from newsarchive.storage.queries import Filters, search
    from newsarchive.storage.stems import stem_word

    plain = search(database, word, Filters(), limit=1).total
    stem = search(database, word, Filters(), limit=1, stem=True)
    return {"word": word, "stem": stem_word(word), "plain_total": plain, "stem_total": stem.total,
            "ranked_among": stem.ranked_among}  # fmt: skip


def _canned(
    conn: sqlite3.Connection, words: dict[str, list[tuple[str, int]]], reps: int
) -> dict[str, Any]:
    """The canned Datasette search (queries.CANNED_SEARCH_SQL, the grammar through
    register_search_function), beside the one `serve` ships now, when there is one."""
    from newsarchive.storage.queries import CANNED_SEARCH_SQL, register_search_function

    register_search_function(conn)
    variants = {"canned": CANNED_SEARCH_SQL}
    try:
        from newsarchive.serve import SEARCH_SQL

        variants["serve_canned"] = SEARCH_SQL
    except ImportError:
        pass
    out: dict[str, Any] = {}
    for name, sql in variants.items():
        for kind in WORD_CLASSES:
            terms = [term for term, _ in words[kind]]
            run = partial(lambda s, w: conn.execute(s, {"query": w}).fetchall(), sql)
            out[f"{name}_{kind}"] = _summary(_latencies(run, terms, max(3, reps // 4)))
    return out


def _bounded_queries(
    conn: sqlite3.Connection,
    database: Any,
    words: dict[str, list[tuple[str, int]]],
    reps: int,
    stemmed: bool = False,
) -> dict[str, Any]:
    """Queries that were pathological before issue 11 (400 `k*` took 78 s on 3,000 articles,
    10,000 characters of `a* ` over 9 minutes), and what the grammar's caps leave of them (also
    in stem mode, when the archive has the stem index); then filters and newest first on a
    common word. Through `search()`, median of `reps` runs."""
    from datetime import date

    from newsarchive.storage.queries import Filters, search

    conn.execute("create virtual table if not exists temp.bench_vocab using fts5vocab("
                 "main, 'articles_fts', 'row')")  # fmt: skip
    vocabulary = [str(t) for (t,) in conn.execute(
        "select term from temp.bench_vocab where term not glob '*[^a-z]*' and length(term) >= 4 "
        "order by doc desc limit 400")]  # fmt: skip
    prefixes = [str(p) for (p,) in conn.execute(
        "select substr(term, 1, 3) as p from temp.bench_vocab where term not glob '*[^a-z]*' "
        "group by p order by sum(doc) desc limit 5")]  # fmt: skip
    section = conn.execute(
        "select c.name from article_categories ac join categories c on c.id = ac.category_id "
        "group by c.id order by count(*) asc limit 1").fetchone()[0]  # fmt: skip
    common, rare = words["common"][0][0], words["rare"][0][0]
    cases: dict[str, tuple[str, Any, bool]] = {
        "400 x k*": (" ".join(["k*"] * 400), Filters(), False),
        "10,000 characters of a*": ("a* " * 3334, Filters(), False),
        "400 x k*, stem": (" ".join(["k*"] * 400), Filters(), False),
        "10,000 characters of a*, stem": ("a* " * 3334, Filters(), False),
        "12 most common words, stem": (" ".join(vocabulary[:12]), Filters(), False),
        "400 distinct common words": (" ".join(vocabulary), Filters(), False),
        "12 most common words": (" ".join(vocabulary[:12]), Filters(), False),
        "phrase of the 12 most common": ('"' + " ".join(vocabulary[:12]) + '"', Filters(), False),
        "12 common words OR-ed": (" OR ".join(vocabulary[:12]), Filters(), False),
        f"2 broadest prefixes ({prefixes[0]}* {prefixes[1]}*)":
            (f"{prefixes[0]}* {prefixes[1]}*", Filters(), False),
        "5 broad prefixes (cut to 2)": (" ".join(f"{p}*" for p in prefixes), Filters(), False),
        f"common word, smallest section ({section})": (common, Filters(section=section), False),
        "common word, since 2024 + section": (common, Filters(since=date(2024, 1, 1),
                                                              section=section), False),
        "common word, newest first": (common, Filters(), True),
        "rare word, newest first": (rare, Filters(), True),
        "common word -rare word": (f"{common} -{rare}", Filters(), False),
    }  # fmt: skip
    out: dict[str, Any] = {}
    for name, (text, filters, newest) in cases.items():
        stem = name.endswith(", stem")
        if stem and not stemmed:
            continue

        def run(
            text: str = text, filters: Any = filters, newest: bool = newest, stem: bool = stem
        ) -> Any:
            return search(database, text, filters, limit=20, newest_first=newest, stem=stem)

        result = run()
        timings = []
        for _ in range(max(3, reps // 4)):
            started = time.perf_counter()
            run()
            timings.append(1000 * (time.perf_counter() - started))
        out[name] = {"ms": rnd(statistics.median(timings), 2), "max_ms": rnd(max(timings), 2),
                     "terms": result.query.terms, "total": result.total,
                     "notice": result.query.notice()}  # fmt: skip
    # Worst case of the candidate ranking: article ids not in date order (a backfill crawled
    # newest first, then updates), so the candidates' rowid range is the whole archive and the
    # scan reads every match of the common word (scoring only the candidates).
    total = conn.execute("select count(*) from articles_fts where articles_fts match ?",
                         [f'"{common}"']).fetchone()[0]  # fmt: skip
    articles = conn.execute("select max(id) from articles").fetchone()[0]
    from newsarchive.storage.queries import CANDIDATES

    newest = -(-CANDIDATES * articles // total)
    if newest >= articles:  # a small archive: search() ranks every match, no candidates
        return out
    cutoff = conn.execute("select published_at from articles order by published_at desc "
                          "limit 1 offset ?", [newest - 1]).fetchone()[0]  # fmt: skip
    unbounded = """
        select id from (select f.rowid as id, bm25(articles_fts) as score from articles_fts f
                        where articles_fts match ? and +f.rowid in
                        (select id from articles where published_at >= ?))
        order by score, id limit 20
    """
    timings = []
    for _ in range(max(3, reps // 4)):
        started = time.perf_counter()
        conn.execute(unbounded, [f'"{common}"', cutoff]).fetchall()
        timings.append(1000 * (time.perf_counter() - started))
    out["candidates scan, ids not in date order (SQL only)"] = {
        "ms": rnd(statistics.median(timings), 2), "max_ms": rnd(max(timings), 2)}  # fmt: skip
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


def _fts_bytes(db: Path, read_only: bool = False) -> dict[str, int]:
    """Bytes of each full-text index's FTS5 shadow tables, from dbstat (after a checkpoint,
    unless `read_only`: dbstat sees the WAL's pages either way)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True) if read_only else sqlite3.connect(db)
    try:
        if not read_only:
            conn.execute("pragma wal_checkpoint(truncate)")
        found = conn.execute(
            "select name, sum(pgsize) from dbstat where name glob 'articles_fts*' "
            "or name glob 'articles_stem_fts*' group by name"
        ).fetchall()
    finally:
        conn.close()
    return {str(name): int(size) for name, size in found}


def index_sizes(db: Path, n: int) -> dict[str, Any]:
    """Each full-text index's KB per article: all its shadow tables, and without `_content`
    (the stem index keeps a copy of the stemmed text, the plain one reads `articles`)."""
    sizes = _fts_bytes(db, read_only=True)
    out: dict[str, Any] = {"bytes_by_table": sizes}
    for index in ("articles_fts", "articles_stem_fts"):
        mine = {k: v for k, v in sizes.items() if k.rsplit("_", 1)[0] == index}
        if mine:
            total = sum(mine.values())
            out[f"{index}_kb_per_article"] = rnd(total / max(1, n) / 1024, 3)
            out[f"{index}_kb_per_article_without_content"] = rnd(
                (total - mine.get(f"{index}_content", 0)) / max(1, n) / 1024, 3
            )
    return out


def stem_index(db: Path) -> dict[str, Any]:
    """The Indonesian stem index (issue 11, `articles_stem_fts`): stemming time per article
    (PySastrawi, cold and with the per-word cache warm), what one uncached word costs (to scale
    to a real archive's larger vocabulary), the index's size, and what filling it costs: the
    same work migration m004 does for an archive built before it, and `newsarchive reindex`."""
    try:
        from sqlite_utils import Database

        from newsarchive.storage import stems
    except ImportError:
        return {"skipped": "newsarchive.storage.stems not there yet"}

    def stemmed_all() -> float:
        started = time.perf_counter()
        for row in texts:
            for text in row:
                stems.stem_text(text)
        return time.perf_counter() - started

    before = _fts_bytes(db)  # as Archive.store left it, article by article
    database = Database(db)
    try:
        texts = database.execute("select title, subtitle, body from articles").fetchall()
        n = len(texts)
        vocabulary = sorted({w for row in texts for text in row if text for w in stems.words(text)})
        stems.clear_caches()
        cold_s = stemmed_all()
        warm_s = stemmed_all()
        stems.clear_caches()
        started = time.perf_counter()
        for word in vocabulary:
            stems.stem_word(word)
        per_word_ms = 1000 * (time.perf_counter() - started) / max(1, len(vocabulary))
        tokens = sum(len(stems.words(row[2] or "")) for row in texts) / max(1, n)
        with database.atomic():
            started = time.perf_counter()
            stems.rebuild_stem_index(database)
            fill_s = time.perf_counter() - started
        started = time.perf_counter()
        missing = stems.articles_without_stems(database)
        check_ms = 1000 * (time.perf_counter() - started)
        with database.atomic():
            started = time.perf_counter()
            stems.reindex(database)
            reindex_s = time.perf_counter() - started
    finally:
        database.close()
    after = _fts_bytes(db)

    def per_article(sizes: dict[str, int], prefix: str) -> float:
        total = sum(v for k, v in sizes.items() if k.startswith(prefix))
        return rnd(total / max(1, n) / 1024, 3)

    return {
        "articles": n,
        "body_words_per_article": rnd(tokens, 1),
        "distinct_words": len(vocabulary),
        "stem_ms_per_article_cold": rnd(1000 * cold_s / n, 4),
        "stem_ms_per_article_warm": rnd(1000 * warm_s / n, 4),
        "stem_ms_per_uncached_word": rnd(per_word_ms, 4),
        "fill_ms_per_article": rnd(1000 * fill_s / n, 4),
        "fill_s": rnd(fill_s, 2),
        "reindex_s": rnd(reindex_s, 2),
        "incomplete_check_ms": rnd(check_ms, 2),
        "incomplete_check_missing": missing,
        "stem_kb_per_article": per_article(before, "articles_stem_fts"),
        "stem_kb_per_article_after_reindex": per_article(after, "articles_stem_fts"),
        "plain_fts_kb_per_article": per_article(before, "articles_fts"),
        "stem_bytes_by_table": {k: v for k, v in before.items() if "stem" in k},
    }


def run(n: int = 100_000, reps: int = 20, command_reps: int = 3) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
        db = Path(tmp) / "archive.db"
        built = build(db, n)
        built["paths"] = insert_paths(min(n, 5_000))
        latency = search_latency(db, n, reps)
        cli = commands(db, latency["words"], command_reps)
        stemming = stem_index(db)  # last: its reindex merges the indexes searched above
    return {"build": built, "search": latency, "commands": cli,
            "targets": search_targets(latency, n), "stems": stemming}  # fmt: skip


def search_targets(latency: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """What a user gets: the package's search() (the raw bm25 query is in the table)."""
    targets = []
    for kind in ("common", "rare"):
        key = f"package_search_{kind}"
        key = key if isinstance(latency.get(key), dict) else f"fts_bm25_{kind}"
        p50 = latency[key]["p50_ms"]
        targets.append(target(f"storage: search() p50, {kind} words, {n} articles, ms",
                              p50, "< 20", p50 < 20))  # fmt: skip
        stem = latency.get(f"package_search_stem_{kind}")
        if isinstance(stem, dict):
            targets.append(target(f"storage: search(stem=True) p50, {kind} words, {n} articles, "
                                  "ms", stem["p50_ms"], "< 20", stem["p50_ms"] < 20))  # fmt: skip
    slowest = max((v["ms"] for v in latency.get("bounded", {}).values()), default=0.0)
    targets.append(target(f"storage: slowest capped or pathological search, {n} articles, ms",
                          slowest, "< 1000", slowest < 1000))  # fmt: skip
    return targets


def search_only(db: Path, reps: int = 20) -> dict[str, Any]:
    """The search part alone, on an archive already built (by `build`, or a crawl): build
    takes minutes at 100,000 articles, the search figures seconds. Read-only."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        n = int(conn.execute("select count(*) from articles").fetchone()[0])
    latency = search_latency(db, n, reps)
    return {"articles": n, "search": latency, "targets": search_targets(latency, n),
            "indexes": index_sizes(db, n)}  # fmt: skip


def _page(page: dict[str, Any]) -> str:
    same = "same" if page["same"] else f"{page['overlap']}/20 shared"
    among = page["ranked_among"]
    return f"{page['word']}: {same}" + (f" (ranked {among} of {page['total']})" if among else "")


def search_rows(s: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for kind in WORD_CLASSES:
        words = ", ".join(f"{w} ({d} docs)" for w, d in s["words"][kind])
        cells = []
        names = {"package_search": "search()", "package_search_stem": "search(stem)"}
        for variant in (*QUERIES, "today", *names, "canned", "serve_canned"):
            key = f"fts_{variant}_{kind}" if variant in QUERIES else f"{variant}_{kind}"
            if isinstance(s.get(key), dict):
                name = names.get(variant, variant)
                cells.append(f"{name} {s[key]['p50_ms']}/{s[key]['p95_ms']}")
        out.append((f"FTS {kind}: {words}", "p50/p95 ms: " + ", ".join(cells)))
        pages = s.get(f"first_page_{kind}")
        if pages:
            out.append((f"  first page vs today, {kind}", "; ".join(_page(p) for p in pages)))
        stems = s.get(f"stem_words_{kind}")
        if stems:
            out.append((f"  stem mode, {kind}", "; ".join(
                f"{w['word']} -> {w['stem']}: {w['stem_total']} matches ({w['plain_total']} plain)"
                for w in stems)))  # fmt: skip
    for name, figures in s.get("bounded", {}).items():
        extra = ""
        if "terms" in figures:
            extra = f", {figures['terms']} terms, {figures['total']} matches"
        out.append((f"  search() {name}", f"{figures['ms']} ms (max {figures['max_ms']}){extra}"))
    return out


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    b, s, c = result["build"], result["search"], result["commands"]
    out = [
        (f"store {b['articles']} articles via Archive.store",
         f"{b['inserts_per_s']}/s ({b['ms_per_insert']} ms each; by tenth "
         f"{b['inserts_per_s_by_tenth'][0]} -> {b['inserts_per_s_by_tenth'][-1]}/s), "
         f"{b['db_mb']} MB = {b['kb_per_article']} KB/article"),
    ]  # fmt: skip
    paths = b.get("paths")
    if paths:
        out.append((f"store {paths['articles']} articles, per article vs batches of "
                    f"{paths['batch']} (store_all)",
                    f"CPU {paths['per_article_cpu_ms']} vs {paths['batched_cpu_ms']} ms/article, "
                    f"wall {paths['per_article_wall_ms']} vs {paths['batched_wall_ms']} "
                    "ms/article"))  # fmt: skip
    out += search_rows(s)
    parts = [f"startup {c['startup_s']} s"]
    for key, value in c.items():
        if key not in ("available", "startup_s"):
            parts.append(f"{key} {value}")
    out.append(("CLI wall time (new process each)", ", ".join(parts)))
    st = result.get("stems", {})
    if "articles" in st:
        out.append((f"stem index (PySastrawi), {st['articles']} articles",
                    f"stemming {st['stem_ms_per_article_cold']} ms/article cold, "
                    f"{st['stem_ms_per_article_warm']} warm ({st['body_words_per_article']} "
                    f"body words, {st['distinct_words']} distinct, "
                    f"{st['stem_ms_per_uncached_word']} ms per uncached word); fill "
                    f"{st['fill_ms_per_article']} ms/article ({st['fill_s']} s), reindex "
                    f"{st['reindex_s']} s; {st['stem_kb_per_article']} KB/article "
                    f"({st['stem_kb_per_article_after_reindex']} after reindex; plain FTS "
                    f"{st['plain_fts_kb_per_article']})"))  # fmt: skip
    return out


if __name__ == "__main__":  # python -m benchmarks.storage ARCHIVE: the search part alone
    import json
    import sys

    from benchmarks.run import print_table

    figures = search_only(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 20)
    sizes = [(f"{index} KB/article", f"{kb} ({figures['indexes'][f'{index}_without_content']} "
              "without _content)") for index, kb in figures["indexes"].items()
             if index.endswith("_kb_per_article")]  # fmt: skip
    print_table([("storage", metric, value) for metric, value in search_rows(figures["search"])
                 + sizes])  # fmt: skip
    print_table([("target", t["name"], f"{t['value']} (want {t['target']}): "
                  f"{'met' if t['met'] else 'MISSED'}") for t in figures["targets"]])  # fmt: skip
    print(json.dumps(figures, ensure_ascii=False))
