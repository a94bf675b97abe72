"""Completeness: what the site's channels list against what the archive holds.

`newsarchive coverage` reads the channels (no article is fetched) and hands the posts they list
here; this module compares them with `articles` and stores the figures of the run
(`coverage_runs`, `coverage_months`, `coverage_urls`), so completeness over time is a query.

A listed post counts as archived when an article row has its canonical URL or, failing that, its
post ID (a slug edited after we stored it). An archived article no complete channel lists is
"unlisted": possibly removed from the site (only said when a complete channel — sitemaps or
REST — was read whole, since the feed lists only the newest posts).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from newsarchive.site import COMPLETE_CHANNELS
from newsarchive.storage.database import Database

#: How many missing/unlisted URLs the plain report prints (`--json` gives them all).
REPORT_URLS = 20


@dataclass(frozen=True)
class ListedPost:
    """A post as a channel listed it, reduced to what coverage compares."""

    url: str
    channel: str
    month: str | None  # YYYY-MM of the permalink date (else the channel's publication time)
    section: str | None  # the first category name, when the channel gives it
    post_id: int | None = None
    sections: tuple[str, ...] = ()  # every category name the channel gives


def _section_key(name: str) -> str:
    """A category name or slug, compared: "Kubu Raya" matches "kubu-raya"."""
    return "-".join(name.casefold().split()).replace(" ", "-")


@dataclass
class Coverage:
    """The figures of one coverage run (what `coverage --json` prints)."""

    channels: dict[str, str]
    listed: int = 0
    archived: int = 0
    missing: int = 0
    unlisted: int = 0
    removed: int = 0
    complete_channel: bool = False
    months: list[dict[str, Any]] = field(default_factory=list)
    missing_urls: list[str] = field(default_factory=list)
    unlisted_urls: list[str] = field(default_factory=list)
    url_months: dict[str, str | None] = field(default_factory=dict)  # of those URLs
    coverage_run_id: int | None = None

    @property
    def completeness(self) -> float:
        return self.archived / self.listed if self.listed else 1.0

    @property
    def whole(self) -> bool:
        """Nothing missing, as far as a channel that lists every post can tell."""
        return self.complete_channel and self.missing == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "coverage_run_id": self.coverage_run_id,
            "channels": self.channels,
            "listed": self.listed,
            "archived": self.archived,
            "missing": self.missing,
            "unlisted": self.unlisted,
            "removed": self.removed,
            "completeness": round(self.completeness, 6),
            "complete_channel": self.complete_channel,
            "months": self.months,
            "missing_urls": self.missing_urls,
            "unlisted_urls": self.unlisted_urls,
        }


def _archived_rows(
    db: Database, since: str | None, until: str | None, section: str | None
) -> list[dict[str, Any]]:
    sql = (
        "select url, post_id, substr(published_at, 1, 7) as month, "
        "json_extract(categories, '$[0]') as section, categories, removed_at from articles "
        "where (:since is null or substr(published_at, 1, 10) >= :since) "
        "and (:until is null or substr(published_at, 1, 10) <= :until)"
    )
    rows = [dict(r) for r in db.query(sql, {"since": since, "until": until})]
    if section:
        wanted = _section_key(section)
        rows = [r for r in rows if wanted in {_section_key(c) for c in json.loads(r["categories"])}]
    return rows


def _in_window(post: ListedPost, since: str | None, until: str | None) -> bool:
    month = post.month
    if month is None:
        return True
    return not ((since and month < since[:7]) or (until and month > until[:7]))


def compare(
    db: Database,
    listed: Iterable[ListedPost],
    channels: Mapping[str, str],
    *,
    complete_channel: bool,
    since: str | None = None,
    until: str | None = None,
    section: str | None = None,
) -> Coverage:
    """The archive against the posts the channels listed (within the same filters)."""
    posts: dict[str, ListedPost] = {}
    for post in listed:
        if not _in_window(post, since, until):
            continue
        named = post.sections or ((post.section,) if post.section else ())
        if section and named and _section_key(section) not in {_section_key(n) for n in named}:
            continue
        kept = posts.get(post.url)
        # One entry per URL; the one that names a section wins (REST and feed do, sitemaps not).
        if kept is None or (kept.section is None and post.section):
            posts[post.url] = post
    archived = _archived_rows(db, since, until, section)
    by_url = {r["url"]: r for r in archived}
    by_post_id = {r["post_id"]: r for r in archived if r["post_id"] is not None}
    if section:
        # A post whose section no channel named counts only if its archived copy is there.
        posts = {u: p for u, p in posts.items() if p.section is not None or u in by_url}
    result = Coverage(channels=dict(channels), complete_channel=complete_channel)
    listed_per: Counter[tuple[str, str]] = Counter()
    archived_per: Counter[tuple[str, str]] = Counter()
    matched: set[str] = set()
    for url, post in sorted(posts.items()):
        row = by_url.get(url) or (by_post_id.get(post.post_id) if post.post_id else None)
        label = post.section or (row["section"] if row else None) or ""
        if section:  # counted under the section asked for, when the post is in several
            named = post.sections or ((post.section,) if post.section else ())
            label = next((n for n in named if _section_key(n) == _section_key(section)), label)
        key = (post.month or (row["month"] if row else None) or "", label)
        listed_per[key] += 1
        if row is not None:
            matched.add(row["url"])
            archived_per[key] += 1
        else:
            result.missing_urls.append(url)
            result.url_months[url] = key[0] or None
    result.listed = len(posts)
    result.archived = sum(archived_per.values())
    result.missing = result.listed - result.archived
    if complete_channel:
        result.unlisted_urls = sorted(
            r["url"] for r in archived if r["url"] not in matched and not r["removed_at"]
        )
    unlisted = set(result.unlisted_urls)
    result.url_months.update({r["url"]: r["month"] for r in archived if r["url"] in unlisted})
    result.unlisted = len(result.unlisted_urls)
    result.removed = sum(1 for r in archived if r["removed_at"])
    result.months = [
        {
            "month": month, "section": name, "listed": n, "archived": archived_per[(month, name)],
            "missing": n - archived_per[(month, name)],
        }
        for (month, name), n in sorted(listed_per.items())
    ]  # fmt: skip
    return result


def record(
    db: Database,
    coverage: Coverage,
    *,
    run_id: int | None,
    checked_at: str,
    since: str | None,
    until: str | None,
    section: str | None,
    channel_of: Mapping[str, str],
) -> int:
    """Store one run's figures; returns its `coverage_runs` id."""
    with db.conn:
        table = db.table("coverage_runs").insert(
            {
                "run_id": run_id, "checked_at": checked_at,
                "channels": json.dumps(coverage.channels, sort_keys=True), "since": since,
                "until": until, "section": section, "listed": coverage.listed,
                "archived": coverage.archived, "missing": coverage.missing,
                "unlisted": coverage.unlisted, "removed": coverage.removed,
                "completeness": coverage.completeness,
            }
        )  # fmt: skip
        run = int(table.last_pk)  # type: ignore[arg-type]
        db.table("coverage_months").insert_all(
            {"coverage_run_id": run, **month} for month in coverage.months
        )
        urls = [("missing", u) for u in coverage.missing_urls]
        urls += [("unlisted", u) for u in coverage.unlisted_urls]
        db.table("coverage_urls").insert_all(
            {
                "coverage_run_id": run, "url": url, "status": status,
                "channel": channel_of.get(url), "month": coverage.url_months.get(url),
            }
            for status, url in urls
        )  # fmt: skip
    coverage.coverage_run_id = run
    return run


