"""Read queries for analysts: full-text search, statistics, streaming exports.

Every value from the user reaches SQLite as a bound parameter; search text is turned into an
FTS5 query of quoted words, so quotes, operators and parentheses in it are only words.
"""

from __future__ import annotations

import json
import re
import sqlite3
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, TypeVar

from newsarchive.items import FIELD_KINDS, FIELD_NAMES, ValueKind, value_kind
from newsarchive.storage.database import Database
from newsarchive.storage.schema import ARTICLE_COLUMNS

# What an export carries, with what each column holds: the article's fields (kinds read off
# the Article's annotations), then storage's own bookkeeping (kinds read off the table's).
_STORAGE_EXTRAS = (
    "content_hash", "revision", "first_seen_at", "last_seen_at", "last_changed_at",
    "parser_version", "removed_at", "removed_status",
)  # fmt: skip
EXPORT_KINDS: dict[str, ValueKind] = {
    **FIELD_KINDS,
    **{name: value_kind(ARTICLE_COLUMNS[name], name) for name in _STORAGE_EXTRAS},
}
EXPORT_COLUMNS = tuple(EXPORT_KINDS)
# Stored as JSON arrays of strings.
LIST_COLUMNS = tuple(name for name, kind in EXPORT_KINDS.items() if kind == "list")

# The largest number SQLite takes as an INTEGER (signed 64 bits): the ceiling for `--limit`.
SQLITE_MAX_INT = 2**63 - 1

# The filters every analyst command shares; `section` matches a category name or its slug.
_FILTERS = """
    (:since is null or a.published_at >= :since)
    and (:until is null or a.published_at < :until)
    and (:section is null or exists (
        select 1 from article_categories ac join categories c on c.id = ac.category_id
        where ac.article_id = a.id
          and (lower(c.name) = lower(:section)
               or lower(replace(c.name, ' ', '-')) = lower(:section))))
"""


# --- search: the query grammar -----------------------------------------------------------------
#
# One grammar for `newsarchive search`, `search()` and the canned Datasette query (through
# `match_expression`): words (all must match), "an exact phrase", `OR` between two terms,
# `-word` or `-"a phrase"` to exclude, `word*` for a prefix. Everything else is literal text:
# every word reaches FTS5 inside double quotes, so no input is FTS5 syntax, and no input raises
# but EmptyQuery (nothing to search for). The caps bound what one query costs: every term is a
# doclist FTS5 reads, and a prefix stands for every word it begins.

MAX_TERMS = 12  # words searched in one query, a phrase's words included
MAX_PREFIXES = 2  # `word*` terms in one query
MIN_PREFIX = 3  # letters before the `*`; a shorter prefix (`a*`) is searched as the word
MAX_COMPLETIONS = 32  # words one prefix stands for, at most: its most frequent ones
# Best first ranks (bm25) about this many matches at most, the newest by publication date:
# scoring every match of a word in 90% of 100,000 articles takes 0.1-0.25 s, 2,000 of them a
# few ms. A query with no more matches is ranked exactly as `order by rank` over all of them.
CANDIDATES = 2000

_QUOTES = '"\u201c\u201d\u201e'  # " and the typographic quotes phones and word processors type
_TOKEN_RE = re.compile(rf"(-?)[{_QUOTES}]([^{_QUOTES}]*)[{_QUOTES}](\*?)|(\S+)")
# The last character of a word (letters, digits, private use, the diacritics unicode61 folds).
_WORD_END_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f\ue000-\uf8ff])$")
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")


class EmptyQuery(ValueError):
    """The search text holds no word to search for."""


class UnknownSection(ValueError):
    """`section` is no section (category name or slug) of the archive; `known` lists them."""

    def __init__(self, section: str, known: list[str]) -> None:
        self.section = section
        self.known = known
        shown = ", ".join(known[:30]) + (f", … ({len(known) - 30} more)" if len(known) > 30 else "")
        listed = f"known sections: {shown} (a name or its slug)" if known else "no sections yet"
        super().__init__(f"unknown section {_shorten(repr(section), 60)}; {listed}")


