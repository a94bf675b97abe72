"""The archive file: opening it (WAL, migrations), storing articles as revisions, the run ledger.

Every write that belongs together happens in one transaction, so a crash or kill at any moment
leaves whole articles or nothing, never a half row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from newsarchive import PARSER_VERSION
from newsarchive.items import CONTENT_FIELDS, Article, RawRecord
from newsarchive.storage.schema import migrations

REVISION_FIELDS = ("title", "subtitle", "byline", "published_at", "modified_at", "body")


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def content_hash(article: Article) -> str:
    content = {name: getattr(article, name) for name in CONTENT_FIELDS}
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


class Archive:
    """One archive file. Not thread-safe: one per process, used from the crawl's thread."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.db = Database(self.path)
        self.db.enable_wal()
        # Another connection's write (a reader's checkpoint, an analyst's transaction) is
        # waited for this many seconds instead of failing at once.
        self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        self.db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

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
        not visited.
        """
        raw = raw or RawRecord()
        digest = content_hash(article)
        now = utc_now()
        with self.db.atomic():
            existing = self._find(article.url, article.post_id)
            if existing is None:
                article_id = self._insert(article, digest, now, raw)
                self._add_revision(article_id, 1, article, digest, now, raw)
                self._link_names(article_id, article)
                return Outcome.NEW
            if existing["content_hash"] == digest:
                if seen:
                    self.db.table("articles").update(existing["id"], {"last_seen_at": now})
                return Outcome.UNCHANGED
            revision = existing["revision"] + 1
            record = self._record(article, digest, raw)
            record.update(revision=revision, last_changed_at=now)
            if seen:
                record["last_seen_at"] = now
            record.pop("url")  # the row keeps its identity even if found by post ID
            self.db.table("articles").update(existing["id"], record)
            self._add_revision(existing["id"], revision, article, digest, now, raw)
            self._link_names(existing["id"], article)
            return Outcome.UPDATED

    def _record(self, article: Article, digest: str, raw: RawRecord) -> dict[str, Any]:
        record = article.to_dict()
        record["categories"] = json.dumps(article.categories, ensure_ascii=False)
        record["tags"] = json.dumps(article.tags, ensure_ascii=False)
        record.update(
            content_hash=digest,
            parser_version=PARSER_VERSION,
            warc_file=raw.warc_file,
            warc_offset=raw.warc_offset,
        )
        return record

    def _insert(self, article: Article, digest: str, now: str, raw: RawRecord) -> int:
        record = self._record(article, digest, raw)
        record.update(revision=1, first_seen_at=now, last_seen_at=now, last_changed_at=now)
        table = self.db.table("articles").insert(record)
        assert table.last_pk is not None
        return int(table.last_pk)

    def _add_revision(
        self, article_id: int, revision: int, article: Article, digest: str, now: str,
        raw: RawRecord,
    ) -> None:  # fmt: skip
        record: dict[str, Any] = {name: getattr(article, name) for name in REVISION_FIELDS}
        record.update(
            article_id=article_id,
            revision=revision,
            categories=json.dumps(article.categories, ensure_ascii=False),
            tags=json.dumps(article.tags, ensure_ascii=False),
            content_hash=digest,
            captured_at=now,
            warc_file=raw.warc_file,
            warc_offset=raw.warc_offset,
        )
        self.db.table("article_revisions").insert(record)

    def _link_names(self, article_id: int, article: Article) -> None:
        for kind, link, key, names in (
            ("categories", "article_categories", "category_id", article.categories),
            ("tags", "article_tags", "tag_id", article.tags),
        ):
            self.db.execute(f"delete from {link} where article_id = ?", [article_id])
            for position, name in enumerate(dict.fromkeys(names)):
                name_id = self.db.table(kind).lookup({"name": name})
                row = {"article_id": article_id, key: name_id, "position": position}
                self.db.table(link).insert(row)

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
