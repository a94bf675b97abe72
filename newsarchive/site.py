"""The site's defaults, each written once. Imports nothing, so every layer (settings, CLI,
spider, storage) can use it and `newsarchive --help` pays for nothing."""

# The live site; every request is derived from it (replicas pass --base-url).
DEFAULT_BASE_URL = "https://kalbaronline.com"
# A section's listing page for a slug given on the command line.
SECTION_URL_TEMPLATE = "{base}/category/{slug}/"
# The archive, relative to the working directory.
DEFAULT_DB = "data/kalbaronline.db"
# The WARC folder (default: warc/ beside the archive): the name of both the environment
# variable (`reparse --warc-dir`, export's refusal to write into it) and the crawl's setting.
WARC_DIR_ENV = "NEWSARCHIVE_WARC_DIR"
# A news article page is well under 2 MB; anything far larger is not one. The downloader's cap
# (DOWNLOAD_MAXSIZE) and the cap on bodies read back from WARC files.
MAX_PAGE_BYTES = 16 * 1024 * 1024

#: The discovery channels that list every post (the feed lists the newest only): an archived
#: article none of them lists any more may have been removed.
COMPLETE_CHANNELS = frozenset({"sitemaps", "rest"})