@dataclass(frozen=True)
class Term:
    """One word, or a phrase's words in order; `prefix`: the last word is a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    # The words a one-word prefix stands for, from the index's vocabulary (`search()` looks
    # them up); None lets FTS5 expand the prefix itself (slower: it merges every word's list).
    completions: tuple[str, ...] | None = None

    def text(self) -> str:
        """The term in the grammar: `word`, `"two words"`, `word*`."""
        body = " ".join(self.words)
        return (f'"{body}"' if len(self.words) > 1 else body) + ("*" if self.prefix else "")

    def fts(self) -> str:
        """The term in FTS5's syntax: its words always inside double quotes."""
        if self.prefix and self.completions is not None:
            if not self.completions:
                return '""'  # the empty phrase: matches nothing
            alternatives = " OR ".join(f'"{word}"' for word in self.completions)
            return f"({alternatives})" if len(self.completions) > 1 else alternatives
        return f'"{" ".join(self.words)}"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    """A parsed search: every group must match (any one of its terms), no excluded term may."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    given: int = 0  # words the text held
    cuts: tuple[str, ...] = ()  # why less is searched than was typed, one clause each

    @property
    def terms(self) -> int:
        """Words searched (a phrase's words each count)."""
        every = [t for group in self.groups for t in group] + list(self.excluded)
        return sum(len(t.words) for t in every)

    @property
    def prefixes(self) -> int:
        every = [t for group in self.groups for t in group] + list(self.excluded)
        return sum(t.prefix for t in every)

    def text(self) -> str:
        """The query as searched, in the grammar."""
        groups = [" OR ".join(t.text() for t in group) for group in self.groups]
        return " ".join(groups + [f"-{t.text()}" for t in self.excluded])

    def fts(self) -> str:
        """The FTS5 MATCH expression: explicit AND, OR and NOT between quoted terms."""
        groups = []
        for group in self.groups:
            inner = " OR ".join(t.fts() for t in group)
            groups.append(f"({inner})" if len(group) > 1 else inner)
        positive = " AND ".join(groups)
        if not self.excluded:
            return positive
        return f"({positive}) NOT ({' OR '.join(t.fts() for t in self.excluded)})"

    def notice(self) -> str | None:
        """One line saying how the query was cut, or None when all of it is searched."""
        if not self.cuts:
            return None
        n = self.terms
        counts = f" to {n} of {self.given} terms" if n < self.given else ""
        return f"query cut{counts} ({'; '.join(self.cuts)}): {_shorten(self.text(), 100)}"

    def stemmed(self) -> Query:
        """Every word replaced by its Indonesian stem (storage/stems.py), a phrase's words
        each; a prefix's last word stays as typed."""
        from newsarchive.storage.stems import stem_word

        def stem(term: Term) -> Term:
            last = len(term.words) - 1
            words: list[str] = []
            for i, word in enumerate(term.words):
                if term.prefix and i == last:
                    words.append(word)
                else:
                    words += stem_word(word).split() or [word]
            return replace(term, words=tuple(words))

        groups = _unique(tuple(_unique(stem(t) for t in group)) for group in self.groups)
        excluded = tuple(_unique(stem(t) for t in self.excluded))
        return replace(self, groups=tuple(groups), excluded=excluded)


_T = TypeVar("_T")


