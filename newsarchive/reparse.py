"""Re-extract stored raw pages with the current parser, without network.

Rows whose extracted content changed get a new revision (and the current parser version);
rows whose content is the same are left untouched. A raw page over the size cap or cut short
is unreadable and recorded as a failure (stage `parse`) pointing at the row and its record;
the row itself is left as it is.

Extraction is CPU-bound and pure (a WARC record in, an Article out), so with `jobs` > 1 it
runs in a pool of worker processes while this process stays the only writer: it reads each
row, hands the workers nothing but where the raw page is, and stores their results one by one
in article-id order, exactly as the single-process run does. The report and the archive come
out the same whatever `jobs` is.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from newsarchive.items import CONTENT_FIELDS, Article, RawRecord
from newsarchive.pages import ExtractionError, parse_article
from newsarchive.storage import Archive, Outcome
from newsarchive.storage.warc import StoredPage, UnusableRecord, read_page

CHUNK = 16
"""Pages per task sent to a worker: enough to make the round trip cheap next to parsing them
(a few ms each), few enough that the last tasks of a run end close together."""

CHUNKS_PER_WORKER = 4
"""Tasks in flight per worker: workers never wait for the writer, and memory stays bounded
(rows and results held = jobs × CHUNKS_PER_WORKER × CHUNK), whatever the archive's size."""

MIN_PER_WORKER = 500
"""Unless told how many workers, a run takes one per this many articles (at most one per
usable CPU), and stays in this process below two: starting workers costs about a second (the
fork server imports the parsers and storage), and a worker saves 1-2 ms an article
(benchmarks/reparse.py)."""

START_ATTEMPTS = 3  # pools started in a row whose workers die before any page reaches them

CRASHED = "crashed"
"""The `damaged` kind of a page whose extraction failed beyond what the parser reports (it
killed its worker process, or raised something other than an ExtractionError)."""


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, under taskset or a cgroup's
    cpuset), the default number of reparse jobs."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class WorkersFailed(RuntimeError):
    """Worker processes cannot be started: they die as they start. What was stored before
    stays stored; the message is one line."""


@dataclass
class ReparseReport:
    examined: int = 0
    changed: int = 0
    unchanged: int = 0
    without_raw: int = 0
    unreadable: int = 0
    damaged: Counter[str] = field(default_factory=Counter)  # unusable records, per kind
    fields: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        per_field = ", ".join(f"{name} {n}" for name, n in sorted(self.fields.items()))
        per_kind = ", ".join(f"{kind} {n}" for kind, n in sorted(self.damaged.items()))
        return (
            f"examined {self.examined} | changed {self.changed} | unchanged {self.unchanged}"
            f" | no raw page {self.without_raw} | unreadable {self.unreadable}"
            + (f" ({per_kind})" if per_kind else "")
            + (f" | fields changed: {per_field}" if per_field else "")
        )


@dataclass(frozen=True)
class _Task:
    """What a worker needs to re-extract one row: where its raw page is, never the page."""

    article_id: int
    warc_file: str
    warc_offset: int


@dataclass(frozen=True)
class _Extracted:
    """A task's outcome: the article, or why there is none (`kind` None: the page is
    unreadable but leaves no failure row, as a page the parser rejects)."""

    article_id: int
    article: Article | None = None
    kind: str | None = None
    reason: str = ""


def extract_stored(page: StoredPage, base_url: str) -> Article:
    return parse_article(
        page.url, page.body, page.fetched_at, base_url=base_url, content_type=page.content_type
    )


