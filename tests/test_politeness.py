"""The crawler's polite defaults, read from the settings a real crawl uses."""

from __future__ import annotations

from newsarchive.crawl import crawl_settings


def test_polite_defaults() -> None:
    settings = crawl_settings({})
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert 429 in settings.getlist("RETRY_HTTP_CODES")
    assert settings.getint("DOWNLOAD_MAXSIZE") > 0
    assert "{contact}" in settings.get("NEWSARCHIVE_USER_AGENT")


def test_command_line_settings_win() -> None:
    settings = crawl_settings({"DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"})
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 8
