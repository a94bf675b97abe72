"""`newsarchive serve` and the generated Datasette metadata, on a live server over loopback.

The archive is built by crawling the replica into a file with a name Datasette has to encode
(`Arsip Kalbar.db`, database `Arsip Kalbar`, URL `/Arsip+Kalbar`): nothing may assume
`kalbaronline`. Headless Chromium (Debian's `chromium`) takes screenshots of the front door, a
search and the canned search; they are kept under $NEWSARCHIVE_ARTIFACTS (set by .ci/run) or
pytest's temporary directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.serve import (
    BOOKKEEPING,
    FRONT_COLUMNS,
    SEARCH_SQL,
    build_metadata,
    database_name,
    front_door,
)
from newsarchive.storage.queries import register_search_function
from tests.fakesite import FakeSite
from tests.helpers import ROOT, count, crawl, rows, run_cli

if not os.environ.get("CI"):  # in CI the test extra brings Datasette: a missing one fails
    pytest.importorskip("datasette", reason="the `datasette` extra is not installed")

NAME = "Arsip Kalbar"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

# Text a person may type into a search box; none of it may reach FTS5 as syntax.
HOSTILE = [
    "", " ", '"', '""', "'", '"unbalanced', "(", "((a", "AND", "OR", "NOT", "a OR b AND",
    "-", "-a", "*", "a*", ":", "title:", "body:x", "NEAR(a b)", "'; drop table articles; --",
    "\\", "%", "^a", "{a}", "[a]", "pontianak)", 'kalbar"online', "ünïcödé", "日本",
    "a" * 500, "pontianak\x00", "\x00",
]  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("serve") / f"{NAME}.db"
    with FakeSite(articles=60, seed=11, page_size=10) as site:
        assert crawl(site, path, "--no-raw").returncode == 0
    yield path


def a_word(db: Path) -> tuple[str, int]:
    """A distinctive word of a stored title and how many articles contain it anywhere."""
    title = rows(db, "select title from articles order by id limit 1")[0]["title"]
    word = max(re.findall(r"\w+", title), key=len)
    sql = "select count(*) as n from articles_fts where articles_fts match ?"
    return word, int(rows(db, sql, f'"{word}"')[0]["n"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def no_proxy_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}


class Server:
    """The real `newsarchive serve` in a subprocess on 127.0.0.1, stopped by its pid."""

    def __init__(self, db: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newsarchive", "serve", "--db", str(db),
             "--port", str(self.port), *args],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT, env=env or no_proxy_env(),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.get("/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"serve did not start:\n{self.output()}")
            time.sleep(0.2)

    def get(self, path: str) -> tuple[int, str]:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def json(self, path: str) -> dict[str, object]:
        status, text = self.get(path)
        assert status == 200, text[:500]
        data: dict[str, object] = json.loads(text)
        return data

    def output(self) -> str:
        if not self.log.closed:
            self.log.seek(0)
            self.text = self.log.read().decode("utf-8", "replace")
        return self.text

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        self.output()
        self.log.close()
        return int(self.proc.returncode)


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[Server]:
    live = Server(db)
    yield live
    live.stop()


def q(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def table_rows(page: str) -> int:
    """Data rows of the page's table (0 when it shows none)."""
    body = page.split('<table class="rows-and-columns">', 1)
    if len(body) < 2:
        return 0
    return body[1].split("</table>", 1)[0].split("<tbody>", 1)[1].count("<tr")


# The generated metadata --------------------------------------------------------------------


def test_metadata_is_for_the_file_served(db: Path) -> None:
    metadata = build_metadata(db)
    assert list(metadata["databases"]) == [NAME] == [database_name(db)]
    tables = metadata["databases"][NAME]["tables"]
    assert next(iter(tables)) == "article_list"
    front = tables["article_list"]
    assert front["fts_table"] == "articles_fts" and front["fts_pk"] == "id"
    assert {"section", "month"} <= set(front["facets"])
    assert "body" not in front.get("columns", {})
    with sqlite3.connect(db) as conn:
        for table, spec in tables.items():
            columns = {c[1] for c in conn.execute("select * from pragma_table_info(?)", (table,))}
            assert columns, table
            assert set(spec.get("columns", {})) <= columns, table
            for facet in spec.get("facets", []):
                assert (facet if isinstance(facet, str) else next(iter(facet.values()))) in columns
        register_search_function(conn)  # the escape_fts() that `serve` gives Datasette
        for query in metadata["databases"][NAME]["queries"].values():
            conn.execute(query["sql"], {"query": "banjir"}).fetchall()  # plain SQLite runs them
    # `serve` lists months newest first, with its own facet type; plain Datasette gets a column.
    served = build_metadata(db, sorted_month_facet=True)["databases"][NAME]["tables"]
    assert {"descending": "month"} in served["article_list"]["facets"]