def summary(db: Database, coverage_run_id: int) -> dict[str, Any]:
    """A stored run's figures, as `coverage --json` prints them."""
    run = db.table("coverage_runs").get(coverage_run_id)
    months = list(
        db.query(
            "select month, section, listed, archived, missing from coverage_months "
            "where coverage_run_id = ? order by month, section",
            [coverage_run_id],
        )
    )
    urls: dict[str, list[str]] = {"missing": [], "unlisted": []}
    for row in db.query(
        "select url, status from coverage_urls where coverage_run_id = ? order by url",
        [coverage_run_id],
    ):
        urls[row["status"]].append(row["url"])
    channels = json.loads(run["channels"] or "{}")
    return {
        "coverage_run_id": coverage_run_id,
        "checked_at": run["checked_at"],
        "channels": channels,
        "complete_channel": any(channels.get(name) == "ok" for name in COMPLETE_CHANNELS),
        "listed": run["listed"],
        "archived": run["archived"],
        "missing": run["missing"],
        "unlisted": run["unlisted"],
        "removed": run["removed"],
        "completeness": run["completeness"],
        "months": months,
        "missing_urls": urls["missing"],
        "unlisted_urls": urls["unlisted"],
    }


def report_text(figures: Mapping[str, Any], urls: int = REPORT_URLS) -> str:
    """The plain report: totals, the months and sections with something missing, the first
    missing and unlisted URLs."""
    channels = ", ".join(f"{name} {state}" for name, state in sorted(figures["channels"].items()))
    lines = [
        f"channels: {channels}",
        f"listed {figures['listed']:,} | archived {figures['archived']:,} | missing "
        f"{figures['missing']:,} | completeness {figures['completeness']:.1%} | unlisted "
        f"(possibly removed) {figures['unlisted']:,} | marked removed {figures['removed']:,}",
    ]
    gaps = [m for m in figures["months"] if m["missing"]]
    if gaps:
        lines.append("months with gaps (month  section  listed  archived  missing):")
        lines += [
            f"  {m['month'] or '?':7}  {m['section'] or '(unknown)':20} {m['listed']:6} "
            f"{m['archived']:9} {m['missing']:8}"
            for m in gaps
        ]
    for key, title in (("missing_urls", "missing"), ("unlisted_urls", "unlisted")):
        found = figures[key]
        if found:
            more = f" (first {urls}; --json lists all)" if len(found) > urls else ""
            lines.append(f"{title}: {len(found):,}{more}")
            lines += [f"  {url}" for url in found[:urls]]
    return "\n".join(lines)


def history(db: Database) -> list[dict[str, Any]]:
    """Every coverage run's totals, oldest first (completeness over time)."""
    if not db.table("coverage_runs").exists():
        return []
    return [
        dict(row)
        for row in db.query(
            "select id, checked_at, listed, archived, missing, unlisted, removed, completeness "
            "from coverage_runs order by id"
        )
    ]


def latest(db: Database) -> dict[str, Any] | None:
    """The newest coverage run's row, or None before the first."""
    if not db.table("coverage_runs").exists():
        return None
    rows = list(db.query("select * from coverage_runs order by id desc limit 1"))
    return rows[0] if rows else None


__all__ = [
    "REPORT_URLS", "Coverage", "ListedPost", "compare", "history", "latest", "record",
    "report_text",
    "summary",
]  # fmt: skip
