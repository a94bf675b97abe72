"""Issue 13 on the real WordPress (tests/wordpress/): Yoast's sitemaps, WordPress's feed and REST
API as that software serves them — each channel alone, `coverage`, `update`'s request budget,
an edit, a removal and a restore, and the channels switched off the way real sites do (a
security plugin's 401 on REST, feeds off, Yoast's sitemaps off).

Every test leaves the site as it found it (posts restored, channels back on).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import FAST, count, rows, run_cli
from tests.test_real_wordpress import assert_archive_is_the_site, configured, stored
from tests.wordpress.site import WordPressSite


def cli(command: str, site: WordPressSite, db: Path, *args: str):
    return run_cli(command, "--db", str(db), "--base-url", site.url, *FAST, *args)


def requested(site: WordPressSite) -> Counter[str]:
    """What the site answered since the log was cleared, by kind of page."""
    found: Counter[str] = Counter()
    for _status, path in site.requests():
        parts = [p for p in urlsplit(path).path.split("/") if p]
        if path.startswith("/robots.txt"):
            found["robots"] += 1
        elif "wp-json" in path or "rest_route" in path:
            found["rest"] += 1
        elif "sitemap" in path:
            found["sitemaps"] += 1
        elif "feed" in parts:
            found["feed"] += 1
        elif parts and parts[0].isdigit():
            found["article"] += 1
        else:
            found["other"] += 1
    return found


@pytest.fixture
def site(wordpress: WordPressSite) -> Iterator[WordPressSite]:
    with configured(wordpress, organisation=True, strip=False):
        wordpress.clear_requests()
        yield wordpress
    wordpress.channels_off()


@pytest.mark.parametrize("channel", ["sitemaps", "feed", "rest"])
def test_each_channel_alone_archives_the_site(site: WordPressSite, tmp_path: Path, channel: str):
    truth = site.truth()
    db = tmp_path / "a.db"
    done = cli("crawl", site, db, "--discover", channel)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert_archive_is_the_site(db, truth)
    assert requested(site)["other"] == 0  # no home page, no listing


def test_coverage_update_edit_and_removal(site: WordPressSite, tmp_path: Path) -> None:
    truth = site.truth()
    db = tmp_path / "a.db"
    # Half the site archived: coverage names the rest, fetches no article, exits 1.
    assert cli("crawl", site, db, "--discover", "sitemaps", "--max-articles", "30").returncode == 0
    site.clear_requests()
    done = cli("coverage", site, db, "--json")
    assert done.returncode == 1, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert (figures["listed"], figures["archived"], figures["missing"]) == (60, 30, 30)
    assert set(figures["missing_urls"]) == {r["url"] for r in truth} - set(stored(db))
    assert requested(site)["article"] == 0
    assert sum(m["listed"] for m in figures["months"]) == 60
    # The update archives the rest; then nothing new costs robots.txt + one REST request.
    assert cli("update", site, db).returncode == 0
    assert_archive_is_the_site(db, truth)
    site.clear_requests()
    assert cli("update", site, db).returncode == 0
    assert requested(site) == Counter({"robots": 1, "rest": 1})
    assert json.loads(cli("coverage", site, db, "--json").stdout)["completeness"] == 1.0

    # A new post: one article request, one REST request.
    new_id = site.publish_post("Pemkot Resmikan Taman Baru", "pontianak", "Taman dibuka.")
    edited, removed = truth[3], truth[9]
    try:
        site.clear_requests()
        assert cli("update", site, db).returncode == 0
        assert requested(site) == Counter({"robots": 1, "rest": 1, "article": 1})
        assert count(db, "articles") == 61
        # An edit: exactly one revision after one update.
        site.edit_post(edited["post_id"], "Pembaruan: jadwal diundur sepekan.")
        revisions = count(db, "article_revisions")
        site.clear_requests()
        assert cli("update", site, db).returncode == 0
        assert requested(site)["article"] == 1
        assert count(db, "article_revisions") == revisions + 1
        row = rows(db, "select revision, body from articles where url = ?", edited["url"])[0]
        assert row["revision"] == 2 and "jadwal diundur" in row["body"]
        # A removal: coverage says possibly removed, the next update marks it, nothing deleted.
        site.trash_post(removed["post_id"])
        found = json.loads(cli("coverage", site, db, "--json").stdout)
        assert found["unlisted_urls"] == [removed["url"]]
        assert cli("update", site, db).returncode == 0
        mark = rows(db, "select * from articles where url = ?", removed["url"])[0]
        assert mark["removed_status"] == 404 and mark["removed_at"]
        assert count(db, "article_revisions") == revisions + 1
        assert json.loads(cli("coverage", site, db, "--json").stdout)["removed"] == 1
        # Restored on the site: its modification time moves, the update fetches it, a 200
        # clears the mark.
        site.restore_post(removed["post_id"])
        assert cli("update", site, db).returncode == 0
        back = rows(db, "select * from articles where url = ?", removed["url"])[0]
        assert (back["removed_at"], back["removed_status"]) == (None, None)
    finally:
        site.trash_post(new_id)
        site.restore_post(removed["post_id"])


def test_channels_off_fall_back_to_the_next(site: WordPressSite, tmp_path: Path) -> None:
    truth = site.truth()
    db = tmp_path / "a.db"
    assert cli("crawl", site, db).returncode == 0
    # REST refused and feeds off: the listing walk, one page per section.
    site.channels_off("rest", "feed")
    site.clear_requests()
    done = cli("update", site, db)
    assert done.returncode == 0, done.stderr[-2000:]
    listings = [p for _s, p in site.requests() if p.startswith("/category/")]
    assert len(listings) == 4
    # A security plugin's 401 on REST (both /wp-json/ and ?rest_route=): the feed instead.
    # (Feeds first, then: WordPress itself answers a repeated feed request 304 before any
    # plugin can refuse the feed.)
    site.channels_off("rest")
    site.clear_requests()
    done = cli("update", site, db)
    assert done.returncode == 0, done.stderr[-2000:]
    assert requested(site) == Counter({"robots": 1, "rest": 2, "feed": 1})
    assert "rest: HTTP 401" in done.stderr
    # Asked again, the unchanged feed answers 304 to the validators the last update kept.
    site.clear_requests()
    assert cli("update", site, db).returncode == 0
    assert [s for s, p in site.requests() if "feed" in p] == [304]
    # Yoast's sitemaps off: WordPress's own wp-sitemap.xml takes over, and robots.txt says so.
    site.channels_off("yoast-sitemaps")
    site.clear_requests()
    core = tmp_path / "core.db"
    done = cli("crawl", site, core, "--discover", "sitemaps")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert_archive_is_the_site(core, truth)
    assert any(p.startswith("/wp-sitemap") for _s, p in site.requests())
    # Every sitemap off: `crawl --discover sitemaps` says so in one line, exit 1.
    site.channels_off("sitemaps")
    done = cli("crawl", site, tmp_path / "b.db", "--discover", "sitemaps")
    assert done.returncode == 1
    assert len([line for line in done.stderr.splitlines() if "WARNING: sitemaps:" in line]) == 1
    assert_archive_is_the_site(db, truth)  # the first archive is untouched by all this
