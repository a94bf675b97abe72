"""Yoast SEO's `<head>` output (site-notes §4): meta tags and the JSON-LD @graph."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.fakesite.dataset import Article, Dataset
from tests.fakesite.fmt import esc, utc_iso

SITE_NAME = "KalbarOnline.Com"
HEADLINE_MAX = 110  # Yoast cuts the Article node's headline here


def _json(data: dict[str, Any]) -> str:
    # wp_json_encode(…, JSON_UNESCAPED_SLASHES): non-ASCII as \uXXXX, slashes kept.
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def _site_nodes(base: str) -> list[dict[str, Any]]:
    logo = f"{base}/wp-content/uploads/2021/03/logo-kalbaronline.png"
    return [
        {
            "@type": "WebSite",
            "@id": f"{base}/#website",
            "url": f"{base}/",
            "name": SITE_NAME,
            "description": "Portal Berita Kalimantan Barat",
            "publisher": {"@id": f"{base}/#organization"},
            "potentialAction": [
                {
                    "@type": "SearchAction",
                    "target": {
                        "@type": "EntryPoint",
                        "urlTemplate": f"{base}/?s={{search_term_string}}",
                    },
                    "query-input": "required name=search_term_string",
                }
            ],
            "inLanguage": "id",
        },
        {
            "@type": "Organization",
            "@id": f"{base}/#organization",
            "name": SITE_NAME,
            "url": f"{base}/",
            "logo": {"@type": "ImageObject", "@id": f"{base}/#/schema/logo/image/", "url": logo},
            "sameAs": ["https://www.facebook.com/kalbaronline", "https://x.com/kalbaronline"],
        },
    ]


def _graph_script(nodes: list[dict[str, Any]]) -> str:
    graph = {"@context": "https://schema.org", "@graph": nodes}
    return f'<script type="application/ld+json" class="yoast-schema-graph">{_json(graph)}</script>'


def article_head(ds: Dataset, article: Article, *, amp: bool = False) -> str:
    """The `<head>` tags Yoast (or, on fallback pages, WordPress core alone) prints."""
    base = ds.base_url
    url = ds.url(article)
    title = article.title
    if article.fallback:
        # No Yoast: WordPress core still prints the canonical link; the theme strips the
        # shortlink, so the post id is only in the body class and the article id.
        core = f"<title>{esc(title)} &#8211; {SITE_NAME}</title>"
        return core if amp else f'{core}\n<link rel="canonical" href="{url}" />'
    excerpt = ds.excerpt(article, 30)
    image = base + article.image if article.image else None
    published = utc_iso(article.published)
    modified = utc_iso(article.modified or article.published)
    person_id = f"{base}/#/schema/person/{hashlib.md5(article.author.login.encode()).hexdigest()}"
    words = len(title.split()) + sum(len(t.split()) for _, t in ds.body_blocks(article))
    lines = [
        "<!-- This site is optimized with the Yoast SEO plugin v22.8 - https://yoast.com/wordpress/plugins/seo/ -->",
        f"<title>{esc(title)} - {SITE_NAME}</title>",
        f'<meta name="description" content="{esc(excerpt)}" />',
        '<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1" />',
    ]
    if not amp:  # the AMP template prints its own canonical link
        lines.append(f'<link rel="canonical" href="{url}" />')
    lines += [
        '<meta property="og:locale" content="id_ID" />',
        '<meta property="og:type" content="article" />',
        f'<meta property="og:title" content="{esc(title)} - {SITE_NAME}" />',
        f'<meta property="og:description" content="{esc(excerpt)}" />',
        f'<meta property="og:url" content="{url}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
        '<meta property="article:publisher" content="https://www.facebook.com/kalbaronline" />',
        f'<meta property="article:published_time" content="{published}" />',
    ]
    if article.modified and article.modified != article.published:
        lines.append(f'<meta property="article:modified_time" content="{modified}" />')
    if image:
        lines += [
            f'<meta property="og:image" content="{image}" />',
            '<meta property="og:image:width" content="1280" />',
            '<meta property="og:image:height" content="720" />',
            '<meta property="og:image:type" content="image/jpeg" />',
        ]
    lines += [
        f'<meta name="author" content="{esc(article.author.name)}" />',
        '<meta name="twitter:card" content="summary_large_image" />',
        '<meta name="twitter:label1" content="Ditulis oleh" />',
        f'<meta name="twitter:data1" content="{esc(article.author.name)}" />',
        '<meta name="twitter:label2" content="Estimasi waktu membaca" />',
        f'<meta name="twitter:data2" content="{max(1, round(words / 200))} menit" />',
    ]
    node: dict[str, Any] = {
        "@type": "Article",
        "@id": f"{url}#article",
        "isPartOf": {"@id": url},
        "author": {"name": article.author.name, "@id": person_id},
        "headline": title[:HEADLINE_MAX],
        "datePublished": published,
        "dateModified": modified,
        "mainEntityOfPage": {"@id": url},
        "wordCount": words,
        "commentCount": 0,
        "publisher": {"@id": f"{base}/#organization"},
    }
    if image:
        node["image"] = {"@id": f"{url}#primaryimage"}
        node["thumbnailUrl"] = image
    if article.tags:
        node["keywords"] = list(article.tags)
    node["articleSection"] = [s.name for s in article.sections]
    node["inLanguage"] = "id"
    node["potentialAction"] = [
        {"@type": "CommentAction", "name": "Comment", "target": [f"{url}#respond"]}
    ]
    page: dict[str, Any] = {
        "@type": "WebPage",
        "@id": url,
        "url": url,
        "name": f"{title} - {SITE_NAME}",
        "isPartOf": {"@id": f"{base}/#website"},
        "datePublished": published,
        "dateModified": modified,
        "description": excerpt,
        "breadcrumb": {"@id": f"{url}#breadcrumb"},
        "inLanguage": "id",
        "potentialAction": [{"@type": "ReadAction", "target": [url]}],
    }
    nodes: list[dict[str, Any]] = [node, page]
    if image:
        page["primaryImageOfPage"] = {"@id": f"{url}#primaryimage"}
        picture: dict[str, Any] = {
            "@type": "ImageObject",
            "inLanguage": "id",
            "@id": f"{url}#primaryimage",
            "url": image,
            "contentUrl": image,
            "width": 1280,
            "height": 720,
        }
        if article.caption:
            picture["caption"] = article.caption
        nodes.append(picture)
    nodes.append(
        {
            "@type": "BreadcrumbList",
            "@id": f"{url}#breadcrumb",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Beranda", "item": f"{base}/"},
                {
                    "@type": "ListItem",
                    "position": 2,
                    "name": article.section.name,
                    "item": base + article.section.path,
                },
                {"@type": "ListItem", "position": 3, "name": title},
            ],
        }
    )
    nodes += _site_nodes(base)
    nodes.append(
        {
            "@type": "Person",
            "@id": person_id,
            "name": article.author.name,
            "url": f"{base}/author/{article.author.login}/",
        }
    )
    lines += [_graph_script(nodes), "<!-- / Yoast SEO plugin. -->"]
    lines.append(f"<link rel='shortlink' href='{base}/?p={article.post_id}' />")
    return "\n".join(lines)


def listing_head(
    ds: Dataset,
    *,
    title: str,
    url: str,
    prev_url: str | None,
    next_url: str | None,
    rel_links: bool = True,
) -> str:
    """A category (or home) page: CollectionPage graph, self canonical, rel prev/next."""
    base = ds.base_url
    lines = [
        f"<title>{esc(title)} - {SITE_NAME}</title>",
        '<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1" />',
        f'<link rel="canonical" href="{url}" />',
    ]
    if rel_links and prev_url:
        lines.append(f'<link rel="prev" href="{prev_url}" />')
    if rel_links and next_url:
        lines.append(f'<link rel="next" href="{next_url}" />')
    lines += [
        '<meta property="og:locale" content="id_ID" />',
        '<meta property="og:type" content="website" />',
        f'<meta property="og:title" content="{esc(title)} - {SITE_NAME}" />',
        f'<meta property="og:url" content="{url}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
    ]
    page = {
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": f"{title} - {SITE_NAME}",
        "isPartOf": {"@id": f"{base}/#website"},
        "inLanguage": "id",
    }
    lines += [_graph_script([page, *_site_nodes(base)]), "<!-- / Yoast SEO plugin. -->"]
    return "\n".join(lines)
