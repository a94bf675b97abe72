"""Live progress of a crawl on stderr, and the one summary line at its end.

On a terminal: a tqdm bar redrawn in place every half second (done/total, rate and ETA when a
channel gave the total; count and rate when not), described by the channel or listing section
being read. Elsewhere (cron, a pipe, a file): one line every ``NEWSARCHIVE_PROGRESS_INTERVAL``
seconds, so logs stay short::

    newsarchive: <summary_line> | 120/540 (22%), ETA 3m10s | rest

``NEWSARCHIVE_PROGRESS_INTERVAL = 0`` turns both off (``--quiet``).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from typing import Any, TextIO

from scrapy import signals
from twisted.internet import task

#: Seconds between redraws of the bar on a terminal, whatever the interval setting (unless 0).
TTY_TICK = 0.5

TOTAL = "newsarchive/progress/total"
WHERE = "newsarchive/progress/where"
_LISTED_PREFIX = "newsarchive/channel/"
_LISTED_SUFFIX = "/listed"


def summary_line(stats: dict[str, Any], elapsed: float) -> str:
    """One short line for a terminal or for cron mail."""
    new = stats.get("newsarchive/articles_new", 0)
    updated = stats.get("newsarchive/articles_updated", 0)
    rate = (new + updated + stats.get("newsarchive/articles_unchanged", 0)) / max(elapsed, 1e-9)
    return (
        f"pages {stats.get('newsarchive/pages_fetched', 0)}"
        f" | articles new {new} updated {updated}"
        f" unchanged {stats.get('newsarchive/articles_unchanged', 0)}"
        f" | failures {stats.get('newsarchive/failures', 0)}"
        f" | {rate:.1f} articles/s"
    )


def progress_done(stats: dict[str, Any], command: str = "") -> int:
    """What counts as done against the total.

    A crawl: the posts dealt with (new, updated, unchanged, failed), as ``summary_line`` counts
    them. ``coverage`` fetches no post: the posts listed so far by the channel furthest along
    (its channels, sitemaps and REST, each list every post: their sum would count each twice).
    """
    if command == "coverage":
        listed = [
            int(value)
            for key, value in stats.items()
            if key.startswith(_LISTED_PREFIX) and key.endswith(_LISTED_SUFFIX)
        ]
        return max(listed, default=0)
    return sum(
        int(stats.get(f"newsarchive/{key}", 0))
        for key in ("articles_new", "articles_updated", "articles_unchanged", "failures")
    )


def progress_total(stats: dict[str, Any]) -> int | None:
    """The posts a channel says the site has; None when none said (a plain listing walk)."""
    total = stats.get(TOTAL)
    if total is None:
        return None
    total = int(total)
    return total if total > 0 else None


def eta_text(seconds: float) -> str:
    """``45s``, ``3m10s``, ``2h05m``: short enough for a log line."""
    whole = max(0, math.ceil(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def count_text(done: int, total: int | None, elapsed: float) -> str:
    """``120/540 (22%), ETA 3m10s``; no ETA while nothing is done; ``600/540`` alone when the
    site grew past the total it gave (no percentage above 100, no negative ETA); ``""`` when no
    total is known."""
    if total is None:
        return ""
    if done > total:
        return f"{done}/{total}"
    text = f"{done}/{total} ({100 * done // total}%)"
    rate = done / elapsed if elapsed > 0 else 0.0
    if rate > 0:
        text += f", ETA {eta_text((total - done) / rate)}"
    return text


def progress_text(stats: dict[str, Any], elapsed: float, command: str = "") -> str:
    """The progress line without its ``newsarchive:`` prefix:
    ``<summary_line>[ | done/total (pct%)[, ETA ...]][ | where]``."""
    parts = [summary_line(stats, elapsed)]
    counted = count_text(progress_done(stats, command), progress_total(stats), elapsed)
    if counted:
        parts.append(counted)
    where = stats.get(WHERE)
    if where:
        parts.append(str(where))
    return " | ".join(parts)


class ProgressReporter:
    """Scrapy extension: the bar on a terminal, a line per interval elsewhere."""

    def __init__(
        self,
        crawler: Any,
        interval: float,
        command: str = "",
        stream: TextIO | None = None,
    ) -> None:
        self.crawler = crawler
        self.interval = interval
        self.command = command
        self._stream = stream  # None: sys.stderr at the time of writing (pytest swaps it)
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None
        self.bar: Any = None  # tqdm, on a terminal
        self.broken = False  # the stream went away: write nothing more

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressReporter:
        reporter = cls(
            crawler,
            crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL"),
            command=crawler.settings.get("NEWSARCHIVE_COMMAND") or "",
        )
        crawler.signals.connect(reporter.opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.closed, signal=signals.spider_closed)
        return reporter

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def on_terminal(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (ValueError, OSError, AttributeError):
            return False

    def opened(self) -> None:
        self.started = time.monotonic()
        if self.interval <= 0:
            return
        tty = self.on_terminal()
        if tty:
            self._open_bar()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(TTY_TICK if tty else self.interval, now=False)

    def report(self) -> None:
        if self.broken:
            return
        stats = self.crawler.stats.get_stats()
        elapsed = time.monotonic() - self.started
        try:
            if self.bar is not None:
                self._draw(stats)
            else:
                line = progress_text(stats, elapsed, self.command)
                print(f"newsarchive: {line}", file=self.stream, flush=True)
        except (BrokenPipeError, ValueError, OSError):
            self._give_up()

    def closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.loop = None
        bar, self.bar = self.bar, None
        if bar is not None:
            try:
                bar.close()
            except (BrokenPipeError, ValueError, OSError):
                self.broken = True

    # --- the bar ---------------------------------------------------------------------------

    def _open_bar(self) -> None:
        from tqdm import tqdm

        cols, rows = self._screen()
        try:
            self.bar = tqdm(
                total=None,
                file=self.stream,
                leave=False,  # the summary line printed after the crawl stays the last one
                unit=" posts",
                ncols=cols,
                nrows=rows,
                smoothing=0,  # rate and ETA from the average since start, as the line's
                mininterval=0,
            )
        except (BrokenPipeError, ValueError, OSError):
            self._give_up()

    def _draw(self, stats: dict[str, Any]) -> None:
        bar = self.bar
        done = progress_done(stats, self.command)
        total = progress_total(stats)
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.ncols, bar.nrows = self._screen()  # follows a resized window
        bar.set_description_str(str(stats.get(WHERE) or ""), refresh=False)
        if self.command != "coverage":  # coverage fetches no post: nothing new to count
            bar.set_postfix_str(
                f"new {stats.get('newsarchive/articles_new', 0)}"
                f" updated {stats.get('newsarchive/articles_updated', 0)}"
                f" failures {stats.get('newsarchive/failures', 0)}",
                refresh=False,
            )
        bar.refresh()

    def _screen(self) -> tuple[int, int]:
        """Columns and rows of the terminal; 100×24 when it tells none (a pty of size 0×0,
        as `script` makes, for which tqdm's own reading draws nothing at all)."""
        try:
            size = os.get_terminal_size(self.stream.fileno())
            cols, rows = size.columns, size.lines
        except (AttributeError, OSError, ValueError):  # StringIO: io.UnsupportedOperation
            cols, rows = 0, 0
        return (cols if cols > 0 else 100, rows if rows > 0 else 24)

    def _give_up(self) -> None:
        self.broken = True
        bar, self.bar = self.bar, None
        if bar is not None:
            # The stream is gone: nothing to tell anyone. disable: close() writes nothing.
            with contextlib.suppress(Exception):
                bar.disable = True
                bar.close()
