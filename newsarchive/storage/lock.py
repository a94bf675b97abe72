"""One writer at a time per archive: an exclusive flock() on the archive file itself.

Why the archive file and not a lock file beside it: a lock file can be deleted while its holder
runs, and the next run would then lock a fresh file and write beside the first (the fault sweep
lost 47 articles that way). The archive file cannot be swapped from under a running crawl
without breaking SQLite anyway, so whoever holds a flock on it holds the archive.

flock() locks belong to the open file description: the kernel drops the lock the moment its
holder dies, even by kill -9, so nothing stale ever blocks the next run. On Linux they are
independent of the fcntl() locks SQLite takes on the same file. One caveat, SQLite's own: closing
*any* descriptor of the database file drops the POSIX locks SQLite holds on it in this process,
so the lock is taken before the process opens a connection and released after it closed them all.

`<archive>.lock` beside it only carries a note naming the holder (pid, command, start time) for
the "locked by" message. It is opened with O_NOFOLLOW and never with O_TRUNC, so a symlink planted
there cannot make a run overwrite another file.
"""

from __future__ import annotations

import errno
import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path


class ArchiveLocked(Exception):
    """Another run holds the archive."""


class LockError(Exception):
    """The lock cannot be taken at all (a directory or a symlink in the way, no permission)."""


class ArchiveLock:
    def __init__(self, db_path: str | Path, command: str) -> None:
        self.db = Path(db_path)
        self.path = Path(f"{db_path}.lock")  # the holder's note
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> None:
        note = self._open_note()  # first: a planted symlink stops us before anything is created
        try:
            fd = os.open(self.db, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if note is not None:
                os.close(note)
            raise LockError(f"cannot open the archive {self.db}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if note is not None:
                os.close(note)
            raise ArchiveLocked(f"archive {self.db} is locked by {self._holder()}") from None
        self._fd = fd
        if note is not None:
            self._write_note(note)

    def _open_note(self) -> int | None:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            return os.open(self.path, flags, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise LockError(f"{self.path} is a symlink; remove it (it is not ours)") from None
            if exc.errno == errno.EISDIR:
                raise LockError(f"{self.path} is a directory; remove it") from None
            if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
                return None  # the note is a courtesy; the lock itself can still be held
            raise LockError(f"cannot write {self.path}: {exc.strerror}") from None

    def _write_note(self, note: int) -> None:
        started = datetime.now(UTC).replace(microsecond=0).isoformat()
        text = f"pid {os.getpid()} ({self.command}, since {started})\n".encode()
        try:
            os.ftruncate(note, 0)
            os.write(note, text)
        except OSError:
            pass  # a full disk: the note stays empty, the lock is held all the same
        finally:
            os.close(note)

    def _holder(self) -> str:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return "another process"
        try:
            return os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
        except OSError:
            return "another process"
        finally:
            os.close(fd)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