def _unique(items: Iterable[_T]) -> list[_T]:
    return list(dict.fromkeys(items))


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def parse_query(text: str) -> Query:
    """Parse search text in the grammar (see the comment above), with the caps applied.

    Raises EmptyQuery when no word is left to find (no words at all, or only exclusions)."""
    from newsarchive.storage.stems import words as split_words

    items: list[tuple[bool, Term] | None] = []  # (excluded, term); None is an OR
    given = 0
    short: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        minus, phrase, star, token = match.groups()
        if token is None:  # "a quoted phrase", maybe -"excluded", maybe "a prefix"*
            excluded, body, prefix = bool(minus), phrase, bool(star)
        elif token == "OR":
            items.append(None)
            continue
        else:
            excluded = len(token) > 1 and token[0] == "-" and token[1] not in "-*"
            body = token[1:] if excluded else token
            stripped = body.rstrip("*")
            prefix = stripped != body and bool(_WORD_END_RE.search(stripped))
        words = tuple(w for w in split_words(body) if w)
        if not words:  # punctuation only: nothing to search for
            continue
        given += len(words)
        if prefix and len(words[-1]) < MIN_PREFIX:
            short.append(f"{words[-1]}*")
            prefix = False
        items.append((excluded, Term(words, prefix)))

    # `a OR b`: an OR between two terms to find joins them; any other OR is the word "or".
    clauses: list[tuple[bool, tuple[Term, ...]]] = []
    repeats = False
    i = 0
    while i < len(items):
        item = items[i]
        if item is None:
            given += 1
            item = (False, Term(("or",)))
        i += 1
        excluded, term = item
        group = [term]
        while not excluded and i + 1 < len(items) and items[i] is None:
            following = items[i + 1]
            if following is None or following[0]:
                break
            group.append(following[1])
            i += 2
        repeats |= len(_unique(group)) < len(group)
        clauses.append((excluded, tuple(_unique(group))))
    # A term or group typed twice is searched once (`a OR b b OR a` is one group).
    first: dict[tuple[bool, frozenset[Term]], tuple[bool, tuple[Term, ...]]] = {}
    for excluded, terms in clauses:
        first.setdefault((excluded, frozenset(terms)), (excluded, terms))
    unique = list(first.values())
    repeats |= len(unique) < len(clauses)

    budget, prefixes = MAX_TERMS, MAX_PREFIXES
    too_many = too_many_prefixes = False
    groups: list[tuple[Term, ...]] = []
    exclusions: list[Term] = []
    for excluded, terms in unique:
        kept: list[Term] = []
        for term in terms:
            if term.prefix and prefixes == 0:
                too_many_prefixes = True
                continue
            if budget == 0:
                too_many = True
                continue
            if len(term.words) > budget:  # a long phrase keeps its first words
                term = Term(term.words[:budget])
                too_many = True
            prefixes -= term.prefix
            budget -= len(term.words)
            kept.append(term)
        if excluded:
            exclusions += kept
        elif kept:
            groups.append(tuple(kept))

    cuts = []
    if short:
        shown = ", ".join(_unique(short)[:3]) + (", …" if len(set(short)) > 3 else "")
        cuts.append(f"a prefix needs {MIN_PREFIX} letters: {shown} searched as words")
    if too_many:
        cuts.append(f"at most {MAX_TERMS} terms")
    if too_many_prefixes:
        cuts.append(f"at most {MAX_PREFIXES} prefix terms (word*)")
    if cuts and repeats:
        cuts.append("repeated terms searched once")
    if not groups:
        if exclusions:
            raise EmptyQuery(
                f"nothing to search for in {_shorten(repr(text), 60)}: -word only excludes; "
                "add a word to find"
            )
        raise EmptyQuery(f"no words to search for in {_shorten(repr(text), 60)}")
    return Query(tuple(groups), tuple(exclusions), given, tuple(cuts))


def fts_query(text: str) -> str:
    """User text as an FTS5 MATCH expression, in the grammar above (prefixes left to FTS5).
    Raises EmptyQuery when there is nothing to search for."""
    return parse_query(text).fts()


def match_expression(text: object) -> str:
    """`fts_query` for an SQL function (the canned Datasette query): total, any text (or
    none) gives an expression; one with nothing to search for matches nothing."""
    if not isinstance(text, str):
        return '""'
    try:
        return fts_query(text)
    except EmptyQuery:
        return '""'


# The SQL function the canned Datasette search calls. Datasette itself defines escape_fts()
# (every word quoted: safe, but no grammar), so the same SQL runs on plain Datasette; `serve`
# replaces it by match_expression (register_search_function in its plugin's
# prepare_connection hook), which gives the canned query and the tables' search box the
# grammar and its caps.
SEARCH_FUNCTION = "escape_fts"


def register_search_function(conn: sqlite3.Connection, name: str = SEARCH_FUNCTION) -> None:
    """Make `name(text)` compute match_expression(text) in SQL on `conn`."""
    conn.create_function(name, 1, match_expression, deterministic=True)


# The canned search: best match first (FTS5's rank: bm25) over all the matches, the 50 best
# scored and snipped inside FTS5 before the join, so only the page's rows are read (a snippet
# for every match takes over a second at 100,000 articles); `matches` counts them all. The
# `case` is for Datasette's own escape_fts(), which gives '' for text without a word and lets a
# NUL byte through (FTS5 reads it as the end of its input); '""' matches nothing.
def _canned_search_sql(table: str) -> str:
    return f"""
with q(expression) as (
  select case when instr(:query, x'00') > 0 or {SEARCH_FUNCTION}(:query) = '' then '""'
              else {SEARCH_FUNCTION}(:query) end
),
m as (
  select rowid as id, rank, snippet({table}, -1, '[', ']', '…', 16) as snippet
  from {table} where {table} match (select expression from q)
  order by rank limit 50
)
select (select count(*) from {table} where {table} match (select expression from q))
         as matches,
       a.published_at, a.title, m.snippet, a.url
from m join articles a on a.id = m.id
order by m.rank, m.id
""".strip()


