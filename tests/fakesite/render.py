"""HTML of the replica's pages: articles (Newkarma, AMP Swift, News5), listings, home, 404.

Markup follows shared/site-notes.md class for class; the text of every article block is
exactly the dataset's, so `Dataset.expected` is what a correct extractor returns.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.fakesite import frames, yoast
from tests.fakesite.dataset import SECTIONS, Article, Block, Dataset, Noise, Section
from tests.fakesite.fmt import dmy, esc, local_iso, long_date, texturized

REAL_HOST_WWW = "https://www.kalbaronline.com"  # links of the Newkarma years
REAL_HOST = "https://kalbaronline.com"  # links of the News5 years


# --- article body -----------------------------------------------------------------------------


def _paragraph_html(article: Article, index: int, text: str, variant: str) -> str:
    """One body block's inner HTML, with the harmless markup variations WordPress content has."""
    encode = texturized if article.texturize and variant != "news5" else esc
    opening = article.opening
    if (
        index == 0
        and opening.startswith("KalbarOnline,")
        and text.startswith(opening)
        and article.seed % 3 == 0
    ):
        # "<strong>KalbarOnline, Pontianak</strong> – …"
        place_part = opening.rstrip(" –-")
        rest = text[len(place_part) :]
        return f"<strong>{encode(place_part)}</strong>{encode(rest)}"
    html = encode(text)
    if index == 0 and article.seed % 5 == 0:
        html = html.replace(" (", "&nbsp;(", 1)  # an event date glued with a no-break space
    if index == 1 and article.seed % 7 == 0 and ". " in html:
        html = html.replace(". ", ".\n   ", 1)  # a hard-wrapped line in the post source
    return html


def _related_href(ds: Dataset, other: Article, variant: str, n: int) -> str:
    if variant == "amp":
        return ds.url(other, amp=other.has_amp) + f"?pgrelated={n}"
    if n % 2:
        return (REAL_HOST_WWW if other.has_amp else REAL_HOST) + other.path
    return ds.url(other)


def _noise_after(ds: Dataset, article: Article, i: int, noise: Noise, variant: str) -> str:
    out = []
    for n, (after, other) in enumerate(noise.related):
        if after != i:
            continue
        href = _related_href(ds, other, variant, n + 1)
        title = esc(other.title)
        if variant == "amp":  # AMP keeps the link, loses the label
            out.append(f'<p><a href="{href}">{title}</a></p>')
        elif variant == "news5":
            out.append(
                f'<p><strong>Baca Juga:</strong> <a href="{href}" target="_blank" rel="noopener">{title}</a></p>'
            )
        else:
            out.append(f'<p><strong>Baca Juga :&nbsp; <a href="{href}">{title}</a></strong></p>')
    if noise.iklan_after == i:
        out.append("<p>IKLANSUMPAHPEMUDA</p>")
    if noise.adsense_after == i:
        if variant == "amp":
            out.append(
                '<amp-ad width="300" height="250" type="adsense" data-ad-client="ca-pub-0000000000000000" data-ad-slot="1234567890"></amp-ad>'
            )
        else:
            out.append(
                '<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client=ca-pub-0000000000000000" crossorigin="anonymous"></script>\n'
                '<ins class="adsbygoogle" style="display:block; text-align:center;" data-ad-layout="in-article" data-ad-format="fluid" data-ad-client="ca-pub-0000000000000000" data-ad-slot="1234567890"></ins>\n'
                "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script>"
            )
    if noise.figure_after == i:
        src = f"{ds.base_url}/wp-content/uploads/{article.published:%Y/%m}/foto-{article.post_id}-2.jpg"
        caption = f"Suasana kegiatan di {esc(article.story.place)}. (Foto: Ist)"
        img = (
            f'<amp-img src="{src}" width="700" height="466" layout="responsive" alt=""></amp-img>'
            if variant == "amp"
            else f'<img class="size-full wp-image-{article.post_id + 1}" src="{src}" alt="" width="700" height="466" />'
        )
        out.append(
            f'<figure id="attachment_{article.post_id + 1}" class="wp-caption aligncenter" style="width: 700px">'
            f'{img}<figcaption class="wp-caption-text">{caption}</figcaption></figure>'
        )
    return "\n".join(out)


