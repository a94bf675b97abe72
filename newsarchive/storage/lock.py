"""One run at a time per archive: an advisory lock file beside the archive.

flock() locks belong to the open file description, so the kernel drops a lock the moment its
holder dies, even by kill -9: a stale lock file never blocks the next run. The file's content
(pid, command, start time) only serves the message naming the holder.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


class ArchiveLocked(Exception):
    """Another run holds the archive."""


class ArchiveLock:
    def __init__(self, db_path: str | Path, command: str) -> None:
        self.path = Path(f"{db_path}.lock")
        self.command = command
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            handle.close()
            raise ArchiveLocked(f"archive is locked by {holder}") from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).replace(microsecond=0).isoformat()
        handle.write(f"pid {os.getpid()} ({self.command}, since {started})\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