CANNED_SEARCH_SQL = _canned_search_sql("articles_fts")
# The same over the stemmed index: Datasette cannot stem what is typed, so people type stems
# (`bangun` finds pembangunan, membangun, dibangun); the snippet shows stemmed text.
CANNED_STEM_SEARCH_SQL = _canned_search_sql("articles_stem_fts")


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    section: str | None = None

    def params(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self._before(),
            "section": self.section,
        }

    def _before(self) -> str | None:
        """The exclusive upper bound: the day after `until`, so the whole last day is included
        (in the site's local time: stored dates are +07:00). No day follows 9999-12-31, and
        every stored date (a four-digit year) is on or before it: no bound then."""
        if self.until is None or self.until == date.max:
            return None
        return (self.until + timedelta(days=1)).isoformat()


@dataclass(frozen=True)
class SearchResult:
    """One page of a search: the hits (iterating the result gives them), how many articles
    match in all, the query as searched, and how the page was ranked."""

    hits: list[dict[str, Any]]
    total: int
    query: Query
    # Best first over more than CANDIDATES matches: the first this many hits are ranked among
    # the newest matches (by publication date), the rest after them (None: all ranked).
    ranked_among: int | None = None
    notes: tuple[str, ...] = ()  # one line each, for the user (an incomplete stem index)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


# The section test of _FILTERS, as the set of the section's article ids.
_SECTION_IDS = """
    select article_id from article_categories where category_id in (
        select id from categories
        where lower(name) = lower(:section) or lower(replace(name, ' ', '-')) = lower(:section))
"""


def _allowed(params: dict[str, Any]) -> str | None:
    """The ids of the articles the filters let through (the same tests as _FILTERS), as SQL
    reading no article row (the dates come from the published_at index, the section from its
    links); None when no filter is set."""
    dates = [
        test
        for name, test in (("since", "published_at >= :since"), ("until", "published_at < :until"))
        if params[name]
    ]
    if dates:
        # `+id`: the published_at index, not a lookup of each of the section's rows.
        section = [f"+id in ({_SECTION_IDS})"] if params["section"] is not None else []
        return f"select id from articles where {' and '.join(dates + section)}"
    if params["section"] is not None:
        return _SECTION_IDS
    return None


def _rowid_in(ids: str | None) -> str:
    """`ids` as a condition on the FTS5 rowid: the unary + keeps FTS5 from taking the IN as
    rowid lookups (a full query per id); SQLite builds the set once and probes it per match."""
    return f" and +f.rowid in ({ids})" if ids else ""


# One test of an article against the query (newest first) costs about this many matches
# sorted by date.
_PROBE_COST = 10


def search(
    db: Database,
    text: str,
    filters: Filters,
    limit: int = 20,
    newest_first: bool = False,
    stem: bool = False,
) -> SearchResult:
    """Search the archive with `text` in the grammar above: best match (bm25) first, or newest
    first; `stem` matches Indonesian word stems (`pembangunan` finds `membangun`) through the
    stem index.

    Best first ranks all the matches when there are at most CANDIDATES of them, else about
    CANDIDATES of the newest (by publication date), then the older ones (see _best). Raises
    EmptyQuery (nothing to search for) and UnknownSection (a section the archive lacks)."""
    query = parse_query(text)
    table, notes = "articles_fts", []
    if stem:
        from newsarchive.storage.stems import STEM_TABLE

        query, table = query.stemmed(), STEM_TABLE
        missing = _stem_gap(db, STEM_TABLE)
        if missing:
            notes.append(
                f"the stem index lacks {missing} article{'' if missing == 1 else 's'}; "
                "`newsarchive reindex` adds them"
            )
    if filters.section is not None:
        check_section(db, filters.section)
    query = _expand_prefixes(db, table, query)
    limit = min(limit, SQLITE_MAX_INT)  # a larger Python int does not fit an SQLite INTEGER
    params = {"query": query.fts(), **filters.params()}
    allowed = _allowed(params)
    where = f"{table} match :query" + _rowid_in(allowed)
    ranked_among = None
    total = _count(db, table, where, params)
    scores: dict[int, float] | None = None  # newest first: _hits scores the page itself
    if not total:
        ids: list[int] = []
    elif newest_first:
        ids = _newest(db, table, where, params, limit, total)
    else:
        scored, ranked_among = _best(db, table, where, allowed, params, limit, total)
        ids, scores = [i for i, _ in scored], dict(scored)
    hits = _hits(db, table, ids, params["query"], scores)
    return SearchResult(hits, total, query, ranked_among, tuple(notes))


