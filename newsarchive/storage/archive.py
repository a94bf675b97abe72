"""The archive file: opening it (read-write: WAL, migrations; or read-only, changing nothing),
storing articles as revisions, the run ledger.

Every write that belongs together happens in one transaction, so a crash or kill at any moment
leaves whole articles or nothing, never a half row. `Archive.batch` (and `store_all`, the
crawl's way in) makes that one transaction for several articles: a commit costs more than
storing a small article, and a lost batch is lost whole, so the next run fetches it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from newsarchive import PARSER_VERSION
from newsarchive.items import CONTENT_FIELDS, FIELD_KINDS, FIELD_NAMES, Article, RawRecord
from newsarchive.storage.database import Database
from newsarchive.storage.faults import halting_error, is_busy
from newsarchive.storage.schema import migrations
from newsarchive.storage.stems import index_article

# A revision keeps every content field: a change in any of them makes one, and shows in it.
REVISION_FIELDS = CONTENT_FIELDS


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def column_values(article: Article, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of the article as column values: lists (categories, tags) as JSON
    arrays in text, everything else as it is."""
    values: dict[str, Any] = {}
    for name in names:
        value = getattr(article, name)
        if FIELD_KINDS[name] == "list":
            value = json.dumps(value, ensure_ascii=False)
        values[name] = value
    return values


def content_hash(article: Article) -> str:
    content = {name: getattr(article, name) for name in CONTENT_FIELDS}
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


# --- opening an archive read-only (search, stats, export, report) -----------------------------


class NotAnArchive(ValueError):
    """The file given as the archive is not one (not SQLite, or SQLite without `articles`), or
    cannot be read as one."""


