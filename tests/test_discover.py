"""Issue 13 on the replica: the sitemaps, feed and REST channels (`crawl --discover`, `update`'s
auto mode), `coverage`, edits found by lastmod/modified_gmt, removals marked — every channel's
fault knobs included. The same on the real WordPress: tests/test_real_wordpress_channels.py.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakesite import FakeSite
from tests.helpers import FAST, count, rows, run_cli

CHANNELS = ("sitemaps", "feed", "rest")


def crawl(site: FakeSite, db: Path, *args: str):
    return run_cli("crawl", "--db", str(db), "--base-url", site.base_url, *FAST, *args)


def update(site: FakeSite, db: Path, *args: str):
    return run_cli("update", "--db", str(db), "--base-url", site.base_url, *FAST, *args)


def coverage(site: FakeSite, db: Path, *args: str):
    return run_cli("coverage", "--db", str(db), "--base-url", site.base_url, *FAST, *args)


def archived_urls(db: Path) -> set[str]:
    return {r["url"] for r in rows(db, "select url from articles")}


def kinds(site: FakeSite) -> Counter[str]:
    """What the replica answered since the log was cleared, by kind of page."""
    found: Counter[str] = Counter()
    for record in site.requests:
        path = record.path
        if path.startswith("/robots.txt"):
            found["robots"] += 1
        elif "sitemap" in path:
            found["sitemaps"] += 1
        elif "/feed/" in path:
            found["feed"] += 1
        elif "wp-json" in path or "rest_route" in path:
            found["rest"] += 1
        elif path.startswith("/category/"):
            found["listing"] += 1
        elif path in ("/", ""):
            found["home"] += 1
        elif path[1:5].isdigit():
            found["article"] += 1
        else:
            found[path] += 1
    return found


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    # Small sitemap files, so the index lists several; a post only the channels list.
    with FakeSite(articles=60, seed=31, page_size=10, sitemap_size=25) as replica:
        yield replica


@pytest.fixture
def fresh(site: FakeSite) -> Iterator[FakeSite]:
    site.clear_knobs()
    site.clear_log()
    yield site
    site.clear_knobs()


def expected_urls(site: FakeSite) -> set[str]:
    return {a["url"] for a in site.expected_articles(include_unlisted=True)}


@pytest.mark.parametrize("channel", CHANNELS)
def test_each_channel_alone_archives_every_post(fresh: FakeSite, tmp_path: Path, channel: str):
    site = fresh
    hidden = site.unlist(site.articles[40])  # in every channel, on no listing page
    db = tmp_path / "a.db"
    done = crawl(site, db, "--discover", channel)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert archived_urls(db) == expected_urls(site)
    assert site.expected(hidden)["url"] in archived_urls(db)
    assert kinds(site)["listing"] == 0  # no listing walk
    assert count(db, "failures") == 0


def test_a_post_only_the_sitemap_lists_is_missing_then_found(fresh: FakeSite, tmp_path: Path):
    site = fresh
    hidden = site.unlist(site.articles[7])
    url = site.expected(hidden)["url"]
    db = tmp_path / "a.db"
    assert crawl(site, db).returncode == 0  # the listing walk cannot see it
    assert url not in archived_urls(db)
    site.clear_log()
    done = coverage(site, db, "--json")
    assert done.returncode == 1, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert figures["missing_urls"] == [url]
    assert (figures["listed"], figures["archived"], figures["missing"]) == (
        len(expected_urls(site)), len(expected_urls(site)) - 1, 1,
    )  # fmt: skip
    assert figures["channels"] == {"rest": "ok", "sitemaps": "ok"}
    assert kinds(site)["article"] == 0  # coverage fetches no article
    # Stored: the run, its months and the missing URL.
    run = rows(db, "select * from coverage_runs order by id desc limit 1")[0]
    assert (run["listed"], run["missing"]) == (figures["listed"], 1)
    assert rows(db, "select url, status from coverage_urls") == [{"url": url, "status": "missing"}]
    month = url.split("/")[3] + "-" + url.split("/")[4]
    gaps = rows(db, "select * from coverage_months where missing > 0")
    assert [(g["month"], g["missing"]) for g in gaps] == [(month, 1)]
    # The plain report names it; then `crawl --discover sitemaps` archives it and coverage is 0.
    text = coverage(site, db)
    assert text.returncode == 1 and url in text.stdout and "completeness" in text.stdout
    assert crawl(site, db, "--discover", "sitemaps").returncode == 0
    assert url in archived_urls(db)
    whole = coverage(site, db, "--json")
    assert whole.returncode == 0, whole.stderr[-2000:]
    assert json.loads(whole.stdout)["completeness"] == 1.0


@pytest.mark.parametrize(
    "fault", ["404", "401", "403", "html"], ids=["disabled", "401", "403", "html-not-xml"]
)
@pytest.mark.parametrize("channel", CHANNELS)
def test_a_channel_that_does_not_answer_is_reported_once_and_skipped(
    fresh: FakeSite, tmp_path: Path, channel: str, fault: str
) -> None:
    site = fresh
    if fault == "html":
        site.channel_html(channel)
    else:
        site.disable_channel(channel, status=int(fault))
    db = tmp_path / "a.db"
    done = crawl(site, db, "--discover", f"{channel},listings", "--max-articles", "5")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if f"WARNING: {channel}:" in line]
    assert len(lines) == 1, done.stderr
    assert lines[0].endswith("; skipped") and "Traceback" not in done.stderr
    # The skipped channel is no failure row (the replica's one listed-but-404 article may be
    # among the five the listing walk fetches: that one is only recorded).
    assert rows(db, "select url from failures where coalesce(http_status, 0) != 404") == []
    assert count(db, "articles") + count(db, "failures") == 5  # the listing walk went on
    # Alone, a channel that cannot be read means nothing could be read: exit 1, one line.
    alone = crawl(site, tmp_path / "b.db", "--discover", channel)
    assert alone.returncode == 1
    assert "no listing page or channel document could be read" in alone.stdout


def test_update_with_nothing_new_costs_robots_and_one_request(fresh: FakeSite, tmp_path: Path):
    site = fresh
    db = tmp_path / "a.db"
    assert crawl(site, db).returncode == 0
    site.clear_log()
    done = update(site, db)
    assert done.returncode == 0, done.stderr[-2000:]
    assert kinds(site) == Counter({"robots": 1, "rest": 1})
    # Without REST, the feed; without both, the listing walk (as before the channels).
    site.disable_channel("rest", status=401)
    site.clear_log()
    done = update(site, db)
    assert done.returncode == 0, done.stderr[-2000:]
    assert kinds(site) == Counter({"robots": 1, "rest": 2, "feed": 1})  # /wp-json/, ?rest_route=
    assert "rest: HTTP 401" in done.stderr and "trying the feed instead" in done.stderr
    site.disable_channel("feed")
    site.clear_log()
    done = update(site, db)
    assert done.returncode == 0, done.stderr[-2000:]
    found = kinds(site)
    assert found["listing"] == len(site.sections) and found["article"] == 0


@pytest.mark.parametrize("channels", [(), ("rest",)], ids=["rest", "feed"])
def test_update_with_k_new_posts(
    fresh: FakeSite, tmp_path: Path, channels: tuple[str, ...]
) -> None:
    site = fresh
    db = tmp_path / "a.db"
    assert crawl(site, db).returncode == 0
    for channel in channels:
        site.disable_channel(channel)
    for k in (3, 12):
        new = site.publish(k)
        site.clear_log()
        done = update(site, db)
        assert done.returncode == 0, done.stderr[-2000:]
        found = kinds(site)
        assert found["article"] == k
        assert {site.expected(a)["url"] for a in new} <= archived_urls(db)
        discovery = found["rest"] + found["feed"]
        # One REST page (100 a page); the feed's pages of 10 down to the first with an archived
        # post: ⌊k/10⌋ + 1 (the refused REST costs its two tries on top).
        assert discovery - 2 * len(channels) == (1 if not channels else k // 10 + 1)


@pytest.mark.parametrize("channel", ["rest", "sitemaps"])
def test_an_edit_becomes_exactly_one_revision_after_one_update(
    fresh: FakeSite, tmp_path: Path, channel: str
) -> None:
    site = fresh
    db = tmp_path / "a.db"
    assert crawl(site, db, "--discover", channel).returncode == 0
    # Its own article per channel: the replica stamps a second edit of one article a minute
    # after the first, which may be in the future (WordPress stamps "now").
    target = site.articles[30 + ["rest", "sitemaps"].index(channel)]
    site.edit(target, body_extra="Pemerintah kota menambahkan keterangan baru soal anggaran.")
    site.clear_log()
    done = update(site, db, "--discover", channel)
    assert done.returncode == 0, done.stderr[-2000:]
    url = site.expected(target)["url"]
    assert kinds(site)["article"] == 1
    row = rows(db, "select revision, body from articles where url = ?", url)[0]
    assert row["revision"] == 2 and "keterangan baru" in row["body"]
    assert count(db, "article_revisions") == count(db, "articles") + 1
    # Nothing changed since: the next update fetches no article.
    site.clear_log()
    assert update(site, db, "--discover", channel).returncode == 0
    assert kinds(site)["article"] == 0


def test_a_removed_post_is_found_by_coverage_and_marked_by_update(
    fresh: FakeSite, tmp_path: Path
) -> None:
    site = fresh
    db = tmp_path / "a.db"
    assert crawl(site, db).returncode == 0
    target = site.articles[12]
    url = site.expected(target)["url"]
    revisions = count(db, "article_revisions")
    site.remove(target)  # 404, and gone from every channel
    done = coverage(site, db, "--json")
    assert done.returncode == 0, done.stderr[-2000:]  # nothing missing; one possibly removed
    figures = json.loads(done.stdout)
    assert figures["unlisted_urls"] == [url] and figures["removed"] == 0
    done = update(site, db)
    assert done.returncode == 0, done.stderr[-2000:]
    row = rows(db, "select * from articles where url = ?", url)[0]
    assert row["removed_status"] == 404 and row["removed_at"]
    assert count(db, "article_revisions") == revisions  # nothing deleted
    again = json.loads(coverage(site, db, "--json").stdout)
    assert (again["unlisted"], again["removed"]) == (0, 1)
    stats = json.loads(run_cli("stats", "--db", str(db), "--json").stdout)
    assert stats["removed"] == 1
    # Checked once: the next update does not ask again; and the 404 (only recorded) did not
    # stop that update from keeping REST's validators, so REST answers 304.
    site.clear_log()
    assert update(site, db).returncode == 0
    assert kinds(site)["article"] == 0
    assert [r.status for r in site.requests if "wp-json" in r.path] == [304]


def test_coverage_filters_and_bad_input(fresh: FakeSite, tmp_path: Path) -> None:
    site = fresh
    db = tmp_path / "a.db"
    assert crawl(site, db, "--section", "tips").returncode == 0
    done = coverage(site, db, "--section", "tips", "--json")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    tips = json.loads(done.stdout)
    assert tips["missing"] == 0 and tips["listed"] == count(db, "articles")
    assert {m["section"] for m in tips["months"]} == {"Tips"}
    everything = json.loads(coverage(site, db, "--json").stdout)
    assert everything["missing"] == len(expected_urls(site)) - count(db, "articles")
    first = min(m["month"] for m in everything["months"])
    since = json.loads(coverage(site, db, "--json", "--since", f"{first}-01").stdout)
    assert since["listed"] == everything["listed"]
    bad = coverage(site, db, "--since", "2024-02-01", "--until", "2024-01-01")
    assert bad.returncode == 2 and "after" in bad.stderr and "Traceback" not in bad.stderr
    assert coverage(site, db, "--since", "yesterday").returncode == 2


def test_coverage_with_no_channel_that_lists_every_post_exits_1(
    fresh: FakeSite, tmp_path: Path
) -> None:
    site = fresh
    db = tmp_path / "a.db"
    assert crawl(site, db, "--max-articles", "3").returncode == 0
    site.disable_channel("sitemaps")
    site.disable_channel("rest", status=403)
    done = coverage(site, db)
    assert done.returncode == 1
    assert "completeness cannot be told" in done.stderr or "nothing was recorded" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unchanged_channel_costs_a_304_and_a_failed_run_asks_again(
    fresh: FakeSite, tmp_path: Path
) -> None:
    site = fresh
    db = tmp_path / "a.db"
    assert crawl(site, db).returncode == 0
    assert update(site, db).returncode == 0  # REST answers 200 with its validators
    site.clear_log()
    assert update(site, db).returncode == 0
    [rest] = [r for r in site.requests if "wp-json" in r.path]
    assert rest.status == 304
    # A new post whose page fails: the run fails, so the next update must not be told 304.
    [new] = site.publish(1)
    site.fail(new, status=503, times=None)
    assert update(site, db).returncode == 1
    site.clear_knobs()
    site.clear_log()
    assert update(site, db).returncode == 0
    assert site.expected(new)["url"] in archived_urls(db)
    assert [r.status for r in site.requests if "wp-json" in r.path] == [200]


def test_a_sitemap_read_in_part_names_no_removal(fresh: FakeSite, tmp_path: Path) -> None:
    """One post sitemap failing (and REST refused): the archived posts it would have listed
    are not "possibly removed", and the run says completeness cannot be told."""
    site = fresh
    db = tmp_path / "a.db"
    assert crawl(site, db).returncode == 0
    site.disable_channel("rest", status=401)
    site.fail("/post-sitemap2.xml", status=503, times=None)
    done = coverage(site, db, "--json", "-s", "RETRY_TIMES=0")
    assert done.returncode == 1
    figures = json.loads(done.stdout)
    assert figures["unlisted_urls"] == [] and not figures["complete_channel"]
    assert figures["channels"]["sitemaps"].startswith("incomplete: ")
    assert "completeness cannot be told" in done.stderr
