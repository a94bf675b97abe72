"""WARC gzip level: CPU time and bytes per record for zlib levels 1, 3, 6 and 9, side by side.

The captures are real: a crawl of the loopback replica (`python -m newsarchive crawl`, WARC on)
writes them, and they are read back as stored (payload bytes as received, headers as sent), so
each level compresses exactly what a crawl captures. Every level then writes the same captures
through newsarchive's own WarcStore (response and request record, one gzip member each, flushed
per pair, as the crawl does), in interleaved rounds in this one process; the CPU time is this
process's (user + system) over the writes, the size that of the files written. Each file is
read back with `read_page` and warcio's ArchiveIterator before its figures count.

    python -m benchmarks.warc_level [ARTICLES] [ROUNDS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.common import FAST, ROOT, rnd

LEVELS = (1, 3, 6, 9)
SEED = 3


def captures(articles: int) -> list[Any]:
    """The response/request pairs a real crawl of the replica wrote, as Captures."""
    from warcio.archiveiterator import ArchiveIterator

    from newsarchive.storage.warc import Capture
    from tests.fakesite import FakeSite

    found: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp, FakeSite(articles=articles, seed=SEED) as site:
        db = Path(tmp) / "a.db"
        command = [sys.executable, "-m", "newsarchive", "crawl", "--db", str(db),
                   "--base-url", site.base_url, *FAST]  # fmt: skip
        # Its exit status does not matter here: every response is captured before parsing.
        subprocess.run(command, cwd=ROOT, capture_output=True, timeout=600)
        for path in sorted((Path(tmp) / "warc").glob("*.warc.gz")):
            responses: dict[str, Any] = {}
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response":
                        rid = record.rec_headers.get_header("WARC-Record-ID")
                        # The payload as stored: read now, the stream does not outlive
                        # the iteration.
                        responses[rid] = (record.http_headers, record.raw_stream.read(), record)
                    elif record.rec_type == "request":
                        http, body, response = responses.pop(
                            record.rec_headers.get_header("WARC-Concurrent-To")
                        )
                        found.append(
                            Capture(
                                url=response.rec_headers.get_header("WARC-Target-URI"),
                                method=record.http_headers.statusline.split(" ")[0],
                                request_headers=list(record.http_headers.headers),
                                status=int(http.get_statuscode()),
                                protocol=http.protocol,
                                response_headers=list(http.headers),
                                body=body,
                                fetched_at=datetime.fromisoformat(
                                    response.rec_headers.get_header("WARC-Date").replace(
                                        "Z", "+00:00"
                                    )
                                ),
                            )
                        )
    return found


def _cpu() -> float:
    return time.process_time()


def write_all(folder: Path, level: int, pages: list[Any]) -> tuple[float, int, list[Any]]:
    """CPU seconds to write every capture at `level`, the bytes written, and the pointers."""
    from newsarchive.storage.warc import WarcStore

    store = WarcStore(folder, f"level{level}", level=level)
    started = _cpu()
    pointers = [store.write(page) for page in pages]
    seconds = _cpu() - started
    store.close()
    size = sum(p.stat().st_size for p in folder.glob(f"level{level}-*.warc.gz"))
    return seconds, size, pointers


def _check(folder: Path, pages: list[Any], pointers: list[Any]) -> None:
    from warcio.archiveiterator import ArchiveIterator

    from newsarchive.storage.warc import read_page

    for page, raw in zip(pages, pointers, strict=True):
        stored = read_page(folder / raw.warc_file, raw.warc_offset)
        assert stored.body == page.body and stored.url == page.url
    for name in {raw.warc_file for raw in pointers}:
        with open(folder / name, "rb") as stream:
            members = sum(1 for _ in ArchiveIterator(stream))
        assert members == 1 + 2 * sum(1 for raw in pointers if raw.warc_file == name)


def run(articles: int = 300, rounds: int = 5) -> dict[str, Any]:
    pages = captures(articles)
    raw_bytes = sum(len(p.body) for p in pages)
    cpu: dict[int, list[float]] = {level: [] for level in LEVELS}
    size: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(rounds):
            for level in LEVELS:  # interleaved, so drift in the machine hits every level alike
                folder = Path(tmp) / f"r{round_}"
                folder.mkdir(exist_ok=True)
                seconds, written, pointers = write_all(folder, level, pages)
                if round_ == 0:
                    _check(folder, pages, pointers)
                cpu[level].append(seconds)
                size[level] = written
    per_level = {}
    for level in LEVELS:
        seconds = statistics.median(cpu[level])
        per_level[str(level)] = {
            "ms_per_record": rnd(1000 * seconds / len(pages), 3),
            "bytes_per_record": round(size[level] / len(pages)),
            "ratio_to_raw": rnd(size[level] / raw_bytes, 3),
        }
    return {
        "records": len(pages),
        "raw_bytes_per_record": round(raw_bytes / len(pages)),
        "rounds": rounds,
        "levels": per_level,
    }


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    nine = result["levels"]["9"]
    out = []
    for level, figures in result["levels"].items():
        out.append(
            (
                f"WARC gzip level {level}",
                f"{figures['ms_per_record']} ms/record CPU "
                f"({rnd(figures['ms_per_record'] / nine['ms_per_record'], 2)}x level 9), "
                f"{figures['bytes_per_record']} bytes/record "
                f"({rnd(figures['bytes_per_record'] / nine['bytes_per_record'], 3)}x level 9)",
            )
        )
    return out


if __name__ == "__main__":
    import json

    result = run(*(int(a) for a in sys.argv[1:3]))
    for metric, value in rows(result):
        print(f"{metric:<22} {value}")
    print(
        f"{result['records']} captures of the replica, {result['raw_bytes_per_record']} bytes "
        f"each before compression; median of {result['rounds']} rounds"
    )
    print(json.dumps(result))
