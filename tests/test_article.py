"""Golden-fixture tests of article extraction: one test per fixture and field."""

from __future__ import annotations

import pytest

from newsarchive.items import FIELD_NAMES
from newsarchive.pages import NotAnArticle, parse_article
from tests.fixtures import Fixture, all_fixtures

ARTICLES = all_fixtures("article")
NOT_ARTICLES = all_fixtures("not_article")
_cache: dict[str, dict[str, object]] = {}


def extracted(fixture: Fixture) -> dict[str, object]:
    if fixture.name not in _cache:
        article = parse_article(fixture.url, fixture.html, fixture.fetched_at)
        _cache[fixture.name] = article.to_dict()
    return _cache[fixture.name]


def test_there_are_two_fixtures_per_layout() -> None:
    layouts = [f.expected["layout"] for f in ARTICLES]
    for layout in ("newkarma", "amp", "news5"):
        assert layouts.count(layout) >= 2, layout
    assert len(NOT_ARTICLES) >= 2


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.name)
def test_expected_names_every_field(fixture: Fixture) -> None:
    assert sorted(fixture.expected) == sorted(FIELD_NAMES)


@pytest.mark.parametrize(
    ("fixture", "field"),
    [(f, name) for f in ARTICLES for name in FIELD_NAMES],
    ids=lambda v: v.name if isinstance(v, Fixture) else v,
)
def test_field(fixture: Fixture, field: str) -> None:
    assert extracted(fixture)[field] == fixture.expected[field]


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.name)
def test_body_is_free_of_noise(fixture: Fixture) -> None:
    body = str(extracted(fixture)["body"])
    for noise in (
        "Baca Juga",
        "IKLAN",
        "Shopping cart",
        "Terms of use",
        "Leave a Comment",
        "Recent Posts",
        "WhatsApp Icon",
        "Ukuran Font",
        "Published by",
        "mins ago",
    ):
        assert noise not in body
    assert "\n\n\n" not in body


@pytest.mark.parametrize("fixture", NOT_ARTICLES, ids=lambda f: f.name)
def test_not_an_article(fixture: Fixture) -> None:
    with pytest.raises(NotAnArticle):
        parse_article(fixture.url, fixture.html, fixture.fetched_at)
