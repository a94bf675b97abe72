"""Extraction: newsarchive vs trafilatura vs newspaper4k vs a bare lxml parse, on replica pages.

The same pages (equal numbers of Newkarma desktop, AMP and News5 pages, fetched over HTTP from
the loopback replica) go through every tool in one process; each round visits every page and
runs the tools on it in a rotating order, so drift of a shared machine lands on all of them
alike. A page's time is the best of its rounds (as timeit advises: the other rounds only add
the noise of a shared machine); a tool's figure is the mean over pages. A second, isolated
pass runs each tool over all pages on its own (warm caches), for comparison.

A second part times newsarchive and the bare parse the same way on every page of the
real-WordPress test site (tests/wordpress/: WordPress with the site's theme and plugins), when
PHP, MariaDB and the archives in ../shared/wordpress are there, and scores newsarchive against
WordPress's own ground truth.

Accuracy is against the replica's ground truth (`FakeSite.expected`): title and byline exact
(whitespace-normalised; a tool that returns several authors is right when one of them is the
byline), `published_at` to the minute (a naive time is read as WIB, +07:00), and body token F1
(bag of whitespace-separated tokens, as in SQuAD).
"""

from __future__ import annotations

import cProfile
import gc
import math
import pstats
import statistics
import time
import urllib.request
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from itertools import zip_longest
from typing import Any

from benchmarks.common import rnd, target

WIB = timezone(timedelta(hours=7))
LAYOUTS = ("newkarma", "amp", "news5")
FIELDS = ("title", "byline", "published_at", "published_day", "body_f1", "body_exact")
NEWS5_SHARE = 0.12  # of the replica's articles (tests/fakesite/dataset.py)


@dataclass(frozen=True)
class Page:
    url: str
    layout: str
    html: bytes
    expected: dict[str, Any]


@dataclass(frozen=True)
class Extracted:
    """What the accuracy columns need from any tool's output."""

    title: str | None
    bylines: tuple[str, ...]
    published: datetime | None
    body: str


@dataclass
class Tool:
    name: str
    version: str
    run: Callable[[Page], Any]  # the timed call
    read: Callable[[Any], Extracted] | None  # None: the floor, nothing to score
    seconds: list[list[float]] = field(default_factory=list)  # per page, per round
    isolated: list[list[float]] = field(default_factory=list)  # per page, per isolated round
    outputs: list[Any] = field(default_factory=list)  # first round's output per page


# --- the pages ---------------------------------------------------------------------------------


def _spread(items: Sequence[Any], n: int) -> list[Any]:
    """n items evenly spaced over the sequence (the replica's years, not just its oldest)."""
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def collect_pages(per_layout: int, seed: int = 7) -> tuple[list[Page], str]:
    """`per_layout` pages of each layout from a replica big enough to have them, with the
    replica's ground truth for each; the pages are fetched over HTTP like a crawl sees them."""
    from tests.fakesite import FakeSite

    size = max(60, int(per_layout / NEWS5_SHARE * 1.3))
    pages: list[Page] = []
    with FakeSite(articles=size, seed=seed) as site:
        old = [a for a in site.articles if a.layout == "newkarma"]
        new = [a for a in site.articles if a.layout == "news5"]
        chosen = _spread(old, 2 * per_layout)
        picks = [(a, False) for a in chosen[0::2]] + [(a, True) for a in chosen[1::2]]
        picks += [(a, False) for a in _spread(new, per_layout)]
        for article, amp in picks:
            url = site.url(article, amp=amp)
            with urllib.request.urlopen(url, timeout=30) as response:
                html = response.read()
            expected = site.expected(article, "amp" if amp else None)
            pages.append(Page(url, expected["layout"], html, expected))
        base_url = site.base_url
    # Interleave the layouts, so a round never runs one layout in a block.
    by_layout = [[p for p in pages if p.layout == layout] for layout in LAYOUTS]
    mixed = [p for group in zip_longest(*by_layout) for p in group if p is not None]
    return mixed, base_url


# --- the tools ---------------------------------------------------------------------------------


