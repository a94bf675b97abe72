"""Read commands open the archive read-only (issue 11, item 1) and start light (item 8).

Every read command (`search`, `stats`, `export`, `extract --warc`) runs as the real CLI in a
subprocess on a copy of a real archive, crawled from the replica, placed where nothing can be
written: on a small tmpfs remounted read-only, or as a file bind-mounted read-only in a writable
folder. Mounts, because the tests run as root and permission bits do not stop root's SQLite.
Where mounting is impossible the tests skip with a one-line reason; in CI (env CI set) they
fail instead, so the guarantee is never silently untested there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import NoReturn

import pytest
from sqlite_utils import Database

from newsarchive.storage.archive import Archive
from newsarchive.storage.schema import migrations
from tests.fakesite import FakeSite
from tests.helpers import ROOT, crawl, run_cli

EXIT_USAGE = 2

# Every read command, as arguments; `{db}`, `{out}`, `{warc}` and `{offset}` are filled in.
READS: dict[str, tuple[str, ...]] = {
    "search": ("search", "pontianak", "--db", "{db}"),
    "search-json": ("search", "pontianak", "--json", "--limit", "500", "--db", "{db}"),
    "stats": ("stats", "--db", "{db}"),
    "stats-json": ("stats", "--json", "--db", "{db}"),
    "export-csv": ("export", "--format", "csv", "--output", "{out}.csv", "--db", "{db}"),
    "export-jsonl": ("export", "--format", "jsonl", "--output", "{out}.jsonl", "--db", "{db}"),
    "export-parquet": (
        "export", "--format", "parquet", "--output", "{out}.parquet", "--db", "{db}",
    ),
    "extract-warc": ("extract", "--warc", "{warc}", "--offset", "{offset}"),
}  # fmt: skip


# --- mounts -----------------------------------------------------------------------------------


def _cannot_mount(reason: str) -> NoReturn:
    message = f"cannot make a read-only mount here ({reason})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI must run the read-only tests (root or CAP_SYS_ADMIN)")
    pytest.skip(message)


def _mount(*args: str) -> None:
    try:
        done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    except OSError as exc:
        _cannot_mount(f"mount: {exc}")
    if done.returncode != 0:
        _cannot_mount(f"mount {' '.join(args[:3])}: {done.stderr.strip() or done.returncode}")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def _assert_read_only(path: Path) -> None:
    probe = path / "probe" if path.is_dir() else path
    with pytest.raises(OSError):
        probe.open("ab").close()


class Tmpfs:
    """A small tmpfs: filled while writable, then `seal()`ed (remounted read-only)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def seal(self) -> None:
        _mount("-o", "remount,ro", str(self.path))
        _assert_read_only(self.path)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Tmpfs]:
    folder = tmp_path / "ro"
    folder.mkdir()
    _mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder))
    try:
        yield Tmpfs(folder)
    finally:
        _umount(folder)


@pytest.fixture
def read_only_file() -> Iterator[Callable[[Path], None]]:
    """Makes one file read-only where it is (a read-only bind mount of itself); its folder
    stays writable."""
    mounted: list[Path] = []

    def make(path: Path) -> None:
        _mount("--bind", str(path), str(path))
        mounted.append(path)
        _mount("-o", "remount,ro,bind", str(path))
        _assert_read_only(path)
        assert os.access(path.parent, os.W_OK)

    yield make
    for path in reversed(mounted):
        _umount(path)


# --- the archive and what the read commands print from it -------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real archive with its WARC folder, crawled once; every test works on copies."""
    path = tmp_path_factory.mktemp("read-only") / "site" / "archive.db"
    path.parent.mkdir()
    with FakeSite(articles=24, seed=11, page_size=10) as site:
        done = crawl(site, path)
    assert done.returncode == 0, done.stderr
    assert list((path.parent / "warc").glob("*.warc.gz")), "the crawl kept no WARC file"
    assert path.read_bytes()[18:20] == b"\x02\x02", "the archive is not in WAL mode"
    return path


def copy_archive(built: Path, folder: Path) -> Path:
    """The archive's folder (archive, lock, warc/) copied into `folder`."""
    shutil.copytree(built.parent, folder, dirs_exist_ok=True)
    return folder / built.name


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under `folder`: its bytes' hash and its mtime."""
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def a_warc_record(db: Path) -> tuple[Path, int]:
    """Where the first article's raw page is, read while the archive is still writable."""
    with closing(sqlite3.connect(db)) as conn:
        name, offset = conn.execute(
            "select warc_file, warc_offset from articles order by id limit 1"
        ).fetchone()
    return db.parent / "warc" / name, int(offset)