def body_html(ds: Dataset, article: Article, variant: str) -> str:
    """The post content as the theme prints it: the article's blocks plus injected noise."""
    blocks: tuple[Block, ...] = ds.body_blocks(article)
    noise = ds.noise(article, blocks)
    out: list[str] = []
    for i, (tag, text) in enumerate(blocks):
        inner = _paragraph_html(article, i, text, variant)
        if tag == "li":
            if i == 0 or blocks[i - 1][0] != "li":
                out.append("<ul>")
            out.append(f"<li>{inner}</li>")
            if i + 1 == len(blocks) or blocks[i + 1][0] != "li":
                out.append("</ul>")
        else:
            out.append(f"<{tag}>{inner}</{tag}>")
        extra = _noise_after(ds, article, i, noise, variant)
        if extra:
            out.append(extra)
    return "\n".join(out)


# --- Newkarma single --------------------------------------------------------------------------


def _breadcrumbs_newkarma(ds: Dataset, article: Article) -> str:
    base = ds.base_url
    section = article.section
    return f"""<div class="gmr-list-table single-head-wrap"><div class="breadcrumbs" itemscope itemtype="https://schema.org/BreadcrumbList">
	<span class="first-item" itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a itemscope itemtype="https://schema.org/WebPage" itemprop="item" itemid="{base}/" href="{base}/"><span itemprop="name">Beranda</span></a><span itemprop="position" content="1"></span></span>
	<span class="separator">/</span>
	<span class="0-item" itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a itemscope itemtype="https://schema.org/WebPage" itemprop="item" itemid="{base}{section.path}" href="{base}{section.path}"><span itemprop="name">{esc(section.name)}</span></a><span itemprop="position" content="2"></span></span>
	<span class="separator">/</span>
	<span class="last-item screen-reader-text" itemscope itemtype="https://schema.org/ListItem"><span itemprop="name">{esc(article.title)}</span><span itemprop="position" content="3"></span></span>
</div></div>"""


def _post_classes(article: Article) -> str:
    cats = " ".join(f"category-{s.slug}" for s in article.sections)
    tags = " ".join(f"tag-{t.lower().replace(' ', '-')}" for t in article.tags)
    thumb = " has-post-thumbnail" if article.image else ""
    return f"post-{article.post_id} post type-post status-publish format-standard{thumb} hentry {cats} {tags}".strip()


def _time_elements(article: Article) -> str:
    published = article.published
    if article.modified and article.modified != published:
        return (
            f'<time class="entry-date published" itemprop="datePublished" datetime="{local_iso(published)}">{dmy(published)}</time>'
            f'<time class="updated" datetime="{local_iso(article.modified)}">{dmy(article.modified)}</time>'
        )
    return f'<time class="entry-date published updated" itemprop="dateModified" datetime="{local_iso(published)}">{dmy(published)}</time>'