def _wib(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(WIB) if moment.tzinfo else moment.replace(tzinfo=WIB)


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _wib(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        return None


def _tool_newsarchive(base_url: str, fetched_at: datetime) -> Tool:
    import newsarchive
    from newsarchive.items import Article
    from newsarchive.pages import parse_article

    def run(page: Page) -> Article:
        return parse_article(page.url, page.html, fetched_at, base_url=base_url)

    def read(article: Article) -> Extracted:
        bylines = (article.byline,) if article.byline else ()
        return Extracted(article.title, bylines, _iso(article.published_at), article.body)

    return Tool("newsarchive", newsarchive.__version__, run, read)


def _tool_trafilatura() -> Tool:
    import trafilatura
    from trafilatura.settings import set_date_params

    # trafilatura's own date defaults, asking htmldate for the time of day too.
    date_params = {**set_date_params(), "outputformat": "%Y-%m-%dT%H:%M:%S%z"}

    def run(page: Page) -> Any:
        return trafilatura.bare_extraction(
            page.html,
            url=page.url,
            with_metadata=True,
            include_comments=False,
            date_extraction_params=date_params,
            as_dict=True,
        )

    def read(found: dict[str, Any]) -> Extracted:
        author = found.get("author") or ""
        bylines = tuple(a.strip() for a in author.split(";") if a.strip())
        return Extracted(found.get("title"), bylines, _iso(found.get("date")),
                         found.get("text") or "")  # fmt: skip

    return Tool("trafilatura", trafilatura.__version__, run, read)


def _tool_newspaper() -> Tool:
    with warnings.catch_warnings():  # "nltk is not installed": only its NLP step needs it
        warnings.simplefilter("ignore")
        import newspaper

    config = newspaper.Config()
    config.fetch_images = False  # never reach out for image sizes: offline, and not timed
    config.language = "id"  # the site is Indonesian: its stopword list finds the body

    def run(page: Page) -> Any:
        article = newspaper.Article(page.url, config=config)
        article.download(input_html=page.html.decode("utf-8"))
        article.parse()
        return article

    def read(article: Any) -> Extracted:
        return Extracted(article.title, tuple(article.authors), _wib(article.publish_date),
                         article.text or "")  # fmt: skip

    return Tool("newspaper4k", newspaper.__version__, run, read)


def _tool_lxml() -> Tool:
    import lxml
    import lxml.html

    def run(page: Page) -> Any:
        return lxml.html.fromstring(page.html)

    return Tool("lxml_parse", lxml.__version__, run, None)


def _tool_parsel() -> Tool:
    """newsarchive's own first step alone: decode, then build parsel's lxml tree from text."""
    import parsel

    from newsarchive.normalize import decode_html

    def run(page: Page) -> Any:
        return parsel.Selector(text=decode_html(page.html), type="html")

    return Tool("parsel_parse", parsel.__version__, run, None)


def available_tools(base_url: str, fetched_at: datetime) -> tuple[list[Tool], dict[str, str]]:
    """The tools that import here, and why the others do not."""
    tools = [_tool_newsarchive(base_url, fetched_at), _tool_trafilatura()]
    missing: dict[str, str] = {}
    try:
        tools.append(_tool_newspaper())
    except ImportError as exc:
        missing["newspaper4k"] = f"not installed ({exc}); pip install newspaper4k"
    tools += [_tool_lxml(), _tool_parsel()]
    return tools, missing


# --- scoring -----------------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def token_f1(got: str, want: str) -> float:
    got_tokens, want_tokens = Counter(got.split()), Counter(want.split())
    if not got_tokens and not want_tokens:
        return 1.0
    common = sum((got_tokens & want_tokens).values())
    if not common:
        return 0.0
    precision = common / sum(got_tokens.values())
    recall = common / sum(want_tokens.values())
    return 2 * precision * recall / (precision + recall)


def score(found: Extracted | None, expected: dict[str, Any]) -> dict[str, float]:
    if found is None:
        return dict.fromkeys(FIELDS, 0.0)
    want_published = datetime.fromisoformat(expected["published_at"])
    minute = found.published is not None and found.published.replace(
        second=0, microsecond=0
    ) == want_published.replace(second=0, microsecond=0)
    day = found.published is not None and found.published.date() == want_published.date()
    byline = _norm(expected["byline"])
    return {
        "title": float(_norm(found.title) == _norm(expected["title"])),
        "byline": float(any(_norm(b) == byline for b in found.bylines)),
        "published_at": float(minute),
        "published_day": float(day),
        "body_f1": token_f1(found.body, expected["body"]),
        "body_exact": float(found.body == expected["body"]),
    }


def _contract_fields_match(article: Any, expected: dict[str, Any]) -> bool:
    """Every contract field of newsarchive's output equals the ground truth."""
    got = article.to_dict()
    return all(got.get(name) == value for name, value in expected.items())


# --- the run -----------------------------------------------------------------------------------


def _call(tool: Tool, page: Page) -> tuple[float, Any]:
    started = time.perf_counter()
    try:
        output = tool.run(page)
    except Exception as exc:  # a tool failing on a page is a wrong answer, not a crash
        output = exc
    return time.perf_counter() - started, output


def profile_newsarchive(tool: Tool, pages: list[Page]) -> dict[str, Any]:
    """Where parse_article's time goes (cProfile, one pass over the pages): building the tree,
    evaluating XPath/CSS queries (libxml2 time shows as the own time of the function that calls
    a compiled selector), the rest in Python.
    The profiler slows Python code more than C code, so the Python share is an upper bound."""
    profiler = cProfile.Profile()
    profiler.enable()
    for page in pages:
        _call(tool, page)
    profiler.disable()
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def cumulative(file_end: str, function: str, own: bool = False) -> float:
        return float(
            sum(
                (row[2] if own else row[3])
                for (path, _, name), row in stats.items()
                if path.endswith(file_end) and name == function
            )
        )

    total = cumulative("newsarchive/pages/article.py", "parse_article")
    tree = cumulative("parsel/selector.py", "create_root_node")
    # Every compiled selector runs inside query.select (libxml2's time is its own time); the
    # body-image test runs its one query in base.shows.
    query_functions = {
        ("newsarchive/pages/query.py", "select"),
        ("newsarchive/pages/base.py", "shows"),
    }
    queries = sum(cumulative(path, name, own=True) for path, name in query_functions)
    calls = sum(
        row[1]
        for (path, _, name), row in stats.items()
        if any(path.endswith(end) and name == fn for end, fn in query_functions)
    )
    return {
        "profiled_ms_per_page": rnd(1000 * total / len(pages), 3),
        "share_tree_build": rnd(tree / total, 3),
        "share_xpath_css_queries": rnd(queries / total, 3),
        "share_python_rest": rnd(1 - (tree + queries) / total, 3),
        "query_calls_per_page": rnd(calls / len(pages), 1),
    }


def run(
    per_layout: int = 100,
    rounds: int = 3,
    seed: int = 7,
    profile: bool = True,
    isolated_rounds: int = 2,
    wordpress: bool = True,
) -> dict[str, Any]:
    pages, base_url = collect_pages(per_layout, seed)
    fetched_at = datetime.now(UTC)
    tools, missing = available_tools(base_url, fetched_at)
    for tool in tools:  # warm-up: imports, lazy caches, stopword lists; not timed
        for page in pages[: len(LAYOUTS) * 2]:
            _call(tool, page)
        tool.seconds = [[] for _ in pages]
        tool.isolated = [[] for _ in pages]
        tool.outputs = [None] * len(pages)
    # As timeit does: no garbage collection inside a timed call (else one tool's garbage is
    # collected on another's clock); the garbage of each page is collected between pages.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        for round_no in range(rounds):
            for i, page in enumerate(pages):
                shift = (i + round_no) % len(tools)
                for tool in tools[shift:] + tools[:shift]:
                    seconds, output = _call(tool, page)
                    tool.seconds[i].append(seconds)
                    if round_no == 0:
                        tool.outputs[i] = output
                gc.collect()
        for tool in tools:
            for _ in range(isolated_rounds):
                for i, page in enumerate(pages):
                    tool.isolated[i].append(_call(tool, page)[0])
                gc.collect()
    finally:
        gc.enable()
        gc.unfreeze()
    result = summarise(pages, tools, missing, rounds)
    if profile:
        result["newsarchive_profile"] = profile_newsarchive(tools[0], pages)
    if wordpress:
        result["wordpress"] = run_wordpress(rounds)
        result["targets"] += wordpress_targets(result["wordpress"])
    return result


# --- pages of the real-WordPress test site -------------------------------------------------------


def collect_wordpress_pages() -> tuple[list[Page], str]:
    """Every post of the real-WordPress site (tests/wordpress/: WordPress with the site's own
    theme and plugins), desktop and AMP, with Yoast set up as nobody and as an organisation:
    the bytes a crawl gets, and what each must give (WordPress's own ground truth)."""
    from tests.wordpress.expected import expected
    from tests.wordpress.site import running_site

    pages: list[Page] = []
    with running_site() as site:
        for organisation in (False, True):
            site.configure(yoast_organisation=organisation, strip_category_base=False)
            for row in site.truth():
                for amp in (False, True):
                    url = row["url"] + ("amp/" if amp else "")
                    with urllib.request.urlopen(url, timeout=60) as response:
                        html = response.read()
                    want = expected(row, amp=amp, organisation=organisation)
                    pages.append(Page(url, "amp" if amp else "newkarma", html, want))
        base_url = site.url
    return pages, base_url


def wordpress_unavailable() -> str | None:
    """Why the real-WordPress site cannot run here, or None."""
    from tests.wordpress.site import WHERE_ARCHIVES_COME_FROM, archives_dir, missing_programs

    if archives_dir() is None:
        return WHERE_ARCHIVES_COME_FROM
    if missing_programs():
        return f"no {', '.join(missing_programs())} (PHP and MariaDB run the site)"
    return None


def run_wordpress(rounds: int) -> dict[str, Any]:
    """newsarchive and the bare lxml parse on the real-WordPress pages, interleaved page by
    page (best of `rounds` per page, as the replica part), and newsarchive's accuracy there."""
    import lxml.html

    from newsarchive.pages import parse_article
    from tests.wordpress.expected import FIELDS, differences

    reason = wordpress_unavailable()
    if reason:
        return {"available": False, "reason": reason}
    pages, base_url = collect_wordpress_pages()
    fetched_at = datetime.now(UTC)

    def ours(page: Page) -> Any:
        return parse_article(page.url, page.html, fetched_at, base_url=base_url)

    def floor(page: Page) -> Any:
        return lxml.html.fromstring(page.html)

    calls = {"newsarchive": ours, "lxml_parse": floor}
    for page in pages[:4]:  # warm-up
        for call in calls.values():
            call(page)
    best: dict[str, list[float]] = {name: [math.inf] * len(pages) for name in calls}
    outputs: list[Any] = [None] * len(pages)
    gc.collect()
    gc.disable()
    try:
        for round_no in range(rounds):
            for i, page in enumerate(pages):
                order = list(calls.items())
                for name, call in order[round_no % 2 :] + order[: round_no % 2]:
                    started = time.perf_counter()
                    try:
                        output = call(page)
                    except Exception as exc:  # a page newsarchive cannot read is a wrong answer
                        output = exc
                    best[name][i] = min(best[name][i], time.perf_counter() - started)
                    if name == "newsarchive" and round_no == 0:
                        outputs[i] = output
                gc.collect()
    finally:
        gc.enable()
    ms = {name: rnd(1000 * statistics.fmean(times), 3) for name, times in best.items()}
    right: Counter[str] = Counter()
    whole = 0
    for output, page in zip(outputs, pages, strict=True):
        if isinstance(output, Exception):
            continue
        diff = differences(output.to_dict(), page.expected)
        right.update(f for f in FIELDS if f not in diff)
        whole += not diff
    return {
        "available": True,
        "pages": len(pages),
        "ms_per_page": ms,
        "newsarchive_over_lxml_parse": rnd(ms["newsarchive"] / ms["lxml_parse"]),
        "accuracy": {f: rnd(right[f] / len(pages), 4) for f in FIELDS},
        "all_contract_fields": rnd(whole / len(pages), 4),
        "errors": sum(isinstance(o, Exception) for o in outputs),
    }


def wordpress_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    if not result.get("available"):
        return []
    ratio, fields = result["newsarchive_over_lxml_parse"], result["all_contract_fields"]
    return [
        target("extraction, real-WordPress pages: x the bare lxml parse", ratio, "<= 3",
               ratio <= 3),
        target("extraction, real-WordPress pages: every contract field right", fields, "= 1",
               fields == 1),
    ]  # fmt: skip


def _ms(seconds: list[list[float]], pages: list[Page]) -> dict[str, float]:
    """Mean over pages of each page's best time, in ms: all pages, then per layout."""
    if not seconds or not all(seconds):
        return {}
    best = [min(s) * 1000 for s in seconds]
    ms = {"all": rnd(statistics.fmean(best), 3)}
    for layout in LAYOUTS:
        own = [t for t, p in zip(best, pages, strict=True) if p.layout == layout]
        ms[layout] = rnd(statistics.fmean(own), 3) if own else float("nan")
    return ms


def summarise(
    pages: list[Page], tools: list[Tool], missing: dict[str, str], rounds: int
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for tool in tools:
        entry: dict[str, Any] = {
            "available": True,
            "version": tool.version,
            "ms_per_page": _ms(tool.seconds, pages),
            "isolated_ms_per_page": _ms(tool.isolated, pages),
        }
        if tool.read is not None:
            scores: list[dict[str, float]] = []
            errors = 0
            for output, page in zip(tool.outputs, pages, strict=True):
                found = None
                if isinstance(output, Exception) or output is None:
                    errors += 1
                else:
                    try:
                        found = tool.read(output)
                    except Exception:
                        errors += 1
                scores.append(score(found, page.expected))
            accuracy = {name: rnd(statistics.fmean(s[name] for s in scores), 4) for name in FIELDS}
            if tool.name == "newsarchive":
                ok = [
                    not isinstance(out, Exception) and _contract_fields_match(out, page.expected)
                    for out, page in zip(tool.outputs, pages, strict=True)
                ]
                accuracy["all_contract_fields"] = rnd(sum(ok) / len(ok), 4)
            entry["accuracy"] = accuracy
            entry["errors"] = errors
        results[tool.name] = entry
    for name, reason in missing.items():
        results[name] = {"available": False, "reason": reason}

    def ratios_of(key: str) -> dict[str, float]:
        def mean(name: str) -> float:
            entry = results.get(name, {})
            return float(entry[key].get("all", "nan")) if entry.get("available") else float("nan")

        ours = mean("newsarchive")
        return {
            "trafilatura_over_newsarchive": rnd(mean("trafilatura") / ours),
            "newspaper4k_over_newsarchive": rnd(mean("newspaper4k") / ours),
            "newsarchive_over_lxml_parse": rnd(ours / mean("lxml_parse")),
            "newsarchive_over_parsel_parse": rnd(ours / mean("parsel_parse")),
        }

    ratios = ratios_of("ms_per_page")
    accuracy = results["newsarchive"]["accuracy"]
    metadata_min = min(accuracy["title"], accuracy["byline"], accuracy["published_at"])
    targets = [
        target("extraction: x faster than trafilatura", ratios["trafilatura_over_newsarchive"],
                ">= 5", ratios["trafilatura_over_newsarchive"] >= 5),
        target("extraction: x the bare lxml parse", ratios["newsarchive_over_lxml_parse"],
                "<= 3", ratios["newsarchive_over_lxml_parse"] <= 3),
        target("extraction: body token F1", accuracy["body_f1"], ">= 0.99",
                accuracy["body_f1"] >= 0.99),
        target("extraction: worst metadata field", metadata_min, "> 0.99", metadata_min > 0.99),
    ]  # fmt: skip
    return {
        "pages": len(pages),
        "per_layout": dict(Counter(p.layout for p in pages)),
        "rounds": rounds,
        "tools": results,
        "ratios": ratios,
        "ratios_isolated": ratios_of("isolated_ms_per_page"),
        "targets": targets,
    }


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """Table rows: one per tool with its speed and accuracy, then the ratios."""
    out: list[tuple[str, str]] = [
        ("pages per layout; interleaved rounds",
         f"{result['per_layout']}; best of {result['rounds']}"),
    ]  # fmt: skip

    def speed(ms: dict[str, float]) -> str:
        if not ms:
            return "-"
        return (f"{ms['all']:.2f} ms/page (newkarma {ms['newkarma']:.2f}, amp {ms['amp']:.2f}, "
                f"news5 {ms['news5']:.2f})")  # fmt: skip

    for name, entry in result["tools"].items():
        if not entry.get("available"):
            out.append((name, f"not measured: {entry['reason']}"))
            continue
        line = speed(entry["ms_per_page"])
        if entry["isolated_ms_per_page"]:
            line += f"; isolated {entry['isolated_ms_per_page']['all']:.2f}"
        out.append((f"{name} {entry['version']}", line))
        if "accuracy" in entry:
            acc = entry["accuracy"]
            text = ", ".join(f"{k} {v:.4g}" for k, v in acc.items())
            out.append((f"  {name} accuracy", f"{text}; errors {entry['errors']}"))
    for name, value in result["ratios"].items():
        isolated = result["ratios_isolated"].get(name)
        out.append((name, f"{value} (isolated {isolated})"))
    profile = result.get("newsarchive_profile")
    if profile:
        out.append(("newsarchive profile (cProfile)",
                    ", ".join(f"{k} {v}" for k, v in profile.items())))  # fmt: skip
    wordpress = result.get("wordpress")
    if wordpress and not wordpress["available"]:
        out.append(("real-WordPress pages", f"not measured: {wordpress['reason']}"))
    elif wordpress:
        ms = wordpress["ms_per_page"]
        out.append(("real-WordPress pages", (
            f"{wordpress['pages']} pages: newsarchive {ms['newsarchive']:.2f} ms/page, bare lxml"
            f" parse {ms['lxml_parse']:.2f}: {wordpress['newsarchive_over_lxml_parse']}x;"
            f" every contract field right on {wordpress['all_contract_fields']:.4g} of the pages;"
            f" errors {wordpress['errors']}")))  # fmt: skip
    return out
