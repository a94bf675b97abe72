"""The replica's content: a seeded set of articles, and the ground truth each article page yields.

Only what listings and URLs need is generated up front (dates, ids, sections, titles); bodies
and the noise injected around them are rebuilt on demand from a per-article seed, so 20,000
articles cost a fraction of a second and no page is rendered before it is requested.

Ground truth (`expected`) follows tests/fixtures/README.md. The calls this module had to make
where the README leaves room are listed in tests/fakesite/README.md ("Ground truth").
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from typing import Any
from urllib.parse import urlsplit

from tests.fakesite import vocab

WIB = timezone(timedelta(hours=7))
FIRST_DAY = datetime(2017, 1, 2, tzinfo=WIB)
NEWS5_SINCE = datetime(2025, 9, 1, tzinfo=WIB)  # the theme switch: Newkarma before, News5 after
LAST_DAY = datetime(2026, 10, 31, tzinfo=WIB)
NEWS5_SHARE = 0.12  # about the share of 2017-2026 after the switch
FALLBACK_SHARE = 0.1  # Newkarma-era pages rendered without Yoast (no JSON-LD, no og/article meta)

Block = tuple[str, str]  # (tag, text): tag is "p", "h3" or "li"

_PERMALINK_RE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([^/?#]+)(?:/amp)?/?$")
# README conventions, made executable: the dateline place and the closing sign-off.
_DATELINE_RE = re.compile(r"^KalbarOnline,\s*(?P<place>[^–—\-,]{1,40}?)\s*[–—-]\s")
_SIGNOFF_RE = re.compile(r"\((?P<who>[A-Za-z][A-Za-z .'’]{0,24})\)$")
_EDITABLE = ("title", "subtitle", "body", "body_extra", "tags", "caption", "author", "modified")


@dataclass(frozen=True)
class Section:
    name: str
    slug: str
    style: str  # listing markup: "newkarma" or "news5"

    @property
    def path(self) -> str:
        return f"/category/{self.slug}/"


@dataclass(frozen=True)
class Author:
    login: str  # user_nicename, in /author/<login>/
    name: str  # display name, the byline
    bio: str


SECTIONS = tuple(Section(*row) for row in vocab.SECTIONS)
AUTHORS = tuple(Author(*row) for row in vocab.AUTHORS)
_SECTION_CUM = list(accumulate(vocab.SECTION_WEIGHTS))
_AUTHOR_CUM = [list(accumulate(weights)) for weights in vocab.AUTHOR_WEIGHTS]


@dataclass(eq=False)
class Article:
    post_id: int
    slug: str
    published: datetime  # WIB
    sections: tuple[Section, ...]  # in page order (WordPress sorts terms by name)
    author: Author
    title: str
    story: vocab.Story
    seed: int  # rebuilds the body and the noise around it
    modified: datetime | None = None  # None: never edited after publishing
    subtitle: str | None = None  # Newkarma `p.subtitle`; News5 pages have none
    tags: tuple[str, ...] = ()
    image: str | None = None  # path of the featured image on the site
    caption: str | None = None
    opening: str = ""  # dateline the first paragraph starts with, "" for none
    signoff: str | None = None  # reporter initials closing the body
    fallback: bool = False  # rendered without the Yoast head
    texturize: bool = False  # WordPress wrote dashes and quotes as numeric entities
    blocks: tuple[Block, ...] | None = None  # set by an edit; else generated from `seed`
    key: str = field(init=False)  # "YYYY/MM/DD/slug": the permalink without slashes

    def __post_init__(self) -> None:
        d = self.published
        self.key = f"{d.year:04d}/{d.month:02d}/{d.day:02d}/{self.slug}"

    @property
    def layout(self) -> str:
        return "newkarma" if self.published < NEWS5_SINCE else "news5"

    @property
    def has_amp(self) -> bool:
        return self.layout == "newkarma"

    @property
    def path(self) -> str:
        """The permalink as the site writes it: a trailing slash before the News5 switch only."""
        return f"/{self.key}/" if self.layout == "newkarma" else f"/{self.key}"

    @property
    def amp_path(self) -> str:
        return f"/{self.key}/amp/"

    @property
    def section(self) -> Section:
        return self.sections[0]


@dataclass(frozen=True)
class Noise:
    """What the site injects into one article's content, as positions after body blocks."""

    related: tuple[tuple[int, Article], ...] = ()  # "Baca Juga" (desktop) / bare link (AMP)
    iklan_after: int | None = None  # the IKLANSUMPAHPEMUDA placeholder paragraph
    adsense_after: int | None = None
    figure_after: int | None = None  # an in-content figure with its caption


