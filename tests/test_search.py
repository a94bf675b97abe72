"""`search`: the query grammar, its caps, the ranking, and the command's output and exit codes.

Two real archives built through `Archive.store` (the pipeline's path): a handful of articles
written for the grammar, and a few thousand of the replica's for the caps and the ranking. The
command runs in a subprocess (tests/helpers.run_cli) for its messages and exit codes.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.items import Article
from newsarchive.storage import Archive
from newsarchive.storage import queries as q
from newsarchive.storage.queries import (
    CANNED_SEARCH_SQL,
    EmptyQuery,
    Filters,
    UnknownSection,
    parse_query,
    register_search_function,
    search,
)
from tests.helpers import ROOT, run_cli

FETCHED = datetime(2025, 1, 1, tzinfo=UTC).isoformat()

# The grammar archive: (title, body, section), published a day apart in this order.
WRITTEN = [
    ("Banjir Bandang Rendam Sintang", "Banjir bandang merendam Sintang. Kepala desa meminta bantuan.",
     "Kubu Raya"),
    ("Longsor di Bengkayang", "Longsor menutup jalan. Warga bergotong royong.", "Pontianak"),
    ("Banjir di Pontianak", "Banjir menggenangi jalan. Warga desa bertemu kepala dinas.",
     "Pontianak"),
    ("Kasus Covid-19 Menurun", "Kasus covid-19 di Kalbar menurun pekan ini.", "Pontianak"),
    ("Covid dan Hal Lain", "Soal covid ada 19 hal yang dibahas.", "Pontianak"),
    ("Pemerintah Membangun Jembatan", "Pemerintah membangun jembatan baru di Ketapang.",
     "Kubu Raya"),
    ("Pembangunan Pasar Dimulai", "Pembangunan pasar dimulai bulan ini.", "Pontianak"),
    ("Désa Wisata Ramai", "Désa wisata ramai dikunjungi.", "Kubu Raya"),
    ("Kopi Pagi", "Pilihan pagi: kopi or teh.", "Pontianak"),
]  # fmt: skip


def _article(i: int, title: str, body: str, section: str) -> Article:
    return Article(
        url=f"https://kalbaronline.com/2024/01/{i + 1:02d}/artikel-{i + 1}/",
        title=title,
        published_at=f"2024-01-{i + 1:02d}T08:00:00+07:00",
        date_source="jsonld",
        categories=[section],
        body=body,
        layout="newkarma",
        fetched_at=FETCHED,
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search-written") / "archive.db"
    with Archive(path) as archive:
        for i, (title, body, section) in enumerate(WRITTEN):
            archive.store(_article(i, title, body, section))
    return path


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 of the replica's articles (realistic Indonesian text), stored oldest first."""
    from tests.fakesite.dataset import Dataset

    path = tmp_path_factory.mktemp("search-replica") / "archive.db"
    dataset = Dataset(size=3000, seed=5)
    with Archive(path) as archive:
        for article in dataset.articles:
            archive.store(Article(**dataset.expected(article), fetched_at=FETCHED))
    return path


@pytest.fixture
def db(written: Path) -> Iterator[Any]:
    with Archive.open_read_only(written) as archive:
        yield archive.db


@pytest.fixture(scope="module")
def big(replica: Path) -> Iterator[Any]:
    with Archive.open_read_only(replica) as archive:
        yield archive.db


def found(db: Any, text: str, **options: Any) -> set[int]:
    """The numbers (1-based, as in WRITTEN) of the written articles `text` finds."""
    result = search(db, text, Filters(), limit=100, **options)
    assert result.total == len(result.hits)
    return {int(re.findall(r"artikel-(\d+)", hit["url"])[0]) for hit in result.hits}


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("search", *args, "--db", str(db))


# --- the grammar -------------------------------------------------------------------------------


def test_a_quoted_phrase_is_exact(db: Any) -> None:
    assert found(db, "kepala desa") == {1, 3}
    assert found(db, '"kepala desa"') == {1}
    assert found(db, "\u201ckepala desa\u201d") == {1}  # typographic quotes too
    assert found(db, '"desa wisata"') == {8}  # diacritics folded inside a phrase