def newkarma_article(ds: Dataset, article: Article) -> str:
    base = ds.base_url
    url = ds.url(article)
    title = esc(article.title)
    author = article.author
    cats = ", ".join(
        f'<a href="{base}{s.path}" rel="category tag">{esc(s.name)}</a>' for s in article.sections
    )
    tags = " ".join(
        f'<a href="{base}/tag/{t.lower().replace(" ", "-")}/" rel="tag">{esc(t)}</a>'
        for t in article.tags
    )
    subtitle = f'<p class="subtitle">{esc(article.subtitle)}</p>' if article.subtitle else ""
    featured = ""
    if article.image:
        caption = _figcaption(article)
        featured = f"""<div class="gmr-featured-wrap"><figure class="gmr-attachment-img">
	<img width="1280" height="720" src="{base}{article.image}" class="attachment-full size-full wp-post-image" alt="" itemprop="image" />
	{caption}
</figure></div>"""
    recent = ds.latest(6, skip=[article])
    prev_next = "".join(
        f'<div class="nav-{side}"><a href="{ds.url(other)}" rel="{rel}"><span>{label}</span> {esc(other.title)}</a></div>'
        for side, rel, label, other in (
            ("previous", "prev", "Previous post", recent[-1] if recent else None),
            ("next", "next", "Next post", recent[0] if recent else None),
        )
        if other is not None
    )
    related = "".join(
        f'<li><div class="newkarma-core-related-title"><a href="{ds.url(a)}" itemprop="url" class="rp-title" title="Permalink to: {esc(a.title)}" rel="bookmark">{esc(a.title)}</a></div></li>'
        for a in recent[:3]
    )
    feed = "".join(
        f"""<div class="item-infinite"><div class="item-box clearfix">
	<h4 class="infinite-related-title"><a href="{ds.url(a)}" class="rp-title" rel="bookmark">{esc(a.title)}</a></h4>
	<div class="gmr-metacontent"><span class="posted-on"><time class="entry-date published updated" datetime="{local_iso(a.published)}">{dmy(a.published)}</time></span></div>
</div></div>"""
        for a in recent[3:]
    )
    head = (
        yoast.article_head(ds, article) + f'\n<link rel="amphtml" href="{base}{article.amp_path}">'
    )
    body_class = (
        f"post-template-default single single-post postid-{article.post_id} single-format-standard"
    )
    return (
        frames.newkarma_open(ds, head, body_class)
        + f"""
<div id="primary" class="content-area col-md-content">
	<main id="main" class="site-main-single" role="main">
{_breadcrumbs_newkarma(ds, article)}
<article id="post-{article.post_id}" class="{_post_classes(article)}" itemscope="itemscope" itemtype="https://schema.org/CreativeWork">
	<div class="site-main gmr-single hentry">
		<div class="gmr-box-content-single">
			<header class="entry-header">
				<h1 class="entry-title" itemprop="headline">
					{title}
				</h1>
				{subtitle}
				<div class="gmr-aftertitle-wrap">
					<div class="gmr-metacontent-single">
						<div>
							<span class="posted-on"><span class="entry-author vcard" itemprop="author" itemscope="itemscope" itemtype="https://schema.org/person"><a class="url fn n" href="{base}/author/{author.login}/" title="Permalink to: {esc(author.name)}" itemprop="url"><span itemprop="name">{esc(author.name)}</span></a></span></span>
							<span class="posted-on">{_time_elements(article)}</span>
						</div>
						<div><span class="cat-links">{cats}</span><span class="view-single">{1000 + article.post_id % 4000} Views</span></div>
					</div>
					<div class="gmr-social-share-intop"><ul class="gmr-socialicon-share">{frames.share_list(url, article.title, with_text=True)}</ul></div>
				</div>
			</header><!-- .entry-header -->
		</div>
		{featured}
		<div class="gmr-box-content-single"><div class="row">
			<div class="col-md-sgl-l pos-sticky"><div class="gmr-social-share"><ul class="gmr-socialicon-share">{frames.share_list(url, article.title, with_text=False)}</ul></div></div>
			<div class="col-md-sgl-c">
				<div class="entry-content entry-content-single" itemprop="text">
{body_html(ds, article, "newkarma")}
				</div><!-- .entry-content -->
				<footer class="entry-footer">
					<span class="tags-links">{tags}</span>
					<div class="wrap-social-single"><div class="social-text">Follow Us</div><ul class="single-social-icon"><li><a href="https://www.facebook.com/kalbaronline" title="Facebook" target="_blank" rel="nofollow"></a></li><li><a href="https://x.com/kalbaronline" title="Twitter" target="_blank" rel="nofollow"></a></li></ul></div>
					<nav class="navigation post-navigation" role="navigation"><h2 class="screen-reader-text">Navigasi pos</h2><div class="nav-links">{prev_next}</div></nav>
				</footer><!-- .entry-footer -->
			</div>
		</div></div>
	</div>
	<div class="gmr-box-content-single">
		<div class="newkarma-core-related-post site-main gmr-single gmr-list-related"><h3 class="widget-title"><span>Related Posts</span></h3><ul>{related}</ul></div>
		<div class="gmr-banner-aftercontent"><a href="{base}/iklan/"><img src="{base}/wp-content/uploads/2024/05/banner-aftercontent.jpg" alt="IKLAN" width="728" height="90" /></a></div>
	</div>
</article><!-- #post-## -->
<div id="comment-wrap" class="gmr-box-content-single site-main"><div id="comments" class="comments-area"><div id="respond" class="comment-respond">
	<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
	<form action="{base}/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
		<p class="comment-form-comment"><label for="comment">Comment</label> <textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required="required"></textarea></p>
		<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label> <input id="author" name="author" type="text" value="" size="30" /></p>
		<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment" /> <input type="hidden" name="comment_post_ID" value="{article.post_id}" id="comment_post_ID" /></p>
	</form>
</div></div></div>
<div class="gmr-box-content-single">
	<h3 class="widget-title"><span>News Feed</span></h3>
	<div class="site-main gmr-single gmr-infinite-selector gmr-related-infinite">
		<div id="gmr-main-load">{feed}</div>
		<div class="inf-pagination"><ul class="page-numbers"><li><span aria-current="page" class="page-numbers current">1</span></li><li><a class="next page-numbers" href="{url}?pgrelated=2">Next</a></li></ul></div>
		<div class="text-center gmr-newinfinite"><p><button class="view-more-button heading-text">View More</button></p></div>
	</div>
</div>
	</main><!-- #main -->
</div><!-- #primary -->
"""
        + frames.newkarma_close(ds, recent[:5])
    )