@dataclass
class Dataset:
    """N articles from `seed`, newest last in `articles`; listings are newest first."""

    size: int = 300
    seed: int = 1
    base_url: str = "http://127.0.0.1"
    articles: list[Article] = field(default_factory=list)
    missing: Article | None = None  # listed in a section, but its page answers 404
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    unlisted: set[int] = field(default_factory=set)  # post ids kept off every HTML listing

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._by_key: dict[str, Article] = {}
        self._by_id: dict[int, Article] = {}
        self._listings: dict[str, list[Article]] = {s.slug: [] for s in SECTIONS}
        self._next_id = 1000
        self._generate()

    # --- generation -------------------------------------------------------------------------

    def _generate(self) -> None:
        rng = self._rng
        n5 = max(1, round(self.size * NEWS5_SHARE)) if self.size >= 3 else 0
        moments = sorted(
            [_moment(rng, FIRST_DAY, NEWS5_SINCE) for _ in range(self.size - n5)]
            + [_moment(rng, NEWS5_SINCE, LAST_DAY) for _ in range(n5)]
        )
        sections = rng.choices(SECTIONS, cum_weights=_SECTION_CUM, k=len(moments))
        for i, section in enumerate(SECTIONS[: len(moments)]):
            if section not in sections:  # every section has articles when there are enough
                sections[i * len(moments) // len(SECTIONS)] = section
        for moment, section in zip(moments, sections, strict=True):
            self._add(self._new_article(moment, section))
        self._pick_fallbacks()
        self._cross_list()
        self._add_missing()

    def _new_article(self, published: datetime, section: Section) -> Article:
        rng = self._rng
        self._next_id += rng.randint(1, 12)
        era = 0 if published < NEWS5_SINCE else 1
        story = vocab.Story.pick(rng, section.slug)
        title = vocab.title_for(story, rng)
        author = rng.choices(AUTHORS, cum_weights=_AUTHOR_CUM[era])[0]
        signoff = rng.choice(vocab.REPORTERS) if rng.random() < (0.6, 0.4)[era] else None
        image = caption = None
        if rng.random() < 0.95:
            y, m, d = published.year, published.month, published.day
            wa = rng.randrange(10000)
            image = f"/wp-content/uploads/{y}/{m:02d}/IMG-{y}{m:02d}{d:02d}-WA{wa:04d}.jpg"
            if rng.random() < 0.75:
                caption = vocab.caption_for(story, rng, published, signoff or "Ist")
        modified = None
        if rng.random() < 0.65:
            modified = published + timedelta(seconds=rng.randint(300, 3 * 86400))
        tag_pool = [vocab.DATELINE_PLACES[section.slug], story.topic.tag, story.person, "Kalbar"]
        tags = rng.sample(tag_pool, rng.choice((0, 1, 2, 2, 3, 3, 4)))
        return Article(
            post_id=self._next_id,
            slug=self._unique_slug(published, _slugify(title)),
            published=published,
            sections=(section,),
            author=author,
            title=title,
            story=story,
            seed=rng.getrandbits(32),
            modified=modified,
            subtitle=vocab.subtitle_for(rng) if era == 0 and rng.random() < 0.25 else None,
            tags=tuple(sorted(dict.fromkeys(tags), key=str.lower)),
            image=image,
            caption=caption,
            opening=_opening(rng, published, section),
            signoff=signoff,
            texturize=era == 0 and rng.random() < 0.5,
        )

    def _unique_slug(self, published: datetime, slug: str) -> str:
        candidate, n = slug, 2
        day = f"{published.year:04d}/{published.month:02d}/{published.day:02d}"
        while f"{day}/{candidate}" in self._by_key:
            candidate, n = f"{slug}-{n}", n + 1
        return candidate

    def _add(self, article: Article) -> None:
        """Register an article newer than all before it (generation runs oldest first)."""
        self.articles.append(article)
        self._by_key[article.key] = article
        self._by_id[article.post_id] = article
        for section in article.sections:
            self._listings[section.slug].insert(0, article)

    def _pick_fallbacks(self) -> None:
        old = [a for a in self.articles if a.layout == "newkarma"]
        for article in old:
            article.fallback = self._rng.random() < FALLBACK_SHARE
        if old and not any(a.fallback for a in old):
            self._rng.choice(old).fallback = True

    def _cross_list(self) -> None:
        """Exactly one article belongs to two sections (and is listed in both)."""
        candidates = [a for a in self.articles if a.section.slug != "tips" and not a.fallback]
        if not candidates:
            return
        article = candidates[len(candidates) // 3]
        extra = next(s for s in SECTIONS if s.slug == "tips")
        article.sections = tuple(sorted((article.section, extra), key=lambda s: s.name))
        listing = self._listings[extra.slug]
        listing.append(article)
        listing.sort(key=lambda a: a.published, reverse=True)

    def _add_missing(self) -> None:
        """One article listed in the first section whose page answers 404 (deleted post)."""
        listing = self._listings[SECTIONS[0].slug]
        if len(listing) < 2:
            return
        newer, older = listing[1], listing[2] if len(listing) > 2 else None
        published = (
            newer.published - (newer.published - older.published) / 2
            if older
            else (newer.published - timedelta(hours=1))
        )
        ghost = self._new_article(published.replace(microsecond=0), SECTIONS[0])
        self.missing = ghost
        listing.insert(2, ghost)

    # --- lookups ----------------------------------------------------------------------------

    def find(self, ref: int | str | Article) -> Article | None:
        """An article by post id, by any URL or path form of its permalink, or itself."""
        if isinstance(ref, Article):
            return ref
        if isinstance(ref, int):
            return self._by_id.get(ref)
        match = _PERMALINK_RE.match(urlsplit(ref).path)
        return self._by_key.get("/".join(match.groups())) if match else None

    def is_missing(self, key: str) -> bool:
        return self.missing is not None and self.missing.key == key

    def by_key(self, key: str) -> Article | None:
        return self._by_key.get(key)

    def listing(self, slug: str) -> list[Article]:
        """A section's articles, newest first (the 404 one included where it is listed;
        unlisted posts left out)."""
        with self.lock:
            return [a for a in self._listings.get(slug, ()) if a.post_id not in self.unlisted]

    def latest(self, n: int, skip: Iterable[Article] = ()) -> list[Article]:
        skipped = set(map(id, skip))
        with self.lock:
            found = []
            for article in reversed(self.articles):
                if id(article) not in skipped and article.post_id not in self.unlisted:
                    found.append(article)
                    if len(found) == n:
                        break
            return found

    def section(self, slug: str) -> Section | None:
        return next((s for s in SECTIONS if s.slug == slug), None)

    def url(self, article: Article, *, amp: bool = False) -> str:
        """The article's URL on this server, in the site's own form."""
        return self.base_url + (article.amp_path if amp else article.path)

    def canonical_url(self, article: Article) -> str:
        return f"{self.base_url}/{article.key}/"

    # --- content ----------------------------------------------------------------------------

    def body_blocks(self, article: Article) -> tuple[Block, ...]:
        """The article's own text blocks: dateline and sign-off included, no noise."""
        if article.blocks is not None:
            return article.blocks
        rng = random.Random(article.seed)
        if article.story.section == "tips":
            blocks = vocab.tips_blocks(article.story, rng)
        else:
            blocks = [
                ("p", t) for t in vocab.news_paragraphs(article.story, rng, article.published)
            ]
        if article.opening:
            blocks[0] = (blocks[0][0], article.opening + blocks[0][1])
        if article.signoff:
            if article.seed % 8 == 0 and blocks[-1][0] == "p":  # "… katanya. (jim)"
                blocks[-1] = ("p", f"{blocks[-1][1]} ({article.signoff})")
            else:
                blocks.append(("p", f"({article.signoff})"))
        return tuple(blocks)

    def noise(self, article: Article, blocks: tuple[Block, ...]) -> Noise:
        """Injected content, decided per article (the same on every fetch)."""
        rng = random.Random(article.seed ^ 0x5EED)
        # After block i, never after the last one (the sign-off stays last), never inside a list.
        slots = [
            i
            for i in range(len(blocks) - 1)
            if not (blocks[i][0] == "li" and blocks[i + 1][0] == "li")
        ]
        if not slots:
            return Noise()

        def slot(chance: float) -> int | None:
            return rng.choice(slots) if rng.random() < chance else None

        related: list[tuple[int, Article]] = []
        with self.lock:
            pool = self.articles
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                other = pool[rng.randrange(len(pool))]
                if other is not article and other.post_id not in self.unlisted:
                    related.append((rng.choice(slots), other))
        return Noise(
            related=tuple(sorted(related, key=lambda r: r[0])),
            iklan_after=slot(0.3),
            adsense_after=slot(0.4),
            figure_after=slot(0.2),
        )

    def excerpt(self, article: Article, words: int = 25) -> str:
        return vocab.excerpt_words(self.body_blocks(article)[0][1], words)

    # --- ground truth -----------------------------------------------------------------------

    def expected(self, article: Article, variant: str | None = None) -> dict[str, Any]:
        """Every contract field (but `fetched_at`) that extraction must find on the article's
        page: its own layout by default, or `variant="amp"` for the `/amp/` copy."""
        layout = variant or article.layout
        if layout not in (article.layout, "amp") or (layout == "amp" and not article.has_amp):
            raise ValueError(f"{article.key} has no {layout} page")
        texts = [text for _, text in self.body_blocks(article)]
        body = "\n\n".join(texts)
        modified = article.modified if article.modified != article.published else None
        published, source = article.published, "jsonld"
        if article.fallback:
            if layout == "newkarma":
                source = "time"  # time.entry-date.published[datetime]; time.updated if edited
            else:
                # AMP without Yoast shows only a relative "3 hours ago", on another day than
                # the permalink's: the URL's date wins, at midnight; nothing tells a modification.
                published = article.published.replace(hour=0, minute=0, second=0)
                source, modified = "url", None
        dateline = _DATELINE_RE.match(texts[0]) if texts else None
        signoff = _SIGNOFF_RE.search(body)
        return {
            "url": self.canonical_url(article),
            "post_id": article.post_id,
            "title": article.title,
            "subtitle": article.subtitle if layout == "newkarma" else None,
            "byline": article.author.name,
            "reporter": signoff["who"] if signoff else None,
            "dateline": dateline["place"] if dateline else None,
            "published_at": published.isoformat(),
            "modified_at": modified.isoformat() if modified else None,
            "date_source": source,
            "categories": [s.name for s in article.sections],
            "tags": list(article.tags),
            "body": body,
            "image_url": self.base_url + article.image if article.image else None,
            "image_caption": article.caption if article.image else None,
            "word_count": len(body.split()),
            "layout": layout,
        }

    # --- changes ----------------------------------------------------------------------------

    def edit(self, ref: int | str | Article, **fields: Any) -> Article:
        """Change an article in place; the next fetch and `expected` both see the new content.

        Fields: title, subtitle, body (a string with blank-line-separated paragraphs, or a list
        of paragraphs), body_extra (paragraphs added at the end of the text, before a closing
        sign-off paragraph), tags, caption, author (display name), modified (datetime). The
        modification time moves forward unless `modified` is given.
        """
        unknown = set(fields) - set(_EDITABLE)
        if unknown:
            raise TypeError(f"cannot edit {', '.join(sorted(unknown))}")
        with self.lock:
            article = self.find(ref)
            if article is None:
                raise KeyError(ref)
            if "title" in fields:
                article.title = " ".join(str(fields["title"]).split())
            if "subtitle" in fields:
                article.subtitle = fields["subtitle"]
            if "body" in fields:
                article.blocks = _paragraphs(fields["body"])
            if "body_extra" in fields:
                blocks = list(self.body_blocks(article))
                closing = blocks and _SIGNOFF_RE.fullmatch(blocks[-1][1])
                at = len(blocks) - 1 if closing else len(blocks)
                blocks[at:at] = _paragraphs(fields["body_extra"])
                article.blocks = tuple(blocks)
            if "tags" in fields:
                article.tags = tuple(fields["tags"])
            if "caption" in fields:
                article.caption = fields["caption"]
            if "author" in fields:
                name = str(fields["author"])
                known = next((a for a in AUTHORS if a.name == name), None)
                article.author = known or Author(_slugify(name), name, "")
            last = article.modified or article.published
            now = datetime.now(WIB).replace(microsecond=0)
            article.modified = fields.get("modified") or max(now, last + timedelta(minutes=1))
            return article

    def publish(self, n: int = 1) -> list[Article]:
        """Add `n` new articles, each newer than everything so far, on top of their sections."""
        added = []
        with self.lock:
            for _ in range(n):
                newest = self.articles[-1].published if self.articles else LAST_DAY
                moment = newest + timedelta(minutes=self._rng.randint(15, 240))
                section = self._rng.choices(SECTIONS, cum_weights=_SECTION_CUM)[0]
                article = self._new_article(moment, section)
                self._add(article)
                added.append(article)
        return added


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A publishing time between two days, in newsroom hours (06:00-22:59 WIB)."""
    day = start + timedelta(days=rng.randrange((end - start).days))
    return day.replace(hour=rng.randint(6, 22), minute=rng.randrange(60), second=rng.randrange(60))


def _opening(rng: random.Random, published: datetime, section: Section) -> str:
    place = vocab.DATELINE_PLACES[section.slug]
    if published.year >= 2025:
        return (
            "KALBARONLINE.com - "
            if published.year >= 2026 and rng.random() < 0.2
            else ("KALBARONLINE.com – ")
        )
    if section.slug == "tips" and rng.random() < 0.5:
        return ""
    if published.year == 2024 and rng.random() < 0.15:
        return "KalbarOnline.com - "
    return f"KalbarOnline, {place} – "


def _paragraphs(text: str | Iterable[str]) -> tuple[Block, ...]:
    """Blocks from a blank-line-separated string or a list of paragraphs."""
    paragraphs = text.split("\n\n") if isinstance(text, str) else text
    return tuple(("p", " ".join(p.split())) for p in paragraphs if p.strip())


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "post"
