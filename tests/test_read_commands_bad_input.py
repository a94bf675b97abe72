"""Read commands (search, stats, export) on bad input: one line on stderr, the documented exit code,
never a traceback, and nothing touched — neither the archive nor a previous good export.

Everything runs the real CLI in a subprocess on a real archive built by crawling the replica.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.fakesite import FakeSite
from tests.helpers import ROOT, crawl, run_cli

# Every read command, as arguments after which `--db PATH` goes. `{out}` is an output file.
READ_COMMANDS: dict[str, tuple[str, ...]] = {
    "search": ("search", "pontianak"),
    "stats": ("stats",),
    "export-csv": ("export", "--format", "csv", "--output", "{out}"),
    "export-jsonl": ("export", "--format", "jsonl", "--output", "{out}"),
    "export-parquet": ("export", "--format", "parquet", "--output", "{out}"),
}
FORMATS = ("csv", "jsonl", "parquet")
EXIT_FAILED, EXIT_USAGE, EXIT_BROKEN_PIPE = 1, 2, 141


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real archive with its WARC folder and lock file, crawled once; tests work on copies."""
    path = tmp_path_factory.mktemp("read-bad-input") / "site" / "archive.db"
    path.parent.mkdir()
    with FakeSite(articles=120, seed=31, page_size=10) as site:
        done = crawl(site, path)
    assert done.returncode == 0, done.stderr
    assert list((path.parent / "warc").glob("*.warc.gz")), "the crawl kept no WARC file"
    return path


@pytest.fixture
def archive(built: Path, tmp_path: Path) -> Path:
    """A private copy of the archive folder: a test that fails on old code may destroy it."""
    folder = tmp_path / "site"
    shutil.copytree(built.parent, folder)
    return folder / built.name


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (the archive, -wal/-shm if any, the lock, the WARC files)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    """Like tests.helpers.rows, but closed at once: an open connection keeps -wal/-shm files
    beside the archive, and the snapshots compare the folder's files."""
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


def cli(*args: str, cwd: Path = ROOT) -> tuple[int, str, str]:
    done = run_cli(*args, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


def assert_one_line(err: str) -> None:
    assert "Traceback" not in err, err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)


def fill(args: tuple[str, ...], out: Path) -> list[str]:
    return [a.replace("{out}", str(out)) for a in args]


# --- --db that is not an archive -------------------------------------------------------------

SIDECARS = ("-wal", "-shm", "-journal")


def _csv(tmp: Path) -> Path:
    path = tmp / "articles.csv"
    path.write_text("url,title\nhttps://kalbaronline.com/2024/01/01/a/,A\n", encoding="utf-8")
    return path


def _directory(tmp: Path) -> Path:
    path = tmp / "folder.db"
    path.mkdir()
    return path


def _devnull(tmp: Path) -> Path:
    return Path(os.devnull)


def _other_sqlite(tmp: Path) -> Path:
    path = tmp / "other.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("create table notes (text)")
    return path


def _missing(tmp: Path) -> Path:
    return tmp / "none.db"


BAD_DBS: dict[str, Callable[[Path], Path]] = {
    "csv-file": _csv,
    "directory": _directory,
    "dev-null": _devnull,
    "sqlite-without-articles": _other_sqlite,
    "missing": _missing,
}


@pytest.fixture
def no_devnull_sidecars() -> Iterator[None]:
    """A read-write open of /dev/null (the old code) leaves /dev/null-wal etc. when run as root:
    remove what this test made, and fail on it."""
    before = {s for s in SIDECARS if os.path.exists(os.devnull + s)}
    yield
    made = {s for s in SIDECARS if os.path.exists(os.devnull + s)} - before
    for suffix in made:
        os.unlink(os.devnull + suffix)
    assert not made, f"a read command created {sorted(os.devnull + s for s in made)}"


