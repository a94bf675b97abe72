"""Site chrome around the content, per theme: document head, header, menus, sidebar, footer.

Everything here is noise to an extractor (menus, "today", recent posts with dates, mega-menu
cards linking other articles, News5's demo cart and lorem-ipsum modals); site-notes §2.1, §3,
§7 and §9.2 describe what each theme prints.
"""

from __future__ import annotations

from datetime import datetime

from tests.fakesite.dataset import SECTIONS, WIB, Article, Dataset, Section
from tests.fakesite.fmt import dmy, esc, local_iso, long_date, short_date, url_quote

STATIC_PAGES = {
    "redaksi": "Redaksi",
    "pedoman-media-siber": "Pedoman Media Siber",
    "kontak": "Kontak",
}
FALLBACK_IMAGE = "/wp-content/themes/kalbaronline/assets/images/common/img-fallback.png"


def _today() -> str:
    return long_date(datetime.now(WIB))


# --- Newkarma (desktop, 2017 – 2025) ---------------------------------------------------------


def newkarma_open(ds: Dataset, head: str, body_class: str) -> str:
    base = ds.base_url
    top = "".join(
        f'<li class="menu-item menu-item-type-post_type menu-item-object-page"><a href="{base}/{slug}/">{name}</a></li>'
        for slug, name in STATIC_PAGES.items()
    )
    menu = "".join(
        f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category menu-item-{300 + i}">'
        f'<a href="{base}{s.path}" itemprop="url"><span itemprop="name">{esc(s.name)}</span></a></li>'
        for i, s in enumerate(SECTIONS)
    )
    return f"""<!DOCTYPE html>
<html lang="id-ID">
<head itemscope="itemscope" itemtype="https://schema.org/WebSite">
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="profile" href="http://gmpg.org/xfn/11">
{head}
<link rel='stylesheet' id='newkarma-style-css' href='{base}/wp-content/themes/newkarma/style.css?ver=2.0.1' type='text/css' media='all' />
<script type="text/javascript" src="{base}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
<link rel="https://api.w.org/" href="{base}/wp-json/" />
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}} gtag('js', new Date());</script>
</head>

<body class="{body_class} gmr-theme idtheme kentooz gmr-sticky group-blog" itemscope="itemscope" itemtype="https://schema.org/WebPage">
<a class="skip-link screen-reader-text" href="#main">Lewati ke konten</a>
<div class="top-header-second">
	<div class="gmr-topnavwrap clearfix"><div class="container"><div class="gmr-list-table"><div class="gmr-table-row">
		<div class="gmr-table-cell gmr-table-date"><span class="gmr-top-date" data-lang="id">{_today()}</span></div>
		<div class="gmr-table-cell gmr-table-menu"><ul id="copy-menu" class="menu">{top}</ul></div>
	</div></div></div></div>
</div>
<div class="site inner-wrap" id="site-container">
	<header id="masthead" class="site-header" role="banner" itemscope="itemscope" itemtype="https://schema.org/WPHeader">
		<div class="container"><div class="clearfix gmr-headwrapper">
			<div class="gmr-logomobile"><a href="{base}/" title="KalbarOnline.Com"><img src="{base}/wp-content/uploads/2021/03/logo-kalbaronline.png" alt="KalbarOnline.Com" title="KalbarOnline.Com" /></a></div>
			<div class="gmr-banner-logo"><a href="{base}/iklan/" title="Pasang Iklan"><img src="{base}/wp-content/uploads/2024/05/banner-header-728x90.gif" alt="Banner Header" width="728" height="90" /></a></div>
		</div></div>
	</header><!-- #masthead -->
	<div class="top-header pos-stickymenu"><div class="container"><div class="gmr-menuwrap clearfix">
		<nav id="site-navigation" class="gmr-mainmenu" role="navigation" itemscope="itemscope" itemtype="https://schema.org/SiteNavigationElement">
			<ul id="primary-menu" class="menu">
				<li class="menu-item menu-item-type-custom menu-item-object-custom menu-item-home"><a href="{base}/" itemprop="url"><span itemprop="name">Beranda</span></a></li>
				{menu}
			</ul>
		</nav><!-- #site-navigation -->
		<div class="gmr-search"><form method="get" class="gmr-searchform searchform" action="{base}/"><input type="text" name="s" id="s" placeholder="Cari" /><button type="submit" class="gmr-search-submit"><span class="screen-reader-text">Cari</span></button></form></div>
	</div></div></div><!-- .top-header -->
	<div id="content" class="gmr-content">
		<div class="container">
			<div class="row">
"""