def read_everything(db: Path, out: Path, warc: Path, offset: int) -> dict[str, str]:
    """Run every read command on `db`; each must succeed. Returns what each produced (stdout,
    or the export file's content)."""
    out.mkdir(parents=True, exist_ok=True)
    produced: dict[str, str] = {}
    fill = {"{db}": str(db), "{out}": str(out / "export"), "{warc}": str(warc),
            "{offset}": str(offset)}  # fmt: skip
    for name, template in READS.items():
        args = list(template)
        for key, value in fill.items():
            args = [arg.replace(key, value) for arg in args]
        done = run_cli(*args)
        assert done.returncode == 0, (name, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        produced[name] = done.stdout
        if name.startswith("export-"):
            produced[name] = _exported(Path(args[args.index("--output") + 1]))
    return produced


def _exported(path: Path) -> str:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return json.dumps(pq.read_table(path).to_pylist(), default=str, sort_keys=True)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def expected(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What every read command produces on a writable copy, with sanity checks of its own."""
    folder = tmp_path_factory.mktemp("writable")
    db = copy_archive(built, folder / "site")
    warc, offset = a_warc_record(db)
    produced = read_everything(db, folder / "out", warc, offset)
    articles = json.loads(produced["stats-json"])["articles"]
    assert articles == 24
    assert produced["search-json"].strip(), "the search found nothing"
    assert len(produced["export-jsonl"].splitlines()) == articles
    assert json.loads(produced["extract-warc"])["url"].startswith("http://127.0.0.1:")
    return produced


def assert_same_reads(got: dict[str, str], expected: dict[str, str]) -> None:
    for name in READS:
        assert got[name] == expected[name], f"{name} printed something else"


# --- read-only placements ---------------------------------------------------------------------


def test_every_read_command_on_a_read_only_mount(
    built: Path, expected: dict[str, str], tmpfs: Tmpfs, tmp_path: Path
) -> None:
    """No -shm can be created on a read-only mount: the archive is read as immutable."""
    db = copy_archive(built, tmpfs.path)
    warc, offset = a_warc_record(db)
    tmpfs.seal()
    before = snapshot(tmpfs.path)

    got = read_everything(db, tmp_path / "out", warc, offset)

    assert_same_reads(got, expected)
    assert snapshot(tmpfs.path) == before


def test_every_read_command_on_a_read_only_file_in_a_writable_folder(
    built: Path, expected: dict[str, str], read_only_file: Callable[[Path], None], tmp_path: Path
) -> None:
    """The folder could take a -wal and -shm, but nothing can write the file: it is read as
    immutable and no -wal or -shm is left beside it."""
    db = copy_archive(built, tmp_path / "site")
    warc, offset = a_warc_record(db)
    read_only_file(db)
    before = snapshot(db.parent)

    got = read_everything(db, tmp_path / "out", warc, offset)

    assert_same_reads(got, expected)
    assert snapshot(db.parent) == before  # no -wal, no -shm: the folder as it was


def _copy_with_changes_in_the_wal(built: Path, work: Path, into: Path, shm: bool) -> None:
    """Copy the archive with its -wal (and -shm when asked) while a writer holds changes not yet
    checkpointed into the file: the first article's title starts with `Walkata`."""
    db = copy_archive(built, work)
    with closing(sqlite3.connect(db)) as writer:
        writer.execute("pragma wal_autocheckpoint = 0")
        writer.execute(
            "update articles set title = 'Walkata ' || title where id = (select min(id) from articles)"
        )
        writer.commit()
        assert Path(f"{db}-wal").stat().st_size > 0
        ignore = None if shm else shutil.ignore_patterns("*-shm")
        shutil.copytree(work, into, dirs_exist_ok=True, ignore=ignore)


def test_a_read_only_mount_with_wal_and_shm_reads_the_changes_in_the_wal(
    built: Path, expected: dict[str, str], tmpfs: Tmpfs, tmp_path: Path
) -> None:
    _copy_with_changes_in_the_wal(built, tmp_path / "work", tmpfs.path, shm=True)
    db = tmpfs.path / built.name
    assert {p.name for p in tmpfs.path.iterdir()} >= {f"{db.name}-wal", f"{db.name}-shm"}
    tmpfs.seal()
    before = snapshot(tmpfs.path)

    done = run_cli("search", "walkata", "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    hits = [json.loads(line) for line in done.stdout.splitlines()]
    assert [hit["title"].split()[0] for hit in hits] == ["Walkata"]  # read from the -wal
    done = run_cli("stats", "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["articles"] == json.loads(expected["stats-json"])["articles"]
    assert snapshot(tmpfs.path) == before


def test_a_read_only_mount_with_a_wal_but_no_shm_is_refused_in_one_line(
    built: Path, tmpfs: Tmpfs, tmp_path: Path
) -> None:
    """Read as immutable it would silently miss the changes in the -wal; refused instead."""
    _copy_with_changes_in_the_wal(built, tmp_path / "work", tmpfs.path, shm=False)
    db = tmpfs.path / built.name
    tmpfs.seal()
    before = snapshot(tmpfs.path)
    for command in ("stats", "search"):
        args = ("search", "walkata") if command == "search" else ("stats",)
        done = run_cli(*args, "--db", str(db))
        assert done.returncode == EXIT_USAGE, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
        assert f"{db.name}-wal" in done.stderr and "-shm" in done.stderr
        assert done.stdout == ""
    assert snapshot(tmpfs.path) == before


# --- an archive older than the code -----------------------------------------------------------


def _older_archive(path: Path) -> str:
    """An archive made by the code before its newest migration (whatever that one is); returns
    that migration's name."""
    newest = migrations.pending(Database(memory=True))[-1].name
    with closing(sqlite3.connect(path)) as conn:
        db = Database(conn)
        db.enable_wal()
        migrations.apply(db, stop_before=newest)
        assert db.table("articles").exists(), "the oldest schema has no articles table"
    return newest


def _pending(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)) as c:
        return [m.name for m in migrations.pending(Database(c))]


PLACEMENTS = ("writable-folder", "read-only-mount", "read-only-file")


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_an_older_archive_is_named_never_migrated(
    placement: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if placement == "read-only-mount":
        mount: Tmpfs = request.getfixturevalue("tmpfs")
        db = mount.path / "old.db"
        newest = _older_archive(db)
        mount.seal()
    else:
        db = tmp_path / "site" / "old.db"
        db.parent.mkdir()
        newest = _older_archive(db)
        if placement == "read-only-file":
            request.getfixturevalue("read_only_file")(db)
    before = snapshot(db.parent)
    for args in (("search", "pontianak"), ("stats",), ("export", "--format", "jsonl")):
        done = run_cli(*args, "--db", str(db))
        assert done.returncode == EXIT_USAGE, (args, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
        assert "older newsarchive" in done.stderr and newest in done.stderr
        assert "newsarchive update" in done.stderr and "newsarchive crawl" in done.stderr
        assert done.stdout == ""
    assert snapshot(db.parent) == before
    assert _pending(db) == [newest]

    if placement == "writable-folder":  # what crawl and update do, once, upgrades it
        Archive(db).close()
        done = run_cli("stats", "--json", "--db", str(db))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["articles"] == 0


def test_a_read_only_open_refuses_writes_and_leaves_the_folder_as_found(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive(db).close()
    before = snapshot(tmp_path)
    with Archive.open_read_only(db) as archive:
        assert archive.count("articles") == 0
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            archive.db.execute("insert into crawl_runs (command) values ('x')")
        with pytest.raises(sqlite3.OperationalError):
            archive.db.execute("pragma journal_mode = delete")
        assert archive.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert snapshot(tmp_path) == before  # the -wal and -shm SQLite made are gone again
    assert db.read_bytes()[18:20] == b"\x02\x02"  # still WAL


# --- instant start (item 8) -------------------------------------------------------------------

HEAVY = ("dateparser", "scrapy", "twisted", "trafilatura")


@pytest.mark.parametrize("args", [["--help"], ["stats"], ["stats", "--json"]])
def test_help_and_stats_import_neither_scrapy_nor_dateparser(
    built: Path, tmp_path: Path, args: list[str]
) -> None:
    db = copy_archive(built, tmp_path / "site")
    argv = [*args, "--db", str(db)] if args[0] == "stats" else args
    program = f"""
import contextlib, io, json, sys
from newsarchive.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        code = main({argv!r})
    except SystemExit as exit:
        code = exit.code
heavy = sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))
print(json.dumps({{"code": code, "heavy": heavy, "printed": len(out.getvalue())}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["code"] == 0, done.stderr
    assert result["printed"] > 0
    assert result["heavy"] == [], f"`newsarchive {' '.join(args)}` imported {result['heavy']}"