def reparse(
    archive: Archive,
    warc_folder: Path,
    base_url: str,
    layout: str | None = None,
    since: date | None = None,
    jobs: int | None = 1,
) -> ReparseReport:
    """Re-extract the selected rows; `jobs` worker processes extract (1: in this process;
    None: as many as repay their start, see MIN_PER_WORKER)."""
    ids = archive.article_ids(layout, since.isoformat() if since else None)
    if jobs is None:
        jobs = min(usable_cpus(), len(ids) // MIN_PER_WORKER)
    jobs = min(jobs, -(-len(ids) // CHUNK))  # a worker without a chunk of its own is idle
    rows = (archive.article(article_id) for article_id in ids)
    if jobs > 1:
        groups = _pooled(rows, warc_folder, base_url, jobs)
    else:
        groups = (
            [(row, _extract_row(row, warc_folder, base_url)) for row in chunk]
            for chunk in _chunks(rows, CHUNK)
        )
    report = ReparseReport()
    for group in groups:
        # One transaction per group, opened only once its pages are extracted, so the write
        # lock is never held while pages parse; an interrupted run loses at most this group,
        # which the next run redoes.
        with archive.batch():
            for row, extracted in group:
                _write(archive, report, row, extracted)
    return report


def _task(row: dict[str, Any]) -> _Task | None:
    if not row["warc_file"]:
        return None
    return _Task(row["id"], row["warc_file"], row["warc_offset"])


def _extract_row(row: dict[str, Any], folder: Path, base_url: str) -> _Extracted | None:
    task = _task(row)
    return _extract(task, folder, base_url) if task else None


def _extract(task: _Task, folder: Path, base_url: str) -> _Extracted:
    try:
        page = read_page(folder / task.warc_file, task.warc_offset)
        article = extract_stored(page, base_url)
    except UnusableRecord as exc:
        return _Extracted(task.article_id, kind=exc.kind, reason=f"raw page unusable: {exc}")
    except (OSError, ValueError, ExtractionError):
        return _Extracted(task.article_id)
    except Exception as exc:  # one page must not end the run (see CRASHED)
        reason = f"re-extraction failed: {type(exc).__name__}: {exc}"
        return _Extracted(task.article_id, kind=CRASHED, reason=" ".join(reason.split()))
    return _Extracted(task.article_id, article)


def _write(
    archive: Archive, report: ReparseReport, row: dict[str, Any], extracted: _Extracted | None
) -> None:
    report.examined += 1
    if extracted is None:
        report.without_raw += 1
        return
    raw = RawRecord(row["warc_file"], row["warc_offset"])
    url = row["url"]
    article = extracted.article
    if article is None:
        report.unreadable += 1
        if extracted.kind is not None:
            report.damaged[extracted.kind] += 1
            archive.record_failure(None, url, "parse", extracted.reason, raw=raw, article_url=url)
        return
    article.url = url  # the row's identity, whatever base URL it was fetched under
    if archive.store(article, raw, seen=False) is Outcome.UNCHANGED:
        report.unchanged += 1
        return
    report.changed += 1
    report.fields.update(name for name in CONTENT_FIELDS if _differs(row, article, name))


def _differs(row: dict[str, object], article: Article, name: str) -> bool:
    value = getattr(article, name)
    stored = json.loads(str(row[name])) if isinstance(value, list) else row[name]
    return bool(stored != value)


# --- the pool ------------------------------------------------------------------------------
#
# Start method: forkserver (spawn where there is none). Not fork, although fork starts faster:
# a forked worker would inherit this process's descriptors, among them the archive's flock
# (storage/lock.py) and the open SQLite connection. A worker that outlived a killed writer
# would then keep the archive locked for the next run (workers end with the writer, see
# `_end_with`, but not in the same instant), and nothing but discipline would keep them off
# the connection. The fork server is a fresh
# interpreter started with only multiprocessing's own pipes; it imports the parsers once
# (preload) and forks each worker from that clean state, so no worker ever holds the archive.
# The cost is paid once per run, and runs too small to repay it stay in this process.


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group: workers leave it to the writer, which stops
    # submitting, lets the tasks in flight end and shuts the pool down, so no worker dies
    # with a traceback mid-task.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    writer = multiprocessing.parent_process()
    if writer is not None:
        threading.Thread(target=_end_with, args=(writer.sentinel,), daemon=True).start()


def _end_with(writer_sentinel: int) -> None:
    # A worker waiting for its next task never learns that the writer died (killed with
    # SIGKILL, say): the other end of its task queue is open in the worker itself, and the
    # fork server lives as long as a worker does. The writer's sentinel closes when it exits.
    wait([writer_sentinel])
    os._exit(1)


def _ready() -> None:
    """Nothing: one per worker, waited for, means every worker has started."""


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    for _attempt in range(START_ATTEMPTS):
        pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_start_worker)
        # Every worker is started at once, before any page goes out, as the executor does for
        # fork. Left to start workers as tasks come (its way for the other start methods), a
        # worker that died while another was being started left Python 3.11's executor
        # waiting forever for the newcomer, which it had not stopped with the others. The
        # attribute is the executor's own switch between the two ways (3.9 and later).
        if hasattr(pool, "_safe_to_dynamically_spawn_children"):
            setattr(pool, "_safe_to_dynamically_spawn_children", False)  # noqa: B010
        try:
            for started in [pool.submit(_ready) for _ in range(jobs)]:
                started.result()
        except BrokenProcessPool:
            pool.shutdown(wait=True)
            continue
        return pool
    raise WorkersFailed(
        f"worker processes died as they started, {START_ATTEMPTS} times; run with --jobs 1"
    )


def _extract_chunk(tasks: list[_Task], folder: Path, base_url: str) -> list[_Extracted]:
    return [_extract(task, folder, base_url) for task in tasks]


_Row = dict[str, Any]
_Pending = tuple[list[tuple[_Row, _Task | None]], "Future[list[_Extracted]]"]


def _pooled(
    rows: Iterable[_Row], folder: Path, base_url: str, jobs: int
) -> Iterator[list[tuple[_Row, _Extracted | None]]]:
    """Each row with its extraction, in the order of `rows`, in groups (a chunk each),
    extracted by `jobs` workers.

    A bounded window of chunks is in flight. The rows wait here for their results: a row is
    read once, before its page is extracted, as in the single-process run; storing another
    article never changes it (a store finds its row by URL, and each task's article carries
    its own row's URL), so what `_differs` compares is what it would compare in that run.

    A worker that dies (killed, out of memory, a crash in C code) breaks the whole pool and
    every chunk in flight with it. Those pages are then extracted again one at a time in a
    new pool: a page that breaks that one too is counted unreadable (kind CRASHED), every
    other page gets its result, and the run goes on.
    """
    chunks = _chunks(((row, _task(row)) for row in rows), CHUNK)
    window: deque[_Pending] = deque()
    pool = _new_pool(jobs)
    try:
        while True:
            unsent = None
            try:
                while len(window) < jobs * CHUNKS_PER_WORKER and (unsent := next(chunks, None)):
                    window.append((unsent, _submit(pool, unsent, folder, base_url)))
                    unsent = None
                if not window:
                    return
                chunk, future = window[0]
                results = iter(future.result())
            except BrokenProcessPool:  # raised by result(), or by submit() once it is known
                suspects = [pair for pending, _ in window for pair in pending] + (unsent or [])
                window.clear()
                pool.shutdown(wait=True)
                pool = _new_pool(jobs)
                for row, task in suspects:
                    extracted, pool = _alone(pool, task, folder, base_url, jobs)
                    yield [(row, extracted)]
                continue
            window.popleft()
            yield [(row, next(results) if task else None) for row, task in chunk]
    finally:
        # Also on KeyboardInterrupt: the tasks not started are dropped, those running end
        # (they are short) and the workers exit before the writer goes on to close the archive.
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(
    pool: ProcessPoolExecutor,
    chunk: list[tuple[_Row, _Task | None]],
    folder: Path,
    base_url: str,
) -> Future[list[_Extracted]]:
    tasks = [task for _, task in chunk if task]
    return pool.submit(_extract_chunk, tasks, folder, base_url)


def _alone(
    pool: ProcessPoolExecutor,
    task: _Task | None,
    folder: Path,
    base_url: str,
    jobs: int,
) -> tuple[_Extracted | None, ProcessPoolExecutor]:
    """One suspect page extracted by itself, so a crash is pinned on the page that caused it."""
    if task is None:
        return None, pool
    try:
        return pool.submit(_extract_chunk, [task], folder, base_url).result()[0], pool
    except BrokenProcessPool:
        pool.shutdown(wait=True)
        reason = "re-extraction killed its worker process"
        return _Extracted(task.article_id, kind=CRASHED, reason=reason), _new_pool(jobs)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
