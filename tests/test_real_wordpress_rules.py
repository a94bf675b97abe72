"""Rules learnt from real WordPress output (issue 12, item 3), each on a small inline page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from newsarchive.pages import NotAnArticle, parse_article

URL = "https://kalbaronline.com/2021/11/01/banjir-ketapang/"
FETCHED = datetime(2024, 6, 16, 3, 0, tzinfo=UTC)
TITLE = "Banjir Ketapang"
BODY = """<p>KalbarOnline, Ketapang – Banjir merendam tiga kecamatan pada Senin (1/11/2021).</p>
<p>Warga mengungsi ke tempat yang lebih tinggi.</p><p>(Adi LC)</p>"""
IMG = "https://kalbaronline.com/wp-content/uploads/2021/11/banjir.jpg"


def script(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def graph(*pieces: dict[str, Any]) -> str:
    return script({"@context": "https://schema.org", "@graph": list(pieces)})


def newkarma(head: str = "", figure: str = "", meta_block: str = "") -> str:
    return f"""<html><head>{head}</head><body class="post-template-default single single-post">
    <main id="main" class="site-main-single"><article id="post-77"><div class="gmr-box-content-single">
    <header class="entry-header"><h1 class="entry-title">{TITLE}</h1>
    <div class="gmr-metacontent-single">{meta_block}</div></header>
    <div class="gmr-featured-wrap">{figure}</div>
    <div class="entry-content entry-content-single">{BODY}</div></div></article></main>
    </body></html>"""


def amp(head: str = "", cntr: str = "", image: str = "", body_class: str = "") -> str:
    return f"""<html amp><head>{head}</head><body class="{body_class}"><div class="sp sgl">
    <div class="cntr"><h1 class="amp-post-title">{TITLE}</h1>{cntr}</div>
    <div class="sf-img">{image}</div>
    <div class="sp-cnt"><div class="cntn-wrp artl-cnt">{BODY}</div></div></div></body></html>"""


# --- 1. a caption repeating the title / alt is no caption ---------------------------------


def _with_caption(caption: str, alt: str = "Banjir di Ketapang") -> str:
    head = graph(
        {"@type": "Article", "headline": TITLE, "image": {"@id": URL + "#primaryimage"}},
        {"@type": "ImageObject", "@id": URL + "#primaryimage", "url": IMG, "caption": caption},
    )
    return newkarma(head=head, figure=f'<figure><img src="{IMG}" alt="{alt}"></figure>')


def test_caption_equal_to_the_title_is_none() -> None:
    assert parse_article(URL, _with_caption(" banjir  KETAPANG "), FETCHED).image_caption is None


def test_caption_equal_to_the_image_alt_is_none() -> None:
    page = _with_caption("Banjir di Ketapang", alt="Banjir di  Ketapang")
    assert parse_article(URL, page, FETCHED).image_caption is None


def test_a_real_caption_is_kept() -> None:
    page = _with_caption("Warga mengungsi dengan perahu. (Foto: Adi)")
    caption = parse_article(URL, page, FETCHED).image_caption
    assert caption == "Warga mengungsi dengan perahu. (Foto: Adi)"


# --- 2. AMP for WP's standalone BlogPosting is the least trusted date source --------------

AMP_BLOGPOSTING = script(
    {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": TITLE,
        # the UTC clock labelled +07:00: 7 h early, on the previous day
        "datePublished": "2021-10-31T23:00:00+07:00",
        "dateModified": "2021-11-01T01:00:00+07:00",
    }
)
YOAST_WEBPAGE = graph(
    {
        "@type": "WebPage",
        "@id": URL,
        "datePublished": "2021-10-31T23:00:00+00:00",
        "dateModified": "2021-11-01T01:00:00+00:00",
    }
)


def test_yoast_webpage_times_beat_a_standalone_blogposting() -> None:
    article = parse_article(URL + "amp/", amp(head=AMP_BLOGPOSTING + YOAST_WEBPAGE), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T06:00:00+07:00", "jsonld")
    assert article.modified_at == "2021-11-01T08:00:00+07:00"


def test_article_meta_beats_a_standalone_blogposting() -> None:
    head = AMP_BLOGPOSTING + (
        '<meta property="article:published_time" content="2021-10-31T23:00:00+00:00">'
    )
    article = parse_article(URL + "amp/", amp(head=head), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T06:00:00+07:00", "meta")


def test_blogposting_time_contradicting_the_permalink_is_not_used() -> None:
    article = parse_article(URL + "amp/", amp(head=AMP_BLOGPOSTING), FETCHED)
    assert (article.published_at, article.date_source) == ("2021-11-01T00:00:00+07:00", "url")


# --- 3. placeholder images and resized variants never beat the full-size lead image -------

PLACEHOLDER = (
    "https://kalbaronline.com/wp-content/plugins/accelerated-mobile-pages/images/"
    "SD-default-image.png"
)
RESIZED = IMG.replace(".jpg", "-1280x720.jpg")


def _og_image(url: str) -> str:
    return f'<meta property="og:image" content="{url}">'


def test_amp_for_wp_placeholder_is_no_image() -> None:
    page = amp(image=f'<amp-img src="{PLACEHOLDER}"></amp-img>', head=_og_image(PLACEHOLDER))
    assert parse_article(URL + "amp/", page, FETCHED).image_url is None


def test_full_size_candidate_beats_a_resized_one() -> None:
    page = amp(head=_og_image(RESIZED), image=f'<amp-img src="{IMG}"></amp-img>')
    assert parse_article(URL + "amp/", page, FETCHED).image_url == IMG


def test_resized_variant_becomes_the_full_size_url_the_page_names() -> None:
    page = amp(head=_og_image(RESIZED) + f'<link rel="image_src" href="{IMG}">')
    assert parse_article(URL + "amp/", page, FETCHED).image_url == IMG


def test_resized_variant_stays_when_the_page_names_no_full_size_url() -> None:
    assert parse_article(URL + "amp/", amp(head=_og_image(RESIZED)), FETCHED).image_url == RESIZED


# --- 4. AMP for WP's `post-id-N` body class ------------------------------------------------


def test_amp_body_class_post_id() -> None:
    page = amp(body_class="body single-post post-id-4410 amp-single")
    assert parse_article(URL + "amp/", page, FETCHED).post_id == 4410


# --- 5, 6, 7. News5 ------------------------------------------------------------------------


def news5(head: str = "", meta: str = "", tags: str = "") -> str:
    return f"""<html><head>{head}</head><body class="uni-body panel"><div id="wrapper">
    <article class="post type-post single-post"><div class="post-header"><h1>{TITLE}</h1>{meta}
    </div><div class="post-content">{BODY.replace("KalbarOnline, Ketapang", "KALBARONLINE.com")}</div>
    <div class="post-footer"><ul>{tags}</ul></div></article></div></body></html>"""


def test_separator_punctuation_inside_tag_links_is_stripped() -> None:
    tags = (
        '<li><a href="/tag/jembatan" rel="tag">Jembatan<span>,</span></a></li>'
        '<li><a href="/tag/kapuas" rel="tag">Kapuas <span>|</span></a></li>'
        '<li><a href="/tag/pupr" rel="tag">PUPR</a></li>'
    )
    assert parse_article(URL, news5(tags=tags), FETCHED).tags == ["Jembatan", "Kapuas", "PUPR"]


def test_meta_wrapper_never_merges_byline_and_date_rows() -> None:
    meta = (
        '<div class="post-meta"><table><tr><td>Oleh : <a href="/author/jauhari">Jauhari Fatria</a>'
        "</td></tr><tr><td>Senin, 1 November 2021</td></tr></table></div>"
    )
    article = parse_article(URL, news5(meta=meta), FETCHED)
    assert article.byline == "Jauhari Fatria"
    assert (article.published_at, article.date_source) == ("2021-11-01T00:00:00+07:00", "text")


WEBSITE_HEAD = '<meta property="og:type" content="website">'


def test_template_og_type_does_not_override_a_permalink_article() -> None:
    article = parse_article(URL, news5(head=WEBSITE_HEAD), FETCHED)
    assert (article.title, article.layout) == (TITLE, "news5")


def test_template_og_type_still_refuses_a_listing_and_a_404() -> None:
    listing = news5(head=WEBSITE_HEAD).replace('"uni-body panel"', '"uni-body archive category"')
    missing = news5(head=WEBSITE_HEAD).replace('"uni-body panel"', '"uni-body error404"')
    for page in (listing, missing):
        with pytest.raises(NotAnArticle):
            parse_article(URL, page, FETCHED)
    with pytest.raises(NotAnArticle):
        parse_article("https://kalbaronline.com/", news5(head=WEBSITE_HEAD), FETCHED)


# --- 8. a theme/demo og:image is not the lead image ---------------------------------------


def test_theme_asset_og_image_is_not_the_lead_image() -> None:
    for asset in (
        "https://kalbaronline.com/wp-content/themes/kalbaronline/assets/images/share.jpg",
        "https://kalbaronline.com/wp-content/uploads/2025/10/seo-image.jpg",
    ):
        figure = f'<figure><img src="{IMG}"></figure>'
        page = newkarma(head=_og_image(asset), figure=figure)
        assert parse_article(URL, page, FETCHED).image_url == IMG


# --- 9. Swift's `tl-exc` is the subtitle ----------------------------------------------------


def test_swift_tl_exc_is_the_subtitle() -> None:
    page = amp(cntr='<div class="tl-exc"><p>Akses  transportasi terputus</p></div>')
    article = parse_article(URL + "amp/", page, FETCHED)
    assert article.subtitle == "Akses transportasi terputus"
    assert "Akses transportasi" not in article.body


# --- 10. found on the real WordPress (tests/test_real_wordpress.py) -------------------------


def test_webpage_primary_image_gives_the_caption_when_yoast_has_no_article_piece() -> None:
    """A site not set up as an organisation: no Article piece, the WebPage points at the
    ImageObject, whose caption is WordPress's own."""
    head = graph(
        {"@type": "WebPage", "@id": URL, "primaryImageOfPage": {"@id": URL + "#primaryimage"}},
        {"@type": "ImageObject", "@id": URL + "#primaryimage", "url": IMG, "caption": "Perahu"},
    )
    page = newkarma(head=head, figure=f'<figure><img src="{IMG}" alt="{TITLE}"></figure>')
    article = parse_article(URL, page, FETCHED)
    assert (article.image_url, article.image_caption) == (IMG, "Perahu")