def newkarma_sidebar(ds: Dataset, recent: list[Article]) -> str:
    items = "".join(
        f'<li><div class="gmr-metacontent"><time class="entry-date published updated" '
        f'datetime="{local_iso(a.published)}">{long_date(a.published)}</time></div>'
        f'<a href="{ds.url(a)}">{esc(a.title)}</a></li>'
        for a in recent
    )
    popular = "".join(
        f'<li class="clearfix"><div class="gmr-rp-content"><div class="gmr-metacontent">'
        f'<span class="posted-on"><time class="entry-date published updated" datetime="{local_iso(a.published)}">'
        f'{dmy(a.published)}</time></span><span class="meta-view">{1000 + a.post_id % 900} Views</span></div>'
        f'<div class="recent-title"><a href="{ds.url(a)}" title="{esc(a.title)}">{esc(a.title)}</a></div></div></li>'
        for a in recent[::-2]
    )
    return f"""
<aside id="secondary" class="widget-area col-md-sidebar pos-sticky" role="complementary">
	<div id="newkarma-mostview-2" class="widget newkarma-mostview"><h3 class="widget-title"><span>Terpopuler</span></h3><ul class="wpberita-list-widget">{popular}</ul></div>
	<div id="newkarma-rp-3" class="widget newkarma-rp"><h3 class="widget-title"><span>Berita Terbaru</span></h3><ul>{items}</ul></div>
	<div id="custom_html-4" class="widget_text widget widget_custom_html"><div class="textwidget custom-html-widget"><a href="{ds.base_url}/iklan/"><img src="{ds.base_url}/wp-content/uploads/2024/05/banner-sidebar-300x250.jpg" alt="IKLANSIDEBAR" width="300" height="250" /></a></div></div>
</aside><!-- #secondary -->
"""


def newkarma_close(ds: Dataset, recent: list[Article]) -> str:
    base = ds.base_url
    channels = "".join(f'<li><a href="{base}{s.path}">{esc(s.name)}</a></li>' for s in SECTIONS[:3])
    return f"""{newkarma_sidebar(ds, recent)}
			</div><!-- .row -->
		</div><!-- .container -->
	</div><!-- .gmr-content -->
</div><!-- #site-container -->
<div id="footer-container">
	<div id="footer-sidebar" class="widget-footer" role="complementary"><div class="container"><div class="row">
		<div class="footer-column col-md-footer3"><div class="widget widget_text"><h3 class="widget-title">Tentang Kami</h3><div class="textwidget"><p>KalbarOnline.Com adalah portal berita Kalimantan Barat yang menyajikan informasi terkini dari Pontianak dan kabupaten/kota se-Kalbar.</p></div></div></div>
		<div class="footer-column col-md-footer3"><div class="widget widget_nav_menu"><h3 class="widget-title">Kanal</h3><ul class="menu">{channels}</ul></div></div>
	</div></div></div>
	<footer id="colophon" class="site-footer" role="contentinfo"><div class="container"><div class="site-info">Copyright &copy; 2026 KalbarOnline.Com. All Rights Reserved.</div></div></footer>
</div>
<div class="gmr-ontop gmr-hide"><span class="arrow_up"></span></div>
<script type="text/javascript" src="{base}/wp-content/themes/newkarma/js/customscript.js?ver=2.0.1" id="newkarma-customscript-js"></script>
<script type="text/javascript" src="{base}/wp-content/themes/newkarma/js/infinite-scroll-custom.js?ver=2.0.1" id="newkarma-infscroll-js"></script>
</body>
</html>
"""


