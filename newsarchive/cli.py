"""The `newsarchive` command: parse arguments, call the library, turn the outcome into an exit code.

Kept thin and fast to start: Scrapy and the storage layer are imported only by the commands that
need them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from newsarchive import __version__
from newsarchive.site import DEFAULT_BASE_URL, DEFAULT_DB, WARC_DIR_ENV

EXIT_OK = 0
EXIT_FAILED = 1  # the run finished but failed its own criteria, or the page is not an article
EXIT_USAGE = 2  # bad command-line input; nothing was touched
EXIT_LOCKED = 75  # another run holds the archive's lock (EX_TEMPFAIL: cron may simply retry)

EPILOG = """\
exit codes:
  0    done
  1    the run finished but failed its own criteria: a page could not be fetched
       (timeout, server error after the retries, the size cap, a refused redirect,
       robots.txt), parsed or stored; errors were logged; the run stopped early (full
       disk, the failure or time budget); `extract`: not an article, or a WARC record
       over the size cap or cut short. A page the site answers 404/410 for is only
       recorded.
  2    usage error (bad date, URL, path or format; not an archive); nothing was touched
  75   another run holds the archive's lock (cron may simply retry)
  130  stopped by Ctrl-C (SIGINT), 143 by SIGTERM: the run is recorded as interrupted
  141  the reader of the output went away (`| head`); nothing more is printed
"""


class UsageError(Exception):
    """Bad command-line input, reported in one line with exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (cron mail stays readable), not the usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {value!r}")
    return value.strip()