# --- AMP (Swift) single -----------------------------------------------------------------------


def amp_article(ds: Dataset, article: Article) -> str:
    base = ds.base_url
    title = esc(article.title)
    author = article.author
    author_link = f'<a href="{base}/author/{author.login}/amp/">{esc(author.name)}</a>'
    cats = "".join(
        f'<span class="amp-cat amp-cat-{10 + i}"><a href="{base}{s.path}amp/" title="{esc(s.name)}">{esc(s.name)}</a></span>'
        for i, s in enumerate(article.sections)
    )
    tags = "".join(
        f'<span class="amp-tag amp-tag-{40 + i}"><a href="{base}/tag/{t.lower().replace(" ", "-")}/amp/">{esc(t)}</a></span>'
        for i, t in enumerate(article.tags)
    )
    ago = frames.relative_ago(article.post_id)
    featured = ""
    if article.image:
        caption = _figcaption(article)
        featured = (
            f'<div class="sf-img"><figure class="amp-wp-article-featured-image wp-caption">'
            f'<amp-img width="1280" height="720" src="{base}{article.image}" class="attachment-full size-full wp-post-image" alt="" layout="responsive"></amp-img>'
            f"{caption}</figure></div>"
        )
    bio = f"<p>{esc(author.bio)}</p>" if author.bio else ""
    recent = ds.latest(6, skip=[article])
    recent_html = "".join(
        f"""<div class="fsp"><div class="fsp-cnt"><div class="category-lists"><span class="amp-cat"><a href="{base}{a.section.path}amp/">{esc(a.section.name)}</a></span></div>
	<h2 class="fsp-ttl"><a href="{ds.url(a, amp=a.has_amp)}">{esc(a.title)}</a></h2>
	<p class="loop-excerpt">{esc(ds.excerpt(a, 15).replace(" […]", "…"))}</p>
	<div class="pt-dt"><div class="loop-date">{frames.relative_ago(a.post_id + n)}</div></div></div></div>"""
        for n, a in enumerate(recent)
    )
    related = "".join(
        f'<li class="no_thumbnail"><div class="rlp-cnt"><div class="related_link"><a href="{ds.url(a, amp=a.has_amp)}">{esc(a.title)}</a></div></div></li>'
        for a in recent[:3]
    )
    head = yoast.article_head(ds, article, amp=True)
    body_class = f"body single-post {article.post_id} post-id-{article.post_id} singular-{article.post_id} postid-{article.post_id} amp-single"
    return (
        frames.amp_open(ds, head, ds.url(article), body_class)
        + f"""<div class="sp sgl">
	<div class="cntr">
		<div class="amp-category"><span>Categories: </span>{cats}</div>
		<h1 class="amp-post-title">{title}</h1>
		<div class="sp-athr mob-athr"><span class="athr-tx">Published by</span><div class="amp-author"><div class="author-details"><span class="author-name">{author_link}</span></div></div></div>
		<div class="post-date mob-date"><div class="loop-date">{ago}</div></div>
	</div>
	{featured}
	<div class="sp-cnt"><div class="cntr"><div class="sp-rl">
		<div class="sp-rt">
			<div class="cntn-wrp artl-cnt">
{body_html(ds, article, "amp")}
			</div>
			<div class="amp-author"><div class="amp-author-image"><amp-img src="{base}/wp-content/uploads/avatar.png" width="70" height="70" layout="fixed"></amp-img></div><div class="author-details"><span class="author-name">{esc(author.name)}</span>{bio}</div></div>
			<div class="cmts"><div class="amp-comment-button"><a href="{ds.url(article)}#comments">Leave a Comment</a></div></div>
		</div>
		<div class="sp-lt">
			<div class="ss-ic"><span class="shr-txt">Share</span><ul><li><a class="s_fb" href="https://www.facebook.com/sharer.php?u={ds.url(article)}"></a></li><li><a class="s_tw" href="https://twitter.com/intent/tweet?url={ds.url(article)}"></a></li><li><a class="s_wa" href="https://api.whatsapp.com/send?text={ds.url(article)}"></a></li></ul></div>
			<div class="sp-athr desk-athr"><span class="athr-tx">Published by</span><div class="amp-author"><div class="author-details"><span class="author-name">{author_link}</span></div></div></div>
			<div class="tags"><div class="amp-tags"><span>Tags: </span>{tags}</div></div>
			<div class="post-date desk-date"><div class="loop-date">{ago}</div></div>
			<div class="srp"><h3>Related Posts</h3><ul>{related}</ul></div>
		</div>
	</div></div></div>
	<div class="r-pf"><div class="cntr"><h3>Recent Posts</h3>{recent_html}</div></div>
</div>
"""
        + frames.amp_close(ds)
    )


