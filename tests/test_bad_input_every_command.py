"""Every command × a table of bad inputs: one line on stderr, the documented exit code, never a
traceback, and the archive untouched. Real CLI in a subprocess; the site URL points at a
closed loopback port, so a command that wrongly went ahead could not reach anything."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from newsarchive.storage import Archive
from tests.helpers import run_cli

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback

COMMANDS: dict[str, tuple[str, ...]] = {
    "crawl": ("crawl", "--base-url", NOWHERE),
    "update": ("update", "--base-url", NOWHERE),
    "coverage": ("coverage", "--base-url", NOWHERE),
    "reparse": ("reparse",),
    "search": ("search", "banjir"),
    "stats": ("stats",),
    "export": ("export", "--format", "jsonl"),
}

DB_CASES = ("csv file", "directory", "dev null", "missing folder", "empty path")


def make_db(kind: str, tmp_path: Path) -> str:
    if kind == "csv file":
        path = tmp_path / "articles.csv"
        path.write_text("url,title\nhttps://kalbaronline.com/x/,X\n")
        return str(path)
    if kind == "directory":
        path = tmp_path / "folder.db"
        path.mkdir()
        return str(path)
    if kind == "dev null":
        return "/dev/null"
    if kind == "missing folder":
        return str(tmp_path / "typo" / "x.db")
    return ""


def assert_one_line(done: object) -> None:
    stderr = done.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr, stderr[-3000:]
    assert len(stderr.strip().splitlines()) == 1, stderr[-3000:]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"


@pytest.mark.parametrize("kind", DB_CASES)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_db_that_is_no_archive_is_one_line_exit_2(
    tmp_path: Path, command: str, kind: str
) -> None:
    db = make_db(kind, tmp_path)
    before = digest(Path(db)) if db else "-"
    done = run_cli(*COMMANDS[command], "--db", db)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert_one_line(done)
    if db:
        assert digest(Path(db)) == before
    assert not (tmp_path / "typo").exists()
    assert not list(tmp_path.glob("*-wal")) and not Path("/dev/null-wal").exists()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "a.db"
    Archive(db).close()
    return db


BAD_ARGUMENTS: list[tuple[str, tuple[str, ...], int]] = [
    ("crawl", ("--since", "2024-13-01"), 2),
    ("crawl", ("--since", "2025-01-02", "--until", "2025-01-01"), 2),
    ("crawl", ("--max-pages", "0"), 2),
    ("crawl", ("--max-articles", "99999999999999999999999"), 2),
    ("crawl", ("--max-pages", "9" * 5000), 2),
    ("crawl", ("-s", "NOEQUALS"), 2),
    ("crawl", ("-s", "NEWSARCHIVE_DB=/tmp/elsewhere.db"), 2),
    ("crawl", ("--base-url", "ftp://kalbaronline.com"), 2),
    ("update", ("--recheck-days", "-1"), 2),
    ("update", ("--recheck-days", "99999999999999999999999"), 2),
    ("reparse", ("--since", "yesterday"), 2),
    ("search", ("--limit", "99999999999999999999"), 2),
    ("search", ("--since", "9999-99-99"), 2),
    ("search", ("",), 2),
    ("stats", ("--unknown-flag",), 2),
    ("export", ("--format", "xml"), 2),
    ("export", ("--output", ""), 2),
    ("extract", (), 2),
    ("extract", ("--warc", "/nonexistent.warc.gz", "--offset", "0"), 2),
    ("extract", ("--warc", "/dev/null", "--offset", "abc"), 2),
    ("extract", ("/nonexistent.html", "--url", "https://kalbaronline.com/2024/01/01/x/"), 2),
]


@pytest.mark.parametrize(
    ("command", "args", "code"), BAD_ARGUMENTS, ids=[f"{c}-{i}" for i, (c, *_) in
                                                      enumerate(BAD_ARGUMENTS)]
)  # fmt: skip
def test_bad_arguments_are_one_line_and_touch_nothing(
    archive: Path, command: str, args: tuple[str, ...], code: int
) -> None:
    before = digest(archive)
    extra = ("--base-url", NOWHERE) if command in ("crawl", "update", "coverage") else ()
    done = run_cli(command, *extra, *args, "--db", str(archive))
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    assert_one_line(done)
    assert digest(archive) == before


@pytest.mark.parametrize("command", ["crawl", "update", "reparse"])
def test_a_lock_path_that_is_a_directory_is_one_line(archive: Path, command: str) -> None:
    Path(f"{archive}.lock").mkdir()
    done = run_cli(*COMMANDS[command], "--db", str(archive))
    assert done.returncode == 2, done.stderr[-2000:]
    assert_one_line(done)
    assert "directory" in done.stderr


def test_extract_on_a_file_that_is_no_warc_is_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"\x1f\x8b\x08\x00not really gzip" * 10)
    done = run_cli("extract", "--warc", str(junk), "--offset", "0")
    assert done.returncode in (1, 2), done.stderr[-2000:]
    assert_one_line(done)


def test_read_commands_on_a_damaged_archive_are_one_line(tmp_path: Path, archive: Path) -> None:
    damaged = tmp_path / "damaged.db"
    shutil.copy(archive, damaged)
    data = bytearray(damaged.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, overwritten
    damaged.write_bytes(bytes(data))
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(damaged).execute("select * from articles").fetchall()
    for command in ("search", "stats", "export"):
        done = run_cli(*COMMANDS[command], "--db", str(damaged))
        assert done.returncode in (1, 2), done.stderr[-2000:]
        assert_one_line(done)