def share_list(url: str, title: str, *, with_text: bool) -> str:
    u, t = url_quote(url), url_quote(title)
    items = (
        (
            "facebook",
            "gmr-share-facebook",
            f"https://www.facebook.com/sharer/sharer.php?u={u}",
            "Share",
        ),
        (
            "twitter",
            "gmr-share-twitter",
            f"https://twitter.com/share?url={u}&amp;text={t}",
            "Tweet",
        ),
        ("telegram", "", f"https://t.me/share/url?url={u}", "Telegram"),
        (
            "whatsapp",
            "gmr-share-whatsapp",
            f"https://api.whatsapp.com/send?text={t}%20{u}",
            "WhatsApp",
        ),
    )
    return "".join(
        f'<li class="{li}"><a href="{href}" class="{cls}" rel="nofollow" title="Bagikan ini">'
        + (f"<span>{label}</span>" if with_text else "")
        + "</a></li>"
        for li, cls, href, label in items
    )


# --- News5 (2025 – 2026) ---------------------------------------------------------------------


def news5_card(ds: Dataset, article: Article, href: str, *, heading: str = "h3") -> str:
    """A News5 grid card (site-notes §9.3); the same in listings, mega menus and related posts."""
    title = esc(article.title)
    image = ds.base_url + (article.image or FALLBACK_IMAGE)
    section = article.section
    author = f"{ds.base_url}/author/{article.author.login}/"
    return f"""<div>
<article class="post type-post panel vstack gap-2">
	<div class="post-image panel overflow-hidden">
		<figure class="featured-image m-0 ratio ratio-16x9 rounded uc-transition-toggle overflow-hidden bg-gray-25 dark:bg-gray-800">
			<img class="media-cover image uc-transition-scale-up uc-transition-opaque" src="{ds.base_url}{FALLBACK_IMAGE}" data-src="{image}" alt="{title}" data-uc-img="loading: lazy">
			<a href="{href}" class="position-cover" data-caption="{title}"></a>
		</figure>
		<div class="post-category hstack gap-narrow position-absolute top-0 start-0 m-1 fs-7 fw-bold h-24px px-1 rounded-1 shadow-xs bg-white text-primary"><a class="text-none" href="{ds.base_url}{section.path}">{esc(section.name)}</a></div>
	</div>
	<div class="post-header panel vstack gap-1 lg:gap-2">
		<{heading} class="post-title h6 sm:h5 xl:h4 m-0 text-truncate-2 m-0"><a class="text-none hover:text-primary duration-150" href="{href}">{title}</a></{heading}>
		<div><div class="post-meta panel hstack justify-center fs-7 fw-medium text-gray-900 dark:text-white text-opacity-60 d-none md:d-flex"><div class="meta"><div class="hstack gap-2">
			<div><div class="post-author hstack gap-1"><a href="{author}" data-uc-tooltip="{esc(article.author.name)}"><img src="{ds.base_url}/wp-content/uploads/avatar.png" alt="{esc(article.author.name)}" class="w-24px h-24px rounded-circle"></a><a href="{author}" class="text-black dark:text-white text-none fw-bold">{esc(article.author.name)}</a></div></div>
			<div><div class="post-date hstack gap-narrow"><span>{short_date(article.published)}</span></div></div>
			<div><a href="#post_comment" class="post-comments text-none hstack gap-narrow"><i class="icon-narrow unicon-chat"></i><span>0</span></a></div>
		</div></div></div></div>
	</div>
</article>
</div>"""


def _mega_menu(ds: Dataset, current: Section | None) -> str:
    """Navbar items; each section but the current one drops down cards of its newest posts
    (articles of the current section never appear there)."""
    items = []
    for section in SECTIONS:
        dropdown = ""
        if section is not current:
            cards = []
            for article in ds.listing(section.slug):
                if current is not None and current in article.sections:
                    continue
                if ds.is_missing(article.key):
                    continue
                cards.append(news5_card(ds, article, ds.url(article)))
                if len(cards) == 3:
                    break
            dropdown = (
                '<div class="uc-navbar-dropdown ft-primary text-unset p-3 pb-4 rounded-0 hide-scrollbar" '
                'data-uc-drop="offset: 0; boundary: !.navbar-container; stretch: x; animation: uc-animation-slide-top-small; duration: 150;">'
                '<div class="row col-match g-2"><div class="w-2/3"><div class="uc-navbar-switcher-nav border-end">'
                f'<div class="row child-cols-4 g-2">{"".join(cards)}</div></div></div></div></div>'
            )
        items.append(
            f'<li><a href="{ds.base_url}{section.path}">{esc(section.name)} <span data-uc-navbar-parent-icon></span></a>{dropdown}</li>'
        )
    return "".join(items)


