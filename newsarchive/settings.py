"""Every tunable of a crawl, with its polite default. Override with `-s NAME=VALUE`.

Scrapy reads this module through scrapy.cfg, so `scrapy crawl` and `newsarchive crawl` behave
the same.
"""

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["newsarchive.spiders"]
NEWSPIDER_MODULE = "newsarchive.spiders"

# Who to contact about this crawler; the User-Agent names the project and this contact.
# (Setting USER_AGENT itself replaces the whole string.)
NEWSARCHIVE_CONTACT = "https://github.com/newsarchive/newsarchive"
NEWSARCHIVE_USER_AGENT = "newsarchive/{version} (+{contact}; research archive of KalbarOnline)"
# Replaced by the string above, filled in, unless set on the command line.
USER_AGENT = "newsarchive"

# Politeness: obey robots.txt, at most 2 requests at a time to the site, adapt to its latency.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Retries with backoff on server errors, timeouts and rate limiting.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Seconds before the first retry, doubled for each further one, and the longest wait; a
# `Retry-After` header asking for longer is honoured up to that cap.
NEWSARCHIVE_RETRY_BACKOFF_BASE = 2.0
NEWSARCHIVE_RETRY_BACKOFF_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsarchive.middlewares.BackoffRetryMiddleware": 550,
    # Sees 3xx responses before RedirectMiddleware (600) does.
    "newsarchive.middlewares.OffsiteRedirectGuard": 650,
    # Sees responses as received: before redirects (600) and decompression (590).
    "newsarchive.middlewares.WarcCaptureMiddleware": 700,
}
# Keep every fetched page as WARC (`--no-raw` turns it off), in this folder (default: warc/
# beside the archive file), starting a new file past this size.
NEWSARCHIVE_RAW = True
NEWSARCHIVE_WARC_DIR = None
NEWSARCHIVE_WARC_MAX_BYTES = 1_000_000_000
DOWNLOAD_TIMEOUT = 30

# Responses cut short are retried, and the last one is kept (raw, in the WARC) and recorded as
# a failure, rather than vanishing in an exception.
DOWNLOAD_FAIL_ON_DATALOSS = False
# A news article page is well under 2 MB; anything far larger is not one.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

# Where the archive lives (overridden by --db / NEWSARCHIVE_DB).
NEWSARCHIVE_DB = "data/kalbaronline.db"
# The site; every request is derived from it (overridden by --base-url / NEWSARCHIVE_BASE_URL).
NEWSARCHIVE_BASE_URL = "https://kalbaronline.com"
# Section listing URL for a slug given on the command line.
NEWSARCHIVE_SECTION_URL = "{base}/category/{slug}/"

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "newsarchive.pipelines.ValidatePipeline": 100,
    "newsarchive.pipelines.ArchivePipeline": 500,
}
EXTENSIONS = {
    "newsarchive.progress.ProgressReporter": 500,
    # Replaced by ProgressReporter's one line per interval.
    "scrapy.extensions.logstats.LogStats": None,
}
# Seconds between progress lines on stderr; 0 turns them off (`--quiet`).
NEWSARCHIVE_PROGRESS_INTERVAL = 10.0
# Filled in by `newsarchive crawl` so the pipeline writes into the run the CLI opened.
NEWSARCHIVE_RUN_ID = None
