"""Table-driven tests of the pure helpers, plus properties of URL canonicalisation."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsarchive.normalize import (
    SITE_TZ,
    absolute_url,
    canonical_url,
    clean_byline,
    clean_text,
    dateline_place,
    is_article_url,
    is_site_url,
    parse_iso,
    parse_visible_date,
    permalink_date,
    plausible_date,
    reporter_signoff,
    request_url,
    split_url,
    to_site_iso,
    url_date,
)
from tests.helpers import UNSPLITTABLE_URLS

CANON = "https://kalbaronline.com/2019/05/23/pontianak-kian-mencekam/"


@pytest.mark.parametrize(
    "url",
    [
        "https://kalbaronline.com/2019/05/23/pontianak-kian-mencekam/",
        "https://kalbaronline.com/2019/05/23/pontianak-kian-mencekam",
        "http://kalbaronline.com/2019/05/23/pontianak-kian-mencekam/",
        "https://www.kalbaronline.com/2019/05/23/pontianak-kian-mencekam/",
        "http://www.kalbaronline.com/2019/05/23/pontianak-kian-mencekam",
        "https://WWW.KalbarOnline.com/2019/05/23/pontianak-kian-mencekam/",
        "https://www.kalbaronline.com/2019/05/23/pontianak-kian-mencekam/amp/?pgrelated=1242",
        "https://kalbaronline.com/2019/05/23/pontianak-kian-mencekam/amp",
        "https://www.kalbaronline.com/2019/05/23/pontianak-kian-mencekam/?page28332434234=3&pgrelated=1877&pgrelated=1878",
        "https://kalbaronline.com/2019/05/23/pontianak-kian-mencekam/#comments",
        "  https://kalbaronline.com/2019/05/23/pontianak-kian-mencekam?utm_source=x  ",
    ],
)
def test_canonical_url_variants_are_one_article(url: str) -> None:
    assert canonical_url(url) == CANON


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        # A replica crawl stores the replica's host, including for links to the real host.
        (
            "http://127.0.0.1:8080/2019/05/23/a",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/2019/05/23/a/",
        ),
        (
            "https://www.kalbaronline.com/2019/05/23/a/amp/",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/2019/05/23/a/",
        ),
        # Other sites keep their host.
        (
            "https://example.org/2019/05/23/a?x=1",
            "https://kalbaronline.com",
            "https://example.org/2019/05/23/a/",
        ),
    ],
)
def test_canonical_url_follows_base(url: str, base: str, expected: str) -> None:
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The site's own slash style is kept so the crawler pays no redirect.
        (
            "https://kalbaronline.com/2026/02/17/wali-kota",
            "https://kalbaronline.com/2026/02/17/wali-kota",
        ),
        (
            "https://www.kalbaronline.com/2017/05/03/a/?pgrelated=1",
            "https://kalbaronline.com/2017/05/03/a/",
        ),
        ("https://kalbaronline.com/2017/03/16/a/amp", "https://kalbaronline.com/2017/03/16/a"),
        ("https://kalbaronline.com/2017/03/16/a/amp/", "https://kalbaronline.com/2017/03/16/a/"),
    ],
)
def test_request_url(url: str, expected: str) -> None:
    assert request_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://kalbaronline.com/2019/05/23/slug/", True),
        ("https://www.kalbaronline.com/2019/05/23/slug/amp/", True),
        ("/2019/05/23/slug", False),  # relative links are resolved by the caller first
        ("https://kalbaronline.com/category/pontianak/", False),
        ("https://kalbaronline.com/2019/05/23/", False),
        ("https://kalbaronline.com/2019/13/23/slug/", False),
        ("https://example.org/2019/05/23/slug/", False),
    ],
)
def test_is_article_url(url: str, expected: bool) -> None:
    assert is_article_url(url) is expected


UNSPLITTABLE = UNSPLITTABLE_URLS


@pytest.mark.parametrize("url", UNSPLITTABLE)
def test_split_url_is_none_for_a_url_urllib_cannot_split(url: str) -> None:
    with pytest.raises(ValueError):
        urlsplit(url)
    assert split_url(url) is None


@pytest.mark.parametrize("url", [CANON, "http://[::1]/2020/01/01/lain/", "/2020/01/01/lain", ""])
def test_split_url_splits_what_urllib_splits(url: str) -> None:
    assert split_url(url) == urlsplit(url)


@pytest.mark.parametrize("url", UNSPLITTABLE)
def test_a_url_that_cannot_be_split_is_no_site_url_no_article_and_no_date(url: str) -> None:
    assert is_site_url(url) is False
    assert is_site_url(url, "http://127.0.0.1:8080") is False
    assert is_article_url(url) is False
    assert permalink_date(url) is None
    assert url_date(url) is None
    # No permalink, so only the sane window decides.
    assert plausible_date(datetime(2020, 1, 1, tzinfo=SITE_TZ), FETCHED, url) is True


@pytest.mark.parametrize("url", UNSPLITTABLE)
def test_a_url_that_cannot_be_split_resolves_to_nothing(url: str) -> None:
    assert absolute_url(" ../lain/ ", CANON) == "https://kalbaronline.com/2019/05/23/lain/"
    assert absolute_url(url, CANON) is None
    assert absolute_url(f"  {url} ", CANON) is None
    assert absolute_url("/2020/01/01/lain/", url) is None  # no page to resolve against


@pytest.mark.parametrize("url", UNSPLITTABLE)
def test_a_url_that_cannot_be_split_is_its_own_canonical_and_request_url(url: str) -> None:
    # It names no page of any host, so there is nothing to normalise: it stays as written.
    assert canonical_url(f" {url} ") == url
    assert request_url(f" {url} ") == url
    assert canonical_url(url, "http://127.0.0.1:8080") == url


slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,40}", fullmatch=True)
hosts = st.sampled_from(["kalbaronline.com", "www.kalbaronline.com", "WWW.KALBARONLINE.COM"])
schemes = st.sampled_from(["http", "https"])
suffixes = st.sampled_from(["", "/", "/amp", "/amp/"])
queries = st.sampled_from(["", "?pgrelated=5", "?page28332434234=3&pgrelated=1", "#respond"])
days = st.dates(min_value=datetime(2017, 1, 1).date(), max_value=datetime(2026, 12, 31).date())


@given(schemes, hosts, days, slugs, suffixes, queries)
def test_all_variants_of_one_article_map_to_one_url(scheme, host, day, slug, suffix, query) -> None:
    url = f"{scheme}://{host}/{day:%Y/%m/%d}/{slug}{suffix}{query}"
    expected = f"https://kalbaronline.com/{day:%Y/%m/%d}/{slug}/"
    assert canonical_url(url) == expected
    assert permalink_date(url) == (day.year, day.month, day.day)


@given(st.text(max_size=60), schemes, hosts, suffixes, queries)
def test_canonicalising_twice_changes_nothing(path, scheme, host, suffix, query) -> None:
    url = f"{scheme}://{host}/{path.strip()}{suffix}{query}"
    once = canonical_url(url)
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Judul\u00a0 berita\n baru ", "Judul berita baru"),
        ("\u200bZero\u200bwidth", "Zero width"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_text(text: str | None, expected: str) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oleh : Redaksi KalbarOnline", "Redaksi KalbarOnline"),
        ("Oleh: Jauhari Fatria", "Jauhari Fatria"),
        ("Published by boskalbaronline", "boskalbaronline"),
        ("Penulis: Adi LC", "Adi LC"),
        ("Ditulis oleh adminkalbaronline", "adminkalbaronline"),
        ("Byron Halim", "Byron Halim"),  # a name that starts like a label
        ("Jauhari Fatria", "Jauhari Fatria"),
        ("Oleh :", None),
        (None, None),
    ],
)
def test_clean_byline(text: str | None, expected: str | None) -> None:
    assert clean_byline(text) == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("KalbarOnline, Pontianak – Wali Kota Pontianak…", "Pontianak"),
        ("KalbarOnline, Kubu Raya – Warga…", "Kubu Raya"),
        ("KalbarOnline, Mempawah - Kapolda…", "Mempawah"),
        ("KalbarOnline.com, Landak – Bupati…", "Landak"),
        ("KalbarOnline.com - Pemerintah…", None),
        ("KALBARONLINE.com – Wali Kota Edi…", None),
        ("KALBARONLINE.com - Dermaga…", None),
        ("Pontianak – tanpa dateline situs", None),
    ],
)
def test_dateline_place(paragraph: str, expected: str | None) -> None:
    assert dateline_place(paragraph) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Paragraf.\n\n(jim)", "jim"),
        ("Paragraf.\n\n(Adi LC)", "Adi LC"),
        ("Kata dia. (Jau)", "Jau"),
        ("Kata dia. (Fai) ", "Fai"),
        ("Pada Kamis (5/7) warga datang.", None),
        ("Digelar Senin (1/11/2021)", None),
        ("Tanpa penutup.", None),
    ],
)
def test_reporter_signoff(body: str, expected: str | None) -> None:
    assert reporter_signoff(body) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-11-26T14:40:50+00:00", "2023-11-26T21:40:50+07:00"),  # Yoast's UTC becomes WIB
        ("2023-11-26T14:40:50Z", "2023-11-26T21:40:50+07:00"),
        ("2024-08-28T19:05:12+07:00", "2024-08-28T19:05:12+07:00"),
        ("2018-07-05T09:12:00", "2018-07-05T09:12:00+07:00"),  # naive means the site's time
        ("2018-07-05", "2018-07-05T00:00:00+07:00"),
    ],
)
def test_parse_iso_to_site_time(value: str, expected: str) -> None:
    moment = parse_iso(value)
    assert moment is not None
    assert to_site_iso(moment) == expected


@pytest.mark.parametrize("value", ["", "kemarin", "2023-13-45T00:00:00", None])
def test_parse_iso_rejects(value: str | None) -> None:
    assert parse_iso(value) is None


FETCHED = datetime(2024, 6, 16, 3, 0, tzinfo=UTC)  # 10:00 WIB


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rabu, 19 Februari 2025", "2025-02-19T00:00:00+07:00"),
        ("Selasa, 17 Februari 2026", "2026-02-17T00:00:00+07:00"),
        ("19/02/2025 14:30 WIB", "2025-02-19T14:30:00+07:00"),
        ("Minggu, 3 September 2023 | 14:05 WIB", "2023-09-03T14:05:00+07:00"),
        ("Jumat, 5 Pebruari 2021", "2021-02-05T00:00:00+07:00"),
        ("Senin, 1 Nopember 2021", "2021-11-01T00:00:00+07:00"),
        ("Jum'at, 5 Februari 2021", "2021-02-05T00:00:00+07:00"),
        ("Jum’at, 4 Juni 2021", "2021-06-04T00:00:00+07:00"),
        ("10 mins ago", "2024-06-16T09:50:00+07:00"),
        ("3 hours ago", "2024-06-16T07:00:00+07:00"),
        ("2 jam yang lalu", "2024-06-16T08:00:00+07:00"),
        ("Mar 8, 2025", "2025-03-08T00:00:00+07:00"),
    ],
)
def test_parse_visible_date(text: str, expected: str) -> None:
    moment = parse_visible_date(text, FETCHED)
    assert moment is not None
    assert to_site_iso(moment) == expected


@pytest.mark.parametrize("text", ["", "Pontianak", "Bagikan", "x" * 200])
def test_parse_visible_date_rejects(text: str) -> None:
    assert parse_visible_date(text, FETCHED) is None


def test_url_date_is_midnight_wib() -> None:
    moment = url_date("https://kalbaronline.com/2018/07/05/slug/")
    assert moment is not None
    assert to_site_iso(moment) == "2018-07-05T00:00:00+07:00"
    assert url_date("https://kalbaronline.com/category/pontianak/") is None
