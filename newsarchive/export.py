"""Stream articles to CSV, JSON Lines or Parquet in constant memory.

An export to a regular file is written to a temporary file beside it and renamed onto it only when
complete (after fsync), so a failed or interrupted export leaves the previous file as it was and no
half file behind. Special files (a FIFO, `/dev/stdout`, a terminal) cannot be renamed onto: they are
written directly. `-` is stdout.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import FrameType
from typing import IO, Any

from newsarchive.items import ValueKind, instant_zone
from newsarchive.site import WARC_DIR_ENV
from newsarchive.storage.database import Database
from newsarchive.storage.queries import (
    EXPORT_COLUMNS,
    EXPORT_KINDS,
    LIST_COLUMNS,
    Filters,
    export_rows,
)
from newsarchive.storage.warc import warc_dir

PARQUET_BATCH = 1000

# Files SQLite and the lock keep beside an archive: writing over any of them damages it.
_ARCHIVE_SIDECARS = ("", "-wal", "-shm", "-journal", ".lock")


class MissingParquetSupport(RuntimeError):
    pass


class BadOutput(ValueError):
    """The output path cannot be written, or must not be (it is part of the archive): a usage
    error, found before anything is written."""


class WriteFailed(RuntimeError):
    """Writing the export failed part-way (disk full, I/O error); any previous file is intact."""


def check_output(path: str, archive: str | Path, fmt: str) -> None:
    """Refuse, before anything is opened, an output that is the archive, one of the files kept
    beside it (`-wal`, `-shm`, `-journal`, `.lock`) or inside its WARC folder, compared by real
    path (so through symlinks and relative paths) and by inode (hard links); and an output that
    is empty, a directory, or in a folder that does not exist or cannot be written."""
    if path == "-":
        if fmt == "parquet":
            raise BadOutput("parquet cannot go to stdout; pass --output PATH")
        return
    if not path:
        raise BadOutput("--output is empty; pass a file name, or - for stdout")
    if path.endswith(os.sep) or os.path.isdir(path):
        raise BadOutput(f"--output {path} is a directory; pass a file name")
    real = os.path.realpath(path)
    exists = os.path.exists(path)
    for protected in _archive_files(archive):
        if real == protected or (exists and os.path.exists(protected)
                                 and os.path.samefile(path, protected)):  # fmt: skip
            raise BadOutput(f"--output {path} is the archive's own file {protected}; refusing")
    for folder in _warc_folders(archive):
        if real == folder or real.startswith(folder.rstrip(os.sep) + os.sep):
            raise BadOutput(f"--output {path} is inside the archive's WARC folder {folder}")
    if exists and not stat.S_ISREG(os.stat(path).st_mode):
        if not os.access(path, os.W_OK):
            raise BadOutput(f"cannot write {path}: permission denied")
        return  # a FIFO or a device: written directly
    if exists and not os.access(path, os.W_OK):
        raise BadOutput(f"cannot write {path}: permission denied")
    folder = os.path.dirname(real) or "."
    if not os.path.isdir(folder):
        raise BadOutput(f"cannot write {path}: no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadOutput(f"cannot write {path}: folder {folder} is not writable")


def _archive_files(archive: str | Path) -> set[str]:
    bases = {os.path.abspath(archive), os.path.realpath(archive)}
    return {os.path.realpath(base + suffix) for base in bases for suffix in _ARCHIVE_SIDECARS}


def _warc_folders(archive: str | Path) -> set[str]:
    folders = {warc_dir(os.path.abspath(archive)), warc_dir(os.path.realpath(archive))}
    if os.environ.get(WARC_DIR_ENV):
        folders.add(Path(os.environ[WARC_DIR_ENV]))
    return {os.path.realpath(folder) for folder in folders}


def export(db: Database, fmt: str, path: str, filters: Filters) -> int:
    """Write the articles matching `filters` to `path` (`-` is stdout); return how many.

    Raises BadOutput when the output cannot be created, WriteFailed when writing fails part-way;
    BrokenPipeError (the reader went away) is left to the caller."""
    if fmt == "parquet":
        _require_pyarrow()
    rows = export_rows(db, filters)
    if path == "-":
        return _write(fmt, rows, sys.stdout)
    binary = fmt == "parquet"
    try:
        with open_output(path, binary) as out:
            return _write(fmt, rows, out)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise WriteFailed(f"cannot write {path}: {exc.strerror or exc}") from None


def _write(fmt: str, rows: Iterator[dict[str, Any]], out: IO[Any]) -> int:
    if fmt == "parquet":
        return _parquet(rows, out)
    written = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            for name in LIST_COLUMNS:
                row[name] = json.dumps(row[name], ensure_ascii=False)
            writer.writerow(row)
            written += 1
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
    out.flush()
    return written


@contextmanager
def open_output(path: str, binary: bool) -> Iterator[IO[Any]]:
    mode, encoding = ("wb", None) if binary else ("w", "utf-8")
    newline = None if binary else ""
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        with open(path, mode, encoding=encoding, newline=newline) as handle:
            yield handle
        return
    target = os.path.realpath(path)  # write through a symlink, as `>` does, not over it
    try:
        fd, temp = tempfile.mkstemp(
            dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".tmp"
        )
    except OSError as exc:
        raise BadOutput(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with _sigterm_raises():
            os.fchmod(fd, _new_file_mode(target))
            with open(fd, mode, encoding=encoding, newline=newline) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
    except BaseException:
        # Any failure, Ctrl-C and SIGTERM included: the previous file stays, no temp file left.
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_folder(os.path.dirname(target))


def _new_file_mode(target: str) -> int:
    """The permissions the file would get from a plain `open(path, "w")`: the old file's, or
    0666 less the umask (mkstemp's 0600 would hide a shared export from its readers)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable; a file system that cannot sync a folder is no error."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the temp file exists, SIGTERM (a cron timeout, `kill`) unwinds like Ctrl-C, so the
    temp file is removed instead of left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _require_pyarrow() -> None:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise MissingParquetSupport(
            'Parquet export needs pyarrow: pip install "newsarchive[parquet]"'
        ) from None


def _parquet(rows: Iterator[dict[str, Any]], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, _arrow_type(pa, name, kind)) for name, kind in EXPORT_KINDS.items()])
    instants = [name for name, kind in EXPORT_KINDS.items() if kind == "instant"]
    written = 0
    try:
        with pq.ParquetWriter(out, schema) as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                for name in instants:
                    row[name] = _instant(row, name)
                batch.append(row)
                if len(batch) == PARQUET_BATCH:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    written += len(batch)
                    batch = []
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                written += len(batch)
    except pa.ArrowException as exc:
        if isinstance(exc, OSError):
            raise
        raise OSError(str(exc)) from None
    out.flush()
    return written


