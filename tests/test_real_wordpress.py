"""The crawler and the extractor against a real WordPress (tests/wordpress/): WordPress 6.4.1
with KalbarOnline's theme Newkarma, Yoast SEO, AMP for WP and KIA Subtitle, seeded with 60 posts
in the site's style. Every expected value comes from WordPress itself (php/truth.php) or, for the
dateline and the sign-off, from what the seed wrote into the body — never from our parser.

The real CLI runs in a subprocess for crawl and update; ``extract`` is run through the CLI on a
page of each kind, and every one of the 240 pages (desktop and AMP, Yoast set up as an
organisation and not) through the same ``parse_article`` the CLI calls.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newsarchive.pages import parse_article
from tests.helpers import FAST, rows, run_cli
from tests.wordpress import content
from tests.wordpress.expected import FIELDS, differences, expected
from tests.wordpress.site import WordPressSite

# Fetched now: posts edited by other tests carry today's modification time.
FETCHED_AT = datetime.now(UTC).replace(microsecond=0)


@contextmanager
def configured(
    site: WordPressSite, *, organisation: bool, strip: bool, default_image: bool = False
) -> Iterator[None]:
    site.configure(
        yoast_organisation=organisation, strip_category_base=strip, default_image=default_image
    )
    try:
        yield
    finally:  # the session's site goes back to WordPress's defaults for the next test
        site.configure(yoast_organisation=False, strip_category_base=False)


@pytest.fixture
def truth(wordpress: WordPressSite) -> list[dict[str, Any]]:
    return wordpress.truth()


def extract_all(site: WordPressSite, truth: list[dict[str, Any]], *, amp: bool, organisation: bool):
    """Per-field match counts and the differing fields of every page of one kind."""
    matches: Counter[str] = Counter()
    wrong: dict[str, dict[str, tuple[Any, Any]]] = {}
    for row in truth:
        url = row["url"] + ("amp/" if amp else "")
        status, html = site.get(urlsplit(url).path)
        assert status == 200, url
        # The configuration took: Yoast's graph has its Article piece exactly when it should.
        assert ('"@type":"Article"' in html) is organisation, url
        article = parse_article(url, html, FETCHED_AT, base_url=site.url)
        diff = differences(article.to_dict(), expected(row, amp=amp, organisation=organisation))
        matches.update(f for f in FIELDS if f not in diff)
        if diff:
            wrong[url] = diff
    return matches, wrong


@pytest.mark.parametrize("organisation", [True, False], ids=["yoast-organisation", "yoast-nobody"])
@pytest.mark.parametrize("amp", [False, True], ids=["desktop", "amp"])
def test_extract_every_page_gets_every_field(
    wordpress: WordPressSite, amp: bool, organisation: bool
) -> None:
    with configured(wordpress, organisation=organisation, strip=False):
        truth = wordpress.truth()
        assert len(truth) == len(content.POSTS)
        matches, wrong = extract_all(wordpress, truth, amp=amp, organisation=organisation)
        print(json.dumps({"amp": amp, "organisation": organisation, "matches": matches}))
        assert wrong == {}
        assert all(matches[f] == len(truth) for f in FIELDS)


@pytest.mark.parametrize("amp", [False, True], ids=["desktop", "amp"])
def test_extract_command_on_real_pages(wordpress: WordPressSite, tmp_path: Path, amp: bool) -> None:
    """The CLI itself, on the edited two-category post and a post with a captioned image."""
    truth = {row["title"]: row for row in wordpress.truth()}
    picks = [p for p in content.POSTS if len(p.categories) > 1 or p.modified][:1]
    picks += [p for p in content.POSTS if p.image and p.image.caption and p.subtitle][:1]
    for post in picks:
        row = truth[post.title]
        url = row["url"] + ("amp/" if amp else "")
        page = tmp_path / "page.html"
        page.write_text(wordpress.get(urlsplit(url).path)[1], encoding="utf-8")
        done = run_cli(
            "extract", str(page), "--url", url, "--fetched-at", FETCHED_AT.isoformat(),
            "--base-url", wordpress.url,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        got = json.loads(done.stdout)
        assert differences(got, expected(row, amp=amp, organisation=False)) == {}
        assert got["layout"] == ("amp" if amp else "newkarma")


def stored(db: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for row in rows(db, "select * from articles"):
        row["categories"], row["tags"] = json.loads(row["categories"]), json.loads(row["tags"])
        out[row["url"]] = row
    return out


def assert_archive_is_the_site(db: Path, truth: list[dict[str, Any]]) -> None:
    archive = stored(db)
    assert sorted(archive) == sorted(row["url"] for row in truth)
    wrong = {}
    for row in truth:
        diff = differences(archive[row["url"]], expected(row, amp=False, organisation=True))
        if diff:
            wrong[row["url"]] = diff
    assert wrong == {}
    assert rows(db, "select count(*) as n from failures")[0]["n"] == 0


def crawl(site: WordPressSite, db: Path, *args: str):
    return run_cli("crawl", "--db", str(db), "--base-url", site.url, *FAST, *args)


def fetched(site: WordPressSite) -> tuple[list[str], Counter[str]]:
    """(article permalinks, listing pages per section) the site answered since last cleared."""
    articles, listings = [], Counter()
    for _status, path in site.requests():
        parts = [p for p in urlsplit(path).path.split("/") if p]
        if len(parts) >= 4 and parts[0].isdigit():
            articles.append(path)
        elif parts and parts[0] == "category":
            listings[parts[1]] += 1
        elif parts and parts[0] in {c.slug for c in content.CATEGORIES}:
            listings[parts[0]] += 1
    return articles, listings


@pytest.mark.parametrize("strip", [False, True], ids=["category-base", "category-base-stripped"])
def test_crawl_stores_every_post_then_update_fetches_no_article(
    wordpress: WordPressSite, tmp_path: Path, strip: bool
) -> None:
    with configured(wordpress, organisation=True, strip=strip):
        truth = wordpress.truth()
        db = tmp_path / "archive.db"
        done = crawl(wordpress, db)  # no --section: the sections come from the site's menu
        assert done.returncode == 0, done.stderr
        assert_archive_is_the_site(db, truth)

        wordpress.clear_requests()
        done = run_cli(
            "update", "--db", str(db), "--base-url", wordpress.url, *FAST, "--discover", "listings"
        )
        assert done.returncode == 0, done.stderr
        articles, listings = fetched(wordpress)
        assert articles == []
        assert listings == Counter({c.slug: 1 for c in content.CATEGORIES})


@pytest.mark.parametrize("strip", [False, True], ids=["category-base", "category-base-stripped"])
def test_crawl_by_section(wordpress: WordPressSite, tmp_path: Path, strip: bool) -> None:
    with configured(wordpress, organisation=True, strip=strip):
        truth = wordpress.truth()
        sections = wordpress.sections()
        assert all(s["count"] > 10 for s in sections)  # each has 2+ listing pages
        db = tmp_path / "archive.db"
        args = [a for s in sections for a in ("--section", s["slug"])]
        done = crawl(wordpress, db, *args)
        assert done.returncode == 0, done.stderr
        assert_archive_is_the_site(db, truth)
        # One section alone stores exactly its own posts.
        one = tmp_path / "one.db"
        section = sections[0]
        done = crawl(wordpress, one, "--section", section["url"])
        assert done.returncode == 0, done.stderr
        names = [row["url"] for row in truth if section["name"] in row["categories"]]
        assert sorted(stored(one)) == sorted(names)


def test_yoast_default_share_image_is_no_lead_image(wordpress: WordPressSite, tmp_path: Path):
    """Yoast's "default image" is every imageless page's og:image, listings' too: the crawl
    learns it from the listing pages, so posts without a featured image have none."""
    with configured(wordpress, organisation=True, strip=False, default_image=True):
        truth = wordpress.truth()
        imageless = [row for row in truth if row["image_url"] is None]
        assert len(imageless) == 20
        listing = wordpress.get(urlsplit(wordpress.sections()[0]["url"]).path)[1]
        assert "kalbaronline-share.jpg" in listing  # the share image is on the listing page
        db = tmp_path / "archive.db"
        done = crawl(wordpress, db)
        assert done.returncode == 0, done.stderr
        assert_archive_is_the_site(db, truth)
