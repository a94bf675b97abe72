"""The SQLite archive: schema and migrations, article revisions, the run ledger. No Scrapy here."""

from newsarchive.items import RawRecord
from newsarchive.storage.archive import Archive, Outcome, content_hash

__all__ = ["Archive", "Outcome", "RawRecord", "content_hash"]