def _timestamp(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 time: {value!r} (e.g. 2024-06-16T10:00:00+07:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


def _positive(value: str) -> int:
    # The ceiling is SQLite's largest INTEGER (signed 64 bits): `--limit` goes to SQLite as a
    # bound parameter, and a larger Python int does not fit. Above it: a usage error, exit 2
    # (the largest value itself is accepted and means "all").
    largest = 2**63 - 1
    try:
        number = int(value)
    except ValueError:
        # int() refuses more than 4300 digits; all digits is still a number, only too large.
        number = largest + 1 if value.strip().isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    if number > largest:
        raise argparse.ArgumentTypeError(f"too large: {value[:30]!r} (at most {largest})")
    return number


def _offset(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"not a byte offset: {value!r}")
    return int(value)


def _channels(value: str) -> str:
    """A --discover value, checked here so a typo is a usage error before anything starts."""
    from newsarchive.spiders.channels import parse_discover

    try:
        parse_discover(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _setting(value: str) -> tuple[str, str]:
    name, sep, setting = value.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"not NAME=VALUE: {value!r}")
    return name.strip(), setting


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get("NEWSARCHIVE_DB", DEFAULT_DB),
        help="the archive (SQLite); env NEWSARCHIVE_DB; default %(default)s",
    )
    parser.add_argument(
        "--base-url",
        type=_url,
        default=os.environ.get("NEWSARCHIVE_BASE_URL", DEFAULT_BASE_URL),
        help="the site; env NEWSARCHIVE_BASE_URL; default %(default)s",
    )


def _add_command(
    commands: Any, name: str, summary: str, description: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="newsarchive",
        description="Archive KalbarOnline (kalbaronline.com) into SQLite, and query the archive.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = _add_command(
        commands,
        "extract",
        "parse one saved HTML page offline and print the article as JSON",
        "Parse one saved article page offline and print it as one JSON object.",
    )
    extract.add_argument("file", type=Path, nargs="?", metavar="FILE", help="the saved HTML page")
    extract.add_argument("--url", type=_url, help="the URL the page came from (with FILE)")
    extract.add_argument(
        "--warc", type=Path, metavar="WARC", help="read the page from a WARC file instead"
    )
    extract.add_argument(
        "--offset", type=_offset, metavar="N", help="byte offset of the record in --warc"
    )
    extract.add_argument(
        "--fetched-at",
        type=_timestamp,
        default=None,
        help="when the page was fetched (ISO 8601; default now); anchors relative dates",
    )
    extract.set_defaults(handler=cmd_extract)

    crawl = _add_command(
        commands,
        "crawl",
        "crawl sections of the site into the archive",
        (
            "Walk each section's listing pages newest first, following pagination to the end "
            "(or until listings are older than --since), and archive every article not yet "
            "archived. Prints progress on stderr and one summary line at the end."
        ),
    )
    _crawl_options(crawl)
    crawl.add_argument("--since", type=_day, help="skip articles published before this day")
    crawl.add_argument("--until", type=_day, help="skip articles published after this day")
    crawl.add_argument("--max-pages", type=_positive, help="listing pages per section, at most")
    crawl.add_argument("--max-articles", type=_positive, help="article pages to fetch, at most")
    crawl.add_argument(
        "--refetch",
        action="store_true",
        help="fetch articles again even when archived (changed content becomes a revision)",
    )
    crawl.add_argument(
        "--discover",
        type=_channels,
        default="listings",
        metavar="CHANNELS",
        help="where to find articles: listings (the section listing pages), sitemaps (Yoast's,"
        " with lastmod), feed (RSS, newest first), rest (the WordPress REST API), all, or a"
        " comma list; a channel the site does not answer is reported once and skipped;"
        " default %(default)s",
    )
    crawl.set_defaults(handler=cmd_crawl)

    update = _add_command(
        commands,
        "update",
        "cron mode: archive what is new since the last run, cheaply",
        (
            "Incremental crawl for cron. By default (--discover auto) it asks the REST API for "
            "the posts changed most recently and fetches the new ones and those edited since "
            "they were archived (one request when nothing is new); without REST, the feed; "
            "without both, per section it walks listing pages newest first and stops at the "
            "first page on which every article is already archived. It also fetches once the "
            "archived articles the last `coverage` found listed nowhere, marking those the site "
            "removed. Holds the archive's lock: a second run on the same archive exits at once "
            "with code 75."
        ),
    )
    _crawl_options(update)
    update.add_argument(
        "--recheck-days",
        type=_positive,
        metavar="N",
        help="also fetch again articles published in the last N days, to catch edits",
    )
    update.add_argument(
        "--quiet", action="store_true", help="print only the summary line (for cron mail)"
    )
    update.add_argument(
        "--discover",
        type=_channels,
        default="auto",
        metavar="CHANNELS",
        help="as for crawl; default auto: the REST API (newest changes first: new and edited"
        " posts in one request), else the feed, else the listing walk",
    )
    update.set_defaults(handler=cmd_update)

    coverage = _add_command(
        commands,
        "coverage",
        "compare the site's own lists of posts with the archive: what is missing",
        (
            "Read the site's sitemaps and REST API (no article is fetched) and compare the "
            "posts they list with the archive: per month and section, listed vs archived; the "
            "missing URLs; archived articles no channel lists any more (possibly removed); a "
            "completeness ratio. Each run's figures are stored (coverage_runs, "
            "coverage_months, coverage_urls). Exit 0 when nothing is missing, 1 when something "
            "is (or when no channel that lists every post answered)."
        ),
    )
    coverage.add_argument("--since", type=_day, help="only posts published on or after this day")
    coverage.add_argument("--until", type=_day, help="only posts published on or before this day")
    coverage.add_argument(
        "--section", metavar="S", help="only this section (category name or slug)"
    )
    coverage.add_argument("--json", action="store_true", help="print the figures as JSON")
    coverage.add_argument(
        "--create-dirs", action="store_true", help="create the archive's directory if missing"
    )
    coverage.add_argument(
        "-s", dest="settings", action="append", default=[], type=_setting,
        metavar="NAME=VALUE", help="set a Scrapy or newsarchive setting",
    )  # fmt: skip
    coverage.set_defaults(handler=cmd_coverage, no_raw=False)

    reparse = _add_command(
        commands,
        "reparse",
        "re-extract every stored raw page with the current parser, without network",
        "Re-extract the raw page (WARC record) of every archived article with the current "
        "parser; rows whose output changed get a new revision, the others stay untouched. "
        "Prints how many rows changed, per field. Pages are re-extracted by --jobs worker "
        "processes; this process alone writes, in article order, so the result is the same "
        "for any --jobs.",
    )
    reparse.add_argument("--layout", help="only articles parsed with this layout")
    reparse.add_argument("--since", type=_day, help="only articles published since this day")
    reparse.add_argument(
        "--warc-dir",
        default=os.environ.get(WARC_DIR_ENV),
        help="the WARC folder; env NEWSARCHIVE_WARC_DIR; default warc/ beside the archive",
    )
    # The numbers in the help are reparse.MIN_PER_WORKER (tests/test_reparse_parallel.py).
    reparse.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="worker processes extracting pages; 1: in this process; default: one per 500"
        " articles, at most one per usable CPU (fewer than 1,000 articles: in this process)",
    )
    reparse.set_defaults(handler=cmd_reparse)

    # The numbers below are storage/queries.py's MAX_TERMS, MAX_PREFIXES, MIN_PREFIX,
    # MAX_COMPLETIONS and CANDIDATES (tests/test_search.py holds them together).
    search = _add_command(
        commands,
        "search",
        "full-text search over title, subtitle and body",
        """\
Full-text search (SQLite FTS5, diacritics folded) over title, subtitle and body, best match
first (bm25) or --newest first. Prints the number of matches, then per hit its date, title,
URL and a snippet (--json: one object per line, the count on stderr).

The query:
  banjir pontianak     every word must match
  "kepala desa"        an exact phrase (typographic quotes too)
  banjir OR longsor    either term: OR in capitals, between two terms
  banjir -jalan        without a word; -"a phrase" without a phrase
  bangun*              words that begin so: 3 letters at least, or it is the word itself
Anything else is literal text (AND, NOT, parentheses, colons are words; punctuation inside a
word makes a phrase: covid-19 is "covid 19"), so no query is an error but one with nothing to
find. At most 12 terms and 2 prefixes a query, each prefix standing for its 32 most frequent
words: a query cut to fit says so in one line on stderr.

Best first ranks every match when there are at most 2000, else the matches in the newest
articles (by date) that hold about 2000 of them, then the older ones (the count line says so);
--newest orders all the matches by date. No match: "no matches" on stderr and exit 1.""",
    )
    search.epilog = """\
exit codes:
  0    something matched
  1    nothing matched ("no matches" on stderr)
  2    usage error (bad date or number, an unknown --section, nothing to search for; not an
       archive); nothing was touched
  130  stopped by Ctrl-C (SIGINT)
  141  the reader of the output went away (`| head`); nothing more is printed
"""
    search.add_argument("query", metavar="QUERY", help="what to find (see above)")
    search.add_argument("--limit", type=_positive, default=20, help="at most N results")
    search.add_argument(
        "--newest", action="store_true", help="newest first (default: best match first)"
    )
    _filter_options(search)
    search.add_argument(
        "--stem",
        action="store_true",
        help="match Indonesian word stems: pembangunan finds membangun (prefixes not stemmed)",
    )
    search.add_argument("--json", action="store_true", help="one JSON object per line")
    search.set_defaults(handler=cmd_search)

    stats = _add_command(
        commands,
        "stats",
        "articles per section, month and byline; field fill rates; recent runs",
        "What the archive holds: articles per section, per month and per byline, the fill rate\n"
        "of every field, failures by stage, and the last runs with their outcome.\n\n"
        "Layout drift (how an unnoticed change of the site's markup shows): every month with its\n"
        "articles and the fill rates of byline, published_time (published_at with a time of day,\n"
        "not a bare date), subtitle, image_url, tags and reporter. A field's usual level is the\n"
        "median of its rates over the months with at least 50 articles (given at least 3 such\n"
        "months); such a month is flagged (!) when its rate is more than 20 points under the\n"
        "usual level. Smaller months are listed, never flagged. --json has the same figures:\n"
        "fill_rates_per_month, usual_fill_rates, drift.",
    )
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.add_argument(
        "--all",
        action="store_true",
        help="list every month, section and byline (default: the newest 24 months, the first "
        "50 sections, 20 bylines)",
    )
    stats.set_defaults(handler=cmd_stats)

    export = _add_command(
        commands,
        "export",
        "stream the articles out as CSV, JSON Lines or Parquet",
        "Stream the articles out in constant memory, oldest first. Lists (categories, tags) are "
        "JSON arrays in CSV and lists in JSON Lines and Parquet. Parquet needs the `parquet` "
        "extra (pyarrow).",
    )
    export.add_argument(
        "--format", required=True, choices=("csv", "jsonl", "parquet"), help="output format"
    )
    export.add_argument(
        "--output", default="-", metavar="PATH", help="file to write; `-` (default) is stdout"
    )
    _filter_options(export)
    export.set_defaults(handler=cmd_export)

    report = _add_command(
        commands,
        "report",
        "write one self-contained HTML file with charts of the archive",
        "Write one HTML file that opens offline (no scripts, fonts or files from elsewhere)\n"
        "with charts: articles per month per section, field fill rates per month (layout\n"
        "drift, as `stats` flags it), layout per month, failures per run; and the last runs.\n"
        "Needs the `report` extra (matplotlib): pip install 'newsarchive[report]'.",
    )
    report.add_argument(
        "--output", required=True, metavar="FILE", help="the HTML file to write; `-` is stdout"
    )
    report.set_defaults(handler=cmd_report)

    reindex = _add_command(
        commands,
        "reindex",
        "rebuild the full-text indexes (plain and Indonesian stems) from the articles",
        "Rebuild both full-text indexes from the articles table: articles_fts (words) and "
        "articles_stem_fts (Indonesian stems, for `search --stem`). newsarchive keeps both in "
        "sync as it stores articles; run this after another program wrote to `articles` (the "
        "stem index cannot be kept by SQL triggers), or when `search --stem` says the index is "
        "incomplete. Holds the archive's lock; one transaction: stopped part-way, it leaves the "
        "indexes as they were.",
    )
    reindex.set_defaults(handler=cmd_reindex)

    serve = _add_command(
        commands,
        "serve",
        "browse and search the archive in Datasette, read-only",
        "Serve the archive with Datasette on 127.0.0.1, read-only (--immutable; while a "
        "write-ahead log is beside the file, as during a crawl, through read-only connections "
        "instead), with metadata generated for this file, whatever its name: the article list "
        "first (full-text search, facets by section and month, newest month first), the canned "
        "search, descriptions of every table. Ctrl-C stops it. Needs the `datasette` extra: "
        "pip install 'newsarchive[datasette]'.",
    )
    serve.add_argument(
        "--port", type=_port, default=8001, help="the port on 127.0.0.1; default %(default)s"
    )
    serve.add_argument("--open", action="store_true", help="open the article list in a web browser")
    serve.set_defaults(handler=cmd_serve)

    datasette_metadata = _add_command(
        commands,
        "datasette-metadata",
        "print Datasette metadata for this archive file, to run Datasette yourself",
        "Print Datasette metadata (JSON) generated for the archive file: Datasette applies a "
        "metadata file's `databases` entry only to the database of the same name, the file's "
        "stem, so a renamed or copied archive needs its own: newsarchive datasette-metadata "
        "--db copy.db > m.json; datasette --immutable copy.db --metadata m.json. Needs no "
        "Datasette itself.",
    )
    datasette_metadata.set_defaults(handler=cmd_datasette_metadata)
    return parser


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_day, help="published on or after this day")
    parser.add_argument("--until", type=_day, help="published on or before this day")
    parser.add_argument("--section", help="a section name or slug (`Kubu Raya`, `kubu-raya`)")