def test_amp_lone_primary_category_span() -> None:
    """With a primary category (Yoast), AMP for WP prints only it, as `span.amp-cat` above the
    headline, with no `.amp-category` list; related posts' categories are not the article's."""
    cntr = '<span class="amp-cat amp-cat-2"><a href="/category/pontianak/amp/">Pontianak</a></span>'
    related = '<ul class="loop-category"><li class="amp-cat-5"><a href="/tips/">Tips</a></li></ul>'
    page = amp(cntr=cntr).replace("</body>", f"<div class='r'>{related}</div></body>")
    assert parse_article(URL + "amp/", page, FETCHED).categories == ["Pontianak"]


DEMO_SHARE = "https://kalbaronline.com/wp-content/uploads/2025/01/kalbaronline-share.jpg"


def test_og_image_the_page_does_not_show_loses_to_the_featured_image() -> None:
    """A template head's fixed og:image (not under the theme's folder) on an article that shows
    its own featured image."""
    page = newkarma(head=_og_image(DEMO_SHARE), figure=f'<figure><img src="{IMG}"></figure>')
    assert parse_article(URL, page, FETCHED).image_url == IMG


def test_og_image_the_page_shows_still_wins() -> None:
    shown = "https://kalbaronline.com/wp-content/uploads/2021/11/banjir-perahu.jpg"
    body_img = f'<figure><img src="{IMG}"></figure><p><img src="{shown}"></p>'
    page = newkarma(head=_og_image(shown), figure=body_img)
    assert parse_article(URL, page, FETCHED).image_url == shown


def test_a_site_share_image_is_never_the_lead_image() -> None:
    """What the crawl learnt from listing pages: the same og:image on every page."""
    page = newkarma(head=_og_image(DEMO_SHARE))
    assert parse_article(URL, page, FETCHED).image_url == DEMO_SHARE  # alone, it is all there is
    known = frozenset({DEMO_SHARE})
    assert parse_article(URL, page, FETCHED, site_images=known).image_url is None
