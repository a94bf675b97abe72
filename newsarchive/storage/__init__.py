"""The SQLite archive: schema and migrations, article revisions, the run ledger. No Scrapy here.

The names below are imported on first use: `newsarchive.storage.warc` (read by `extract --warc`)
and `newsarchive.storage.lock` need no sqlite-utils (which `storage.database` imports without
pandas and numpy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarchive.items import RawRecord
    from newsarchive.storage.archive import Archive, Outcome, content_hash

__all__ = ["Archive", "Outcome", "RawRecord", "content_hash"]


def __getattr__(name: str) -> Any:
    if name == "RawRecord":
        from newsarchive.items import RawRecord

        return RawRecord
    if name in ("Archive", "Outcome", "content_hash"):
        from newsarchive.storage import archive

        return getattr(archive, name)
    raise AttributeError(f"module 'newsarchive.storage' has no attribute {name!r}")