def test_canned_search_sql_lives_in_one_place() -> None:
    metadata_file = (ROOT / "datasette" / "metadata.json").read_text(encoding="utf-8")
    metadata = json.loads(metadata_file)
    assert metadata["databases"]["kalbaronline"]["queries"]["search"]["sql"] == SEARCH_SQL
    # Written once, in storage/queries.py, and shared by both canned searches.
    for module in ("serve.py", "cli.py", "storage/queries.py"):
        source = (ROOT / "newsarchive" / module).read_text(encoding="utf-8")
        assert source.count(" match (select expression") == (module == "storage/queries.py") * 2


def test_committed_metadata_is_the_generated_one(tmp_path: Path) -> None:
    from newsarchive.storage import Archive

    Archive(tmp_path / "kalbaronline.db").close()  # the default file name, current schema
    committed = json.loads((ROOT / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    assert committed == build_metadata(tmp_path / "kalbaronline.db"), (
        "regenerate: newsarchive datasette-metadata --db <new archive>/kalbaronline.db"
        " > datasette/metadata.json"
    )


def datasette_get(db: Path, metadata: Path, path: str) -> str:
    """One page from plain Datasette, run as the README says (`--get` instead of a browser)."""
    done = subprocess.run(
        [sys.executable, "-m", "datasette", "--immutable", str(db), "--metadata", str(metadata),
         "--setting", "truncate_cells_html", "240", "--get", path],
        capture_output=True, text=True, encoding="utf-8", timeout=120, env=no_proxy_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_datasette_metadata_command_and_readme_recipe(db: Path, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in (
        "datasette --immutable data/kalbaronline.db --metadata datasette/metadata.json",
        "newsarchive datasette-metadata --db copy.db > m.json",
        "datasette --immutable copy.db --metadata m.json",
    ):
        assert line in readme, line
    word, n = a_word(db)
    # A renamed copy needs metadata under its own stem, and gets it.
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    done = run_cli("datasette-metadata", "--db", str(copy))
    assert done.returncode == 0, done.stderr
    (tmp_path / "m.json").write_text(done.stdout, encoding="utf-8")
    assert list(json.loads(done.stdout)["databases"]) == ["copy"]
    page = datasette_get(copy, tmp_path / "m.json", f"/copy/article_list?_search={q(word)}")
    assert "The articles, newest first" in page  # the metadata applied
    assert f"{n} row" in page and table_rows(page) == n > 0
    assert "What the columns mean" in page
    # The committed file, for the default name.
    default = tmp_path / "kalbaronline.db"
    shutil.copy(db, default)
    page = datasette_get(default, ROOT / "datasette" / "metadata.json", "/kalbaronline/search?query=")
    assert "0 results" in page and "message-error" not in page
    done = run_cli("datasette-metadata", "--db", str(tmp_path / "none.db"))
    assert done.returncode == 2 and "no archive" in done.stderr


# The live server ---------------------------------------------------------------------------


def test_front_door(db: Path, server: Server) -> None:
    path = front_door(db)
    assert path.startswith("/Arsip+Kalbar/article_list?_col=published_at&_col=title")
    status, page = server.get(path)
    assert status == 200
    assert "message-error" not in page
    assert table_rows(page) == min(count(db, "articles"), 100)
    assert 'class="col-body' not in page  # the article text is not on the front door
    head = page.split('<table class="rows-and-columns">', 1)[1].split("</thead>", 1)[0]
    assert re.findall(r'data-column="(\w+)"', head) == list(FRONT_COLUMNS)
    assert 'id="_search"' in page  # full-text search on the view
    data = server.json(path.replace("article_list?", "article_list.json?") + "&_shape=objects")
    facets = data["facet_results"]
    assert isinstance(facets, dict) and {"section", "month", "byline"} <= set(facets)
    months = [v["value"] for v in facets["month"]["results"]]
    assert months == sorted(months, reverse=True) and len(months) == 6  # newest first
    assert facets["month"]["truncated"]
    newest = rows(db, "select max(substr(published_at, 1, 7)) as m from articles")[0]["m"]
    assert months[0] == newest
    published = [r["published_at"] for r in data["rows"]]  # type: ignore[attr-defined]
    assert published == sorted(published, reverse=True)
    assert "Start with" in server.get("/Arsip+Kalbar")[1]
    assert "Start with" in server.get("/")[1]


def test_search_on_the_front_door(db: Path, server: Server) -> None:
    word, n = a_word(db)
    status, page = server.get(front_door(db) + f"&_search={q(word)}")
    assert status == 200 and "message-error" not in page
    assert f"{n} row" in page and table_rows(page) == n > 0
    for text in HOSTILE:  # an emptied search box included
        status, page = server.get(front_door(db) + f"&_search={q(text)}")
        assert status == 200 and "message-error" not in page, repr(text)


def test_canned_search(db: Path, server: Server) -> None:
    word, n = a_word(db)
    status, page = server.get(f"/Arsip+Kalbar/search?query={q(word)}")
    assert status == 200 and "message-error" not in page
    assert table_rows(page) == min(n, 50) > 0
    data = server.json(f"/Arsip+Kalbar/search.json?query={q(word)}&_shape=objects")
    found = data["rows"]
    assert isinstance(found, list) and {r["matches"] for r in found} == {n}  # the count
    assert all(word.lower() in (r["title"] + r["snippet"]).lower() for r in found)
    for path in ("/Arsip+Kalbar/search", "/Arsip+Kalbar/search?query="):
        status, page = server.get(path)
        assert status == 200 and "message-error" not in page
        assert table_rows(page) == 0 and "0 results" in page


@pytest.mark.parametrize("text", HOSTILE)
def test_canned_search_takes_any_text(server: Server, text: str) -> None:
    data = server.json(f"/Arsip+Kalbar/search.json?query={q(text)}&_shape=objects")
    assert data["ok"] is True, data.get("error")


def test_articles_keeps_the_body_and_hides_bookkeeping(db: Path, server: Server) -> None:
    status, page = server.get("/Arsip+Kalbar/articles")
    assert status == 200 and "message-error" not in page
    assert table_rows(page) == min(count(db, "articles"), 100)
    assert 'class="col-body' in page
    css = urllib.parse.unquote(
        re.search(r'<link rel="stylesheet" href="data:text/css;charset=utf-8,([^"]+)"', page)[1]  # type: ignore[index]
    )
    hidden = css.split("{ display: none; }")
    assert any(all(f".col-{c}" in rule for c in BOOKKEEPING) for rule in hidden)
    assert any("dl.column-descriptions" in rule for rule in hidden)
    # The descriptions are in a closed box and in each column's menu, not above the rows.
    assert '<details class="columns"><summary>What the columns mean' in page
    assert 'data-column-description="SHA-256 of the content fields"' in page


def test_serve_is_read_only(db: Path, server: Server) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for path in ("/Arsip+Kalbar/articles", "/Arsip+Kalbar/search?query=x", front_door(db)):
        assert server.get(path)[0] == 200
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    databases = server.json("/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [(NAME, False)]  # type: ignore[attr-defined, index]
    assert "immutable" in server.output()


def test_serve_sees_a_write_ahead_log(db: Path, tmp_path: Path) -> None:
    # A writer still has the archive open (a crawl running): its last articles are only in the
    # -wal file, which --immutable would not read. serve falls back to read-only connections.
    copy = tmp_path / f"{NAME}.db"
    shutil.copy(db, copy)
    writer = sqlite3.connect(copy)
    try:
        writer.execute("pragma journal_mode = wal")
        writer.execute("pragma wal_autocheckpoint = 0")
        writer.execute("update articles set title = 'Judul baru di WAL' where id = 1")
        writer.commit()
        assert Path(f"{copy}-wal").stat().st_size > 0
        live = Server(copy)
        try:
            found = live.json("/Arsip+Kalbar/articles.json?id=1&_shape=objects")["rows"]
            assert [r["title"] for r in found] == ["Judul baru di WAL"]  # type: ignore[attr-defined]
            databases = live.json("/-/databases.json")
            assert [d["is_mutable"] for d in databases] == [True]  # type: ignore[attr-defined, index]
            assert "write-ahead log" in live.output()
        finally:
            live.stop()
    finally:
        writer.close()


# A real browser ----------------------------------------------------------------------------


def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = os.environ.get("NEWSARCHIVE_ARTIFACTS")
    if root:
        folder = Path(root) / "serve-screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("serve-screenshots")


def chromium(url: str, screenshot: Path) -> str:
    """Load `url` in headless Chromium: save a screenshot, return the DOM as rendered."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1366,900",
             f"--screenshot={screenshot}", "--dump-dom", url],
            capture_output=True, text=True, encoding="utf-8", timeout=120, env=no_proxy_env(),
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return done.stdout


def test_screenshots_in_a_browser(
    db: Path, server: Server, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium: .ci/run installs it")
        pytest.skip("no chromium (apt-get install chromium; .ci/run installs it): no screenshots")
    folder = artifacts(tmp_path_factory)
    word, n = a_word(db)
    pages = {
        "front.png": front_door(db),
        "search.png": front_door(db) + f"&_search={q(word)}",
        "canned-search.png": f"/Arsip+Kalbar/search?query={q(word)}",
        "canned-search-empty.png": "/Arsip+Kalbar/search?query=",
    }
    for name, path in pages.items():
        dom = chromium(server.base + path, folder / name)
        assert "message-error" not in dom, name
        expected = {"front.png": min(count(db, "articles"), 100), "search.png": n,
                    "canned-search.png": min(n, 50), "canned-search-empty.png": 0}[name]  # fmt: skip
        assert table_rows(dom) == expected, name
    print(f"screenshots: {folder}")


# The command -------------------------------------------------------------------------------


def test_open_starts_a_browser_on_the_front_door(db: Path, tmp_path: Path) -> None:
    # webbrowser runs $BROWSER with the URL as its one argument.
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > "{opened}"\n', encoding="utf-8")
    browser.chmod(0o755)
    env = {**no_proxy_env(), "BROWSER": str(browser)}
    live = Server(db, "--open", env=env)
    try:
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert opened.read_text() == live.base + front_door(db)
    finally:
        code = live.stop()
    assert code in (0, -signal.SIGTERM, 128 + signal.SIGTERM), live.output()
    assert "Traceback" not in live.output()


@pytest.mark.parametrize(
    "args, message",
    [
        (("--port", "0"), "not a port number"),
        (("--port", "http"), "not a port number"),
        (("--port", "70000"), "not a port number"),
    ],
)
def test_bad_serve_arguments_exit_2(db: Path, args: tuple[str, ...], message: str) -> None:
    done = run_cli("serve", "--db", str(db), *args)
    assert done.returncode == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_on_a_port_in_use_exits_2(db: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = run_cli("serve", "--db", str(db), "--port", str(busy.getsockname()[1]))
    assert done.returncode == 2 and "cannot listen on 127.0.0.1:" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_without_an_archive_exits_2(tmp_path: Path) -> None:
    done = run_cli("serve", "--db", str(tmp_path / "none.db"))
    assert done.returncode == 2 and "no archive" in done.stderr
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("command", ["serve", "datasette-metadata"])
@pytest.mark.parametrize("kind", ["csv file", "directory", "/dev/null", "empty path"])
def test_a_db_that_is_no_archive_is_one_line_exit_2(
    tmp_path: Path, command: str, kind: str
) -> None:
    paths = {"csv file": tmp_path / "articles.csv", "directory": tmp_path,
             "/dev/null": Path("/dev/null")}  # fmt: skip
    (tmp_path / "articles.csv").write_text("url,title\nhttps://kalbaronline.com/x/,X\n")
    db = str(paths[kind]) if kind in paths else ""
    done = run_cli(command, "--db", db)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""
