"""The SQLite archive: schema and migrations, article revisions, the run ledger. No Scrapy here."""

from newsarchive.storage.archive import PARSER_VERSION, Archive, Outcome, RawRecord, content_hash

__all__ = ["PARSER_VERSION", "Archive", "Outcome", "RawRecord", "content_hash"]