# --- News5 single -----------------------------------------------------------------------------


def news5_article(ds: Dataset, article: Article) -> str:
    base = ds.base_url
    title = esc(article.title)
    author = article.author
    cats = "".join(
        f'<div class="post-category"><a class="text-none hover:text-primary" href="{base}{s.path}" rel="category tag">{esc(s.name)}</a></div>'
        for s in article.sections
    )
    tags = "".join(
        f'<li><a href="{base}/tag/{t.lower().replace(" ", "-")}" class="uc-link gap-0 dark:text-white" rel="tag">{esc(t)}</a></li>'
        for t in article.tags
    )
    featured = ""
    if article.image:
        caption = (
            f'<figcaption class="fs-7 opacity-60 text-center mt-1">{esc(article.caption)}</figcaption>'
            if article.caption
            else ""
        )
        featured = f"""<figure class="featured-image m-0">
	<figure class="featured-image m-0 ratio ratio-2x1 rounded uc-transition-toggle overflow-hidden bg-gray-25 dark:bg-gray-800">
		<img class="media-cover image uc-transition-scale-up uc-transition-opaque" src="{base}{frames.FALLBACK_IMAGE}" data-src="{base}{article.image}" alt="{title}" data-uc-img="loading: lazy">
	</figure>
	{caption}
</figure>"""
    related = "".join(
        frames.news5_card(ds, a, ds.url(a), heading="h5") for a in ds.latest(4, skip=[article])
    )
    body_class = f"single single-post postid-{article.post_id} single-format-standard"
    return (
        frames.news5_open(ds, yoast.article_head(ds, article), body_class, None)
        + f"""<div class="breadcrumbs panel z-1 py-2 bg-gray-25 dark:bg-gray-100 dark:bg-opacity-5 dark:text-white"><div class="container max-w-xl">
	<ul class="breadcrumb nav-x justify-center gap-1 fs-7 sm:fs-6 m-0">
		<li><a href="{base}/">Home</a></li><li><i class="unicon-chevron-right opacity-50"></i></li>
		<li><a href="{base}{article.section.path}">{esc(article.section.name)}</a></li><li><i class="unicon-chevron-right opacity-50"></i></li>
		<li><span class="opacity-50">{title}</span></li>
	</ul>
</div></div>
<article id="post-{article.post_id}" class="post type-post single-post py-4 lg:py-6 xl:py-9">
	<div class="container max-w-xl"><div class="post-header"><div class="panel vstack gap-4 md:gap-6 xl:gap-8 text-center">
		<div class="panel vstack items-center max-w-400px sm:max-w-500px xl:max-w-900px mx-auto gap-2 md:gap-3">
			{cats}
			<h1 class="h4 sm:h2 lg:h1 xl:display-6">{title}</h1>
			<table class="post-byline fs-7 opacity-70"><tbody>
				<tr><td>Oleh : <a href="{base}/author/{author.login}">{esc(author.name)}</a></td></tr>
				<tr><td>{long_date(article.published)}</td></tr>
			</tbody></table>
			<div class="post-wa"><a href="https://whatsapp.com/channel/0029VaKalbarOnline" target="_blank" rel="nofollow"><img src="{base}/wp-content/uploads/2025/09/whatsapp-icon.png" alt="WhatsApp Icon" width="160" height="40"></a></div>
			<div class="font-size-switcher hstack gap-1"><span>Ukuran Font</span> <button type="button" data-size="small">Kecil</button> <button type="button" data-size="large">Besar</button></div>
			<ul class="post-share-icons nav-x gap-1 dark:text-white">
				<li><a class="btn btn-md p-0 border-gray-900 border-opacity-15 w-32px h-32px dark:text-white dark:border-white hover:bg-primary hover:border-primary hover:text-white rounded-circle" href="https://www.facebook.com/sharer.php?u={ds.url(article)}"><i class="unicon-logo-facebook icon-1"></i></a></li>
				<li><a class="btn btn-md p-0 border-gray-900 border-opacity-15 w-32px h-32px rounded-circle" href="https://x.com/intent/post?url={ds.url(article)}"><i class="unicon-logo-x-filled icon-1"></i></a></li>
				<li><a class="btn btn-md p-0 border-gray-900 border-opacity-15 w-32px h-32px rounded-circle" href="#"><i class="unicon-link icon-1"></i></a></li>
			</ul>
		</div>
		{featured}
	</div></div></div>
	<div class="panel mt-4 lg:mt-6 xl:mt-9"><div class="container max-w-lg">
		<div class="post-content panel fs-6 md:fs-5" data-uc-lightbox="animation: scale">
{body_html(ds, article, "news5")}
		</div>
		<div class="post-footer panel vstack sm:hstack gap-3 justify-between border-top py-4 mt-4 xl:py-9 xl:mt-9">
			<ul class="nav-x gap-narrow text-primary"><li><span class="text-black dark:text-white me-narrow">Tags:</span></li>{tags}</ul>
			<ul class="post-share-icons nav-x gap-narrow"><li class="me-1"><span class="text-black dark:text-white">Share:</span></li><li><a class="btn btn-md p-0 w-32px h-32px rounded-circle" href="#"><i class="unicon-logo-facebook icon-1"></i></a></li></ul>
		</div>
		<div class="post-related panel border-top pt-2 mt-8 xl:mt-9">
			<h4 class="h5 xl:h4 mb-5 xl:mb-6">Berita Terkait</h4>
			<div class="row child-cols-6 md:child-cols-3 gx-2 gy-4 sm:gx-3 sm:gy-6">{related}</div>
		</div>
	</div></div>
</article>
"""
        + frames.news5_close(ds)
    )


