"""Re-extract stored raw pages with the current parser, without network.

Rows whose extracted content changed get a new revision (and the current parser version);
rows whose content is the same are left untouched. A raw page over the size cap or cut short
is unreadable and recorded as a failure (stage `parse`) pointing at the row and its record;
the row itself is left as it is.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from newsarchive.items import CONTENT_FIELDS, Article, RawRecord
from newsarchive.normalize import decode_html
from newsarchive.pages import ExtractionError, parse_article
from newsarchive.storage import Archive, Outcome
from newsarchive.storage.warc import StoredPage, UnusableRecord, read_page


@dataclass
class ReparseReport:
    examined: int = 0
    changed: int = 0
    unchanged: int = 0
    without_raw: int = 0
    unreadable: int = 0
    damaged: Counter[str] = field(default_factory=Counter)  # unusable records, per kind
    fields: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        per_field = ", ".join(f"{name} {n}" for name, n in sorted(self.fields.items()))
        per_kind = ", ".join(f"{kind} {n}" for kind, n in sorted(self.damaged.items()))
        return (
            f"examined {self.examined} | changed {self.changed} | unchanged {self.unchanged}"
            f" | no raw page {self.without_raw} | unreadable {self.unreadable}"
            + (f" ({per_kind})" if per_kind else "")
            + (f" | fields changed: {per_field}" if per_field else "")
        )


def extract_stored(page: StoredPage, base_url: str) -> Article:
    html = decode_html(page.body, page.content_type)
    return parse_article(page.url, html, page.fetched_at, base_url=base_url)


def reparse(
    archive: Archive,
    warc_folder: Path,
    base_url: str,
    layout: str | None = None,
    since: date | None = None,
) -> ReparseReport:
    report = ReparseReport()
    for article_id in archive.article_ids(layout, since.isoformat() if since else None):
        row = archive.article(article_id)
        report.examined += 1
        if not row["warc_file"]:
            report.without_raw += 1
            continue
        raw = RawRecord(row["warc_file"], row["warc_offset"])
        try:
            page = read_page(warc_folder / row["warc_file"], row["warc_offset"])
            article = extract_stored(page, base_url)
        except UnusableRecord as exc:
            report.unreadable += 1
            report.damaged[exc.kind] += 1
            url = row["url"]
            reason = f"raw page unusable: {exc}"
            archive.record_failure(None, url, "parse", reason, raw=raw, article_url=url)
            continue
        except (OSError, ValueError, ExtractionError):
            report.unreadable += 1
            continue
        article.url = row["url"]  # the row's identity, whatever base URL it was fetched under
        if archive.store(article, raw, seen=False) is Outcome.UNCHANGED:
            report.unchanged += 1
            continue
        report.changed += 1
        report.fields.update(name for name in CONTENT_FIELDS if _differs(row, article, name))
    return report


def _differs(row: dict[str, object], article: Article, name: str) -> bool:
    value = getattr(article, name)
    stored = json.loads(str(row[name])) if isinstance(value, list) else row[name]
    return bool(stored != value)
