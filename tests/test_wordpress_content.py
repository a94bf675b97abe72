"""Fast checks of the real-WordPress seed content (tests/wordpress/content.py): it is data only."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from tests.wordpress.content import AUTHORS, CATEGORIES, POSTS

FMT = "%Y-%m-%d %H:%M:%S"


def test_sixty_posts_with_unique_keys_titles_filenames_and_dates() -> None:
    assert len(POSTS) == 60
    for field in ("key", "title", "date"):
        values = [getattr(p, field) for p in POSTS]
        assert len(set(values)) == len(values), field
    filenames = [p.image.filename for p in POSTS if p.image]
    assert len(set(filenames)) == len(filenames)


def test_dates_parse_and_fall_in_2023_to_2025() -> None:
    for post in POSTS:
        published = datetime.strptime(post.date, FMT)
        assert 2023 <= published.year <= 2025
        if post.modified is not None:
            assert datetime.strptime(post.modified, FMT) > published


def test_edited_content_set_iff_modified_and_differs() -> None:
    for post in POSTS:
        assert (post.modified is None) == (post.edited_content is None), post.key
        if post.edited_content is not None:
            assert post.edited_content != post.content


def test_categories_and_authors() -> None:
    slugs = {c.slug for c in CATEGORIES}
    logins = {a.login for a in AUTHORS}
    assert len(CATEGORIES) == 4 and len(AUTHORS) == 4
    counts = Counter(slug for p in POSTS for slug in p.categories)
    assert set(counts) == slugs
    assert all(n >= 12 for n in counts.values()), counts
    assert sum(len(p.categories) == 2 for p in POSTS) == 1
    assert all(1 <= len(p.categories) <= 2 for p in POSTS)
    assert all(p.author in logins for p in POSTS)
    assert all(a.login.isascii() and a.email.endswith("@example.test") for a in AUTHORS)


def test_bodies_follow_the_site_conventions() -> None:
    opening = re.compile(
        r"^<p>(?:KalbarOnline, [A-Za-z ]+ – |KalbarOnline\.com - |KALBARONLINE\.com – )"
    )
    for post in POSTS:
        assert opening.match(post.content), post.key
        assert 4 <= post.content.count("<p>") <= 9, post.key
        assert 0 <= len(post.tags) <= 4
    assert sum(re.search(r"\([A-Za-z ]+\)</p>$", p.content) is not None for p in POSTS) > 40
    assert 15 <= sum('Baca Juga: <a href="{BASE}/' in p.content for p in POSTS) <= 25