def _arrow_type(pa: Any, name: str, kind: ValueKind) -> Any:
    """The Parquet column of an export column. Instants are timestamps with a time zone:
    Parquet keeps the instant (UTC-normalised); the zone, kept in the Arrow schema, is the one
    the archive writes the field in (+07:00 for the article's own dates, UTC for capture
    times), so pandas and pyarrow show the site's clock. DuckDB reads TIMESTAMP WITH TIME ZONE
    and shows it in its session's TimeZone (`SET TimeZone = 'Asia/Pontianak'`)."""
    if kind == "list":
        return pa.list_(pa.string())
    if kind == "int":
        return pa.int64()
    if kind == "instant":
        return pa.timestamp("us", tz=instant_zone(name))
    return pa.string()


def _instant(row: dict[str, Any], name: str) -> datetime | None:
    """An ISO 8601 column as an aware datetime; a value without an offset is in the field's own
    zone. A value that is no ISO 8601 time stops the export (the previous file stays): a typed
    column has no place for it, and dropping it would lose data without a word."""
    value = row[name]
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise OSError(f"{row.get('url')}: {name} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        zone = instant_zone(name)
        moment = moment.replace(tzinfo=UTC if zone == "UTC" else _fixed_zone(zone))
    return moment


def _fixed_zone(offset: str) -> tzinfo | None:
    return datetime.strptime(offset, "%z").tzinfo