def test_or_joins_two_terms_any_other_or_is_a_word(db: Any) -> None:
    assert found(db, "banjir OR longsor") == {1, 2, 3}
    assert found(db, "jalan banjir OR longsor") == {2, 3}
    assert found(db, '"kepala desa" OR longsor') == {1, 2}
    assert found(db, "kopi OR") == {9}  # nothing after it: the word "or"
    assert found(db, "banjir or longsor") == set()  # lower case: the word


def test_minus_excludes_a_word_or_a_phrase(db: Any) -> None:
    assert found(db, "banjir -sintang") == {3}
    assert found(db, 'banjir -"kepala desa"') == {3}
    assert found(db, "warga -desa -longsor") == set()
    assert found(db, "jalan -dinas") == {2}
    with pytest.raises(EmptyQuery, match="only excludes"):
        search(db, "-banjir", Filters())


def test_a_prefix_needs_three_letters(db: Any) -> None:
    assert found(db, "band*") == {1}
    assert found(db, "pemb*") == {7}
    query = parse_query("ba*")  # too short: the word itself
    assert query.fts() == '"ba"' and "a prefix needs 3 letters" in str(query.notice())
    assert found(db, "ba*") == set()


def test_punctuation_is_literal_text(db: Any) -> None:
    assert found(db, "covid-19") == {4}  # as FTS5 splits it: the phrase "covid 19"
    assert found(db, "covid 19") == {4, 5}
    for text in ("(banjir", "banjir)", "banjir:", "^banjir", "NEAR(banjir)", "banjir AND"):
        parse_query(text).fts()  # no syntax reaches FTS5
    assert found(db, "NOT banjir") == set()  # NOT is a word ("not"), not an operator


# Text made of the grammar's own characters, FTS5's syntax, and words of the archive.
TEXT = st.lists(
    st.sampled_from(['"', "\u201c", "\u201d", "-", "*", "(", ")", ":", "^", "+", " ", "  ",
                     "OR", "AND", "NOT", "NEAR", "banjir", "desa", "kep", "a", "\x00", "é",
                     "\u0301", "日本", "_", "'", "\\", "{", "}"])
    | st.text(max_size=5),
    max_size=30,
).map("".join)  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT, stem=st.booleans(), newest=st.booleans())
def test_no_input_raises(db: Any, text: str, stem: bool, newest: bool) -> None:
    try:
        result = search(db, text, Filters(), limit=5, newest_first=newest, stem=stem)
    except EmptyQuery:
        assert q.match_expression(text) == '""'
        return
    assert result.query.terms <= q.MAX_TERMS and result.query.prefixes <= q.MAX_PREFIXES
    assert len(result.hits) == min(5, result.total)
    notice = result.query.notice()
    assert notice is None or "\n" not in notice


# --- the caps ----------------------------------------------------------------------------------


def notice(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if "query cut" in line]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def test_four_hundred_short_prefixes_are_one_word(replica: Path) -> None:
    done = cli(replica, " ".join(["k*"] * 400))
    assert done.returncode in (0, 1), done.stderr
    assert "query cut to 1 of 400 terms" in notice(done)
    assert parse_query(" ".join(["k*"] * 400)).fts() == '"k"'


def test_ten_thousand_characters_of_a_star(replica: Path) -> None:
    text = "a* " * 3334
    assert len(text) > 10_000
    assert "query cut to 1 of 3334 terms" in notice(cli(replica, text))


def test_many_words_are_cut_to_the_cap(replica: Path, big: Any) -> None:
    words = [term for term, _ in _vocabulary(big)][:400]  # the archive's own, most common first
    assert len(words) == 400
    done = cli(replica, " ".join(words))
    assert f"query cut to {q.MAX_TERMS} of 400 terms" in notice(done)
    assert done.returncode in (0, 1)
    query = parse_query(" ".join(words))
    assert query.terms == q.MAX_TERMS and query.fts().count(" AND ") == q.MAX_TERMS - 1
    phrase = parse_query('"' + " ".join(words) + '"')  # a long phrase keeps its first words
    assert phrase.terms == q.MAX_TERMS and phrase.fts() == f'"{" ".join(words[: q.MAX_TERMS])}"'
    either = parse_query(" OR ".join(words))  # alternatives count too
    assert either.terms == q.MAX_TERMS and len(either.groups) == 1