def news5_open(ds: Dataset, head: str, body_class: str, current: Section | None) -> str:
    base = ds.base_url
    panel_menu = "".join(f'<li><a href="{base}{s.path}">{esc(s.name)}</a></li>' for s in SECTIONS)
    return f"""<!DOCTYPE html>
<html lang="id" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
<link rel="stylesheet" href="{base}/wp-content/themes/kalbaronline/assets/css/theme/main.min.css">
<script src="{base}/wp-content/themes/kalbaronline/assets/js/uni-core/js/uni-core-bundle.min.js"></script>
</head>
<body class="uni-body panel bg-white text-gray-900 dark:bg-black dark:text-gray-200 overflow-x-hidden {body_class}">
<div id="uc-search-modal" class="uc-modal-full uc-modal" data-uc-modal="overlay: true"><div class="uc-modal-dialog d-flex justify-center bg-white text-dark dark:bg-gray-900 dark:text-white" data-uc-height-viewport=""><div class="panel w-100 sm:w-500px px-2 py-10"><h3 class="h1 text-center">Search</h3><form class="hstack gap-1 mt-4 border-bottom p-narrow dark:border-gray-700" action="{base}/"><input type="search" name="s" class="form-control-plaintext ms-1 fs-6 sm:fs-5 w-full dark:text-white" placeholder="Type your keyword.." aria-label="Search" autofocus></form></div></div></div>
<div id="uc-menu-panel" data-uc-offcanvas="overlay: true;"><div class="uc-offcanvas-bar bg-white text-dark dark:bg-gray-900 dark:text-white"><header class="uc-offcanvas-header hstack justify-between items-center pb-4 bg-white dark:bg-gray-900"><div class="uc-logo"><a href="{base}/" class="h5 text-none text-gray-900 dark:text-white">KalbarOnline</a></div></header><div class="panel"><ul class="nav-y gap-narrow fw-bold fs-5" data-uc-nav>{panel_menu}</ul></div></div></div>
<div id="uc-cart-panel" data-uc-offcanvas="overlay: true; flip: true;"><div class="uc-offcanvas-bar bg-white text-dark dark:bg-gray-900 dark:text-white"><header class="uc-offcanvas-header hstack justify-between items-center pb-2 bg-white dark:bg-gray-900"><h3 class="fs-5 m-0">Shopping cart</h3></header><div class="panel vstack h-100"><p class="alert alert-warning">Your cart empty!</p></div></div></div>
<div id="uc-account-modal" class="uc-modal-full uc-modal" data-uc-modal="overlay: true"><div class="uc-modal-dialog"><div class="panel vstack gap-2 md:w-450px mx-auto p-3"><h2 class="h4">Terms of use</h2><p>Terms of use dolor sit amet consetetur, sadipscing elitr, sed diam nonumy eirmod tempor invidunt ut labore et dolore magna aliquyam erat.</p><p>Do you agree to our terms? <a href="#">Sign up</a></p></div></div></div>
<div class="position-fixed bottom-0 start-0 end-0 p-2 z-999 gdpr-notice" hidden><p class="fs-7 m-0">We use cookies to improve your experience.</p></div>

<header class="uc-header header-seven uc-navbar-sticky-wrap z-999" data-uc-sticky="sel-target: .uc-navbar-container; cls-active: uc-navbar-sticky; cls-inactive: uc-navbar-transparent; end: !*;">
	<nav class="uc-navbar-container text-gray-900 dark:text-white fs-6 z-1">
		<div class="uc-top-navbar panel z-3 min-h-32px lg:min-h-48px overflow-hidden bg-primary text-white"><div class="container max-w-xl"><div class="hstack gap-2 justify-between">{_today()}</div></div></div>
		<div class="uc-center-navbar panel hstack z-2 min-h-48px d-none lg:d-flex" data-uc-navbar=" animation: uc-animation-slide-top-small; duration: 150;">
			<div class="container max-w-xl"><div class="navbar-container hstack border-bottom">
				<div class="uc-navbar-center gap-2 lg:gap-3 flex-1">
					<div class="uc-logo"><a href="{base}/"><img class="w-150px" src="{base}/wp-content/uploads/2025/09/logo-kalbaronline.svg" alt="KalbarOnline"></a></div>
					<ul class="uc-navbar-nav gap-3 justify-between flex-1 fs-6 fw-bold" style="--uc-nav-height: 48px">{_mega_menu(ds, current)}</ul>
				</div>
				<div class="uc-navbar-right"><a href="#uc-cart-panel" data-uc-toggle><span class="icon-2 unicon-shopping-cart"></span></a><a href="#uc-account-modal" data-uc-toggle><span class="icon-2 unicon-user-avatar"></span></a></div>
			</div></div>
		</div>
	</nav>
</header>

<div id="wrapper" class="wrap">
"""