class OutdatedArchive(NotAnArchive):
    """The archive's schema is older than the code's, and a read-only open cannot migrate it."""


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def holds_frames(wal: Path) -> bool:
    """The -wal file exists and is not empty: it may hold committed changes not yet copied into
    the archive file (a crawl is writing, or the copy was taken during one)."""
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def _on_read_only_filesystem(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _connect(uri: str, timeout: float) -> sqlite3.Connection:
    """A connection that has really opened the file (sqlite3.connect alone defers that)."""
    conn = sqlite3.connect(uri, uri=True, timeout=timeout)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _unreadable(path: Path, exc: sqlite3.Error) -> NotAnArchive:
    if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_NOTADB:
        return NotAnArchive(f"{path} is not a newsarchive archive ({exc})")
    return NotAnArchive(f"cannot read the archive {path} ({exc})")


def connect_read_only(path: str | Path, timeout: float = 10.0) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection to the archive file, and whether to call `tidy_after_read` once
    it is closed. Raises NotAnArchive when the file cannot be read as an SQLite database.

    `mode=ro` as a rule: SQLite refuses every write (the journal mode included), and a crawl
    writing at the same time is read consistently, through the -shm index of the WAL.
    `immutable=1` where nothing can change the file: it is on a read-only filesystem (a
    read-only mount, or a read-only bind mount of the file itself), or its folder is not
    writable so that SQLite cannot create the -shm a WAL reader needs. SQLite then reads the
    file alone, without locks, -wal or -shm. A -wal that holds changes would be ignored, so
    then only `mode=ro` is tried (it works where the -shm is there too); without the -shm such a
    file cannot be read whole on a read-only filesystem, and is refused rather than read short.
    (Not guarded: a folder this user cannot write, whose owner's crawl starts writing the file
    during a long read; immutable=1 does not see that. Read such an archive from a copy.)
    """
    path = Path(path)
    if path.is_dir():
        raise NotAnArchive(f"{path} is a directory, not an archive")
    if not path.is_file():  # a FIFO would block the open; /dev/null is no archive either
        raise NotAnArchive(f"{path} is not a newsarchive archive (not a regular file)")
    real = path.resolve()
    uri, wal, shm = real.as_uri(), _beside(real, "-wal"), _beside(real, "-shm")
    changes_in_wal = holds_frames(wal)
    try:
        if _on_read_only_filesystem(real) and not changes_in_wal:
            return _connect(f"{uri}?mode=ro&immutable=1", timeout), False
        # Neither beside it: mode=ro on a WAL file creates both and, read-only, cannot remove them.
        made_sidecars = not wal.exists() and not shm.exists()
        try:
            return _connect(f"{uri}?mode=ro", timeout), made_sidecars
        except sqlite3.Error:
            if changes_in_wal or os.access(real.parent, os.W_OK):
                raise
        return _connect(f"{uri}?mode=ro&immutable=1", timeout), False
    except sqlite3.Error as exc:
        if changes_in_wal and not shm.exists():
            raise NotAnArchive(
                f"cannot read the archive {path}: {wal.name} beside it holds changes not yet in "
                f"it, and they cannot be read without {shm.name} where neither can be created; "
                "copy the archive together with its -wal and -shm files, or while no crawl runs"
            ) from None
        raise _unreadable(path, exc) from None


def tidy_after_read(path: str | Path, timeout: float = 10.0) -> None:
    """Remove the empty -wal and the -shm that a read-only connection to a WAL file created
    beside it, leaving the folder as it was found.

    SQLite does it, not this function: the last connection to close deletes them, after the
    lock that tells it no other connection (a crawl started meanwhile) still uses them. So a
    connection that may write is opened and closed; the -wal is empty, so its closing
    checkpoint copies nothing and the archive file is not written (nor its mtime changed).
    Where that is impossible (the file itself is read-only) they stay, harmless."""
    real = Path(path).resolve()
    wal = _beside(real, "-wal")
    if not wal.exists() or holds_frames(wal):
        return
    with contextlib.suppress(sqlite3.Error):
        _connect(f"{real.as_uri()}?mode=rw", timeout).close()


def check_schema(db: Database, path: str | Path) -> None:
    """Raise NotAnArchive unless `db` holds an `articles` table, OutdatedArchive when a
    migration of the code has not been applied to it. Reads only."""
    if not db.table("articles").exists():
        raise NotAnArchive(f"{path} is not a newsarchive archive (no articles table)")
    pending = [migration.name for migration in migrations.pending(db)]
    if pending:
        raise OutdatedArchive(
            f"the archive {path} was made by an older newsarchive (schema changes not applied: "
            f"{', '.join(pending)}); run `newsarchive update` or `newsarchive crawl` on it once "
            "to upgrade it (read commands never change an archive)"
        )


def check_archive(path: str | Path) -> None:
    """Raise NotAnArchive unless `path` is an SQLite file holding an `articles` table, of any
    schema version (a command that migrates may open it next).

    Looks through a read-only connection, so a CSV file, a directory or `/dev/null` given as
    `--db` is neither written to nor gets a journal beside it (a read-write open would start by
    switching the file to WAL)."""
    conn, tidy = connect_read_only(path)
    try:
        row = conn.execute(
            "select 1 from sqlite_master where type = 'table' and name = 'articles'"
        ).fetchone()
    finally:
        conn.close()
        if tidy:
            tidy_after_read(path)
    if row is None:
        raise NotAnArchive(f"{path} is not a newsarchive archive (no articles table)")


class Archive:
    """One archive file. Not thread-safe: one per process, used from the crawl's thread."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0) -> None:
        """Open for writing (crawl, update, reparse): WAL mode, pending migrations applied.
        Readers use `Archive.open_read_only`."""
        self.path = Path(path)
        self.read_only = False
        self._tidy_after_close = False
        self.db = Database(self.path)
        self.db.enable_wal()
        # Another connection's write (a reader's checkpoint, an analyst's transaction) is
        # waited for this many seconds instead of failing at once.
        self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        self.db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(self.db)
        self._init_writer_state()

    def _init_writer_state(self) -> None:
        # Category and tag ids by (table, name), filled as names are met: names are never
        # deleted, so an id once committed stays right; one written by a transaction that is
        # then rolled back does not, hence `_forget_names` on every rollback.
        self._name_ids: dict[tuple[str, str], int] = {}
        self._batching = False
        # Set when an error inside a batch took its whole transaction with it (SQLite does so
        # for a full disk, an I/O error, ...): the stores before it are gone too.
        self._batch_lost: sqlite3.Error | None = None

    @classmethod
    def open_read_only(cls, path: str | Path, busy_timeout: float = 10.0) -> Archive:
        """Open for reading only (search, stats, export, report): nothing in the file changes,
        not the journal mode, not the mtime; no migration runs, and every write fails
        (sqlite3.OperationalError). Works on a read-only file or mount (connect_read_only).

        Raises NotAnArchive for a file that is not an archive, OutdatedArchive for one whose
        schema is older than the code's (a read-write open upgrades it)."""
        archive = cls.__new__(cls)
        archive.path = Path(path)
        archive.read_only = True
        archive._init_writer_state()
        conn, archive._tidy_after_close = connect_read_only(archive.path, busy_timeout)
        archive.db = Database(conn)
        try:
            check_schema(archive.db, archive.path)
        except BaseException:
            archive.close()
            raise
        return archive

    def close(self) -> None:
        self.db.close()
        if self._tidy_after_close:
            self._tidy_after_close = False
            tidy_after_read(self.path)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reads used while crawling ---------------------------------------------------------

    def has_article(self, url: str) -> bool:
        found = self.db.execute("select 1 from articles where url = ? limit 1", [url])
        return found.fetchone() is not None

    def is_known(self, url: str) -> bool:
        """Archived, or removed by the site (its last fetch answered 404 or 410): nothing to
        fetch unless asked to refetch."""
        if self.has_article(url):
            return True
        sql = (
            "select http_status from failures where article_url = ? and stage = 'fetch' "
            "order by id desc limit 1"
        )
        row = self.db.execute(sql, [url]).fetchone()
        return row is not None and row[0] in (404, 410)

    def last_seen(self, url: str) -> str | None:
        """When the archived article was last fetched (ISO 8601 UTC), or None if it is not."""
        row = self.db.execute("select last_seen_at from articles where url = ?", [url]).fetchone()
        return str(row[0]) if row and row[0] else None

    def last_run_started(self) -> datetime | None:
        """When the last crawl or update that finished well started (aware UTC)."""
        row = self.db.execute(
            "select started_at from crawl_runs where status = 'finished' and exit_code = 0 "
            "and command in ('crawl', 'update') order by id desc limit 1"
        ).fetchone()
        return datetime.fromisoformat(row[0]).astimezone(UTC) if row and row[0] else None

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """The (ETag, Last-Modified) a channel document last answered with, or None."""
        row = self.db.execute(
            "select etag, last_modified from channel_validators where url = ?", [url]
        ).fetchone()
        return (row[0], row[1]) if row else None

    def store_validators(self, found: Mapping[str, tuple[str | None, str | None]]) -> None:
        with self.db.atomic():
            self.db.table("channel_validators").upsert_all(
                (
                    {"url": url, "etag": etag, "last_modified": modified, "stored_at": utc_now()}
                    for url, (etag, modified) in found.items()
                ),
                pk="url",
            )

    def possibly_removed(self) -> list[str]:
        """Archived articles the newest coverage run found listed by no channel, not fetched
        since (an update fetches them once: a 404/410 or a redirect away marks them removed)."""
        if not self.db.table("coverage_urls").exists():
            return []
        sql = (
            "select u.url from coverage_urls u join coverage_runs r on r.id = u.coverage_run_id "
            "join articles a on a.url = u.url where r.id = (select max(id) from coverage_runs) "
            "and u.status = 'unlisted' and a.removed_at is null and a.last_seen_at < r.checked_at "
            "order by u.url"
        )
        return [str(row[0]) for row in self.db.execute(sql)]

    def mark_removed(self, url: str, status: int) -> bool:
        """Mark an archived article as no longer served (its row and revisions stay); the
        first sighting's time is kept. False when the URL is not archived."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update articles set removed_at = coalesce(removed_at, ?), removed_status = ? "
                "where url = ?",
                [utc_now(), status, url],
            )
        return cursor.rowcount > 0

    def count(self, table: str) -> int:
        return self.db[table].count

    def _find(self, url: str, post_id: int | None) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from articles where url = ?", [url]))
        if not rows and post_id is not None:
            # Same post under another URL (slug edited, or a host variant that slipped through).
            rows = list(self.db.query("select * from articles where post_id = ?", [post_id]))
        return rows[0] if rows else None

    # --- articles --------------------------------------------------------------------------

    def store(
        self, article: Article, raw: RawRecord | None = None, *, seen: bool = True
    ) -> Outcome:
        """Insert a new article, add a revision for changed content, or just mark it seen.

        `seen=False` (re-parsing a stored capture) leaves `last_seen_at` alone: the site was
        not visited. Commits by itself, unless called inside `batch()`.
        """
        if self._batch_lost is not None:
            raise self._batch_lost
        try:
            return self._store(article, raw or RawRecord(), seen)
        except BaseException as exc:
            self._forget_names()
            if self._batching and not self.db.conn.in_transaction:
                self._batch_lost = (
                    exc if isinstance(exc, sqlite3.Error) else sqlite3.OperationalError(str(exc))
                )
            raise

    def _store(self, article: Article, raw: RawRecord, seen: bool) -> Outcome:
        digest = content_hash(article)
        now = utc_now()
        # Seen when it was fetched, not when stored (a batch commits later): a post edited
        # after the fetch must look changed since then to `update`.
        seen_at = article.fetched_at or now
        # Inside a batch this is a savepoint: an article that fails is undone alone.
        with self.db.atomic():
            existing = self._find(article.url, article.post_id)
            if existing is None:
                article_id = self._insert(article, digest, now, seen_at, raw)
                self._add_revision(article_id, 1, article, digest, now, raw)
                self._link_names(article_id, article)
                # Triggers keep articles_fts in sync; the stem index needs Python, so here.
                index_article(self.db, article_id, article.title, article.subtitle, article.body)
                return Outcome.NEW
            if seen and existing.get("removed_at"):
                # Served again: no longer removed.
                self._update_row(existing["id"], {"removed_at": None, "removed_status": None})
            # An older capture (a saved page given to `extract`) does not move it back.
            seen_at = max(seen_at, existing["last_seen_at"] or "")
            if existing["content_hash"] == digest:
                if seen:
                    self._update_row(existing["id"], {"last_seen_at": seen_at})
                return Outcome.UNCHANGED
            revision = existing["revision"] + 1
            record = self._record(article, digest, raw)
            record.update(revision=revision, last_changed_at=now)
            if seen:
                record["last_seen_at"] = seen_at
            record.pop("url")  # the row keeps its identity even if found by post ID
            self._update_row(existing["id"], record)
            self._add_revision(existing["id"], revision, article, digest, now, raw)
            self._link_names(existing["id"], article)
            index_article(self.db, existing["id"], article.title, article.subtitle, article.body)
            return Outcome.UPDATED

    @contextlib.contextmanager
    def batch(self) -> Iterator[Archive]:
        """`store()` calls inside are one transaction, committed at the end of the block, or
        rolled back whole if the block raises (or the commit fails): the archive then holds
        none of them, and the block can be run again as it was.

        The write lock is taken at the start (BEGIN IMMEDIATE), so waiting for another writer
        happens there, before anything is written, and the batch never fails half way for
        being busy. Hold it briefly: other writers wait for it. Batches do not nest."""
        if self._batching or self.db.conn.in_transaction:
            raise RuntimeError("a batch cannot start inside another transaction")
        self.db.execute("BEGIN IMMEDIATE")
        self._batching = True
        try:
            yield self
            if self._batch_lost is not None:
                raise self._batch_lost
            self.db.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        finally:
            self._batching = False
            self._batch_lost = None

    def store_all(
        self, entries: Sequence[tuple[Article, RawRecord | None]], *, seen: bool = True
    ) -> list[Outcome | Exception]:
        """Store several articles in one transaction (`batch()`): each one's outcome, or the
        error that kept that one article out (a row SQLite would not take, a value it cannot
        hold; the others are stored).

        Raises, with nothing stored, on an error that is not about one article: another writer
        still holding the archive after the busy timeout, a full disk, a read-only or failing
        file, or any error that rolled the transaction back. Run it again as it was to retry."""
        results: list[Outcome | Exception] = []
        with self.batch():
            for article, raw in entries:
                try:
                    results.append(self.store(article, raw, seen=seen))
                except Exception as exc:
                    if self._batch_lost is not None or is_busy(exc):
                        raise
                    if halting_error(exc, self.path) is not None:
                        raise
                    results.append(exc)
        return results

    def _rollback(self) -> None:
        self._forget_names()
        # A no-op when the error already ended the transaction. If even the rollback fails
        # (the disk went away), SQLite undoes the transaction when the file is next opened;
        # the error that got here is the one to report.
        with contextlib.suppress(sqlite3.Error):
            self.db.conn.rollback()

    def _forget_names(self) -> None:
        self._name_ids.clear()

    def _record(self, article: Article, digest: str, raw: RawRecord) -> dict[str, Any]:
        record = column_values(article, FIELD_NAMES)
        record.update(
            content_hash=digest,
            parser_version=PARSER_VERSION,
            warc_file=raw.warc_file,
            warc_offset=raw.warc_offset,
        )
        return record

    def _insert(self, article: Article, digest: str, now: str, seen_at: str, raw: RawRecord) -> int:
        record = self._record(article, digest, raw)
        record.update(revision=1, first_seen_at=seen_at, last_seen_at=seen_at, last_changed_at=now)
        return self._insert_row("articles", record)

    def _insert_row(self, table: str, record: Mapping[str, Any]) -> int:
        """Insert one row of plain values; its rowid. (sqlite-utils' insert() first asks the
        schema whether the table exists and what it holds, which cost more than the insert.)"""
        columns = ", ".join(f"[{name}]" for name in record)
        marks = ", ".join("?" * len(record))
        cursor = self.db.execute(
            f"insert into [{table}] ({columns}) values ({marks})", list(record.values())
        )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def _update_row(self, article_id: int, values: Mapping[str, Any]) -> None:
        """Set columns of one article row (sqlite-utils' update() asks the schema first)."""
        assignments = ", ".join(f"[{name}] = ?" for name in values)
        self.db.execute(
            f"update articles set {assignments} where id = ?", [*values.values(), article_id]
        )

    def _add_revision(
        self, article_id: int, revision: int, article: Article, digest: str, now: str,
        raw: RawRecord,
    ) -> None:  # fmt: skip
        record = column_values(article, REVISION_FIELDS)
        record.update(
            article_id=article_id,
            revision=revision,
            content_hash=digest,
            captured_at=now,
            warc_file=raw.warc_file,
            warc_offset=raw.warc_offset,
        )
        self._insert_row("article_revisions", record)

    def _link_names(self, article_id: int, article: Article) -> None:
        for kind, link, key, names in (
            ("categories", "article_categories", "category_id", article.categories),
            ("tags", "article_tags", "tag_id", article.tags),
        ):
            self.db.execute(f"delete from {link} where article_id = ?", [article_id])
            rows = [
                (article_id, self._name_id(kind, name), position)
                for position, name in enumerate(dict.fromkeys(names))
            ]
            if rows:
                self.db.conn.executemany(
                    f"insert into {link} (article_id, {key}, position) values (?, ?, ?)", rows
                )

    def _name_id(self, kind: str, name: str) -> int:
        """The id of a category or tag name, added if new. Another process may add the same
        name meanwhile: the unique index makes the insert a no-op, and the select finds its
        row (committed before this transaction's write lock was granted)."""
        found = self._name_ids.get((kind, name))
        if found is None:
            self.db.execute(f"insert or ignore into {kind} (name) values (?)", [name])
            row = self.db.execute(f"select id from {kind} where name = ?", [name]).fetchone()
            found = self._name_ids[(kind, name)] = int(row[0])
        return found

    # --- the run ledger --------------------------------------------------------------------

    def start_run(self, command: str, arguments: Mapping[str, Any]) -> int:
        with self.db.atomic():
            table = self.db.table("crawl_runs").insert(
                {
                    "command": command,
                    "arguments": json.dumps(arguments, ensure_ascii=False, default=str),
                    "started_at": utc_now(),
                    "status": "running",
                }
            )
        assert table.last_pk is not None
        return int(table.last_pk)

    def mark_interrupted_runs(self) -> int:
        """Runs still marked running were killed; call only while holding the archive's lock."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update crawl_runs set status = 'interrupted' where status = 'running'"
            )
        return int(cursor.rowcount)

    def finish_run(self, run_id: int, **values: Any) -> None:
        values.setdefault("finished_at", utc_now())
        if isinstance(values.get("http_statuses"), dict):
            values["http_statuses"] = json.dumps(values["http_statuses"], sort_keys=True)
        with self.db.atomic():
            self.db.table("crawl_runs").update(run_id, values)

    def record_failure(
        self,
        run_id: int | None,
        url: str,
        stage: str,
        reason: str,
        http_status: int | None = None,
        raw: RawRecord | None = None,
        article_url: str | None = None,
    ) -> None:
        raw = raw or RawRecord()
        with self.db.atomic():
            self.db.table("failures").insert(
                {
                    "run_id": run_id,
                    "url": url,
                    "stage": stage,
                    "reason": reason,
                    "http_status": http_status,
                    "at": utc_now(),
                    "warc_file": raw.warc_file,
                    "warc_offset": raw.warc_offset,
                    "article_url": article_url,
                }
            )

    def failures(self, run_id: int) -> list[dict[str, Any]]:
        return list(self.db.query("select * from failures where run_id = ?", [run_id]))

    def names(self, article_id: int, kind: str) -> list[str]:
        link, key = {
            "categories": ("article_categories", "category_id"),
            "tags": ("article_tags", "tag_id"),
        }[kind]
        sql = (
            f"select n.name from {link} l join {kind} n on n.id = l.{key} "
            "where l.article_id = ? order by l.position"
        )
        return [row["name"] for row in self.db.query(sql, [article_id])]

    def articles(self) -> Iterable[dict[str, Any]]:
        yield from self.db.query("select * from articles order by id")

    def article_ids(self, layout: str | None = None, since: str | None = None) -> list[int]:
        """Article ids, oldest first, optionally of one layout or published since a day."""
        sql = "select id from articles where (? is null or layout = ?)"
        sql += " and (? is null or published_at >= ?) order by id"
        return [row[0] for row in self.db.execute(sql, [layout, layout, since, since])]

    def article(self, article_id: int) -> dict[str, Any]:
        return dict(self.db.table("articles").get(article_id))