def _count(db: Database, table: str, where: str, params: dict[str, Any]) -> int:
    return int(db.execute(f"select count(*) from {table} f where {where}", params).fetchone()[0])


def _best(
    db: Database,
    table: str,
    where: str,
    allowed: str | None,
    params: dict[str, Any],
    limit: int,
    total: int,
) -> tuple[list[tuple[int, float]], int | None]:
    """Page ids and scores best first (bm25, ties in rowid order as `order by rank` has them),
    and how many matches were ranked when not all of them.

    At most CANDIDATES matches: all are ranked, as `order by rank` would. More: the matches
    among the newest articles (publication date, filters applied), as many articles as hold
    about CANDIDATES matches at the archive's rate (more when they hold fewer than half that),
    then, when `limit` asks for more hits than that, the older matches, best first: a page's
    first hits are the same whatever the limit. The candidates' ids also bound the scan's
    rowid range, so when ids follow dates (articles archived as they appear) the scan reads
    little more than the candidates; at worst it reads every match, scoring only those."""
    window = CANDIDATES
    rank = f"""
        select id, count(*) over (), score from (
            select f.rowid as id, bm25({table}) as score from {table} f where {where}{{newer}})
        order by score, id limit :limit
    """
    params = {**params, "limit": limit}
    articles = _articles(db, allowed, params)
    newest = max(window, -(-window * articles // total))  # ceil(window * articles / total)
    while newest < articles:
        newer = db.execute(
            f"""select published_at from articles where {f"+id in ({allowed})" if allowed else 1}
                order by published_at desc, id desc limit 1 offset :n""",
            {**params, "n": newest - 1},
        ).fetchone()
        if newer is None or newer[0] is None:
            break
        bounds = "select min(id), max(id) from articles where published_at >= :cutoff"
        lo, hi = db.execute(bounds, {"cutoff": newer[0]}).fetchone()
        candidates = (
            "f.rowid between :lo and :hi and +f.rowid in "
            "(select id from articles where published_at >= :cutoff)"
        )
        window_params = {**params, "cutoff": newer[0], "lo": lo, "hi": hi}
        page = db.execute(rank.format(newer=f" and {candidates}"), window_params).fetchall()
        ranked = int(page[0][1]) if page else 0
        if ranked >= window // 2 or ranked == total:
            scored = [(int(row[0]), float(row[2])) for row in page]
            if len(scored) < limit and ranked < total:  # the older matches after these
                rest = {**window_params, "limit": limit - len(scored)}
                older = db.execute(rank.format(newer=f" and not ({candidates})"), rest)
                scored += [(int(row[0]), float(row[2])) for row in older]
            return scored, (ranked if ranked < total else None)
        newest = max(2 * newest, -(-newest * window // max(ranked, 1)))
    page = db.execute(rank.format(newer=""), params).fetchall()
    return [(int(row[0]), float(row[2])) for row in page], None


def _articles(db: Database, allowed: str | None, params: dict[str, Any]) -> int:
    """Articles the filters let through (unfiltered: the highest id, as good and instant)."""
    sql = f"select count(*) from ({allowed})" if allowed else "select max(id) from articles"
    return int(db.execute(sql, params).fetchone()[0] or 0)


def _newest(
    db: Database, table: str, where: str, params: dict[str, Any], limit: int, total: int
) -> list[int]:
    """Page ids newest first (published_at, then id). Many matches: walk the articles by date
    (an index) and test each against the query until the page is full, about
    limit x articles / matches tests; few: sort the matches by date."""
    articles = int(db.execute("select coalesce(max(id), 0) from articles").fetchone()[0])
    if _PROBE_COST * limit * articles < total * total:
        sql = f"""
            select a.id from articles a
            where {_FILTERS} and exists (
                select 1 from {table} f where {table} match :query and f.rowid = a.id)
            order by a.published_at desc, a.id desc limit :limit
        """
    else:
        sql = f"""
            select f.rowid from {table} f join articles a on a.id = f.rowid where {where}
            order by a.published_at desc, a.id desc limit :limit
        """
    return [int(row[0]) for row in db.execute(sql, {**params, "limit": limit})]


def _hits(
    db: Database, table: str, ids: list[int], match: str, scores: dict[int, float] | None
) -> list[dict[str, Any]]:
    """The page's articles in the order of `ids`, each with its snippet and bm25 score (from
    `scores`, else computed here: bm25's first call reads the whole doclist of each term):
    one pass over the matches between the lowest and highest id."""
    if not ids:
        return []
    params = {"query": match, "ids": json.dumps(ids), "lo": min(ids), "hi": max(ids)}
    score = "null" if scores is not None else f"bm25({table})"
    sql = f"""
        select f.rowid, snippet({table}, -1, '[', ']', '…', 16), {score} from {table} f
        where {table} match :query and f.rowid between :lo and :hi
          and +f.rowid in (select value from json_each(:ids))
    """
    found = {int(row[0]): (row[1], row[2]) for row in db.execute(sql, params)}
    sql = """
        select id, url, title, published_at, byline from articles
        where id in (select value from json_each(:ids))
    """
    rows = {int(row["id"]): row for row in db.query(sql, params)}
    scores = scores if scores is not None else {i: found[i][1] for i in found}
    return [
        {**rows[i], "snippet": found[i][0] or "", "rank": scores[i]}
        for i in ids
        if i in rows and i in found
    ]


def _expand_prefixes(db: Database, table: str, query: Query) -> Query:
    """Each one-word prefix replaced by the words it stands for, from the index's vocabulary,
    at most MAX_COMPLETIONS (the most frequent): an OR of words costs FTS5 a fraction of
    expanding the prefix itself (which merges every word's list, at every use). Left to FTS5
    when the vocabulary cannot be read (or the prefix is not plain letters and digits, which
    this module and unicode61 might fold apart)."""
    every = [t for group in query.groups for t in group] + list(query.excluded)
    prefixes = _unique(t for t in every if t.prefix and len(t.words) == 1)
    prefixes = [t for t in prefixes if _ASCII_WORD_RE.fullmatch(t.words[0])]
    if not prefixes:
        return query
    vocab = f"temp.newsarchive_vocab_{table}"
    try:
        db.execute(
            f"create virtual table if not exists {vocab} using fts5vocab(main, '{table}', 'row')"
        )
    except sqlite3.Error:
        return query
    cuts, expanded = list(query.cuts), {}
    sql = f"select term, doc from {vocab} where term >= :prefix and term < :prefix || char(1114111)"
    for term in prefixes:
        prefix = term.words[0]
        words = sorted(db.execute(sql, {"prefix": prefix}).fetchall(), key=lambda r: (-r[1], r[0]))
        if len(words) > MAX_COMPLETIONS:
            cuts.append(
                f"{prefix}* stands for its {MAX_COMPLETIONS} most frequent words of {len(words)}"
            )
        expanded[term] = replace(term, completions=tuple(w for w, _ in words[:MAX_COMPLETIONS]))
    return replace(
        query,
        groups=tuple(tuple(expanded.get(t, t) for t in group) for group in query.groups),
        excluded=tuple(expanded.get(t, t) for t in query.excluded),
        cuts=tuple(cuts),
    )


def _stem_gap(db: Database, table: str) -> int:
    """Articles the stem index lacks, by counting its rows (FTS5's docsize table: one per
    indexed article, cheap to count, unlike the index itself); 0 when it cannot tell."""
    try:
        indexed = db.execute(f"select count(*) from {table}_docsize").fetchone()[0]
    except sqlite3.Error:
        return 0
    return max(0, int(db.execute("select count(*) from articles").fetchone()[0]) - int(indexed))


def known_sections(db: Database) -> list[str]:
    """The archive's sections (category names), those with the most articles first."""
    sql = """
        select c.name from categories c left join article_categories ac on ac.category_id = c.id
        group by c.id order by count(ac.article_id) desc, c.name
    """
    return [str(row[0]) for row in db.execute(sql)]


def check_section(db: Database, section: str) -> None:
    """Raise UnknownSection unless `section` is a category name or slug (as _FILTERS tests)."""
    sql = """
        select 1 from categories c
        where lower(c.name) = lower(:section) or lower(replace(c.name, ' ', '-')) = lower(:section)
        limit 1
    """
    if db.execute(sql, {"section": section}).fetchone() is None:
        raise UnknownSection(section, known_sections(db))


def export_rows(db: Database, filters: Filters) -> Iterator[dict[str, Any]]:
    """Articles oldest first, one at a time (a cursor, not a list: constant memory)."""
    columns = ", ".join(f"a.{c}" for c in EXPORT_COLUMNS)
    sql = f"select {columns} from articles a where {_FILTERS} order by a.published_at, a.id"
    for row in db.query(sql, filters.params()):
        for name in LIST_COLUMNS:
            row[name] = json.loads(row[name]) if row[name] else []
        yield row


# Layout drift: the fields whose fill rate `stats` follows month by month (`_filled` is the
# SQL test of each). `published_time` is `published_at` with a time of day: a day-only date
# is stored as midnight, so 00:00:00 counts as no time.
DRIFT_FIELDS = ("byline", "published_time", "subtitle", "image_url", "tags", "reporter")
# The usual level of a field is the median of its monthly rates over the months with at least
# DRIFT_MIN_ARTICLES articles (no usual level with fewer than DRIFT_MIN_MONTHS such months);
# such a month is flagged when its rate is more than DRIFT_POINTS under the usual level. At 50
# articles a month a 20-point drop is nearly three standard deviations of chance (rates
# near 50%): a real change of layout, not noise; smaller months are shown but never flagged.
DRIFT_MIN_ARTICLES = 50
DRIFT_MIN_MONTHS = 3
DRIFT_POINTS = 0.20


def _filled(name: str) -> str:
    if name == "published_time":
        return "substr(published_at, 12, 8) not in ('', '00:00:00')"
    empty = "'[]'" if name in LIST_COLUMNS else "''"
    return f"{name} is not null and {name} != {empty}"


def stats(db: Database, runs: int = 10) -> dict[str, Any]:
    total = db.execute("select count(*) from articles").fetchone()[0]
    fill = {}
    for name in FIELD_NAMES:
        filled = db.execute(f"select count(*) from articles where {_filled(name)}").fetchone()[0]
        fill[name] = round(filled / total, 4) if total else None
    per_month = _fill_rates_per_month(db)
    usual = _usual_levels(per_month)
    return {
        "articles": total,
        "revisions": db.execute("select count(*) from article_revisions").fetchone()[0],
        # Marked removed by the site (404/410, or a redirect away): kept, and counted here.
        "removed": db.execute(
            "select count(*) from articles where removed_at is not null"
        ).fetchone()[0],
        "last_coverage": next(iter(db.query(
            """select id, checked_at, listed, archived, missing, unlisted, removed, completeness
               from coverage_runs order by id desc limit 1""")), None),
        "per_section": _pairs(db, """
            select c.name, count(*) from article_categories ac
            join categories c on c.id = ac.category_id group by c.name order by 2 desc, 1"""),
        "per_month": _pairs(db, """
            select substr(published_at, 1, 7), count(*) from articles
            group by 1 order by 1 desc"""),
        "per_byline": _pairs(db, """
            select coalesce(byline, '(none)'), count(*) from articles
            group by 1 order by 2 desc, 1"""),
        "fill_rates": fill,
        "fill_rates_per_month": per_month,
        "usual_fill_rates": usual,
        "drift": _drift(per_month, usual),
        "drift_rule": {
            "min_articles": DRIFT_MIN_ARTICLES, "min_months": DRIFT_MIN_MONTHS,
            "points": DRIFT_POINTS,
        },
        "failures_by_stage": _pairs(db, """
            select stage, count(*) from failures group by stage order by 2 desc"""),
        "last_runs": list(db.query(
            """select id, command, started_at, finished_at, status, exit_code, pages_fetched,
                      articles_new, articles_updated, articles_unchanged, failures
               from crawl_runs order by id desc limit ?""", [runs])),
    }  # fmt: skip


def _pairs(db: Database, sql: str) -> dict[str, int]:
    return {str(key): int(value) for key, value in db.execute(sql).fetchall()}


def _fill_rates_per_month(db: Database) -> dict[str, dict[str, Any]]:
    """{"YYYY-MM": {"articles": n, field: rate, ...}} for DRIFT_FIELDS, oldest month first."""
    sums = ", ".join(f"sum(coalesce({_filled(name)}, 0))" for name in DRIFT_FIELDS)
    sql = f"""
        select substr(published_at, 1, 7), count(*), {sums} from articles
        where published_at is not null group by 1 order by 1"""
    table: dict[str, dict[str, Any]] = {}
    for month, articles, *filled in db.execute(sql).fetchall():
        rates = {name: round(n / articles, 4) for name, n in zip(DRIFT_FIELDS, filled, strict=True)}
        table[str(month)] = {"articles": int(articles), **rates}
    return table


def _usual_levels(per_month: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """Per field, the median monthly rate over the months large enough to judge (see
    DRIFT_MIN_ARTICLES); None while there are fewer than DRIFT_MIN_MONTHS of them."""
    judged = [rates for rates in per_month.values() if rates["articles"] >= DRIFT_MIN_ARTICLES]
    if len(judged) < DRIFT_MIN_MONTHS:
        return dict.fromkeys(DRIFT_FIELDS)
    return {name: round(statistics.median(r[name] for r in judged), 4) for name in DRIFT_FIELDS}


def _drift(
    per_month: dict[str, dict[str, Any]], usual: dict[str, float | None]
) -> list[dict[str, Any]]:
    """[{"month", "field", "rate", "usual"}]: each judged month's field more than
    DRIFT_POINTS under its usual level, oldest month first."""
    flags = []
    for month, rates in per_month.items():
        if rates["articles"] < DRIFT_MIN_ARTICLES:
            continue
        for name in DRIFT_FIELDS:
            level = usual[name]
            if level is not None and round(level - rates[name], 4) > DRIFT_POINTS:
                flags.append({"month": month, "field": name, "rate": rates[name], "usual": level})
    return flags


# --- what `newsarchive report` charts beyond stats() --------------------------------------


def per_month_per_section(db: Database) -> dict[str, dict[str, int]]:
    """Articles per section and month: {section: {"YYYY-MM": n}}, the biggest section first,
    months oldest first. An article in two sections counts in both (as stats' per_section)."""
    sql = """
        select c.name, substr(a.published_at, 1, 7) as month, count(*) as n
        from article_categories ac
        join categories c on c.id = ac.category_id
        join articles a on a.id = ac.article_id
        group by c.name, month order by month
    """
    table: dict[str, dict[str, int]] = {}
    for name, month, n in db.execute(sql).fetchall():
        table.setdefault(str(name), {})[str(month)] = int(n)
    return dict(sorted(table.items(), key=lambda item: (-sum(item[1].values()), item[0])))


def layout_per_month(db: Database) -> dict[str, dict[str, int]]:
    """Which page class parsed the articles of each month: {"YYYY-MM": {layout: n}}, months
    oldest first (a new layout taking over is how a redesign of the site shows)."""
    sql = """
        select substr(published_at, 1, 7) as month, coalesce(layout, '(none)'), count(*)
        from articles group by 1, 2 order by 1, 3 desc, 2
    """
    table: dict[str, dict[str, int]] = {}
    for month, layout, n in db.execute(sql).fetchall():
        table.setdefault(str(month), {})[str(layout)] = int(n)
    return table


def failures_per_run(db: Database, runs: int = 60) -> list[dict[str, Any]]:
    """The last `runs` runs, oldest first, each with its failures counted by stage:
    [{"id", "command", "started_at", "status", "failures": {stage: n}}]; a run without
    failures has an empty dict."""
    sql = """
        select r.id, r.command, r.started_at, r.status, f.stage, count(f.id)
        from (select * from crawl_runs order by id desc limit :runs) r
        left join failures f on f.run_id = r.id
        group by r.id, f.stage order by r.id, f.stage
    """
    by_run: dict[int, dict[str, Any]] = {}
    for run_id, command, started_at, status, stage, n in db.execute(sql, {"runs": runs}):
        run = by_run.setdefault(int(run_id), {
            "id": int(run_id), "command": command, "started_at": started_at,
            "status": status, "failures": {},
        })  # fmt: skip
        if stage is not None or n:
            run["failures"][stage or "(none)"] = int(n)
    return list(by_run.values())
