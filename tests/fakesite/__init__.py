"""A local KalbarOnline replica for integration tests and benchmarks (see README.md)."""

from tests.fakesite.server import FakeSite, RequestRecord

__all__ = ["LOOPBACK_CRAWL_FLAGS", "FakeSite", "RequestRecord"]

# Command-line flags for crawling the replica: it is on loopback, so no politeness delays, but
# the same code paths as a real crawl. Shared by the tests and the benchmarks.
LOOPBACK_CRAWL_FLAGS = [
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "AUTOTHROTTLE_ENABLED=False",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0",
]  # fmt: skip