def _crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--section",
        action="append",
        default=[],
        metavar="S",
        help="a section slug (expanded with NEWSARCHIVE_SECTION_URL, default "
        "{base}/category/{slug}/) or an absolute listing URL; repeatable; default: every "
        "section in the site's navigation",
    )
    parser.add_argument(
        "--create-dirs",
        action="store_true",
        help="create the archive's directory if it does not exist (default: a usage error)",
    )
    parser.add_argument(
        "--no-raw",
        action="store_true",
        help="do not keep raw pages as WARC (saves disk; `reparse` then cannot redo them)",
    )
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        type=_setting,
        metavar="NAME=VALUE",
        help="set a Scrapy or newsarchive setting, as `scrapy crawl -s` does",
    )


SQLITE_HEADER = b"SQLite format 3\x00"


def _writable_archive(path: str, create_dirs: bool = False) -> Path:
    """The archive a crawl will write: an SQLite file or a new one, in a folder that exists
    (a typo in --db must not start an hour-long crawl into a new directory)."""
    db = Path(path)
    if not path.strip():
        raise UsageError("--db is empty")
    folder = db.parent
    if not folder.is_dir():
        if folder.exists():
            raise UsageError(f"{folder} is not a directory")
        if not create_dirs:
            raise UsageError(f"directory {folder} does not exist (pass --create-dirs to create it)")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {folder}: {exc.strerror or exc}") from None
    if db.is_dir():
        raise UsageError(f"archive {db} is a directory")
    if db.exists():
        if not db.is_file():
            raise UsageError(f"archive {db} is not a regular file")
        try:
            with db.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise UsageError(f"cannot read {db}: {exc.strerror or exc}") from None
        if header and header != SQLITE_HEADER:
            raise UsageError(f"{db} is not an SQLite archive")
    if not os.access(folder, os.W_OK) or (db.exists() and not os.access(db, os.W_OK)):
        raise UsageError(f"archive {db} is not writable")
    return db