@pytest.mark.usefixtures("no_devnull_sidecars")
@pytest.mark.parametrize("kind", BAD_DBS)
@pytest.mark.parametrize("command", READ_COMMANDS)
def test_db_that_is_not_an_archive_is_one_line_exit_2(
    tmp_path: Path, command: str, kind: str
) -> None:
    db = BAD_DBS[kind](tmp_path)
    before = snapshot(tmp_path)
    devnull_before = os.stat(os.devnull)
    out = tmp_path / "out" / "export.data"
    out.parent.mkdir()
    code, stdout, err = cli(*fill(READ_COMMANDS[command], out), "--db", str(db))
    assert code == EXIT_USAGE, err
    assert_one_line(err)
    assert "archive" in err
    assert stdout == ""
    # Nothing touched: the file given as --db, no journal or WAL beside it, no export made.
    assert snapshot(tmp_path) == before
    assert not out.exists()
    if kind == "missing":
        assert not db.exists()
    if kind == "dev-null":
        assert os.stat(os.devnull).st_rdev == devnull_before.st_rdev


# --- --output that is the archive, or cannot be written --------------------------------------


def _same(archive: Path) -> str:
    return str(archive)


def _wal(archive: Path) -> str:
    return f"{archive}-wal"


def _shm(archive: Path) -> str:
    return f"{archive}-shm"


def _lock(archive: Path) -> str:
    lock = Path(f"{archive}.lock")
    assert lock.exists()
    return str(lock)


def _warc_file(archive: Path) -> str:
    return str(next((archive.parent / "warc").glob("*.warc.gz")))


def _new_file_in_warc(archive: Path) -> str:
    return str(archive.parent / "warc" / "export.out")


def _symlink(archive: Path) -> str:
    link = archive.parent.parent / "link-to-archive.db"
    link.symlink_to(archive)
    return str(link)


def _hard_link(archive: Path) -> str:
    link = archive.parent.parent / "hard-link.db"
    os.link(archive, link)
    return str(link)


def _relative(archive: Path) -> str:
    return os.path.relpath(archive, ROOT)  # run_cli runs in ROOT: ../../tmp/.../archive.db


def _dotted(archive: Path) -> str:
    return str(archive.parent / "warc" / ".." / archive.name)


def _directory_out(archive: Path) -> str:
    return str(archive.parent.parent)


def _trailing_slash(archive: Path) -> str:
    return str(archive.parent.parent / "new-folder") + "/"


def _empty(archive: Path) -> str:
    return ""


def _dev_full(archive: Path) -> str:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    return "/dev/full"


BAD_OUTPUTS: dict[str, tuple[Callable[[Path], str], int]] = {
    "the-archive": (_same, EXIT_USAGE),
    "its-wal": (_wal, EXIT_USAGE),
    "its-shm": (_shm, EXIT_USAGE),
    "its-lock": (_lock, EXIT_USAGE),
    "a-warc-file": (_warc_file, EXIT_USAGE),
    "new-file-in-warc": (_new_file_in_warc, EXIT_USAGE),
    "archive-via-symlink": (_symlink, EXIT_USAGE),
    "archive-via-hard-link": (_hard_link, EXIT_USAGE),
    "archive-relative": (_relative, EXIT_USAGE),
    "archive-via-dotdot": (_dotted, EXIT_USAGE),
    "a-directory": (_directory_out, EXIT_USAGE),
    "trailing-slash": (_trailing_slash, EXIT_USAGE),
    "empty": (_empty, EXIT_USAGE),
    "dev-full": (_dev_full, EXIT_FAILED),
}


