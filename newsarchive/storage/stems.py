"""Indonesian word stems for the second full-text index, `articles_stem_fts`.

`stem_text` turns an article's text (or a search query) into the stems of its words, so that
`pembangunan`, `membangun`, `dibangun` and `bangunan` all become `bangun`. The stemmer is
PySastrawi's (Nazief-Adriani / ECS with its dictionary of root words, MIT licence).

Words are split, lower-cased and stripped of diacritics the way the archive's other index
(`articles_fts`, FTS5 `unicode61 remove_diacritics 2`) does it, so a query stemmed here meets the
text exactly as it was indexed, and `désa` is `desa` in both indexes:

- a word is a run of letters and digits (Unicode L*, N*, and the private-use Co, as unicode61),
  plus the combining diacritics FTS5 folds (an accent typed as a separate code point stays in
  the word, then is dropped); everything else (`-`, `_`, `.`, quotes, emoji) separates words,
  so `anak-anak` is two words `anak anak`, as in `articles_fts`;
- only words of ASCII letters after folding are stemmed: numbers, `covid19`, words of other
  scripts pass through unchanged.

Known edges, left as they are: characters newer than SQLite's Unicode tables (emoji among
them) count as letters for unicode61 but separate words here. Both sides of a stem search go
through this module, so they still agree with each other.

Stems are cached per word: news text has a small vocabulary, and the stemmer costs about
0.02 ms a word against well under a microsecond for a cache hit (benchmarks/storage.py).

The index: `articles_stem_fts(title, subtitle, body)`, an FTS5 table holding the stemmed text,
rowid = `articles.id`. SQL triggers cannot call the stemmer, so newsarchive keeps it in sync
from Python (`Archive.store`, in the article's own transaction); a row written to `articles`
by any other program reaches it only through `newsarchive reindex`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

from newsarchive.storage.database import Database

STEM_TABLE = "articles_stem_fts"

# The combining marks FTS5's unicode61 (remove_diacritics 2) keeps inside a word and folds
# away; other combining marks separate words there (checked against SQLite 3.40's tokenizer).
_DIACRITICS = "\u0300-\u0304\u0306-\u030c\u030f\u0311\u031b\u0323-\u0328\u032d\u032e\u0330\u0331"
_WORD_RE = re.compile(rf"(?:[^\W_]|[\ue000-\uf8ff{_DIACRITICS}])+")
_STEMMABLE_RE = re.compile(r"[a-z]+")

# Distinct words kept per cache (least recently used go first): the replica's 100,000 articles
# use 1,500, real news some tens of thousands, most of them rare (names, numbers); at about
# 200 bytes an entry a full cache is ~13 MB, small beside a crawl's 150 MB.
CACHE_WORDS = 2**16


@cache
def _stemmer() -> Any:
    """PySastrawi's stemmer without its own cache (ours is bounded); loaded on first use: its
    dictionary of ~30,000 root words takes a few tens of milliseconds to read."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


def fold(word: str) -> str:
    """Lower-cased, diacritics removed (`Désa` -> `desa`), as FTS5 unicode61 does it."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", kept)


def words(text: str) -> list[str]:
    """The words of `text` as FTS5 unicode61 splits them, folded."""
    return [fold(word) for word in _WORD_RE.findall(text)]


@lru_cache(maxsize=CACHE_WORDS)
def _stem_folded(word: str) -> str:
    if not _STEMMABLE_RE.fullmatch(word):
        return word
    stem = str(_stemmer().stem_word(word))
    # The stemmer only removes affixes; should it ever return no word, keep the word itself.
    return stem if _STEMMABLE_RE.fullmatch(stem) else word


@lru_cache(maxsize=CACHE_WORDS)
def stem_word(word: str) -> str:
    """The stem of one word, as written: `Pembangunan` -> `bangun`. Text FTS5 would split into
    several words (`anak-anak`) gives the stems of its words, joined by a space."""
    return " ".join(_stem_folded(fold(part)) for part in _WORD_RE.findall(word))


def clear_caches() -> None:
    """Forget every cached stem (benchmarks measure the stemmer cold with it)."""
    stem_word.cache_clear()
    _stem_folded.cache_clear()


def stem_text(text: str | None) -> str:
    """Every word of `text` stemmed, in order, separated by single spaces ("" for None)."""
    if not text:
        return ""
    return " ".join(stem_word(word) for word in _WORD_RE.findall(text))


# --- the index ---------------------------------------------------------------------------------

# A regular FTS5 table (it keeps a copy of the stemmed text), not a contentless one: SQLite
# before 3.43 can delete a row from a contentless table only by repeating the exact tokens it
# was indexed with, so an update after a stemmer upgrade would corrupt it silently; the copy
# also lets an analyst see which stems an article was indexed under.
_CREATE = f"""
    create virtual table if not exists {STEM_TABLE}
    using fts5(title, subtitle, body, tokenize = 'unicode61 remove_diacritics 2')