def cmd_extract(args: argparse.Namespace) -> int:
    from newsarchive.normalize import decode_html
    from newsarchive.pages import ExtractionError, parse_article

    if args.warc is not None:
        if args.file is not None or args.offset is None:
            raise UsageError("--warc takes --offset N and no FILE")
        from newsarchive.storage.warc import UnusableRecord, read_page

        source = f"{args.warc} at offset {args.offset}"
        try:
            page = read_page(args.warc, args.offset)
        except UnusableRecord as exc:
            # Exit 1, not 2: the command line was right (a response record is at that offset),
            # but its page cannot be used (over the size cap, or cut short): like a page that is
            # not an article. Exit 2 stays for a missing file or an offset with no record.
            print(f"newsarchive: {source}: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read a response record in {source}: {exc}") from None
        url, html, fetched_at = page.url, decode_html(page.body, page.content_type), page.fetched_at
    else:
        if args.file is None or args.url is None:
            raise UsageError("extract takes FILE --url URL, or --warc WARC --offset N")
        source = str(args.file)
        try:
            html = decode_html(args.file.read_bytes())
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
        url, fetched_at = args.url, args.fetched_at or datetime.now(UTC)
    try:
        article = parse_article(url, html, fetched_at, base_url=args.base_url)
    except ExtractionError as exc:
        print(f"newsarchive: {source}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    json.dump(article.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_reparse(args: argparse.Namespace) -> int:
    db = _existing_archive(args)
    from newsarchive.reparse import WorkersFailed, reparse
    from newsarchive.storage import Archive
    from newsarchive.storage.lock import ArchiveLock, ArchiveLocked, LockError
    from newsarchive.storage.warc import warc_dir

    folder = Path(args.warc_dir) if args.warc_dir else warc_dir(db)
    try:
        # The lock first, the connection inside it (see storage/lock.py).
        with ArchiveLock(db, "reparse"), Archive(db) as archive:
            report = reparse(archive, folder, args.base_url, args.layout, args.since, args.jobs)
    except WorkersFailed as exc:
        print(f"newsarchive reparse: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ArchiveLocked as exc:
        print(f"newsarchive reparse: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except LockError as exc:
        raise UsageError(str(exc)) from None
    print(f"newsarchive reparse: {report.summary()}")
    return EXIT_FAILED if report.unreadable else EXIT_OK


def cmd_crawl(args: argparse.Namespace) -> int:
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    spider_arguments = {
        "discover": args.discover,
        "section": args.section,
        "since": args.since,
        "until": args.until,
        "max_pages": args.max_pages,
        "max_articles": args.max_articles,
        "refetch": args.refetch,
    }
    return _run_crawl(args, "crawl", spider_arguments)


def cmd_update(args: argparse.Namespace) -> int:
    spider_arguments = {
        "section": args.section,
        "incremental": True,
        "recheck_days": args.recheck_days,
        "discover": args.discover,
    }
    return _run_crawl(args, "update", spider_arguments)


def cmd_coverage(args: argparse.Namespace) -> int:
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    spider_arguments = {
        "section": [args.section] if args.section else [],
        "since": args.since,
        "until": args.until,
        "discover": "sitemaps,rest",
        "coverage": True,
    }
    crawled: list[Any] = []
    code = _run_crawl(args, "coverage", spider_arguments, summary=False, result_to=crawled)
    if code not in (EXIT_OK, EXIT_FAILED) or not crawled:
        return code
    from newsarchive.storage import coverage

    run_id = crawled[0].stats.get("newsarchive/coverage_run")
    if run_id is None:
        print("newsarchive coverage: nothing was recorded (see the lines above)", file=sys.stderr)
        return EXIT_FAILED
    with _open_existing(args) as archive:
        figures = coverage.summary(archive.db, int(run_id))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(coverage.report_text(figures))
    whole = figures["complete_channel"] and figures["missing"] == 0
    if not figures["complete_channel"]:
        print(
            "newsarchive coverage: no channel that lists every post (sitemaps, REST) answered:"
            " completeness cannot be told",
            file=sys.stderr,
        )
    return EXIT_OK if whole and code == EXIT_OK else EXIT_FAILED


def _run_crawl(
    args: argparse.Namespace,
    command: str,
    spider_arguments: dict[str, Any],
    summary: bool = True,
    result_to: list[Any] | None = None,
) -> int:
    db = _writable_archive(args.db, create_dirs=args.create_dirs)
    # Imported here: Scrapy and SQLite are not needed by the quick commands.
    from newsarchive.crawl import run_crawl
    from newsarchive.progress import summary_line
    from newsarchive.storage.lock import ArchiveLocked, LockError

    quiet = getattr(args, "quiet", False)
    for name, flag in (("NEWSARCHIVE_DB", "--db"), ("NEWSARCHIVE_BASE_URL", "--base-url")):
        if any(given == name for given, _ in args.settings):
            raise UsageError(f"pass {flag} instead of -s {name}=...")
    overrides: dict[str, object] = {
        "LOG_LEVEL": "ERROR" if quiet else "WARNING",
        **({"NEWSARCHIVE_PROGRESS_INTERVAL": 0} if quiet else {}),
        **({"NEWSARCHIVE_RAW": False} if args.no_raw else {}),
        **dict(args.settings),
        # --db and --base-url always have a value (flag, environment or default): they win
        # over `-s NEWSARCHIVE_DB=...`, which would otherwise lock one file and write another.
        "NEWSARCHIVE_DB": str(db),
        "NEWSARCHIVE_BASE_URL": args.base_url.rstrip("/"),
        "NEWSARCHIVE_COMMAND": command,
    }
    result = run_crawl(overrides, spider_arguments)
    if result_to is not None:
        result_to.append(result)
    if isinstance(result.start_error, ArchiveLocked):
        print(f"newsarchive {command}: {result.start_error}", file=sys.stderr)
        return EXIT_LOCKED
    if isinstance(result.start_error, LockError):
        raise UsageError(str(result.start_error))
    if result.start_error is not None:
        error = result.start_error
        print(f"newsarchive {command}: could not start: {type(error).__name__}: {error}",
              file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    verdict = result.verdict
    reason = result.stats.get("finish_reason", "forced")
    if verdict.status == "interrupted":
        import signal

        stopped_by = signal.Signals(verdict.exit_code - 128).name
        reason = f"interrupted by {stopped_by} ({reason})"
    line = summary_line(result.stats, result.elapsed)
    problems = f" ({'; '.join(verdict.problems)})" if verdict.problems else ""
    print(
        f"newsarchive {command}: {reason} | {line} | {result.elapsed:.1f}s"
        f" | exit {verdict.exit_code}{problems}",
        file=sys.stdout if summary else sys.stderr,
    )
    return verdict.exit_code


def _existing_archive(args: argparse.Namespace) -> Path:
    db = Path(args.db)
    if not db.exists():
        raise UsageError(f"no archive at {db} (run `newsarchive crawl` first, or pass --db)")
    from newsarchive.storage.archive import NotAnArchive, check_archive

    # Looked at read-only first: Archive() would switch a CSV file, a directory or /dev/null to
    # WAL and run migrations on it before failing with a traceback.
    try:
        check_archive(db)
    except NotAnArchive as exc:
        raise UsageError(str(exc)) from None
    return db


def _open_existing(args: argparse.Namespace) -> Any:
    """The archive of a read command, opened read-only: it works on a read-only file or mount
    and changes nothing; one whose schema is older than the code is a usage error (exit 2)
    saying how to upgrade it, never migrated here."""
    db = _existing_archive(args)
    from newsarchive.storage.archive import Archive, NotAnArchive

    try:
        return Archive.open_read_only(db)
    except NotAnArchive as exc:  # OutdatedArchive too
        raise UsageError(str(exc)) from None


def _filters(args: argparse.Namespace) -> Any:
    from newsarchive.storage.queries import Filters

    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    return Filters(since=args.since, until=args.until, section=args.section)


def cmd_search(args: argparse.Namespace) -> int:
    from newsarchive.storage.queries import EmptyQuery, UnknownSection, search

    filters = _filters(args)
    with _open_existing(args) as archive:
        try:
            result = search(
                archive.db, args.query, filters, args.limit, args.newest, stem=args.stem
            )
        except (EmptyQuery, UnknownSection) as exc:
            raise UsageError(str(exc)) from None
    notice = result.query.notice()
    for line in [notice, *result.notes] if notice else result.notes:
        print(f"newsarchive search: {line}", file=sys.stderr)
    if not result.total:
        print("newsarchive search: no matches", file=sys.stderr)
        return EXIT_FAILED
    total, shown = result.total, len(result.hits)
    count = f"{total} match{'' if total == 1 else 'es'}"
    if shown < total:
        count += f", showing {shown}; --limit N for more"
    if result.ranked_among:
        count += f" (best of the {result.ranked_among} newest; --newest: all by date)"
    print(count, file=sys.stderr if args.json else sys.stdout)
    for hit in result.hits:
        if args.json:
            print(json.dumps({k: v for k, v in hit.items() if k != "id"}, ensure_ascii=False))
        else:
            print(f"{(hit['published_at'] or '')[:10]}  {hit['title']}\n  {hit['url']}")
            print(f"  {' '.join(hit['snippet'].split())}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from newsarchive.storage.queries import stats

    with _open_existing(args) as archive:
        figures = stats(archive.db)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(
        f"articles {figures['articles']}, revisions {figures['revisions']},"
        f" removed by the site {figures['removed']}"
    )
    if figures["last_coverage"]:
        last = figures["last_coverage"]
        print(
            f"last coverage ({last['checked_at']}): listed {last['listed']}, archived"
            f" {last['archived']}, missing {last['missing']}, completeness"
            f" {last['completeness']:.1%}, possibly removed {last['unlisted']}"
        )
    for title, key, top in (
        ("per section", "per_section", 50),
        ("per byline", "per_byline", 20),
        ("failures by stage", "failures_by_stage", None),
    ):
        print(f"\n{title}:")
        shown = list(figures[key].items())
        for name, number in shown if args.all else shown[:top]:
            print(f"  {number:>8}  {name}")
        _more(len(shown), top, args.all)
    print("\nfield fill rates:")
    for name, rate in figures["fill_rates"].items():
        print(f"  {'-' if rate is None else f'{rate:7.1%}':>8}  {name}")
    _print_drift(figures, args.all)
    print("\nlast runs:")
    for run in figures["last_runs"]:
        print(
            f"  #{run['id']} {run['command']} {run['started_at']} {run['status']}"
            f" exit {run['exit_code']} | pages {run['pages_fetched']} | new {run['articles_new']}"
            f" updated {run['articles_updated']} | failures {run['failures']}"
        )
    return EXIT_OK


def _more(total: int, top: int | None, everything: bool) -> None:
    if top is not None and not everything and total > top:
        print(f"  ({total - top} more; --all)")


def _print_drift(figures: dict[str, Any], everything: bool, top: int = 24) -> None:
    """Articles and fill rates per month, newest first, a rate flagged `!` when it is more than
    the rule's points under the field's usual level; then the usual levels and every flag."""
    per_month: dict[str, dict[str, Any]] = figures["fill_rates_per_month"]
    usual: dict[str, float | None] = figures["usual_fill_rates"]
    flagged = {(flag["month"], flag["field"]) for flag in figures["drift"]}
    rule = figures["drift_rule"]
    points = f"{rule['points'] * 100:.0f} points"
    widths = {name: max(len(name), 6) for name in usual}

    def line(month: str, articles: object, cells: str) -> None:
        print(f"  {month:<7}  {articles!s:>8}{cells}".rstrip())

    print(f"\nper month (newest first): articles and fill rates; ! = more than {points} under")
    print("the usual level (the median over months with at least "
          f"{rule['min_articles']} articles, given {rule['min_months']} such months):")  # fmt: skip
    line("month", "articles", "".join(f"  {name:>{w}} " for name, w in widths.items()))
    months = sorted(per_month, reverse=True)
    for month in months if everything else months[:top]:
        rates = per_month[month]
        line(month, rates["articles"], "".join(
            f"  {rates[name]:>{w}.1%}{'!' if (month, name) in flagged else ' '}"
            for name, w in widths.items()
        ))  # fmt: skip
    _more(len(months), top, everything)
    line("usual", "", "".join(
        f"  {'-' if usual[name] is None else f'{usual[name]:.1%}':>{w}} "
        for name, w in widths.items()
    ))  # fmt: skip
    drift = figures["drift"]
    print(f"\ndrift: {len(drift) or 'no'} month rates more than {points} under the usual level")
    for flag in drift:
        print(
            f"  {flag['month']}  {flag['field']:<14} {flag['rate']:7.1%}  usual {flag['usual']:.1%}"
        )


def cmd_export(args: argparse.Namespace) -> int:
    from newsarchive.export import (
        BadOutput,
        MissingParquetSupport,
        WriteFailed,
        check_output,
        export,
    )

    filters = _filters(args)
    # Before the archive is opened: an output that is the archive (or its -wal, lock, WARC
    # folder) is refused with nothing touched.
    try:
        check_output(args.output, args.db, args.format)
    except BadOutput as exc:
        raise UsageError(str(exc)) from None
    with _open_existing(args) as archive:
        try:
            written = export(archive.db, args.format, args.output, filters)
        except (MissingParquetSupport, BadOutput) as exc:
            raise UsageError(str(exc)) from None
        except WriteFailed as exc:  # disk full part-way: the previous file is intact
            print(f"newsarchive: error: {exc}", file=sys.stderr)
            return EXIT_FAILED
    print(f"newsarchive export: {written} articles", file=sys.stderr)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from newsarchive.export import check_output
    from newsarchive.report import (
        BadOutput,
        MissingReportSupport,
        WriteFailed,
        build,
        gather,
        require_matplotlib,
        write,
    )

    try:
        require_matplotlib()
        # Before the archive is opened, as for export: the archive's own files are refused.
        check_output(args.output, args.db, "html")
    except (MissingReportSupport, BadOutput) as exc:
        raise UsageError(str(exc)) from None
    with _open_existing(args) as archive:
        data = gather(archive.db, args.db)
    report = build(data)
    try:
        size = write(report.html, args.output)
    except BadOutput as exc:
        raise UsageError(str(exc)) from None
    except WriteFailed as exc:  # disk full part-way: the previous file is intact
        print(f"newsarchive: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    where = "stdout" if args.output == "-" else args.output
    print(f"newsarchive report: {len(report.charts)} charts, {size / 1024:.0f} KiB to {where}",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace) -> int:
    import time

    db = _existing_archive(args)
    _writable_archive(str(db))
    from newsarchive.storage import Archive
    from newsarchive.storage.lock import ArchiveLock, ArchiveLocked, LockError
    from newsarchive.storage.stems import reindex

    started = time.perf_counter()
    try:
        # The lock first, the connection inside it (see storage/lock.py).
        with ArchiveLock(db, "reindex"), Archive(db) as archive, archive.db.atomic():
            articles = reindex(archive.db)
    except ArchiveLocked as exc:
        print(f"newsarchive reindex: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except LockError as exc:
        raise UsageError(str(exc)) from None
    elapsed = time.perf_counter() - started
    print(f"newsarchive reindex: {articles} articles, full-text and stem indexes rebuilt"
          f" in {elapsed:.1f}s")  # fmt: skip
    return EXIT_OK


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {value!r}")
    return int(value)


def cmd_serve(args: argparse.Namespace) -> int:
    from newsarchive.serve import ServeError, serve

    db = _existing_archive(args)
    try:
        return serve(db, args.port, args.open)
    except ServeError as exc:
        raise UsageError(str(exc)) from None


def cmd_datasette_metadata(args: argparse.Namespace) -> int:
    from newsarchive.serve import build_metadata

    metadata = build_metadata(_existing_archive(args))
    print(json.dumps(metadata, ensure_ascii=False, indent=2))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    import sqlite3  # a C module, quick to import; only to name its errors below

    def one_line(message: object) -> str:  # stderr stays one line even for a path with \n
        return " ".join(str(message).splitlines())

    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
            return int(args.handler(args))
        finally:
            # Flushed here, where the handlers below see it: a closed pipe or a full disk on
            # stdout would otherwise surface at interpreter exit as "Exception ignored ...".
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`newsarchive stats | head`): stop quietly, as Unix tools do.
        # Python's recipe (docs, "Note on SIGPIPE"): point stdout at devnull so the final flush
        # at exit cannot fail again. Exit 141 = 128 + SIGPIPE, what a shell shows for a C tool
        # killed by the signal (`yes | head`), and not 1, which `search` means as "no match".
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except UsageError as exc:
        print(f"newsarchive: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newsarchive: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # disk full on stdout, an I/O error: the run failed, in one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"newsarchive: error: {where}{one_line(exc.strerror or exc)}", file=sys.stderr)
        return EXIT_FAILED
    except sqlite3.Error as exc:  # a locked, damaged or read-only archive
        print(f"newsarchive: error: archive: {one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