def article_page(ds: Dataset, article: Article, *, amp: bool = False) -> str:
    with ds.lock:
        if amp:
            return amp_article(ds, article)
        return (
            newkarma_article(ds, article)
            if article.layout == "newkarma"
            else news5_article(ds, article)
        )


# --- listings ---------------------------------------------------------------------------------


def listing_href(ds: Dataset, article: Article) -> str:
    """How a listing writes an article's link: mostly absolute, sometimes another variant."""
    variant = article.post_id % 10
    if variant == 5:
        return article.path
    if variant == 6 and article.has_amp:
        return ds.base_url + article.amp_path
    if variant == 7:
        return f"{ds.url(article)}?pgrelated={article.post_id % 97}"
    if variant in (8, 9):
        return (REAL_HOST_WWW if article.has_amp else REAL_HOST) + article.path
    return ds.url(article)


def page_numbers(
    current: int, total: int, end_size: int = 1, mid_size: int = 2
) -> list[int | None]:
    """paginate_links' items: page numbers, None for "…"."""
    shown: list[int | None] = []
    for n in range(1, total + 1):
        if n <= end_size or n > total - end_size or abs(n - current) <= mid_size:
            shown.append(n)
        elif shown and shown[-1] is not None:
            shown.append(None)
    return shown


PageUrl = Callable[[int], str]


def _wp_pagination(
    current: int, total: int, page_url: PageUrl, prev_html: str, next_html: str
) -> list[str]:
    items = []
    if current > 1:
        items.append(f'<a class="prev page-numbers" href="{page_url(current - 1)}">{prev_html}</a>')
    for n in page_numbers(current, total):
        if n is None:
            items.append('<span class="page-numbers dots">&hellip;</span>')
        elif n == current:
            items.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            items.append(f'<a class="page-numbers" href="{page_url(n)}">{n}</a>')
    if current < total:
        items.append(f'<a class="next page-numbers" href="{page_url(current + 1)}">{next_html}</a>')
    return items