"""
_INSERT = f"insert into {STEM_TABLE}(rowid, title, subtitle, body) values (?, ?, ?, ?)"
# Articles the index has no row for. Looked up in FTS5's own docsize table (one row per indexed
# rowid, an integer primary key): 24 ms at 100,000 articles, against 78 ms through the FTS5
# table's rowids.
_MISSING = f"""
    from articles a where not exists (
        select 1 from {STEM_TABLE}_docsize d where d.id = a.id)
"""
_BATCH = 500


StemRow = tuple[int, str | None, str | None, str | None]


def _stemmed(article_id: int, title: str | None, subtitle: str | None, body: str | None) -> StemRow:
    return (
        article_id,
        None if title is None else stem_text(title),
        None if subtitle is None else stem_text(subtitle),
        None if body is None else stem_text(body),
    )


def create_stem_index(db: Database) -> None:
    db.execute(_CREATE)


def index_article(
    db: Database, article_id: int, title: str | None, subtitle: str | None, body: str | None
) -> None:
    """(Re)index one article's stems; call inside the transaction that writes the article."""
    db.execute(f"delete from {STEM_TABLE} where rowid = ?", [article_id])
    db.execute(_INSERT, _stemmed(article_id, title, subtitle, body))


def fill_stem_index(db: Database) -> int:
    """Index every article that has no row in the stem index yet; returns how many."""
    missing = [row[0] for row in db.execute(f"select a.id {_MISSING} order by a.id")]
    for start in range(0, len(missing), _BATCH):
        ids = missing[start : start + _BATCH]
        marks = ", ".join("?" * len(ids))
        sql = f"select id, title, subtitle, body from articles where id in ({marks})"
        db.conn.executemany(_INSERT, [_stemmed(*row) for row in db.execute(sql, ids)])
    return len(missing)


def rebuild_stem_index(db: Database) -> int:
    """Drop the stem index and build it again from `articles`; returns the articles indexed.
    Run it in a transaction (and under the archive's lock)."""
    db.execute(f"drop table if exists {STEM_TABLE}")
    create_stem_index(db)
    return fill_stem_index(db)


def reindex(db: Database) -> int:
    """Rebuild both full-text indexes from `articles` (`articles_fts` and the stem index) and
    merge each into one b-tree; returns the articles indexed. Run it in a transaction, under
    the archive's lock. Also what repairs the stem index after another program wrote articles."""
    db.execute("insert into articles_fts(articles_fts) values ('rebuild')")
    done = rebuild_stem_index(db)
    for table in ("articles_fts", STEM_TABLE):
        db.execute(f"insert into {table}({table}) values ('optimize')")
    return done


def articles_without_stems(db: Database) -> int:
    """Articles the stem index lacks (all of them when the archive predates the index)."""
    exists = db.execute(
        "select 1 from sqlite_master where type = 'table' and name = ?", [STEM_TABLE]
    ).fetchone()
    if exists is None:
        return int(db.execute("select count(*) from articles").fetchone()[0])
    return int(db.execute(f"select count(*) {_MISSING}").fetchone()[0])
