"""The extraction cascade's rules, each on a small page written inline."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsarchive.pages import IncompleteArticle, NotAnArticle, UnknownLayout, parse_article

URL = "https://kalbaronline.com/2021/11/01/banjir-ketapang/"
FETCHED = datetime(2024, 6, 16, 3, 0, tzinfo=UTC)
BODY = """<p>KalbarOnline, Ketapang – Banjir merendam tiga kecamatan pada Senin (1/11/2021).</p>
<p>Warga mengungsi ke tempat yang lebih tinggi.</p><p>(Adi LC)</p>"""


def newkarma(head: str = "", meta_block: str = "", body: str = BODY) -> str:
    return f"""<html><head>{head}</head><body class="post-template-default single single-post">
    <div class="gmr-top-date">Minggu, 16 Juni 2024</div>
    <main id="main" class="site-main-single"><article id="post-77"><div class="gmr-box-content-single">
    <header class="entry-header"><h1 class="entry-title">Banjir Ketapang</h1>
    <div class="gmr-metacontent-single">{meta_block}</div></header>
    <div class="entry-content entry-content-single">{body}</div></div></article></main>
    <aside><time class="entry-date published" datetime="2024-06-15T08:00:00+07:00">kemarin</time></aside>
    </body></html>"""


def amp(date_text: str) -> str:
    return f"""<html amp><head></head><body><div class="sp sgl"><div class="cntr">
    <h1 class="amp-post-title">Banjir Ketapang</h1>
    <div class="post-date"><div class="loop-date">{date_text}</div></div></div>
    <div class="sp-cnt"><div class="cntn-wrp artl-cnt">{BODY}</div></div></div>
    <div class="r-pf"><h3>Recent Posts</h3><div class="fsp"><div class="loop-date">10 mins ago</div></div></div>
    </body></html>"""


def jsonld(**article: object) -> str:
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "Article", **article}]}
    return f'<script type="application/ld+json">{json.dumps(graph)}</script>'


def test_jsonld_utc_date_becomes_wib() -> None:
    page = newkarma(
        head=jsonld(
            datePublished="2021-11-01T02:15:00+00:00", dateModified="2021-11-02T01:00:00+00:00"
        )
    )
    article = parse_article(URL, page, FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T09:15:00+07:00", "jsonld")
    assert article.modified_at == "2021-11-02T08:00:00+07:00"


def test_meta_wins_over_theme_time() -> None:
    head = '<meta property="article:published_time" content="2021-11-01T02:15:00+00:00">'
    block = (
        '<time class="entry-date published" datetime="2021-11-01T10:00:00+07:00">1/11/2021</time>'
    )
    article = parse_article(URL, newkarma(head=head, meta_block=block), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T09:15:00+07:00", "meta")


def test_broken_jsonld_falls_back_to_meta() -> None:
    head = (
        '<script type="application/ld+json">{"@graph": [{"@type": "Article",</script>'
        '<meta property="article:published_time" content="2021-11-01T02:15:00+00:00">'
    )
    article = parse_article(URL, newkarma(head=head), FETCHED)
    assert article.date_source == "meta"


def test_theme_time_in_article_header_not_sidebar() -> None:
    block = (
        '<time class="entry-date published updated" datetime="2021-11-01T10:00:00+07:00">x</time>'
    )
    article = parse_article(URL, newkarma(meta_block=block), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T10:00:00+07:00", "time")
    assert article.modified_at is None  # one <time> that is both published and updated


def test_in_body_event_date_and_sidebar_dates_are_never_used() -> None:
    article = parse_article(URL, newkarma(), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T00:00:00+07:00", "url")


def test_relative_visible_date_on_another_day_loses_to_url() -> None:
    article = parse_article(URL + "amp/", amp("3 hours ago"), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T00:00:00+07:00", "url")
    assert article.layout == "amp"


def test_relative_visible_date_on_the_same_day_is_used() -> None:
    fetched = datetime(2021, 11, 1, 8, 0, tzinfo=UTC)  # 15:00 WIB
    article = parse_article(URL + "amp/", amp("3 hours ago"), fetched)
    assert (article.published_at, article.date_source) == ("2021-11-01T12:00:00+07:00", "text")


def test_reporter_and_dateline_stay_in_body() -> None:
    article = parse_article(URL, newkarma(), FETCHED)
    assert article.reporter == "Adi LC"
    assert article.dateline == "Ketapang"
    assert article.body.startswith("KalbarOnline, Ketapang –")
    assert article.body.endswith("(Adi LC)")
    assert article.post_id == 77


@pytest.mark.parametrize(
    "noise",
    [
        '<p><strong>Baca Juga : <a href="https://www.kalbaronline.com/2023/12/07/lain/">Lain</a></strong></p>',
        '<p>Baca juga: <a href="/2020/01/01/lain/">Lain</a></p>',
        '<p><a href="https://kalbaronline.com/2020/01/01/lain/">Judul artikel lain</a></p>',
        "<p>IKLANSUMPAHPEMUDA</p>",
        '<div class="gmr-banner-insidecontent"><a href="#"><img src="x.jpg"></a>Iklan</div>',
        '<figure class="wp-caption"><img src="a.jpg"><figcaption>Foto: warga</figcaption></figure>',
        '<script>var x = "Banjir";</script><ins class="adsbygoogle">ad</ins>',
        '<div class="sharedaddy sd-sharing-enabled"><h3>Share this:</h3></div>',
    ],
)
def test_injected_noise_is_dropped(noise: str) -> None:
    body = BODY.replace("</p>\n<p>Warga", f"</p>{noise}<p>Warga")
    article = parse_article(URL, newkarma(body=body), FETCHED)
    assert article.body.split("\n\n") == [
        "KalbarOnline, Ketapang – Banjir merendam tiga kecamatan pada Senin (1/11/2021).",
        "Warga mengungsi ke tempat yang lebih tinggi.",
        "(Adi LC)",
    ]


def test_link_inside_a_sentence_is_kept() -> None:
    body = BODY.replace("Warga mengungsi", 'Warga <a href="/2021/10/30/a/">mengungsi</a>')
    article = parse_article(URL, newkarma(body=body), FETCHED)
    assert "Warga mengungsi ke tempat" in article.body


@pytest.mark.parametrize(
    ("page", "url"),
    [
        (
            '<html><body class="error404"><h1>Oops! That page can\'t be found.</h1></body></html>',
            URL,
        ),
        (
            '<html><body class="archive category category-pontianak"><h1>Pontianak</h1></body></html>',
            "https://kalbaronline.com/category/pontianak/",
        ),
        (
            '<html><head><meta property="og:type" content="website"></head><body><h1>KalbarOnline</h1>'
            "</body></html>",
            "https://kalbaronline.com/",
        ),
        ("<html><body><p>Nothing here</p></body></html>", "https://kalbaronline.com/about/"),
        # A template head's og:type at a permalink URL, but no article markup: still refused.
        (
            '<html><head><meta property="og:type" content="website"></head><body><h1>Banjir</h1>'
            "<p>Halaman tidak ditemukan.</p></body></html>",
            URL,
        ),
    ],
)
def test_not_an_article(page: str, url: str) -> None:
    with pytest.raises(NotAnArticle) as raised:
        parse_article(url, page, FETCHED)
    assert "\n" not in str(raised.value)


def test_article_looking_page_without_body_is_unknown_layout() -> None:
    page = '<html><head><meta property="og:type" content="article"></head><body></body></html>'
    with pytest.raises(UnknownLayout):
        parse_article(URL, page, FETCHED)


def test_known_layout_without_body_falls_back_to_generic() -> None:
    paragraphs = "".join(
        f"<p>Paragraf ke-{i} tentang banjir yang merendam rumah warga di Ketapang selama "
        "berhari-hari, sehingga aktivitas warga lumpuh total dan sekolah diliburkan.</p>"
        for i in range(6)
    )
    page = newkarma(body="").replace(
        "</article>", f"</article><div class='isi-berita-baru'>{paragraphs}</div>"
    )
    article = parse_article(URL, page, FETCHED)
    assert article.layout == "generic"
    assert "Paragraf ke-5" in article.body


def test_missing_title_is_incomplete_not_a_half_article() -> None:
    page = newkarma().replace('<h1 class="entry-title">Banjir Ketapang</h1>', "")
    with pytest.raises((IncompleteArticle, UnknownLayout)):
        parse_article(URL, page, FETCHED)