def _newkarma_item(ds: Dataset, article: Article) -> str:
    href = esc(listing_href(ds, article))
    title = esc(article.title)
    author = article.author
    cats = ", ".join(
        f'<a href="{ds.base_url}{s.path}" rel="category tag">{esc(s.name)}</a>'
        for s in article.sections
    )
    thumb = ds.base_url + (article.image or "/wp-content/themes/newkarma/images/no-image.png")
    return f"""<article id="post-{article.post_id}" class="{_post_classes(article)} gmr-smallthumb clearfix item-infinite" itemscope="itemscope" itemtype="https://schema.org/CreativeWork">
	<div class="gmr-box-content hentry gmr-archive clearfix">
		<div class="content-thumbnail"><a href="{href}" itemprop="url" title="Permalink to: {title}" rel="bookmark"><img width="109" height="109" src="{thumb}" class="attachment-medium size-medium wp-post-image" alt="" itemprop="image" /></a></div>
		<div class="item-article">
			<header class="entry-header"><h2 class="entry-title" itemprop="headline"><a href="{href}" itemscope="itemscope" itemtype="https://schema.org/url" title="Permalink to: {title}" rel="bookmark">{title}</a></h2></header>
			<div class="entry-meta"><div class="gmr-metacontent">
				<span class="cat-links">{cats}</span>
				<span class="posted-on"><span class="byline">|</span><time class="entry-date published updated" itemprop="dateModified" datetime="{local_iso(article.published)}">{dmy(article.published)}</time></span>
				<span class="screen-reader-text">by <span class="entry-author vcard screen-reader-text" itemprop="author" itemscope="itemscope" itemtype="https://schema.org/person"><a class="url fn n" href="{ds.base_url}/author/{author.login}/" title="Permalink to: {esc(author.name)}" itemprop="url"><span itemprop="name">{esc(author.name)}</span></a></span></span>
			</div></div>
			<div class="entry-content entry-content-archive" itemprop="text"><p>{esc(ds.excerpt(article, 12))}</p></div>
		</div>
	</div>
</article>"""


def newkarma_listing(
    ds: Dataset,
    section: Section | None,
    items: list[Article],
    page: int,
    total: int,
    page_url: PageUrl,
) -> str:
    """A Newkarma archive (section) or index (home) page, site-notes §2.3."""
    prev_url = page_url(page - 1) if page > 1 else None
    next_url = page_url(page + 1) if page < total else None
    name = section.name if section else "KalbarOnline.Com"
    head = yoast.listing_head(
        ds,
        title=f"{name} Archives" if section else name,
        url=page_url(page),
        prev_url=prev_url,
        next_url=next_url,
    )
    paged = f" paged paged-{page}" if page > 1 else ""
    body_class = (
        f"archive category category-{section.slug} category-{20 + SECTIONS.index(section)}{paged}"
        if section
        else f"home blog{paged}"
    )
    popular = ""
    title_html = ""
    if section:
        picks = ds.listing(section.slug)[page * 7 % 11 :][:3]
        popular = "".join(
            f'<div class="gmr-slider-content"><div class="gmr-slide-title"><a href="{ds.url(a)}" title="{esc(a.title)}">{esc(a.title)}</a></div></div>'
            for a in picks
            if not ds.is_missing(a.key)
        )
        popular = f'<div class="gmr-bigheadline clearfix"><div class="gmr-owl-bigheadline owl-carousel">{popular}</div></div>'
        title_html = (
            f'<h1 class="page-title" itemprop="headline">Kategori: {esc(section.name)}</h1>'
        )
    pagination = "".join(
        f"<li>{item}</li>" for item in _wp_pagination(page, total, page_url, "Previous", "Next")
    )
    cards = "\n".join(_newkarma_item(ds, a) for a in items)
    return (
        frames.newkarma_open(ds, head, body_class)
        + f"""
<div id="primary" class="content-area col-md-content">
	{popular}
	{title_html}
	<main id="main" class="site-main site-main-archive gmr-infinite-selector" role="main">
		<div id="gmr-main-load">
{cards}
		</div>
		<div class="inf-pagination"><ul class="page-numbers">{pagination}</ul></div>
		<div class="text-center gmr-newinfinite">
			<div class="page-load-status"><div class="loader-ellips infinite-scroll-request gmr-ajax-load-wrapper gmr-loader"><div class="gmr-ajax-wrap"><div class="gmr-ajax-loader"><div></div><div></div></div></div></div><p class="infinite-scroll-last">No More Posts Available.</p><p class="infinite-scroll-error">No more pages to load.</p></div>
			<p><button class="view-more-button heading-text">View More</button></p>
		</div>
	</main><!-- #main -->
</div><!-- #primary -->
"""
        + frames.newkarma_close(ds, ds.latest(5))
    )