def news5_close(ds: Dataset) -> str:
    base = ds.base_url
    links = "".join(f'<li><a href="{base}{s.path}">{esc(s.name)}</a></li>' for s in SECTIONS)
    return f"""
</div><!-- #wrapper -->
<footer id="uc-footer" class="uc-footer panel uc-dark">
	<div class="footer-outer py-4 lg:py-6 bg-white dark:bg-gray-900 text-gray-900 dark:text-white text-opacity-70"><div class="container max-w-xl">
		<div class="footer-inner vstack gap-6 xl:gap-8">
			<ul class="footer-nav nav-x gap-2 lg:gap-4 justify-center text-center fs-7">{links}<li><a href="{base}/redaksi/">Redaksi</a></li><li><a href="{base}/pedoman-media-siber/">Pedoman Media Siber</a></li></ul>
			<p class="footer-copyright">&copy; 2026 KalbarOnline.Com, All rights reserved.</p>
		</div>
	</div></div>
</footer>
<div class="backtotop-wrap position-fixed bottom-0 end-0 z-99 m-2 vstack"><a class="btn btn-sm bg-primary text-white w-40px h-40px rounded-circle" href="#" data-uc-backtotop><i class="icon-2 unicon-chevron-up"></i></a></div>
</body>
</html>
"""


# --- AMP for WP, Swift (2017 – 2024) ---------------------------------------------------------


def amp_open(ds: Dataset, head: str, canonical: str, body_class: str) -> str:
    base = ds.base_url
    menu = "".join(
        f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category"><a href="{base}{s.path}amp/">{esc(s.name)}</a></li>'
        for s in SECTIONS
    )
    return f"""<!doctype html>
<html amp lang="id-ID">
<head>
<meta charset="utf-8">
<link rel="preconnect" href="//cdn.ampproject.org">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<link rel="canonical" href="{canonical}">
{head}
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-sidebar" src="https://cdn.ampproject.org/v0/amp-sidebar-0.1.js"></script>
<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style>
<style amp-custom>.sp{{width:100%}}.amp-category span{{font-size:12px}}.loop-date{{font-size:11px}}</style>
</head>
<body class="{body_class}">
<amp-sidebar id="sidebar" layout="nodisplay" side="left"><div class="amp-close-btn" on="tap:sidebar.toggle" role="button" tabindex="0"></div><div class="m-menu"><ul class="amp-menu">{menu}</ul></div></amp-sidebar>
<header class="header h_m h_m_1">
	<div class="cntr"><div class="head h_m_w"><div class="h-nav"><div class="lb-t" on="tap:sidebar.toggle" role="button" tabindex="0"></div></div>
	<div class="logo"><a href="{base}/amp/"><amp-img src="{base}/wp-content/uploads/2021/03/logo-kalbaronline.png" width="190" height="43" alt="KalbarOnline.Com" layout="fixed"></amp-img></a></div></div></div>
</header>
"""


def amp_close(ds: Dataset) -> str:
    return f"""
<footer class="footer"><div class="f-w-f2"><div class="cntr"><div class="rr"><span>&copy; 2026 KalbarOnline.Com</span> <a class="view-non-amp" href="{ds.base_url}/" rel="nofollow">View Non-AMP Version</a></div></div></div></footer>
</body>
</html>
"""


def relative_ago(n: int) -> str:
    """The Swift design's human_time_diff dates (as cached copies carry them)."""
    return ("10 mins ago", "22 mins ago", "50 mins ago", "3 hours ago", "5 hours ago", "1 day ago")[
        n % 6
    ]
