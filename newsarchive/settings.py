"""Every tunable of a crawl, with its polite default. Override with `-s NAME=VALUE`.

Scrapy reads this module through scrapy.cfg, so `scrapy crawl` and `newsarchive crawl` behave
the same.
"""

# Lower-case: Scrapy takes every upper-case name of this module as a setting.
from importlib.util import find_spec as _find_spec

from newsarchive import site as _site

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
    # robots.txt as RFC 9309 reads it: a 5xx or unreachable robots.txt disallows the site.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.robots.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # Just outside the retries: sees each download's final outcome (newsarchive.budget).
    "newsarchive.budget.RunBudget": 540,
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
# Only the content codings the WARC reader (newsarchive.storage.warc) decodes again, offline:
# Scrapy would also offer zstd where backports.zstd is installed, and a page stored that way
# could not be re-parsed.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "id,en;q=0.8",
    "Accept-Encoding": "gzip, deflate" + (", br" if _find_spec("brotli") else ""),
}
# The run's budget (README, "Limits"). This many downloads in a row failing for good (after
# their retries) with no answer from the site in between: the site is down, the run stops with
# finish reason `site_unreachable`. 0 turns it off.
NEWSARCHIVE_MAX_CONSECUTIVE_FAILURES = 20
# Seconds after which the run stops (finish reason `closespider_timeout`; Scrapy's CloseSpider).
# 0: no time limit, as a full crawl of the site takes many hours; cron can pass one with -s.
CLOSESPIDER_TIMEOUT = 0

# Responses cut short are retried, and the last one is kept (raw, in the WARC) and recorded as
# a failure, rather than vanishing in an exception.
DOWNLOAD_FAIL_ON_DATALOSS = False
# A news article page is well under 2 MB; anything far larger is not one.
DOWNLOAD_MAXSIZE = _site.MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

# Where the archive lives (overridden by --db / NEWSARCHIVE_DB).
NEWSARCHIVE_DB = _site.DEFAULT_DB
# Seconds a write waits for another connection's transaction (an analyst's, say) before it
# fails; a store is then tried twice more before the page is recorded as a `store` failure.
NEWSARCHIVE_DB_BUSY_TIMEOUT = 10.0
# The site; every request is derived from it (overridden by --base-url / NEWSARCHIVE_BASE_URL).
NEWSARCHIVE_BASE_URL = _site.DEFAULT_BASE_URL
# Section listing URL for a slug given on the command line.
NEWSARCHIVE_SECTION_URL = _site.SECTION_URL_TEMPLATE

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "newsarchive.pipelines.ValidatePipeline": 100,
    "newsarchive.pipelines.ArchivePipeline": 500,
}
# What a callback yields (an article, or a listing's requests) goes through synchronous
# pipelines and the scheduler one after the other anyway; Scrapy starts this many asyncio
# workers for every response (100 by default: a tenth of a crawl's CPU on the loopback replica).
CONCURRENT_ITEMS = 1
# Scrapy reads each generator callback's source to warn about `return value` in it; bound
# methods are new objects on every request, so its cache misses and it parses the spider's
# source again and again. The spider's callbacks are checked by the tests instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Scrapy's telnet console listens on a port of 6023-6073: nobody attaches to a cron crawl, an
# open debugging port on the archive's machine is a risk, and several crawls at once (tests,
# two archives) run out of ports, which fails the run with an error line.
TELNETCONSOLE_ENABLED = False

EXTENSIONS = {
    # The one writer of crawl_runs; holds the archive's lock for the whole crawl.
    "newsarchive.ledger.RunLedger": 0,
    "newsarchive.progress.ProgressReporter": 500,
    # Replaced by ProgressReporter's one line per interval.
    "scrapy.extensions.logstats.LogStats": None,
}
# Seconds between progress lines on stderr; 0 turns them off (`--quiet`).
NEWSARCHIVE_PROGRESS_INTERVAL = 10.0
# The command recorded in the run ledger (`newsarchive crawl` and `update` set theirs).
NEWSARCHIVE_COMMAND = "scrapy crawl"