def test_prefixes_are_capped_in_number_and_in_words(
    replica: Path, big: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "pon* ket* lan* mem* kub*"
    line = notice(cli(replica, text))
    assert f"at most {q.MAX_PREFIXES} prefix terms" in line and line.endswith("pon* ket*")
    assert parse_query(text).prefixes == q.MAX_PREFIXES
    # A prefix stands for its most frequent words, at most MAX_COMPLETIONS of them.
    prefix, words = next(
        (p, [t for t, _ in group])
        for p, group in _by_prefix(_vocabulary(big)).items()
        if len(group) >= 3
    )
    monkeypatch.setattr(q, "MAX_COMPLETIONS", 2)
    result = search(big, f"{prefix}*", Filters())
    (term,) = result.query.groups[0]
    assert term.completions == tuple(words[:2])  # the vocabulary is most frequent first
    assert f"{prefix}* stands for its 2 most frequent words of {len(words)}" in str(
        result.query.notice()
    )


def _by_prefix(vocabulary: list[tuple[str, int]]) -> dict[str, list[tuple[str, int]]]:
    groups: dict[str, list[tuple[str, int]]] = {}
    for term, docs in vocabulary:
        groups.setdefault(term[:3], []).append((term, docs))
    return groups


def test_a_prefix_finds_what_fts5_finds(big: Any) -> None:
    for text in ("pon*", "kep*", "ber* kalbar*", "kegiatan -ber*", "ters*"):
        expanded = search(big, text, Filters(), limit=10**6)
        native = parse_query(text).fts()  # FTS5's own prefix expansion
        sql = "select count(*) from articles_fts where articles_fts match ?"
        assert expanded.total == big.execute(sql, [native]).fetchone()[0], text
        assert expanded.total == len(expanded.hits)


# --- ranking, filters, newest first ------------------------------------------------------------

OLD_SQL = """
    select a.id from articles_fts join articles a on a.id = articles_fts.rowid
    where articles_fts match :query and {filters} order by rank, a.id limit :limit
"""


def _matches(big: Any, text: str) -> int:
    sql = "select count(*) from articles_fts where articles_fts match ?"
    return int(big.execute(sql, [parse_query(text).fts()]).fetchone()[0])


def _vocabulary(big: Any) -> list[tuple[str, int]]:
    big.execute("create virtual table if not exists temp.v using fts5vocab(main, 'articles_fts', "
                "'row')")  # fmt: skip
    sql = "select term, doc from temp.v where term glob '[a-z][a-z][a-z]*' order by doc desc"
    return [(str(t), int(d)) for t, d in big.execute(sql)]


def test_best_first_is_exactly_rank_up_to_the_candidates(big: Any) -> None:
    """A query with at most CANDIDATES matches: the first page is what `order by rank` over
    every match gives, and the count is exact."""
    words = [t for t, d in _vocabulary(big) if 20 < d <= q.CANDIDATES // 2][:8]
    assert len(words) >= 4
    for text in [*words, f"{words[0]} OR {words[1]}", f"{words[2]} -{words[3]}"]:
        for filters in (Filters(), Filters(section="pontianak", since=date(2019, 1, 1))):
            result = search(big, text, filters, limit=20)
            old = big.execute(OLD_SQL.format(filters=q._FILTERS),
                              {"query": parse_query(text).fts(), "limit": 20,
                               **filters.params()}).fetchall()  # fmt: skip
            assert result.total <= q.CANDIDATES
            assert [h["id"] for h in result.hits] == [r[0] for r in old], text
            assert result.ranked_among is None


@pytest.mark.parametrize("candidates", [q.CANDIDATES, 200])
def test_best_first_over_many_matches_ranks_the_newest(
    big: Any, candidates: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More matches than CANDIDATES: ranked among the matches in the newest articles (by
    publication date) that hold about CANDIDATES of them; the count stays exact."""
    monkeypatch.setattr(q, "CANDIDATES", candidates)
    common, matches = _vocabulary(big)[0]
    assert matches > q.CANDIDATES
    result = search(big, common, Filters(), limit=20)
    assert result.total == matches
    assert result.ranked_among is not None
    assert candidates // 2 <= result.ranked_among < matches
    articles = big.execute("select max(id) from articles").fetchone()[0]
    newest = -(-candidates * articles // matches)
    cutoff = big.execute(
        "select published_at from articles order by published_at desc, id desc limit 1 offset ?",
        [newest - 1],
    ).fetchone()[0]
    expected = big.execute(
        """select f.rowid, bm25(articles_fts) from articles_fts f join articles a
           on a.id = f.rowid where articles_fts match ? and a.published_at >= ?
           order by 2, 1""",
        [f'"{common}"', cutoff],
    ).fetchall()
    assert len(expected) == result.ranked_among
    assert [h["id"] for h in result.hits] == [r[0] for r in expected[:20]]
    assert [h["rank"] for h in result.hits] == [r[1] for r in expected[:20]]


@pytest.mark.parametrize("candidates", [q.CANDIDATES, 200])
def test_the_first_page_is_the_same_whatever_the_limit(
    big: Any, candidates: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A larger --limit shows more hits after the same first ones: the candidates best first,
    then the older matches best first; the largest limit shows every match once."""
    monkeypatch.setattr(q, "CANDIDATES", candidates)
    common, matches = _vocabulary(big)[0]
    first = [h["id"] for h in search(big, common, Filters(), limit=20).hits]
    for limit in (candidates - 1, candidates + 500, q.SQLITE_MAX_INT):
        result = search(big, common, Filters(), limit=limit)
        ids = [h["id"] for h in result.hits]
        assert ids[:20] == first
        assert len(ids) == len(set(ids)) == min(limit, matches)
        assert result.ranked_among is not None and result.total == matches
        ranked = result.ranked_among
        scores = [h["rank"] for h in result.hits]
        assert scores[:ranked] == sorted(scores[:ranked])
        assert scores[ranked:] == sorted(scores[ranked:])


@pytest.mark.parametrize("kind", ["common", "rare"])
def test_newest_first_is_by_date_over_every_match(big: Any, kind: str) -> None:
    vocabulary = _vocabulary(big)
    word = vocabulary[0][0] if kind == "common" else next(t for t, d in vocabulary if d < 50)
    for filters in (Filters(), Filters(section="kubu-raya", until=date(2024, 6, 30))):
        result = search(big, word, filters, limit=30, newest_first=True)
        sql = f"""select a.id from articles_fts f join articles a on a.id = f.rowid
                  where articles_fts match :query and {q._FILTERS}
                  order by a.published_at desc, a.id desc limit 30"""
        expected = [r[0] for r in big.execute(sql, {"query": f'"{word}"', **filters.params()})]
        assert [h["id"] for h in result.hits] == expected
        assert result.total == _matches_filtered(big, word, filters)


def _matches_filtered(big: Any, word: str, filters: Filters) -> int:
    sql = f"""select count(*) from articles_fts f join articles a on a.id = f.rowid
              where articles_fts match :query and {q._FILTERS}"""
    return int(big.execute(sql, {"query": f'"{word}"', **filters.params()}).fetchone()[0])


def test_an_unknown_section_lists_the_known_ones(db: Any, written: Path) -> None:
    with pytest.raises(UnknownSection) as raised:
        search(db, "banjir", Filters(section="sintang"))
    assert raised.value.known == ["Pontianak", "Kubu Raya"]  # most articles first
    done = cli(written, "banjir", "--section", "sintang")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "unknown section 'sintang'; known sections: Pontianak, Kubu Raya" in done.stderr
    assert cli(written, "banjir", "--section", "kubu-raya").returncode == 0


# --- the command -------------------------------------------------------------------------------


def test_the_count_comes_first(written: Path) -> None:
    done = cli(written, "banjir", "--limit", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "2 matches, showing 1; --limit N for more"
    assert done.stderr == ""
    done = cli(written, "banjir")
    assert done.stdout.splitlines()[0] == "2 matches"
    done = cli(written, "longsor", "--json")
    assert done.stderr == "1 match\n"
    assert [json.loads(line)["title"] for line in done.stdout.splitlines()] == [
        "Longsor di Bengkayang"
    ]


def test_no_match_is_exit_1_with_one_line(written: Path) -> None:
    for args in (("tsunami",), ("tsunami", "--json"), ("banjir", "--since", "2030-01-01")):
        done = cli(written, *args)
        assert done.returncode == 1, done.stderr
        assert done.stdout == ""
        assert done.stderr == "newsarchive search: no matches\n"


def test_nothing_to_search_for_is_a_usage_error(written: Path) -> None:
    for text in (" -banjir", "- -", "()", ""):
        done = cli(written, text)
        assert done.returncode == 2, (text, done.stderr)
        assert done.stderr.count("\n") == 1 and "search for" in done.stderr


def test_a_cut_query_says_so_once_and_still_answers(written: Path) -> None:
    done = cli(written, "banjir* " + " ".join(f"w{i}" for i in range(20)))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0].startswith("newsarchive search: query cut to 12 of 21")
    done = cli(written, "di* banjir")
    assert done.returncode == 0
    assert done.stderr == (
        "newsarchive search: query cut (a prefix needs 3 letters: di* searched as words): "
        "di banjir\n"
    )
    assert done.stdout.splitlines()[0] == "1 match"


def test_stem_matches_indonesian_stems(db: Any, written: Path) -> None:
    assert found(db, "pembangunan") == {7}
    assert found(db, "pembangunan", stem=True) == {6, 7}  # membangun: bangun
    assert found(db, '"membangun jembatan"', stem=True) == {6}  # a phrase: each word stemmed
    assert found(db, "bang*", stem=True) == {6, 7}  # a prefix of the stem
    assert found(db, "memb*", stem=True) == set()  # prefixes are not stemmed
    assert found(db, "dibangun -pasar", stem=True) == {6}
    done = cli(written, "pembangunan", "--stem", "--json")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2


# --- the same grammar in Datasette, and in the docs ---------------------------------------------


def test_the_canned_datasette_query_speaks_the_grammar(written: Path, replica: Path) -> None:
    conn = sqlite3.connect(f"file:{written}?mode=ro", uri=True)
    register_search_function(conn)
    for text in ('"kepala desa"', "banjir OR longsor", "banjir -sintang", "pemb*", "covid-19"):
        urls = {r[4] for r in conn.execute(CANNED_SEARCH_SQL, {"query": text})}
        with Archive.open_read_only(written) as archive:
            assert urls == {h["url"] for h in search(archive.db, text, Filters(), limit=50)}
    for text in ("", "-banjir", '"', "a\x00b", "NEAR(", "a* " * 4000):
        assert conn.execute(CANNED_SEARCH_SQL, {"query": text}).fetchall() == []
    conn.close()
    # The same first page as the command when the matches are few enough to rank them all.
    conn = sqlite3.connect(f"file:{replica}?mode=ro", uri=True)
    register_search_function(conn)
    with Archive.open_read_only(replica) as archive:
        for text in ("sengah", "landak sengah", "temila OR sompak"):
            page = conn.execute(CANNED_SEARCH_SQL, {"query": text}).fetchall()
            result = search(archive.db, text, Filters(), limit=50)
            assert [r[4] for r in page] == [h["url"] for h in result.hits], text
            assert page[0][0] == result.total
    conn.close()


def test_help_and_docs_state_the_grammar_and_its_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # as docs/cli.md was made
    env_help = run_cli("search", "--help").stdout
    for number in (q.MAX_TERMS, q.MAX_PREFIXES, q.MIN_PREFIX, q.MAX_COMPLETIONS, q.CANDIDATES):
        assert str(number) in env_help
    assert "At most 12 terms and 2 prefixes" in env_help  # the numbers in their places
    assert "3 letters at least" in env_help and "its 32 most frequent" in env_help
    assert "at most 2000, else" in env_help and "hold about 2000" in env_help
    assert "1    nothing matched" in env_help
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = doc.split("## newsarchive search", 1)[1].split("\n## ", 1)[0]
    assert section.split("```\n", 2)[1] == env_help  # the --help block, regenerated
    for example in ('"kepala desa"', "banjir OR longsor", "-jalan", "bangun*", "--stem"):
        assert example in section