def news5_listing(
    ds: Dataset,
    section: Section,
    items: list[Article],
    page: int,
    total: int,
    count: int,
    page_url: PageUrl,
) -> str:
    """A News5 category page (site-notes §9.3-9.4): no rel=next in the head, pagination with
    WordPress page-numbers items, `uc-active` on every item, a chevron-only next link."""
    head = yoast.listing_head(
        ds,
        title=f"{section.name} Archives",
        url=page_url(page),
        prev_url=None,
        next_url=None,
        rel_links=False,
    )
    paged = f" paged paged-{page}" if page > 1 else ""
    body_class = f"archive category category-{section.slug}{paged}"
    chevron_left = '<span class="icon icon-1 unicon-chevron-left"></span>'
    chevron_right = '<span class="icon icon-1 unicon-chevron-right"></span>'
    pagination = "".join(
        f'<li class="uc-active">{item}</li>'
        for item in _wp_pagination(page, total, page_url, chevron_left, chevron_right)
    )
    cards = "\n".join(frames.news5_card(ds, a, esc(listing_href(ds, a))) for a in items)
    return (
        frames.news5_open(ds, head, body_class, section)
        + f"""<div class="breadcrumbs panel z-1 py-2 bg-gray-25 dark:bg-gray-100 dark:bg-opacity-5 dark:text-white"><div class="container max-w-xl">
	<ul class="breadcrumb nav-x justify-center gap-1 fs-7 sm:fs-6 m-0"><li><a href="{ds.base_url}/">Home</a></li><li><i class="unicon-chevron-right opacity-50"></i></li><li><span class="opacity-50">{esc(section.name)}</span></li></ul>
</div></div>
<div class="section py-3 sm:py-6 lg:py-9"><div class="container max-w-xl"><div class="panel vstack gap-3 sm:gap-6 lg:gap-9">
	<header class="page-header panel vstack text-center">
		<h1 class="h3 lg:h1">Category: {esc(section.name)}</h1>
		<span class="m-0 opacity-60">Showing {len(items)} posts out of {count} total under "{esc(section.name)}" category.</span>
	</header>
	<div class="row g-4 xl:g-8"><div class="col"><div class="panel text-center">
		<div class="row child-cols-12 sm:child-cols-6 lg:child-cols-4 col-match gy-4 xl:gy-6 gx-4 sm:gx-6">
{cards}
		</div>
		<div class="nav-pagination pt-3 mt-6 lg:mt-9 border-top border-gray-100 dark:border-gray-800">
			<ul class="nav-x uc-pagination hstack gap-1 justify-center ft-secondary" data-uc-margin="">{pagination}</ul>
		</div>
	</div></div></div>
</div></div></div>
"""
        + frames.news5_close(ds)
    )


# --- other pages ------------------------------------------------------------------------------


def static_page(ds: Dataset, slug: str) -> str:
    title = frames.STATIC_PAGES[slug]
    head = f'<title>{esc(title)} - KalbarOnline.Com</title>\n<link rel="canonical" href="{ds.base_url}/{slug}/" />'
    return (
        frames.newkarma_open(ds, head, f"page-template-default page page-id-{len(slug)}")
        + f"""
<div id="primary" class="content-area col-md-content"><main id="main" class="site-main-single" role="main">
	<article id="post-{len(slug)}" class="post-{len(slug)} page type-page status-publish hentry"><div class="site-main gmr-single hentry"><div class="gmr-box-content-single">
		<header class="entry-header"><h1 class="entry-title" itemprop="headline">{esc(title)}</h1></header>
		<div class="entry-content entry-content-single" itemprop="text"><p>Halaman {esc(title)} KalbarOnline.Com, Jalan Gajah Mada, Pontianak.</p></div>
	</div></div></article>
</main></div>
"""
        + frames.newkarma_close(ds, ds.latest(5))
    )


def not_found_page(ds: Dataset) -> str:
    head = '<title>Halaman tidak ditemukan - KalbarOnline.Com</title>\n<meta name="robots" content="noindex, follow" />'
    return (
        frames.newkarma_open(ds, head, "error404")
        + f"""
<div id="primary" class="content-area col-md-content"><main id="main" class="site-main" role="main">
	<section class="error-404 not-found gmr-box-content">
		<header class="page-header"><h1 class="page-title screen-reader-text">Oops! That page can&rsquo;t be found.</h1></header>
		<div class="page-content"><h1 class="text-center">404</h1><p class="text-center">Halaman yang Anda cari tidak ditemukan. Coba cari dengan kata kunci lain.</p>
		<form method="get" class="searchform" action="{ds.base_url}/"><input type="text" name="s" placeholder="Cari" /></form></div>
	</section>
</main></div>
"""
        + frames.newkarma_close(ds, ds.latest(5))
    )


ROBOTS_TXT = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"


def _figcaption(article: Article) -> str:
    """The featured image's caption, as Newkarma and AMP both print it."""
    if not article.caption:
        return ""
    return f'<figcaption class="wp-caption-text">{esc(article.caption)}</figcaption>'