@pytest.mark.parametrize("kind", BAD_OUTPUTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_output_is_one_line_and_touches_nothing(archive: Path, fmt: str, kind: str) -> None:
    make, expected = BAD_OUTPUTS[kind]
    output = make(archive)
    before = snapshot(archive.parent)
    code, stdout, err = cli(
        "export", "--format", fmt, "--output", output, "--db", str(archive)
    )  # fmt: skip
    assert code == expected, err
    assert_one_line(err)
    assert stdout == ""
    assert snapshot(archive.parent) == before  # archive, lock, WARC files: every byte the same
    assert not (archive.parent.parent / "new-folder").exists()
    assert rows(archive, "pragma integrity_check") == [{"integrity_check": "ok"}]


def test_db_through_a_symlink_and_output_the_real_file(archive: Path) -> None:
    link = archive.parent.parent / "link.db"
    link.symlink_to(archive)
    before = snapshot(archive.parent)
    for output in (str(archive), f"{archive}-wal", f"{archive}.lock", f"{link}.lock"):
        code, _, err = cli("export", "--format", "csv", "--output", output, "--db", str(link))
        assert code == EXIT_USAGE, (output, err)
        assert_one_line(err)
    assert snapshot(archive.parent) == before
    assert not Path(f"{link}.lock").exists()


# --- a failed export leaves the previous good file as it was ---------------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 32 KiB tmpfs: room for a small export, not for a whole one."""
    folder = tmp_path / "small-fs"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_disk_full_mid_export_keeps_the_previous_file(
    archive: Path, small_fs: Path, tmp_path: Path, fmt: str
) -> None:
    whole = tmp_path / f"whole.{fmt}"
    code, _, err = cli("export", "--format", fmt, "--output", str(whole), "--db", str(archive))
    assert code == 0, err
    assert whole.stat().st_size > 32 * 1024, "the whole export must not fit the small fs"

    good = small_fs / f"good.{fmt}"
    third = rows(archive, "select published_at from articles order by published_at limit 3")
    until = third[-1]["published_at"][:10]
    code, _, err = cli(
        "export", "--format", fmt, "--output", str(good), "--until", until, "--db", str(archive)
    )  # fmt: skip
    assert code == 0, err
    previous = good.read_bytes()
    before = snapshot(archive.parent)

    code, stdout, err = cli("export", "--format", fmt, "--output", str(good), "--db", str(archive))
    assert code == EXIT_FAILED, err
    assert stdout == ""
    assert_one_line(err)
    assert "No space left" in err
    assert good.read_bytes() == previous
    assert sorted(p.name for p in small_fs.iterdir()) == [good.name]  # no temp file left
    assert snapshot(archive.parent) == before


def _interrupt_after(rows_before: int, interrupt: Callable[[], None]) -> Any:
    from newsarchive.storage import queries

    real = queries.export_rows

    def rows_then_interrupt(db: Any, filters: Any) -> Iterator[dict[str, Any]]:
        for n, row in enumerate(real(db, filters)):
            if n == rows_before:
                interrupt()
            yield row

    return rows_then_interrupt


class StrayTerm(Exception):
    """Raised by the test's own SIGTERM handler: export did not install one of its own."""


def _stray_term(signum: int, frame: Any) -> None:
    raise StrayTerm


def _ctrl_c() -> None:
    raise KeyboardInterrupt


def _sigterm() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_interrupted_export_keeps_the_previous_file(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, how: str
) -> None:
    from sqlite_utils import Database

    from newsarchive import export as export_module
    from newsarchive.storage.queries import Filters

    out = tmp_path / "out" / f"good.{fmt}"
    out.parent.mkdir()
    out.write_bytes(b"the previous good export\n")
    interrupt = _ctrl_c if how == "ctrl-c" else _sigterm
    monkeypatch.setattr(export_module, "export_rows", _interrupt_after(50, interrupt))
    previous = signal.signal(signal.SIGTERM, _stray_term)
    db = Database(archive)
    try:
        with pytest.raises(KeyboardInterrupt if how == "ctrl-c" else SystemExit) as raised:
            export_module.export(db, fmt, str(out), Filters())
        assert signal.getsignal(signal.SIGTERM) is _stray_term  # restored after the export
    finally:
        signal.signal(signal.SIGTERM, previous)
        db.close()
    if how == "sigterm":
        assert raised.value.args == (128 + signal.SIGTERM,)
    assert out.read_bytes() == b"the previous good export\n"
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # the temp file is gone


# --- dates and numbers at the edges ----------------------------------------------------------


def test_edges_of_dates_and_limits_return_results(archive: Path, tmp_path: Path) -> None:
    """`--until 9999-12-31` (no day follows it) and `--limit 2**63-1` (SQLite's largest INTEGER)
    are valid and return everything; the export replaces the previous file whole, through a
    symlink and keeping its mode, and leaves no temp file."""
    total = len(rows(archive, "select id from articles"))
    real = tmp_path / "shared.jsonl"
    real.write_text("previous\n", encoding="utf-8")
    real.chmod(0o640)
    out = tmp_path / "current.jsonl"
    out.symlink_to(real)
    before = snapshot(archive.parent)
    code, _, err = cli(
        "export", "--format", "jsonl", "--output", str(out), "--since", "0001-01-01",
        "--until", "9999-12-31", "--db", str(archive),
    )  # fmt: skip
    assert code == 0, err
    assert "Traceback" not in err
    assert len(real.read_text(encoding="utf-8").splitlines()) == total
    assert out.is_symlink() and out.resolve() == real  # written through the link, not over it
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current.jsonl", "shared.jsonl", "site"]

    code, stdout, err = cli("search", "pontianak", "--json", "--limit", "500", "--db", str(archive))
    assert code == 0, err
    unfiltered = stdout.splitlines()
    assert unfiltered
    code, stdout, err = cli(
        "search", "pontianak", "--json", "--limit", "500", "--until", "9999-12-31",
        "--db", str(archive),
    )  # fmt: skip
    assert code == 0, err
    assert "Traceback" not in err
    assert sorted(json.loads(h)["url"] for h in stdout.splitlines()) == sorted(
        json.loads(h)["url"] for h in unfiltered
    )
    code, stdout, err = cli(
        "search", "pontianak", "--json", "--limit", str(2**63 - 1), "--db", str(archive)
    )  # fmt: skip
    assert code == 0, err
    assert len(stdout.splitlines()) == len(unfiltered)
    assert snapshot(archive.parent) == before


@pytest.mark.parametrize("limit", [str(2**63), "99999999999999999999", "1" + "0" * 5000])
def test_huge_limit_is_one_line_exit_2(archive: Path, limit: str) -> None:
    code, stdout, err = cli("search", "pontianak", "--limit", limit, "--db", str(archive))
    assert code == EXIT_USAGE, err
    assert_one_line(err)
    assert "too large" in err and len(err) < 300
    assert stdout == ""


# --- a reader that goes away -----------------------------------------------------------------

PIPED_COMMANDS: dict[str, tuple[str, ...]] = {
    "stats": ("stats",),
    "stats-json": ("stats", "--json"),
    "search": ("search", "pontianak", "--limit", "500"),
    "export-jsonl": ("export", "--format", "jsonl"),
    "export-csv": ("export", "--format", "csv"),
    "export-to-dev-stdout": ("export", "--format", "jsonl", "--output", "/dev/stdout"),
}


def _popen(args: list[str], stdout: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive", *args],
        stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("command", PIPED_COMMANDS)
def test_reader_gone_before_output_exits_quietly(built: Path, command: str) -> None:
    """`newsarchive … | true`: the pipe has no reader left by the time anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = _popen([*PIPED_COMMANDS[command], "--db", str(built)], stdout=write_end)
    finally:
        os.close(write_end)
    _, err = proc.communicate(timeout=120)
    assert err.decode() == ""  # no traceback, no "Exception ignored", no message at all
    assert proc.returncode == EXIT_BROKEN_PIPE


@pytest.mark.parametrize(
    "command", ["search", "export-jsonl", "export-csv", "export-to-dev-stdout"]
)
def test_head_one_line_exits_quietly(built: Path, command: str) -> None:
    """`newsarchive … | head -1`: one line read, then the reader closes mid-output."""
    proc = _popen([*PIPED_COMMANDS[command], "--db", str(built)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)  # output outgrows the pipe
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first.strip()
    assert err == ""
    assert proc.returncode == EXIT_BROKEN_PIPE
